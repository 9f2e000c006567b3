"""`realtime-console attach` live view: one attached call in the proxy's session panes.

An attached call is the same kind of thing as a proxied session (a `RebuiltSession`), so
its panes are the proxy view's `ProxySessionView`; around it: a title line, a notice
line and the input line, which steers the call (text → a user message and
`response.create`; slash commands → client events, as in the proxy view; `/disconnect`
detaches). The sideband's reader runs in the app's event loop; the caller opened the
sideband and closes it after the app exits.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.app.bridge import FLUSH_HZ
from console.app.keyed_app import KeyedApp
from console.app.messages import StatusNoted
from console.app.screens.proxy_session_view import ProxySessionView
from console.attach.cli import AttachTarget
from console.session.attached import AttachedSession
from console.session.proxied import steer_events, user_message_events
from console.session.rebuilt import SteerRefused
from console.session.slash import SlashError
from widgets.input_line import InputLine

STEER_HELP = (
    "steer the call: text → a user message + response.create; /send {json} any client event; "
    "/instructions TEXT, /voice NAME, /vad, /ptt → session.update; /cancel → response.cancel; "
    "/delete ITEM_ID → conversation.item.delete; /image FILE [text] → a user message with the image, "
    "no response (/send {\"type\": \"response.create\"} asks for one); /disconnect detaches (the call goes on)"
)


class AttachScreen(Screen[None]):
    """Title, the call's panes, notice line, input line."""

    DEFAULT_CSS = """
    AttachScreen #attach-title { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    AttachScreen #notice { height: 1; padding: 0 1; }
    AttachScreen #notice.-error { color: $error; }
    AttachScreen #notice.-warning { color: $warning; }
    """

    BINDINGS = [
        Binding("ctrl+f", "search_log", "Search log", id="attach.search_log", tooltip="Search the event log"),
        Binding("ctrl+l", "focus_log", "Log", id="attach.focus_log", show=False, tooltip="Focus the event log"),
        Binding("ctrl+n", "focus_input", "Input", id="attach.focus_input", show=False,
                tooltip="Focus the input line"),
        Binding("ctrl+g", "diagnostics", "Diagnostics", id="attach.diagnostics", show=False,
                tooltip="List the call's lint findings; enter selects one's event in the log"),
    ]

    def __init__(self, session: AttachedSession, title: str) -> None:
        super().__init__(id="attach")
        self.session = session
        self.title_text = title
        self._ended_shown = False

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text), id="attach-title")
        yield ProxySessionView(self.session)
        yield Static("", id="notice")
        yield InputLine(id="input")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1 / FLUSH_HZ, self._flush, name="bridge-flush")
        self.query_one(InputLine).focus()

    @property
    def view(self) -> ProxySessionView:
        return self.query_one(ProxySessionView)

    def _flush(self) -> None:
        view = self.view
        if view.is_mounted:
            view.flush()
        if not self._ended_shown and self.session.ended_at is not None:
            self._ended_shown = True
            view.refresh_status()
            self.show_notice(f"the sideband closed ({self.session.ended}): the call is no longer watched", "warning")

    @on(InputLine.TextSubmitted)
    async def _text(self, message: InputLine.TextSubmitted) -> None:
        await self.steer(user_message_events(message.text))

    @on(InputLine.CommandSubmitted)
    async def _command(self, message: InputLine.CommandSubmitted) -> None:
        command = message.command
        if command.name == "help":
            self.show_notice(STEER_HELP)
            return
        if command.name == "disconnect":
            await self.session.close()
            return
        try:
            events = steer_events(command, "ga", what="an attached call")
        except SlashError as exc:
            self.show_notice(str(exc), "error")
            return
        await self.steer(events)

    @on(InputLine.CommandRefused)
    def _refused(self, message: InputLine.CommandRefused) -> None:
        self.show_notice(message.reason, "error")

    async def steer(self, events: list[dict[str, Any]]) -> bool:
        """Send `events` on the sideband in order; the notice line says what happened."""
        try:
            sent = await self.session.send_all(events)
        except (SteerRefused, ValueError) as exc:
            self.show_notice(str(exc), "error")
            return False
        self.show_notice(f"sent to call {self.session.call_id}: {', '.join(sent)}")
        return True

    @on(StatusNoted)
    def _status_noted(self, message: StatusNoted) -> None:
        self.show_notice(message.text, message.severity)

    def show_notice(self, text: str, severity: str = "information") -> None:
        notice = self.query_one("#notice", Static)
        notice.update(Text(self.session.redact(text)))
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")

    def action_search_log(self) -> None:
        self.view.log_pane.focus_search()

    def action_focus_log(self) -> None:
        self.view.log_pane.focus_log()

    def action_focus_input(self) -> None:
        self.query_one(InputLine).focus()

    def action_diagnostics(self) -> None:
        self.view.show_diagnostics()


class AttachConsoleApp(KeyedApp):
    """The live view of one attached call; reads the sideband while it runs."""

    TITLE = "realtime-console attach"

    def __init__(self, session: AttachedSession, *, title: str, theme: str = "textual-dark",
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(keymap=keymap)
        self.session = session
        self.title_text = title
        self._theme_name = theme
        self._reader: asyncio.Task[None] | None = None

    async def on_mount(self) -> None:
        self.theme = self._theme_name
        self._reader = asyncio.ensure_future(self.session.run())
        await self.push_screen(AttachScreen(self.session, self.title_text))

    async def on_unmount(self) -> None:
        await self.session.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def help_extra(self) -> tuple[str, str] | None:
        return "the input line", STEER_HELP

    @property
    def main(self) -> AttachScreen:
        screen = self.screen
        assert isinstance(screen, AttachScreen)
        return screen


def title_for(session: AttachedSession, target: AttachTarget) -> str:
    where = "the embedded simulator (a demo call; its caller speaks first)" if target.simulator is not None \
        else target.url
    recording = f"; recording to {target.recording.path}" if target.recording is not None else "; not recording"
    return f"attached to call {session.call_id} at {where}{recording}   (ctrl+q detaches; the call goes on)"


async def run_live(session: AttachedSession, target: AttachTarget, *, theme: str = "textual-dark",
                   keymap: Mapping[str, str] | None = None) -> int:
    """Run the live view until the user quits (or SIGTERM); the caller closes the sideband."""
    app = AttachConsoleApp(session, title=title_for(session, target), theme=theme, keymap=keymap)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, app.exit)
    try:
        await app.run_async()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    return 0
