"""One logged event full-screen: its whole JSON, scrollable, with copy and links.

The detail pane beside the event log gets what the log leaves over; at 80×24 that is a
line or two, too little for a `session.updated` or a `response.done`. `o` in the log
(`EventLog.OpenRequested`) pushes this screen, which gives the same `EventDetail` the
whole terminal, its JSON wrapped to the width so nothing hides past the right edge.
Esc comes back to the log as it was: the screen dismisses with the event it shows last
(a link can move it to the cause or the error), so the host can select that one.

An event the linter marked shows its findings here as in the detail pane (severity, rule,
message, the other events involved as links, the rule's explanation and fix), from the same
map the log's marks come from; the title counts them. `open_event_detail` is how every
event log (live, replay, proxied, attached) opens it, so all four show the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
from console.lint.findings import Finding
from console.session.event_store import EventStore
from widgets.console_footer import ConsoleFooter
from widgets.event_detail import EventDetail
from widgets.log_pane import LogPane


class EventDetailScreen(Screen[int]):
    """Event `index` of `store` on the whole screen; dismisses with the event shown last."""

    DEFAULT_CSS = """
    EventDetailScreen #event-detail-title {
        height: 1;
        padding: 0 1;
        background: $primary-muted;
        color: $text-primary;
        text-style: bold;
    }
    EventDetailScreen #full-detail {
        height: 1fr;
        border: none;
    }
    EventDetailScreen #full-detail > #event-detail-json {
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="event_detail.back", tooltip="Back to the event log"),
        Binding("c", "copy_event", "Copy JSON", id="event_detail.copy",
                tooltip="Copy the event's JSON (with its audio payload when it can be read back)"),
    ]

    def __init__(self, store: EventStore, index: int, *, findings: Mapping[int, Sequence[Finding]] | None = None,
                 name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.store = store
        self.index = index
        #: Lint findings by event index (the session's map, read only).
        self.findings: Mapping[int, Sequence[Finding]] = findings if findings is not None else {}

    def compose(self) -> ComposeResult:
        yield Static("", id="event-detail-title")
        yield EventDetail(self.store, id="full-detail", wrap=True, findings=self.findings)
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP)

    def on_mount(self) -> None:
        self._show(self.index)
        self.query_one(EventDetail).focus()  # arrows, page keys, home/end scroll it

    def _show(self, index: int) -> None:
        self.index = index
        self.query_one(EventDetail).show(index)
        found = len(self.findings.get(index, ()))
        marked = f"  ·  ⚑ {found} lint finding{'' if found == 1 else 's'}" if found else ""
        self.query_one("#event-detail-title", Static).update(
            f"event #{index} {self.store.event_type(index)}{marked}  ·  ↑↓ pgup pgdn scroll  ·  esc back to the log")

    @on(EventDetail.LinkSelected)
    def _link(self, message: EventDetail.LinkSelected) -> None:
        """A cause or error link: show that event here (esc then selects it in the log)."""
        message.stop()
        self._show(message.event_index)

    def action_back(self) -> None:
        self.dismiss(self.index)

    def action_copy_event(self) -> None:
        index = self.index
        self.app.copy_to_clipboard(json.dumps(self.store.full_event(index), indent=2, ensure_ascii=False))
        self.notify(f"Copied event #{index} ({self.store.event_type(index)}) as JSON")


def open_event_detail(pane: LogPane, index: int, *, reveal_on_back: bool = True) -> None:
    """`o` in a log pane: event `index` full-screen, with the pane's lint findings.

    With `reveal_on_back`, the event a link led to is selected in the log on esc (the live
    and watched logs); the replay keeps its log and cursor as they were.
    """

    def back(shown: int | None) -> None:
        if reveal_on_back and shown is not None and shown != index:
            pane.reveal(shown)

    pane.app.push_screen(EventDetailScreen(pane.store, index, findings=pane.findings), back)
