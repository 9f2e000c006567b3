"""The proxy's live view: the sessions list on top, the selected session's panes below.

It coordinates and nothing else. `ProxiedSessions` says when an app connects or leaves
(from the proxy's relay loop, which runs in the app's event loop); the screen turns that
into a message, refreshes the list and, when nothing is selected yet, selects the new
session. Selecting a row shows that session's `ProxySessionView` (made once, then kept),
and only the shown view's bridge is flushed. The input line steers the selected session
as `SteeringScreen` does for every watched session: its slash commands become client
events injected through the proxy; a refusal (the session ended) is the notice line's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Static

from console.app.bridge import FLUSH_HZ
from console.app.screens.proxy_session_view import ProxySessionView
from console.app.screens.steering import STEER_COMMANDS, SteeringScreen
from console.session.proxied import ProxiedSession, ProxiedSessions
from console.session.rebuilt import RebuiltSession
from widgets.input_line import InputLine
from widgets.session_list import SessionList

#: What the input line does on a proxied session (shown by /help).
STEER_HELP = "steer the selected live session: " + STEER_COMMANDS


@dataclass
class SessionsChanged(Message):
    """A proxied session opened (`opened`) or ended."""

    session_id: int
    opened: bool


class ProxyMainScreen(SteeringScreen):
    """Sessions list, the selected session's panes, status line and input line."""

    CSS_PATH = Path(__file__).with_name("proxy_main.tcss")
    STEER_HELP = STEER_HELP

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

    # --- steering (the input line and notice line are `SteeringScreen`'s) --------------

    def steer_target(self) -> ProxiedSession | None:
        return self.selected

    def steered_text(self, session: RebuiltSession, sent: list[str]) -> str:
        number = session.id if isinstance(session, ProxiedSession) else "?"
        return f"injected into session #{number}: {', '.join(sent)}"

    def redact(self, text: str) -> str:
        return self.sessions.redact(text) if self.sessions.redact else text

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
