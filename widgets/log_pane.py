"""The event log pane: search box, event log and event detail, wired to each other.

The live console and the replay show the same three widgets and wire them the same
way: typing in the search box filters the log, Enter there moves to the log, a link in
the detail (cause, error) selects that event in the log, and a selected row is shown in
the detail. When the log's filters change from its side (`escape` clears them all, a link
reveals a hidden event), the search box is set to match, so it never shows a search the
log no longer applies. That wiring lives here, once, so both screens only coordinate what is theirs.

One thing differs: the replay's detail pane follows the replay *cursor*, and its
`LogSync` decides what a selected row means (see `console/app/screens/replay_log_sync.py`).
With `detail_follows_selection=False` the pane leaves `EventLog.RowSelected` to bubble up
to the screen and shows nothing itself; otherwise it handles the message and stops it.

`findings` (lint findings by event index, the session's map) is handed to the log, which
marks those rows, and to the detail, which lists them with their fix.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from console.session.event_store import EventStore
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.event_log_render import FindingsMap


class LogPane(Vertical):
    """`Input#log-search`, `EventLog#log` and `EventDetail#detail`, handling their messages."""

    # The three widgets' look, the same on both screens; each screen's stylesheet sizes the
    # pane itself and hides the detail on short terminals (app.tcss). The focused pane has
    # a heavy border in the accent colour: unmistakable even without colour.
    DEFAULT_CSS = """
    LogPane > #log-search {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    LogPane > #log-search:focus {
        background: $accent 30%;
    }
    LogPane > #log {
        height: 1fr;
        border: round $panel;
        border-title-color: $text-muted;
    }
    LogPane > #log:focus {
        border: heavy $accent;
        border-title-color: $accent;
        border-title-style: bold;
    }
    LogPane > #detail {
        height: 40%;
        border: round $panel;
        border-title-color: $text-muted;
    }
    LogPane > #detail:focus {
        border: heavy $accent;
        border-title-color: $accent;
        border-title-style: bold;
    }
    """

    def __init__(self, store: EventStore, *, detail_follows_selection: bool = True, id: str | None = "log-pane",
                 classes: str | None = None, findings: FindingsMap | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.store = store
        #: Lint findings by event index, shared (not copied) with the log and the detail.
        self.findings: FindingsMap = findings if findings is not None else {}
        #: False: `RowSelected` is the screen's to handle (the replay's cursor sync).
        self.detail_follows_selection = detail_follows_selection

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search the log (ctrl+f)", id="log-search")
        yield EventLog(self.store, id="log", findings=self.findings)
        yield EventDetail(self.store, id="detail", findings=self.findings)

    @property
    def event_log(self) -> EventLog:
        return self.query_one(EventLog)

    @property
    def event_detail(self) -> EventDetail:
        return self.query_one(EventDetail)

    def reveal(self, event_index: int) -> None:
        """Select event `event_index` in the log (clearing a filter that hides it) and,
        when the detail follows the selection, show it there even if its row was already
        selected (then the log posts no `RowSelected`)."""
        self.event_log.select_event(event_index)
        if self.detail_follows_selection:
            self.event_detail.show(event_index)

    def focus_search(self) -> None:
        self.query_one("#log-search", Input).focus()

    def focus_log(self) -> None:
        self.event_log.focus()

    @on(EventLog.RowSelected)
    def _row_selected(self, message: EventLog.RowSelected) -> None:
        if self.detail_follows_selection:
            message.stop()
            self.event_detail.show(message.event_index)

    @on(EventLog.FindingsChanged)
    def _findings_changed(self, message: EventLog.FindingsChanged) -> None:
        message.stop()
        self.event_detail.refresh_findings()

    @on(EventDetail.LinkSelected)
    def _link_selected(self, message: EventDetail.LinkSelected) -> None:
        message.stop()
        self.event_log.select_event(message.event_index)

    @on(EventLog.FilterChanged)
    def _filter_changed(self, message: EventLog.FilterChanged) -> None:
        """Keep the search box saying what the log searches for (a key that clears the
        filters, or a link that reveals a hidden event, changes it from the log's side)."""
        search = self.query_one("#log-search", Input)
        if search.value != message.text:
            with search.prevent(Input.Changed):
                search.value = message.text

    @on(Input.Changed, "#log-search")
    def _search_changed(self, message: Input.Changed) -> None:
        message.stop()
        self.event_log.set_filter(text=message.value)

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self, message: Input.Submitted) -> None:
        message.stop()
        self.event_log.focus()
