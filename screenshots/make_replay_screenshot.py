"""The replay screen's SVG screenshot (for the README), from a realistic synthetic session.

    .venv/bin/python screenshots/make_replay_screenshot.py   # writes screenshots/replay.svg

`make_replay(out_dir, size)` (async) or `make_replay_screenshot(out_dir, size)` is meant to
be folded into `make_screenshots.py`.
The recording is generated (no network, deterministic), replayed headless, and paused at
the start of the third turn, after a barge-in (truncated, cancelled) and an error.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _write_session(path: Path) -> None:
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


async def _shoot(recording: Path, out_dir: Path, filename: str, size: tuple[int, int]) -> Path:
    from console.recording.reader import Recording
    from console.screens.replay import ReplayApp

    with Recording(recording) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=size) as pilot:
            screen = app.replay
            await pilot.pause()
            while screen.indexing:
                await asyncio.sleep(0.02)
            turns = rec.turn_starts()
            target = int(turns[3]) - 1 if len(turns) > 3 else len(rec) - 1
            screen.seek(target)
            await pilot.pause(0.3)
            app.save_screenshot(filename, path=str(out_dir))
    return out_dir / filename


async def make_replay(out_dir: Path, size: tuple[int, int] = (150, 45), filename: str = "replay.svg") -> Path:
    """Write the replay screen's SVG into `out_dir` and return its path (awaitable, for
    `make_screenshots.make`)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="replay_shot_") as tmp:
        recording = Path(tmp) / "lisbon-weather.jsonl"
        _write_session(recording)
        return await _shoot(recording, out_dir, filename, size)


def make_replay_screenshot(out_dir: Path = ROOT / "screenshots", size: tuple[int, int] = (150, 45),
                           filename: str = "replay.svg") -> Path:
    """`make_replay` for callers without an event loop."""
    return asyncio.run(make_replay(out_dir, size, filename))


if __name__ == "__main__":
    print(make_replay_screenshot())
