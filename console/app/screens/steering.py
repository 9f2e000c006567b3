"""The input line and notice line of a screen that watches someone else's session.

The proxy view (a proxied session) and the attach view (a live call's sideband) both
show a `RebuiltSession` the console did not open, and both steer it the same way: a typed
line becomes a user message and a `response.create`, slash commands become client events
(`console.session.proxied.steer_events`), and what happened is one notice line above the
input. Conversation actions on the shown session (delete, copy) go the same way; audio
is neither played nor saved there, since no audio device belongs to the session.

`SteeringScreen` holds that behaviour once; a subclass says which session is steered
(`steer_target`), how it names it in the notice, what its `/help` says, and may take
extra commands of its own (`extra_command`, e.g. `/disconnect` for a call).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widgets import Static

from console.app.messages import StatusNoted
from console.session.proxied import steer_events, user_message_events
from console.session.rebuilt import RebuiltSession, SteerRefused
from console.session.slash import SlashCommand, SlashError
from widgets.conversation_view import ConversationView
from widgets.input_line import InputLine

#: The steering every watched session takes (the subclasses add their own first words).
STEER_COMMANDS = (
    "text → a user message + response.create; /send {json} any client event; "
    "/instructions TEXT, /voice NAME, /vad, /ptt → session.update; /cancel → response.cancel; "
    "/delete ITEM_ID → conversation.item.delete; /image FILE [text] → a user message with the image, "
    "no response (/send {\"type\": \"response.create\"} asks for one)"
)


class SteeringScreen(Screen[None]):
    """A screen with a `#notice` Static and an `InputLine` that steer a watched session."""

    #: What `/help` on the input line shows (and the F1 screen's extra section).
    STEER_HELP: ClassVar[str] = "steer the session: " + STEER_COMMANDS
    #: How refusals name the steered session ("an attached call").
    STEER_WHAT: ClassVar[str] = "a proxied session"

    # --- what a subclass says ----------------------------------------------------------

    def steer_target(self) -> RebuiltSession | None:
        """The session the input line steers now (None: nothing selected)."""
        raise NotImplementedError

    def steered_text(self, session: RebuiltSession, sent: list[str]) -> str:
        """The notice after `sent` (event types) went into `session`."""
        return f"sent: {', '.join(sent)}"

    def redact(self, text: str) -> str:
        """Keeps the upstream key out of the notice line."""
        return text

    async def extra_command(self, command: SlashCommand) -> bool:
        """Handle a command only this screen knows; True when it was handled."""
        return False

    # --- the input line ----------------------------------------------------------------

    @on(InputLine.TextSubmitted)
    async def _steer_text(self, message: InputLine.TextSubmitted) -> None:
        await self.steer(user_message_events(message.text))

    @on(InputLine.CommandSubmitted)
    async def _steer_command(self, message: InputLine.CommandSubmitted) -> None:
        command = message.command
        if command.name == "help":
            self.show_notice(self.STEER_HELP)
            return
        if await self.extra_command(command):
            return
        session = self.steer_target()
        protocol = session.stats.protocol if session is not None else "ga"
        try:
            events = steer_events(command, protocol, what=self.STEER_WHAT)
        except SlashError as exc:
            self.show_notice(str(exc), "error")
            return
        await self.steer(events)

    @on(InputLine.CommandRefused)
    def _steer_refused(self, message: InputLine.CommandRefused) -> None:
        self.show_notice(message.reason, "error")

    async def steer(self, events: list[dict[str, Any]]) -> bool:
        """Send `events` into the steered session in order; the notice line says what
        happened (and why nothing was sent when the session has ended)."""
        session = self.steer_target()
        if session is None:
            self.show_notice("no session selected: nothing was sent", "error")
            return False
        try:
            sent = await session.send_all(events)
        except (SteerRefused, ValueError) as exc:
            self.show_notice(str(exc), "error")
            return False
        self.show_notice(self.steered_text(session, sent))
        return True

    # --- conversation actions on the shown session -------------------------------------

    @on(ConversationView.DeleteRequested)
    async def _delete_item(self, message: ConversationView.DeleteRequested) -> None:
        await self.steer([{"type": "conversation.item.delete", "item_id": message.item_id}])

    @on(ConversationView.CopyRequested)
    def _copy_item(self, message: ConversationView.CopyRequested) -> None:
        self.app.copy_to_clipboard(message.text)
        self.show_notice(f"copied the text of item {message.item_id}")

    @on(ConversationView.PlayRequested)
    @on(ConversationView.SaveRequested)
    def _item_audio(self, message: ConversationView.ItemActionRequested) -> None:
        self.show_notice("audio is not played or saved in this view: `realtime-console export` the "
                         "session's recording", "warning")

    # --- the notice line ---------------------------------------------------------------

    @on(StatusNoted)
    def _status_noted(self, message: StatusNoted) -> None:
        self.show_notice(message.text, message.severity)

    def show_notice(self, text: str, severity: str = "information") -> None:
        """One line above the input: steering results, refusals, session ends."""
        notice = self.query_one("#notice", Static)
        notice.update(Text(self.redact(text)))
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")
