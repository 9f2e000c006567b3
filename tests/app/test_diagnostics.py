"""Lint findings where the user looks, end to end against the real simulator on loopback.

A `response.cancel` sent while no response is active is a `cancel-not-active` finding:
its row in the event log is marked `⚑`, the detail pane of that row names the finding and
its fix, and the diagnostics view (ctrl+g, or the palette) lists it; Enter there selects
the event in the log.
"""

from __future__ import annotations

from textual.widgets import DataTable

from console.app.screens.diagnostics import DiagnosticsScreen
from console.lint.rules import RULES
from tests.app.console_harness import connected, make_app, submit, wait_for
from tests.app.screen_helpers import screen_lines, settle
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.event_log_render import FINDING_MARK

SIZE = (140, 44)
RULE = "cancel-not-active"


def _cancel_index(app) -> int:
    store = app.store
    return next(i for i in range(len(store)) if store.event_type(i) == "response.cancel")


async def _provoke(app, pilot) -> int:
    """Send a cancel with no response active; wait for its finding; return its event index."""
    await connected(pilot)
    await submit(pilot, '/send {"type": "response.cancel"}')
    await wait_for(pilot, lambda: any(f.rule == RULE for f in app.session.findings), what="the lint finding")
    index = _cancel_index(app)
    assert [f.rule for f in app.session.findings_by_event.get(index, [])] == [RULE]
    return index


def _log_line_of(app, event_index: int) -> str:
    """The screen line of the log row showing `event_index` (the cursor row after select)."""
    log = app.main.query_one(EventLog)
    assert log.selected_event() == event_index
    region = log.content_region
    y = region.y + log.cursor_row - int(log.scroll_y)
    return screen_lines(app)[y][region.x : region.right]


async def test_the_offending_row_is_marked_and_the_detail_says_why_and_the_fix() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        index = await _provoke(app, pilot)
        log = app.main.query_one(EventLog)
        log.focus()
        log.select_event(index)
        detail = app.main.query_one("#detail", EventDetail)
        await wait_for(pilot, lambda: detail.index == index, what="the detail to show the cancel")
        await settle(pilot)
        line = _log_line_of(app, index)
        assert "response.cancel" in line and FINDING_MARK in line, line
        # Only the offending row carries the mark (the session's other rows have none).
        log.select_event(index - 1)
        await settle(pilot)
        assert FINDING_MARK not in _log_line_of(app, index - 1)
        log.select_event(index)
        await wait_for(pilot, lambda: detail.index == index, what="the cancel again")
        await settle(pilot)
        text = " ".join(" ".join(screen_lines(app)).split())
        assert f"{FINDING_MARK} warning {RULE}" in text, text
        # The fix from the rule catalogue, as the detail shows it (wrapped; compare words).
        fix = RULES[RULE].explanation.split("Fix: ", 1)[1]
        head = str(detail.query_one("#event-detail-head").render())
        assert "Fix: " + fix in " ".join(head.split())


async def test_diagnostics_view_lists_the_finding_and_enter_selects_its_event() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        index = await _provoke(app, pilot)
        log = app.main.query_one(EventLog)
        log.select_event(0)  # somewhere else, so Enter's selection is seen to move
        app.main.query_one("#input").focus()  # ctrl+g works from the input line, where typing leaves focus
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, DiagnosticsScreen), what="the diagnostics view")
        screen = app.screen
        assert isinstance(screen, DiagnosticsScreen)
        rows = screen.rows()
        assert [(sev, rule, at) for sev, rule, at, _ in rows if rule == RULE] == [("warning", RULE, index)]
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == len(rows), what="the table rows")
        await settle(pilot)
        shown = " ".join(screen_lines(app))
        assert RULE in shown and f"#{index} response.cancel" in shown
        table.move_cursor(row=next(r for r, (_, rule, _, _) in enumerate(rows) if rule == RULE))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main, what="the view to close")
        await wait_for(pilot, lambda: log.selected_event() == index, what="the event to be selected")
        assert app.main.query_one("#detail", EventDetail).index == index
        assert app.focused is log


async def test_diagnostics_from_the_palette_and_esc_changes_nothing() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        log = app.main.query_one(EventLog)
        before = log.selected_event()
        await pilot.press("ctrl+p")
        from textual.command import CommandInput

        await wait_for(pilot, lambda: app.screen.query(CommandInput), what="the palette")
        app.screen.query_one(CommandInput).value = "diagnostics"
        await wait_for(pilot, lambda: "Diagnostics" in " ".join(screen_lines(app)), what="the command listed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiagnosticsScreen), what="the diagnostics view")
        await settle(pilot)
        assert "No lint findings in this session" in " ".join(screen_lines(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")
        assert log.selected_event() == before
