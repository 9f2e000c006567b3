"""`LogPane` on its own: the search box, the log and the detail wired once for both screens.

A real `LogPane` in a small host app, driven by Pilot; the host records what reaches it,
so the test shows both what the pane does itself and what it lets through to a screen.
"""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input

from console.session.event_store import EventStore
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
        await pilot.pause(0.3)
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
