"""The "go to" prompt of the replay: an event number or a time in the recording.

A modal with one input, so the replay screen's single-key bindings (space, `.`, `n` ...)
never eat what the user types. `parse_target` is pure and tested alone.
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

_TIME = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)$")


class TargetError(ValueError):
    """What the user typed is neither an event number nor a time."""


def parse_target(text: str) -> tuple[str, float]:
    """("event", n) for `123` or `#123`; ("time", seconds) for `83.5s`, `1:23`, `1:02:03.5`.

    Raises:
        TargetError: with a sentence saying what is accepted.
    """
    value = text.strip().lower().replace(" ", "")
    if not value:
        raise TargetError("type an event number (123) or a time (83.5s, 1:23, 1:02:03)")
    if value.startswith("#"):
        value = value[1:]
        if value.isdigit():
            return "event", float(int(value))
    elif value.isdigit():
        return "event", float(int(value))
    elif value.endswith("s") and re.fullmatch(r"\d+(?:\.\d*)?", value[:-1]):
        return "time", float(value[:-1])
    elif ":" in value or "." in value:
        m = _TIME.match(value)
        if m:
            first, second, secs = m.groups()
            hours, minutes = (first, second) if second is not None else (None, first)
            return "time", int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs)
    raise TargetError(f"{text.strip()!r} is not an event number (123) or a time (83.5s, 1:23, 1:02:03)")


class SeekPrompt(ModalScreen[tuple[str, float] | None]):
    """Asks where to go; dismisses with `parse_target`'s answer or None (escape)."""

    DEFAULT_CSS = """
    SeekPrompt { align: center middle; }
    SeekPrompt > #seek-box { width: 60; height: auto; padding: 1 2; background: $panel; border: round $primary; }
    SeekPrompt #seek-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="replay_seek.cancel", tooltip="Close without moving")]

    def __init__(self, events: int, duration: float) -> None:
        super().__init__()
        self.events = events
        self.duration = duration

    def compose(self) -> ComposeResult:
        with Vertical(id="seek-box"):
            yield Label(f"Go to an event (0–{max(0, self.events - 1):,}) or a time (0–{self.duration:.1f} s)")
            yield Input(placeholder="123 · #123 · 83.5s · 1:23 · 1:02:03", id="seek-input")
            yield Label("", id="seek-error")

    @on(Input.Submitted, "#seek-input")
    def _submitted(self, message: Input.Submitted) -> None:
        try:
            target = parse_target(message.value)
        except TargetError as exc:
            self.query_one("#seek-error", Label).update(str(exc))
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)
