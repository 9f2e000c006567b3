"""The proxy's live view: the sessions list on top, the selected session's panes below.

It coordinates and nothing else. `ProxiedSessions` says when an app connects or leaves
(from the proxy's relay loop, which runs in the app's event loop); the screen turns that
into a message, refreshes the list and, when nothing is selected yet, selects the new
session. Selecting a row shows that session's `ProxySessionView` (made once, then kept),
and only the shown view's bridge is flushed. The input line steers the selected session:
its slash commands become client events (`console.session.proxied.steer_events`),
injected through the proxy; a refusal (the session ended) is the status line's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static

from console.app.bridge import FLUSH_HZ
from console.app.messages import StatusNoted
from console.app.screens.proxy_session_view import ProxySessionView
from console.session.proxied import (
    ProxiedSession,
    ProxiedSessions,
    SteerRefused,
    steer_events,
    user_message_events,
)
from console.session.slash import SlashError
from widgets.conversation_view import ConversationView
from widgets.input_line import InputLine
from widgets.session_list import SessionList

#: What the input line does on a proxied session (shown by /help).
STEER_HELP = (
    "steer the selected live session: text → a user message + response.create; /send {json} any client event; "
    "/instructions TEXT, /voice NAME, /vad, /ptt → session.update; /cancel → response.cancel; "
    "/delete ITEM_ID → conversation.item.delete; /image FILE [text] → a user message with the image, "
    "no response (/send {\"type\": \"response.create\"} asks for one)"
)


@dataclass
class SessionsChanged(Message):
    """A proxied session opened (`opened`) or ended."""

    session_id: int
    opened: bool


class ProxyMainScreen(Screen[None]):
    """Sessions list, the selected session's panes, status line and input line."""

    CSS_PATH = Path(__file__).with_name("proxy_main.tcss")

    BINDINGS = [
        Binding("ctrl+s", "focus_sessions", "Sessions", id="proxy.focus_sessions",
                tooltip="Focus the sessions list (up/down select a session)"),
        Binding("ctrl+f", "search_log", "Search log", id="proxy.search_log", tooltip="Search the event log"),
        Binding("ctrl+l", "focus_log", "Log", id="proxy.focus_log", show=False, tooltip="Focus the event log"),
        Binding("ctrl+o", "focus_conversation", "Conversation", id="proxy.focus_conversation", show=False,
                tooltip="Focus the conversation"),
        Binding("ctrl+n", "focus_input", "Input", id="proxy.focus_input", show=False, tooltip="Focus the input line"),
        Binding("ctrl+g", "diagnostics", "Diagnostics", id="proxy.diagnostics", show=False,
                tooltip="List the selected session's lint findings; enter selects one's event in the log"),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, sessions: ProxiedSessions, *, listening: str, id: str | None = "proxy") -> None:
        super().__init__(id=id)
        self.sessions = sessions
        self.listening = listening
        self.selected: ProxiedSession | None = None
        self._views: dict[int, ProxySessionView] = {}

    def compose(self) -> ComposeResult:
        yield Static(self.listening, id="proxy-title")
        yield SessionList(id="sessions")
        with ContentSwitcher(id="views", initial="no-session"):
            yield Static("No session yet: point your app's Realtime URL at the address above.", id="no-session")
        yield Static("", id="notice")
        yield InputLine(id="input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(SessionList).border_title = "sessions"
        self.sessions.on_opened.append(self._on_proxied_opened)
        self.sessions.on_closed.append(self._on_proxied_closed)
        self.set_interval(1 / FLUSH_HZ, self._flush, name="bridge-flush")
        self.set_interval(1.0, self.tick, name="sessions-tick")
        self.query_one(InputLine).focus()
        if self.sessions.sessions:  # sessions opened before the screen
            self.post_message(SessionsChanged(next(iter(self.sessions.sessions)), True))

    def on_unmount(self) -> None:
        for hooks, hook in ((self.sessions.on_opened, self._on_proxied_opened), (self.sessions.on_closed, self._on_proxied_closed)):
            if hook in hooks:
                hooks.remove(hook)

    # --- from the proxy (its relay loop shares the app's event loop) -------------------

    def _on_proxied_opened(self, session: ProxiedSession) -> None:
        self.post_message(SessionsChanged(session.id, True))

    def _on_proxied_closed(self, session: ProxiedSession) -> None:
        self.post_message(SessionsChanged(session.id, False))

    @on(SessionsChanged)
    def _sessions_changed(self, message: SessionsChanged) -> None:
        listing = self.query_one(SessionList)
        self.tick()
        if message.opened and self.selected is None:
            listing.select_session(message.session_id)
        if not message.opened and self.selected is not None and self.selected.id == message.session_id:
            self.show_notice(f"session #{message.session_id} ended: {self.selected.ended_text()}", "warning")

    def tick(self) -> None:
        """Refresh the list's rows (ages, counters, states) and the shown header."""
        now = self.sessions.clock()
        self.query_one(SessionList).show(s.summary(now) for s in self.sessions.sessions.values())
        view = self.current_view
        if view is not None:
            view.refresh_status()

    def _flush(self) -> None:
        view = self.current_view
        if view is not None and view.is_mounted:
            view.flush()

    # --- selection ---------------------------------------------------------------------

    @property
    def current_view(self) -> ProxySessionView | None:
        return self._views.get(self.selected.id) if self.selected is not None else None

    @on(SessionList.SessionSelected)
    async def _session_selected(self, message: SessionList.SessionSelected) -> None:
        await self.select_session(message.session_id)

    async def select_session(self, session_id: int) -> None:
        """Show `session_id`'s panes (made the first time, kept afterwards)."""
        session = self.sessions.sessions.get(session_id)
        if session is None or session is self.selected:
            return
        switcher = self.query_one("#views", ContentSwitcher)
        view = self._views.get(session_id)
        if view is None:
            view = self._views[session_id] = ProxySessionView(session)
            await switcher.mount(view)
        self.selected = session
        switcher.current = view.id
        self.query_one(InputLine).protocol = session.info.protocol
        view.flush()
        view.refresh_status()

    # --- steering ----------------------------------------------------------------------

    @on(InputLine.TextSubmitted)
    async def _text(self, message: InputLine.TextSubmitted) -> None:
        await self.steer(user_message_events(message.text))

    @on(InputLine.CommandSubmitted)
    async def _command(self, message: InputLine.CommandSubmitted) -> None:
        command = message.command
        if command.name == "help":
            self.show_notice(STEER_HELP)
            return
        protocol = self.selected.info.protocol if self.selected is not None else "ga"
        try:
            events = steer_events(command, protocol)
        except SlashError as exc:
            self.show_notice(str(exc), "error")
            return
        await self.steer(events)

    @on(InputLine.CommandRefused)
    def _refused(self, message: InputLine.CommandRefused) -> None:
        self.show_notice(message.reason, "error")

    async def steer(self, events: list[dict[str, object]]) -> bool:
        """Inject `events` into the selected session, in order; the status line says what
        happened (and why nothing was sent when the session has ended)."""
        session = self.selected
        if session is None:
            self.show_notice("no session selected: nothing was sent", "error")
            return False
        try:
            sent = await session.send_all(events)
        except (SteerRefused, ValueError) as exc:
            self.show_notice(str(exc), "error")
            return False
        self.show_notice(f"injected into session #{session.id}: {', '.join(sent)}")
        return True

    @on(ConversationView.DeleteRequested)
    async def _delete(self, message: ConversationView.DeleteRequested) -> None:
        await self.steer([{"type": "conversation.item.delete", "item_id": message.item_id}])

    @on(ConversationView.CopyRequested)
    def _copy(self, message: ConversationView.CopyRequested) -> None:
        self.app.copy_to_clipboard(message.text)
        self.show_notice(f"copied the text of item {message.item_id}")

    @on(ConversationView.PlayRequested)
    @on(ConversationView.SaveRequested)
    def _audio(self, message: ConversationView.ItemActionRequested) -> None:
        self.show_notice("audio is not played or saved in the proxy view: `realtime-console export` the "
                         "session's recording", "warning")

    @on(StatusNoted)
    def _status_noted(self, message: StatusNoted) -> None:
        self.show_notice(message.text, message.severity)

    def show_notice(self, text: str, severity: str = "information") -> None:
        """One line above the input: steering results, refusals, session ends."""
        notice = self.query_one("#notice", Static)
        notice.update(Text(self.sessions.redact(text) if self.sessions.redact else text))
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")

    # --- actions -----------------------------------------------------------------------

    def action_focus_sessions(self) -> None:
        self.query_one(SessionList).focus()

    def action_search_log(self) -> None:
        if (view := self.current_view) is not None:
            view.log_pane.focus_search()

    def action_focus_log(self) -> None:
        if (view := self.current_view) is not None:
            view.log_pane.focus_log()

    def action_focus_conversation(self) -> None:
        if (view := self.current_view) is not None:
            cards = list(view.conversation.children)
            (cards[-1] if cards else view.conversation).focus()

    def action_focus_input(self) -> None:
        self.query_one(InputLine).focus()

    def action_diagnostics(self) -> None:
        if (view := self.current_view) is not None:
            view.show_diagnostics()
