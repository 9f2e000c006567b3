"""The panes of one watched session (proxied, or an attached call): header, log + detail, conversation.

Each watched session gets its own view, made the first time it is selected and kept, so
switching sessions is showing another view (a `ContentSwitcher` flip): no store is
rebuilt, no conversation re-rendered. The view owns the session's `SessionBridge`, which
posts to the view itself; the screen flushes only the visible view's bridge, and a
session that was not shown catches up at its first flush (the session keeps what changed
until it is taken).

Streaming items are redrawn at most every `ITEM_REFRESH_S` (as on the main screen: a
card's re-layout costs far more than a log row); new items and notes show at once.

Lint findings are marked and opened as on the main screen: the log pane gets the session's
`findings_by_event` (rows marked `⚑`, the detail lists each finding with its fix), `o` opens
an event full-screen with its findings, and `show_diagnostics` lists them all.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from console.app.bridge import SessionBridge
from console.app.messages import BridgeFlushed, ConnectionChanged, StatusNoted
from console.app.screens.conversation_sync import LiveConversationSync
from console.app.screens.diagnostics import open_diagnostics
from console.app.screens.event_detail_screen import open_event_detail
from console.session.attached import AttachedSession
from console.session.proxied import ProxiedSession
from widgets.conversation_view import ConversationView
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.log_pane import LogPane
from widgets.status_header import StatusHeader

ITEM_REFRESH_S = 0.2


class ProxySessionView(Vertical):
    """One session's header, log pane and conversation, fed by its own bridge."""

    DEFAULT_CSS = """
    ProxySessionView { height: 1fr; }
    ProxySessionView > .body { height: 1fr; }
    ProxySessionView LogPane { width: 55%; min-width: 40; }
    ProxySessionView ConversationView { width: 1fr; min-width: 30; height: 1fr; }
    """

    def __init__(self, session: ProxiedSession | AttachedSession) -> None:
        super().__init__(id=f"session-{session.id}")
        self.session = session
        self.bridge = SessionBridge(session, self.post_message)
        self._conversation: LiveConversationSync | None = None

    def compose(self) -> ComposeResult:
        yield StatusHeader(classes="status")
        with Horizontal(classes="body"):
            yield LogPane(self.session.store, findings=self.session.findings_by_event)
            conversation = ConversationView(classes="conversation")
            self._conversation = LiveConversationSync(conversation, self.session)
            yield conversation

    def on_mount(self) -> None:
        self.query_one(EventLog).border_title = "events"
        self.query_one(EventDetail).border_title = "event detail"
        self.conversation.border_title = f"conversation · session #{self.session.id}"
        self.set_interval(ITEM_REFRESH_S, self.apply_pending_items, name="conversation-refresh")
        self.refresh_status()

    @property
    def conversation(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def log_pane(self) -> LogPane:
        return self.query_one(LogPane)

    def show_diagnostics(self) -> None:
        """Every lint finding of this session; the one chosen is selected in its log."""
        open_diagnostics(self.log_pane, self.session.findings)

    def flush(self) -> None:
        """Take the session's changes (the screen calls this ~30 times a second while shown)."""
        self.bridge.flush()

    def refresh_status(self) -> None:
        if self.is_mounted:
            self.query_one(StatusHeader).show(self.session.stats, self.session.clock())

    def apply_pending_items(self) -> None:
        if self._conversation is not None and self.display:
            self._conversation.apply_pending()

    @on(BridgeFlushed)
    def _flushed(self, message: BridgeFlushed) -> None:
        message.stop()
        changes = message.changes
        if changes.new_events:
            self.query_one(EventLog).refresh_new()
        if self._conversation is not None:
            self._conversation.take(changes)
        if changes.stats_changed:
            self.refresh_status()

    @on(ConnectionChanged)
    def _connection_changed(self, message: ConnectionChanged) -> None:
        message.stop()  # the screen hears of ends from the sessions list's hooks
        self.refresh_status()

    @on(StatusNoted)
    def _status(self, message: StatusNoted) -> None:
        if not self.display:
            message.stop()  # a hidden session's status lines are not the user's business now

    @on(EventLog.OpenRequested)
    def _open_event(self, message: EventLog.OpenRequested) -> None:
        """`o` in the log: the event full-screen, with its lint findings."""
        message.stop()
        open_event_detail(self.log_pane, message.event_index)

    @on(ConversationView.NoteSelected)
    def _note_selected(self, message: ConversationView.NoteSelected) -> None:
        message.stop()
        if message.event_index is not None:
            self.log_pane.reveal(message.event_index)
