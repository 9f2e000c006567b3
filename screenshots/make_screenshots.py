"""Write SVG screenshots of the console's main screens in a realistic session.

    .venv/bin/python screenshots/make_screenshots.py [--out screenshots] [--size 150x45]

Runs the real app headless against the embedded simulator (no API key needed, nothing
leaves the machine): a text turn, a tool call answered by the demo `get_weather`
handler, a long answer interrupted mid-sentence, an invalid `/send`, then captures the
main screen, the event detail of an error, the command palette, the session editor and
the tool editor. Anyone can rerun it; the README shows the files it writes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


async def _wait(pilot: Any, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"screenshot session timed out waiting for {what or 'the simulator'}")
        await pilot.pause(0.05)


async def _submit(pilot: Any, text: str) -> None:
    line = pilot.app.main.query_one("#input")
    line.focus()
    line.value = text
    await pilot.press("enter")


def _answered(app: Any, count: int) -> bool:
    done = [i for i in app.bridge.items() if i.get("role") == "assistant" and i.get("status") != "in_progress"]
    return len(done) >= count


async def make(out: Path, size: tuple[int, int]) -> list[Path]:
    """Drive the session and write the screenshots; returns the files written."""
    os.environ.pop("OPENAI_API_KEY", None)
    from console.app import RealtimeConsoleApp
    from console.config import build_config
    from console.launch import build_parser

    config = build_config(build_parser("realtime-console").parse_args(["--no-audio", "--voice", "marin"]))
    config.extras["simulator_fast"] = False  # real-time pacing, so an interruption lands mid-answer
    app = RealtimeConsoleApp(config)
    written: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"realtime-console: {name.replace('-', ' ')}"), encoding="utf-8")
        written.append(path)

    async with app.run_test(size=size) as pilot:
        await _wait(pilot, lambda: app.bridge.stats.connection == "connected")
        app.main.query_one("#input").cursor_blink = False
        await _submit(pilot, "Hello! What can you do?")
        await _wait(pilot, lambda: _answered(app, 1), 30, "the first answer")
        await _submit(pilot, "What's the weather in Paris?")
        await _wait(pilot, lambda: _answered(app, 2), 30, "the weather answer")
        await _submit(pilot, "Tell me a long story.")
        await _wait(pilot, lambda: app.turns.speaker is not None and app.turns.speaker.is_playing(), 30)
        await pilot.pause(1.2)
        await pilot.press("f3")
        await _wait(pilot, lambda: any(app.store.event_type(i) == "conversation.item.truncated" for i in range(len(app.store))))
        await _submit(pilot, '/send {"type": "conversation.item.delete", "item_id": "item_does_not_exist"}')
        await _wait(pilot, lambda: app.bridge.stats.errors >= 1)
        await pilot.pause(1.0)
        shot("main")

        error = max(i for i in range(len(app.store)) if app.store.event_type(i) == "error")
        app.main.event_log().focus()
        app.main.event_log().select_event(error)
        await pilot.pause(0.5)
        shot("event-detail")

        await pilot.press("ctrl+p")
        await pilot.pause(0.8)
        shot("command-palette")
        await pilot.press("escape")
        await pilot.pause(0.3)

        await pilot.press("ctrl+e")
        await pilot.pause(0.8)
        shot("session-editor")
        await pilot.press("escape")
        await pilot.pause(0.3)

        await pilot.press("ctrl+t")
        await pilot.pause(0.8)
        shot("tool-editor")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="directory for the SVGs")
    parser.add_argument("--size", default="150x45", help="terminal size COLSxROWS (default 150x45)")
    args = parser.parse_args(argv)
    cols, _, rows = args.size.partition("x")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(make(args.out, (int(cols), int(rows)))):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
