"""`LogPane` on its own: the search box, the log and the detail wired once for both screens.

A real `LogPane` in a small host app, driven by Pilot; the host records what reaches it,
so the test shows both what the pane does itself and what it lets through to a screen.
"""

from __future__ import annotations

import json

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input

from console.app.screens.event_detail_screen import EventDetailScreen
from console.session.event_store import EventStore
from tests.app.console_harness import connected, make_app, wait_for
from tests.app.screen_helpers import screen_lines, settle
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.log_pane import LogPane


def small_session(store: EventStore) -> None:
    """A bad session.update and its error, a response with folded transcript deltas."""
    store.append("client", {"type": "session.update", "event_id": "evt_bad", "session": {"temperature": 9}}, 1000.0)
    store.append("server", {"type": "error", "event_id": "event_e1", "error": {
        "type": "invalid_request_error", "message": "Invalid 'session.temperature'", "event_id": "evt_bad"}}, 1000.1)
    store.append("client", {"type": "response.create", "event_id": "evt_rc"}, 1001.0)
    for j in range(4):
        store.append("server", {"type": "response.output_audio_transcript.delta", "item_id": "item_1",
                                "delta": "hi "}, 1001.1 + j / 100)
    store.append("server", {"type": "response.done", "response": {"id": "resp_1", "status": "completed"}}, 1001.5)


class PaneHost(App[None]):
    def __init__(self, follows: bool) -> None:
        super().__init__()
        self.store = EventStore(start_time=1000.0)
        small_session(self.store)
        self.follows = follows
        self.reached: list[Message] = []

    def compose(self) -> ComposeResult:
        yield LogPane(self.store, detail_follows_selection=self.follows)

    def on_mount(self) -> None:
        self.query_one(EventLog).refresh_new()

    @on(EventLog.RowSelected)
    @on(EventDetail.LinkSelected)
    @on(Input.Changed)
    @on(Input.Submitted)
    def _reached(self, message: Message) -> None:
        self.reached.append(message)


async def test_the_pane_wires_search_links_and_detail_itself() -> None:
    app = PaneHost(follows=True)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(LogPane)
        log, detail = pane.event_log, pane.event_detail
        assert pane.id == "log-pane" and {w.id for w in pane.children} == {"log-search", "log", "detail"}
        log.focus()
        await pilot.press("home", "down")
        await pilot.pause()
        assert log.selected_event() == 1 and detail.index == 1  # the row shows in the detail
        await detail.query_one("#event-detail-head").run_action("go(0)")  # its "caused by" link
        await pilot.pause()
        assert log.selected_event() == 0 and detail.index == 0
        pane.focus_search()
        await pilot.press(*"done")
        await wait_for(pilot, lambda: log.text == "done" and log.pending_text is None, what="the search applied")
        assert log.text == "done" and [log.view.event_index(r) for r in range(len(log.view))] == [7]
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is log
        pane.reveal(2)  # a note's event, hidden by the search: the search goes
        await pilot.pause()
        assert log.text == "" and log.selected_event() == 2 and detail.index == 2
        detail.show(0)
        pane.reveal(2)  # its row is already selected: no RowSelected, the detail is still set
        await pilot.pause()
        assert detail.index == 2
        assert app.reached == []  # handled in the pane: nothing for the screen to do


async def test_without_detail_following_the_screen_gets_the_row_selections() -> None:
    app = PaneHost(follows=False)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(LogPane)
        pane.focus_log()
        await pilot.press("home", "down")
        await pilot.pause()
        rows = [m.event_index for m in app.reached if isinstance(m, EventLog.RowSelected)]
        assert rows == [0, 1] and pane.event_detail.index is None  # the screen's (the replay's cursor sync)
        pane.reveal(4)
        await pilot.pause()
        assert pane.event_detail.index is None and pane.event_log.selected_event() == 3
        assert [m.event_index for m in app.reached if isinstance(m, EventLog.RowSelected)] == [0, 1, 3]
        assert not [m for m in app.reached if not isinstance(m, EventLog.RowSelected)]


# --- the event full-screen (o in the log), in the real console at 80×24 ---------------------


async def test_o_opens_the_selected_event_full_screen_at_80x24_and_esc_comes_back() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        store = app.store
        index = await wait_for(pilot, lambda: next(
            (i for i in range(len(store)) if store.event_type(i) == "session.updated"), None), what="session.updated")
        pretty = json.dumps(store.event(index), indent=2, ensure_ascii=False).splitlines()
        assert len(pretty) > 20  # more lines than the 80×24 detail pane could ever show
        await pilot.press("ctrl+l")
        log = app.main.event_log()
        await wait_for(pilot, lambda: app.focused is log, what="the log focused")
        log.select_event(index)
        await pilot.press("o")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, EventDetailScreen) and app.screen,
                                what="the full-screen detail")
        detail = screen.query_one(EventDetail)
        await settle(pilot)
        seen: list[str] = []  # the detail's rows, page after page
        whole: list[str] = []  # every row of the screen, title and footer too
        while True:  # page through it as a reader would, keeping every line shown
            lines = screen_lines(app)
            whole.extend(lines)
            top = detail.region.y
            seen.extend(line.rstrip(" ▁▂▃▄▅▆▇█▔") for line in lines[top:top + detail.region.height])
            if detail.scroll_y >= detail.max_scroll_y:
                break
            before = detail.scroll_y
            await pilot.press("pagedown")
            await wait_for(pilot, lambda: detail.scroll_y > before, what="a page down")
            await settle(pilot)
        # Long values wrap at the screen's width (nothing hides past the right edge): read
        # the rows as running text, as the eye does, and find every line of the JSON in it.
        shown = " ".join(" ".join(seen).split())
        missing = [line.strip() for line in pretty if " ".join(line.split()) not in shown]
        assert not missing, missing  # every line of the event's JSON was on the screen
        assert any(f"#{index}" in line and "session.updated" in line for line in whole)
        assert "esc Back" in whole[-1] and "c Copy JSON" in whole[-1]

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")
        assert log.selected_event() == index and app.focused is log
