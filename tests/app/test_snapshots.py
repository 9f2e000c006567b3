"""SVG snapshots of the main screen in a scripted, realistic session (fixed size, clock, ids).

Regenerate with `UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/app/test_snapshots.py`.
"""

from __future__ import annotations

from console_harness import FakeClock, make_app
from scripted_session import T0, play
from snapshot_helper import assert_snapshot

SIZE = (140, 44)


async def settle(pilot) -> None:
    """Let focus changes, the footer's recompose and layout finish before exporting."""
    for _ in range(4):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.15)


async def _play(app, pilot) -> None:
    client = app.bridge.open_client()
    app.bridge.output_audio_listeners.clear()  # no playback: the model waveform stays still
    app.bridge.stats.connection = "connected"
    app.main.query_one("#input").cursor_blink = False  # a blinking cursor is not deterministic
    app.clock.auto = 0.004  # each event 4 ms after the previous one: realistic log times
    play(client)
    app.clock.auto = 0.0
    app.clock.now = T0 + 95  # 1:35 into the session
    app.bridge.flush()
    await pilot.pause(0.3)
    app.main.refresh_status()
    await pilot.pause(0.1)


async def test_main_screen_after_a_session() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await _play(app, pilot)
        await settle(pilot)
        assert_snapshot(app.export_screenshot(), "main_after_session")


async def test_main_screen_error_selected_in_the_log() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await _play(app, pilot)
        error = next(i for i in range(len(app.store)) if app.store.event_type(i) == "error")
        log = app.main.event_log()
        log.focus()
        log.select_event(error)
        await settle(pilot)
        assert_snapshot(app.export_screenshot(), "main_error_selected")
