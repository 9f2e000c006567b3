"""The attach view's screen: a title line, the call's panes, a notice line, the input line.

An attached call is the same kind of thing as a proxied session (a `RebuiltSession`), so
its panes are the proxy view's `ProxySessionView`, and its input line steers the call as
`SteeringScreen` steers any watched session; `/disconnect` detaches (the call goes on).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from console.app.bridge import FLUSH_HZ
from console.app.screens.proxy_session_view import ProxySessionView
from console.app.screens.steering import STEER_COMMANDS, SteeringScreen
from console.session.attached import AttachedSession
from console.session.rebuilt import RebuiltSession
from console.session.slash import SlashCommand
from widgets.input_line import InputLine

#: What the input line does on an attached call (shown by /help and F1).
STEER_HELP = "steer the call: " + STEER_COMMANDS + "; /disconnect detaches (the call goes on)"


class AttachScreen(SteeringScreen):
    """Title, the call's panes, notice line, input line."""

    CSS_PATH = Path(__file__).with_name("attach_main.tcss")
    STEER_HELP = STEER_HELP
    STEER_WHAT = "an attached call"

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

    # --- steering (the input line and notice line are `SteeringScreen`'s) --------------

    def steer_target(self) -> AttachedSession:
        return self.session

    def steered_text(self, session: RebuiltSession, sent: list[str]) -> str:
        return f"sent to call {self.session.call_id}: {', '.join(sent)}"

    def redact(self, text: str) -> str:
        return self.session.redact(text)

    async def extra_command(self, command: SlashCommand) -> bool:
        if command.name == "disconnect":
            await self.session.close()
            return True
        return False

    # --- actions -----------------------------------------------------------------------

    def action_search_log(self) -> None:
        self.view.log_pane.focus_search()

    def action_focus_log(self) -> None:
        self.view.log_pane.focus_log()

    def action_focus_input(self) -> None:
        self.query_one(InputLine).focus()

    def action_diagnostics(self) -> None:
        self.view.show_diagnostics()
