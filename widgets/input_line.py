"""The input line: type a message to send, or a slash command.

Text is posted as `InputLine.TextSubmitted`; a line starting with `/` is parsed and
validated by `console.session.slash` here, so a bad command is refused (`CommandRefused`, with the
reason) before anything reaches the wire, and a good one is posted as
`CommandSubmitted`. Up/down walk the history, tab completes command names.
"""

from __future__ import annotations

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input

from console.session.slash import SlashCommand, SlashError, completions, is_command, parse


class InputLine(Input):
    """One-line input for messages and `/commands`."""

    DEFAULT_CSS = """
    InputLine {
        border: tall $panel;
    }
    InputLine:focus {
        border: tall $accent;
        background-tint: $accent 10%;
    }
    """

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False, id="input.history_previous"),
        Binding("down", "history(1)", "Next", show=False, id="input.history_next"),
    ]

    class TextSubmitted(Message):
        """The user sent a text message."""

        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class CommandSubmitted(Message):
        """The user entered a valid slash command."""

        def __init__(self, command: SlashCommand) -> None:
            self.command = command
            super().__init__()

    class CommandRefused(Message):
        """The user entered a slash command that was refused; `reason` says why."""

        def __init__(self, text: str, reason: str) -> None:
            self.text = text
            self.reason = reason
            super().__init__()

    def __init__(self, *, protocol: str = "ga", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            placeholder="Type a message, or /help for commands",
            suggester=SuggestFromList(completions(), case_sensitive=False),
            id=id,
            classes=classes,
        )
        self.protocol = protocol
        self.history: list[str] = []
        self._history_pos = 0

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input is not self:
            return
        event.stop()
        text = event.value.strip()
        if not text:
            return
        self.history.append(text)
        self._history_pos = len(self.history)
        if is_command(text):
            try:
                command = parse(text, self.protocol)
            except SlashError as exc:
                # Keep the text so the user can fix it.
                self.post_message(self.CommandRefused(text, str(exc)))
                return
            self.value = ""
            self.post_message(self.CommandSubmitted(command))
            return
        if text.startswith("//"):
            text = text[1:]
        self.value = ""
        self.post_message(self.TextSubmitted(text))

    def action_history(self, step: int) -> None:
        """Walk the history of submitted lines."""
        if not self.history:
            return
        self._history_pos = max(0, min(len(self.history), self._history_pos + step))
        self.value = self.history[self._history_pos] if self._history_pos < len(self.history) else ""
        self.cursor_position = len(self.value)
