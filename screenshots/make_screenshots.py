"""Write every SVG screenshot of the console (the README shows them), in one command.

    .venv/bin/python screenshots/make_screenshots.py [--out screenshots] [--size 150x45]

Runs the real app headless against the embedded simulator (no API key needed, nothing
leaves the machine): a text turn, a tool call answered by the demo `get_weather`
handler, a long answer interrupted mid-sentence, an invalid `/send`, then captures the
main screen (also at 80×24, an SSH terminal), the event detail of an error, the command
palette, the session editor and the tool editor. A second session (fast simulator) adds the
simulator's demo MCP server and shows the approval modal of one of its calls. Then a
generated recording (synthetic, deterministic) is replayed headless for the replay screen
and its turn view (F6: latency, cost and the timeline chart of the interrupted turn), and
the proxy's live view is shown with two app connections relayed to the simulator (one
ended, one live). The live session is not recorded (`--no-record`) and runs with a temporary `XDG_STATE_HOME`, so nothing lands in
the user's state directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


#: The narrow screenshot's size: a default SSH terminal.
NARROW = (80, 24)


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
    done = [i for i in app.session.items() if i.get("role") == "assistant" and i.get("status") != "in_progress"]
    return len(done) >= count


async def make(out: Path, size: tuple[int, int]) -> list[Path]:
    """Drive the session and write the screenshots; returns the files written."""
    os.environ.pop("OPENAI_API_KEY", None)
    from console.app.app import RealtimeConsoleApp
    from console.config import build_config
    from console.app.launch import build_parser

    argv = ["--no-audio", "--no-record", "--voice", "marin"]
    # Real-time pacing (the default), so the interruption lands mid-answer.
    config = build_config(build_parser("realtime-console").parse_args(argv))
    app = RealtimeConsoleApp(config)
    written: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"realtime-console: {name.replace('-', ' ')}"), encoding="utf-8")
        written.append(path)

    async with app.run_test(size=size) as pilot:
        await _wait(pilot, lambda: app.session.stats.connection == "connected")
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
        await _wait(pilot, lambda: app.session.stats.errors >= 1)
        await pilot.pause(1.0)
        shot("main")

        await pilot.resize_terminal(*NARROW)  # the same session on an 80-column SSH terminal
        await pilot.pause(0.8)
        shot(f"main-{NARROW[0]}x{NARROW[1]}")
        await pilot.resize_terminal(*size)
        await pilot.pause(0.8)

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


def _write_session(path: Path) -> None:
    """A realistic recording for the replay screen: a barge-in (truncated, cancelled), a
    failed cancel (an error linked to its cause) and a text turn."""
    from console.recording.synthetic import SessionBuilder

    b = SessionBuilder(protocol="ga")
    b.session()
    b.user_speech(1400, "What's the weather like in Lisbon this weekend?")
    b.response(audio_ms=2400, transcript="Let me check. Lisbon looks sunny on Saturday, around twenty-four degrees.")
    b.wait(600)
    b.user_speech(900, "And on Sunday?")
    b.response(audio_ms=3000, transcript="Sunday brings clouds in the morning and a chance of rain", cancel_after_deltas=12)
    b.user_speech(700, "Sorry, what about the evening?")
    b.emit("client", {"type": "response.cancel"})
    b.error("response_cancel_not_active", "Cancellation failed: no active response found", caused_by="evt_x")
    b.response(audio_ms=1800, transcript="In the evening it clears up, about eighteen degrees.")
    b.user_text("Thanks! Remind me to pack an umbrella.")
    b.response_create()
    b.response(text_only=True, transcript="Noted: pack an umbrella for Sunday morning.")
    b.write(path, endpoint="wss://api.openai.com/v1/realtime?model=gpt-realtime")


async def make_replay(out: Path, size: tuple[int, int], filename: str = "replay.svg") -> Path:
    """Replay a generated recording headless, paused at the start of its third turn, and
    write the replay screen's SVG into `out`."""
    from console.recording.reader import Recording
    from console.app.screens.replay import ReplayApp

    with tempfile.TemporaryDirectory(prefix="replay_shot_") as tmp:
        recording = Path(tmp) / "lisbon-weather.jsonl"
        _write_session(recording)
        with Recording(recording) as rec:
            app = ReplayApp(rec, audio=False)
            async with app.run_test(size=size) as pilot:
                screen = app.replay
                await pilot.pause()
                while screen.indexing:
                    await asyncio.sleep(0.02)
                turns = rec.turn_starts()
                screen.seek(int(turns[3]) - 1 if len(turns) > 3 else len(rec) - 1)
                await pilot.pause(0.3)
                app.save_screenshot(filename, path=str(out))
    return out / filename


async def make_turn_timeline(out: Path, size: tuple[int, int], filename: str = "turn-timeline.svg") -> Path:
    """The turn view (F6) over the same generated recording, on its second turn: the
    barge-in, whose answer was cut, so the chart's heading says what was never heard."""
    from console.recording.reader import Recording
    from console.app.screens.replay import ReplayApp
    from console.app.screens.turns import TurnsScreen

    with tempfile.TemporaryDirectory(prefix="turns_shot_") as tmp:
        recording = Path(tmp) / "lisbon-weather.jsonl"
        _write_session(recording)
        with Recording(recording) as rec:
            app = ReplayApp(rec, audio=False)
            async with app.run_test(size=size) as pilot:
                screen = app.replay
                await pilot.pause()
                await _wait(pilot, lambda: not screen.indexing and screen.loaded == len(rec), what="the recording")
                screen.seek(int(rec.turn_starts()[1]))
                await pilot.press("f6")
                await _wait(pilot, lambda: isinstance(app.screen, TurnsScreen), what="the turn view")
                await pilot.pause(0.5)
                app.save_screenshot(filename, path=str(out))
    return out / filename


async def make_proxy(out: Path, size: tuple[int, int], filename: str = "proxy-sessions.svg") -> Path:
    """The proxy's live view: two apps' sessions through the proxy, one ended, one live
    after a text turn, the live one selected."""
    from console.app.proxy_app import ProxyConsoleApp
    from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget
    from console.realtime import RealtimeClient
    from console.simulator import Simulator

    with tempfile.TemporaryDirectory(prefix="proxy_shot_") as tmp:
        async with Simulator(fast=True) as sim:
            target = UpstreamTarget(sim.url, None, "simulator")
            async with ProxyServer(target, record_dir=Path(tmp), policy=AccessPolicy()) as proxy:
                app = ProxyConsoleApp(proxy, record_dir=tmp)
                async with app.run_test(size=size) as pilot:
                    clients = []
                    for text in ("Hello! What can you do?", "What's the weather in Paris?"):
                        client = RealtimeClient(url=proxy.url)
                        client.update_session(modalities=["text"])
                        await client.connect()
                        await client.wait_for_session_created(timeout=10)
                        client.send_user_message_content([{"type": "input_text", "text": text}])
                        await client.wait_for_next_completed_item(timeout=10)
                        await client.wait_for_next_completed_item(timeout=10)
                        clients.append(client)
                    await clients[0].disconnect()
                    sessions = app.sessions.sessions
                    await _wait(pilot, lambda: len(sessions) >= 2 and not min(sessions.items())[1].steerable,
                                what="the first session to end")
                    table = app.screen.query_one("SessionList")
                    table.focus()
                    await pilot.press("down")
                    await pilot.pause(1.0)
                    app.save_screenshot(filename, path=str(out))
                    await clients[1].disconnect()
    return out / filename


async def make_mcp(out: Path, size: tuple[int, int], filename: str = "mcp-approval.svg") -> Path:
    """An MCP server asks to run a tool: the approval modal over the conversation's MCP cards."""
    import dataclasses

    from console.app.app import RealtimeConsoleApp
    from console.app.launch import build_parser
    from console.app.screens.approval import ApprovalScreen
    from console.config import build_config
    from console.tools.mcp import McpServer

    args = build_parser("realtime-console").parse_args(["--no-audio", "--no-record"])
    app = RealtimeConsoleApp(dataclasses.replace(build_config(args), simulator_fast=True))
    async with app.run_test(size=size) as pilot:
        await _wait(pilot, lambda: app.session.stats.connection == "connected")
        app.main.query_one("#input").cursor_blink = False
        app.session.client.update_session(modalities=["text"])
        await _wait(pilot, lambda: sum(app.store.event_type(i) == "session.updated" for i in range(len(app.store))) >= 2,
                    what="the text-only session")
        app.tools.add_mcp(McpServer("demo", "sim://demo", require_approval="always"))
        await _wait(pilot, lambda: any(i["type"] == "mcp_list_tools" and i["status"] == "completed"
                                       for i in app.session.items()), what="the MCP tools listing")
        await _submit(pilot, "Please add 2 and 3")
        await _wait(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="the MCP approval modal")
        await pilot.pause(0.8)
        path = out / filename
        path.write_text(app.export_screenshot(title="realtime-console: mcp approval"), encoding="utf-8")
        await pilot.press("a")
        await _wait(pilot, lambda: any(i["type"] == "mcp_call" and i["status"] == "completed"
                                       for i in app.session.items()), what="the approved call")
    return path


async def make_all(out: Path, size: tuple[int, int]) -> list[Path]:
    """Every screenshot: the live session's, then the replay's (state kept out of $HOME)."""
    saved = os.environ.get("XDG_STATE_HOME")
    with tempfile.TemporaryDirectory(prefix="screenshots_state_") as state:
        os.environ["XDG_STATE_HOME"] = state
        try:
            written = await make(out, size)
            written.append(await make_mcp(out, size))
            written.append(await make_replay(out, size))
            written.append(await make_turn_timeline(out, size))
            written.append(await make_proxy(out, size))
        finally:
            if saved is None:
                os.environ.pop("XDG_STATE_HOME", None)
            else:
                os.environ["XDG_STATE_HOME"] = saved
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="directory for the SVGs")
    parser.add_argument("--size", default="150x45", help="terminal size COLSxROWS (default 150x45)")
    args = parser.parse_args(argv)
    cols, _, rows = args.size.partition("x")
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(make_all(args.out, (int(cols), int(rows)))):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
