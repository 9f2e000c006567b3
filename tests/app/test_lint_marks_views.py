"""Lint marks beyond the live console, with Pilot: a replay, a proxied session and an
attached call mark the offending rows as the live console does (one `LintMarks`), the
full-screen event detail shows a marked event's findings with their explanation, and
ctrl+g lists them. Real recordings, a real proxy and a real sideband against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Static

from console.app.attach_app import AttachConsoleApp
from console.app.proxy_app import ProxyConsoleApp
from console.app.screens.diagnostics import DiagnosticsScreen
from console.app.screens.event_detail_screen import EventDetailScreen
from console.app.screens.proxy_session_view import ProxySessionView
from console.app.screens.replay import ReplayApp
from console.lint.rules import RULES
from console.proxy import ProxyServer
from console.realtime import RealtimeClient
from console.recording import Recording
from console.recording.linting import lint_path
from console.session.attached import AttachedSession
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from tests.app.screen_helpers import screen_lines, settle
from tests.lint.lint_recordings import flawed_session, write_clean
from tests.proxy.helpers import TIMEOUT, proxy_to_simulator
from widgets.event_log import EventLog
from widgets.event_log_render import FINDING_MARK
from widgets.input_line import InputLine
from widgets.status_header import StatusHeader

SIZE = (160, 48)


def _words(text: str) -> str:
    return " ".join(text.split())


async def _row_line(pilot: Pilot, log: EventLog, event_index: int) -> str:
    """The screen line of the log row showing `event_index` (selected first)."""
    log.select_event(event_index)
    await settle(pilot)
    assert log.selected_event() == event_index
    region = log.content_region
    y = region.y + log.cursor_row - int(log.scroll_y)
    return screen_lines(pilot.app)[y][region.x : region.right]


def _index_of(log: EventLog, event_type: str) -> int:
    store = log.store
    return next(i for i in range(len(store)) if store.event_type(i) == event_type)


async def _open_full_screen(pilot: Pilot, log: EventLog, event_index: int) -> EventDetailScreen:
    log.focus()
    log.select_event(event_index)
    await pilot.press("o")
    screen = await wait_for(pilot, lambda: app_screen(pilot.app, EventDetailScreen), what="the full-screen detail")
    await settle(pilot)
    return screen


def app_screen(app: App, kind: type) -> object | None:
    return app.screen if isinstance(app.screen, kind) else None


def _full_detail_text(screen: EventDetailScreen) -> tuple[str, str]:
    title = str(screen.query_one("#event-detail-title", Static).render())
    head = str(screen.query_one("#event-detail-head").render())
    return title, _words(head)


def _fix(rule: str) -> str:
    return "Fix: " + _words(RULES[rule].explanation.split("Fix: ", 1)[1])


# --- replay -----------------------------------------------------------------------------


async def test_the_replay_marks_every_finding_and_the_full_screen_detail_explains_it(tmp_path: Path) -> None:
    b = flawed_session()
    b.emit("server", {"type": "response.created", "response": {"id": "resp_left_open", "status": "in_progress"}})
    path = tmp_path / "flawed.jsonl"
    b.write(path)
    expected = sorted((f.first_event, f.rule) for f in lint_path(path).findings if f.rule != "server-error")
    assert [rule for _, rule in expected] == ["truncate-beyond-audio", "cancel-not-active", "tool-output-not-json",
                                              "response-never-done"]
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.replay
            # the end-of-session finding comes once the whole recording is in the log
            await wait_for(pilot, lambda: screen.lint.finished, what="the whole log linted")
            marks = sorted((n, f.rule) for n, found in screen.lint.by_event.items() for f in found)
            assert marks == expected  # what `lint` reports, on the rows it names
            log = screen.query_one(EventLog)
            truncate = _index_of(log, "conversation.item.truncate")
            line = await _row_line(pilot, log, truncate)
            assert "conversation.item.truncate" in line and FINDING_MARK in line, line
            assert FINDING_MARK not in await _row_line(pilot, log, truncate - 1)
            never_done = expected[-1][0]
            assert FINDING_MARK in await _row_line(pilot, log, never_done)
            # the header counts the findings up to the cursor
            assert screen.controller.cursor == -1 and "lint" not in str(screen.query_one(StatusHeader).render())
            screen.seek(len(rec) - 1)
            await wait_for(pilot, lambda: "lint 4" in _words(" ".join(screen_lines(app))), what="lint 4 in the header")
            # o: the event full-screen, with the finding, its message and the rule's explanation
            full = await _open_full_screen(pilot, log, truncate)
            title, head = _full_detail_text(full)
            assert "⚑ 1 lint finding" in title
            finding = screen.lint.by_event[truncate][0]
            assert f"{FINDING_MARK} error truncate-beyond-audio: {_words(finding.message)}" in head
            assert _fix("truncate-beyond-audio") in head
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen, what="back to the replay")
            # ctrl+g: the diagnostics view lists them; enter selects the chosen one in the log
            log.select_event(0)
            await pilot.press("ctrl+g")
            diagnostics = await wait_for(pilot, lambda: app_screen(app, DiagnosticsScreen), what="the diagnostics")
            assert sorted((at, rule) for _, rule, at, _ in diagnostics.rows()) == expected
            await pilot.press("enter")  # the first row: the truncation
            await wait_for(pilot, lambda: app.screen is screen, what="back to the replay")
            await wait_for(pilot, lambda: log.selected_event() == diagnostics.rows()[0][2], what="the finding's event")
            assert screen.controller.cursor == len(rec) - 1  # the cursor stays where it was


async def test_a_clean_replay_marks_nothing(tmp_path: Path) -> None:
    with Recording(write_clean(tmp_path / "clean.jsonl")) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.replay.lint.finished, what="the whole log linted")
            assert app.replay.lint.by_event == {} and app.replay.lint.findings == []


# --- proxy --------------------------------------------------------------------------------


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[ProxyServer]:
    async with proxy_to_simulator(tmp_path / "rec") as server:
        yield server


def _shown_view(app: ProxyConsoleApp) -> ProxySessionView | None:
    child = app.main.query_one("#views", ContentSwitcher).visible_content
    return child if isinstance(child, ProxySessionView) else None


async def _check_cancel_marked(pilot: Pilot, view: ProxySessionView) -> None:
    """The view's log marks the refused cancel; `o` shows the finding; ctrl+g lists it."""
    session = view.session
    await wait_for(pilot, lambda: any(f.rule == "cancel-not-active" for f in session.findings),
                   what="the cancel-not-active finding")
    log = view.query_one(EventLog)
    await wait_for(pilot, lambda: _index_of(log, "error") is not None, what="the server's refusal logged")
    cancel = _index_of(log, "response.cancel")
    assert [f.rule for f in session.findings_by_event[cancel]] == ["cancel-not-active"]
    line = await _row_line(pilot, log, cancel)
    assert "response.cancel" in line and FINDING_MARK in line, line
    # the detail pane beside the log names it, with the error it caused linked
    head = _words(str(view.query_one("#detail").query_one("#event-detail-head").render()))
    assert f"{FINDING_MARK} warning cancel-not-active" in head and "Caused error:" in head
    full = await _open_full_screen(pilot, log, cancel)
    title, head = _full_detail_text(full)
    assert "⚑ 1 lint finding" in title and "cancel-not-active" in head and _fix("cancel-not-active") in head
    await pilot.press("escape")
    await wait_for(pilot, lambda: app_screen(pilot.app, EventDetailScreen) is None, what="back to the view")
    pilot.app.screen.query_one(InputLine).focus()
    await pilot.press("ctrl+g")
    diagnostics = await wait_for(pilot, lambda: app_screen(pilot.app, DiagnosticsScreen), what="the diagnostics")
    assert ("warning", "cancel-not-active", cancel) in [row[:3] for row in diagnostics.rows()]
    await pilot.press("escape")
    await wait_for(pilot, lambda: app_screen(pilot.app, DiagnosticsScreen) is None, what="back to the view")


async def test_a_proxied_session_marks_the_apps_mistake(proxy: ProxyServer) -> None:
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=SIZE) as pilot:
        client = RealtimeClient(url=proxy.url, api_key="app-token")
        client.update_session(modalities=["text"])
        await client.connect()
        try:
            await client.wait_for_session_created(timeout=TIMEOUT)
            view = await wait_for(pilot, lambda: _shown_view(app), what="the session shown")
            client.realtime.send("response.cancel", {})  # nothing is active: the app's mistake
            await _check_cancel_marked(pilot, view)
            assert "lint 1" in _words(" ".join(screen_lines(app)))  # the view's header counts it
        finally:
            await client.disconnect()


# --- attach -------------------------------------------------------------------------------


async def test_an_attached_call_marks_a_refused_cancel() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url)
        await session.connect()
        app = AttachConsoleApp(session, title=f"attached to call {call_id}")
        async with app.run_test(size=SIZE) as pilot:
            await session.wait_attached()
            line = app.screen.query_one(InputLine)
            line.focus()
            line.value = "/cancel"
            await pilot.press("enter")
            await _check_cancel_marked(pilot, app.main.view)
            await sim.hang_up(call_id)
