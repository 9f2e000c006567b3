"""SVG snapshots of the main screen in a scripted, realistic session (fixed size, clock, ids).

Regenerate with `UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/app/test_snapshots.py`.
"""

from __future__ import annotations

from tests.app.console_harness import FakeClock, make_app
from tests.app.screen_helpers import play_scripted, settle
from tests.app.scripted_session import T0
from tests.app.snapshot_helper import assert_snapshot

SIZE = (140, 44)


async def test_main_screen_after_a_session() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await play_scripted(app, pilot)
        await settle(pilot)
        assert_snapshot(app.export_screenshot(), "main_after_session")


async def test_main_screen_error_selected_in_the_log() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await play_scripted(app, pilot)
        error = next(i for i in range(len(app.store)) if app.store.event_type(i) == "error")
        log = app.main.event_log()
        log.focus()
        log.select_event(error)
        await settle(pilot)
        assert_snapshot(app.export_screenshot(), "main_error_selected")
