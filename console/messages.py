"""Messages that cross widget boundaries (posted by the session bridge to the screen).

Widget-specific messages live nested in the widget that posts them
(`ConversationView.DeleteRequested`, `InputLine.TextSubmitted`, ...); the ones here are
posted by non-widget code, so they need a shared home. Names are past-tense facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass(frozen=True)
class ItemMarks:
    """What the conversation does not record about an item but the bridge saw in events:
    where it was truncated, and how the response that produced it ended."""

    truncated_ms: int | None = None
    response_status: str | None = None
    response_reason: str | None = None


@dataclass(frozen=True)
class ConversationNote:
    """A line the conversation shows between items: an error, or a response's bad end.

    `after_item_id` places it (None: at the end, as of when it happened); `event_index`
    is the event store row it came from, so selecting the note can select the event.
    """

    note_id: str
    kind: str  # "error" | "response" | "info" | "drift"
    text: str
    after_item_id: str | None = None
    event_index: int | None = None


@dataclass
class BridgeFlushed(Message):
    """The bridge's ~30 Hz batch: what changed since the previous flush.

    The screen handles it by telling each widget what to redraw (attributes down), so no
    widget repaints per event.
    """

    new_events: int = 0
    changed_items: tuple[str, ...] = ()
    removed_items: tuple[str, ...] = ()
    notes: tuple[ConversationNote, ...] = ()
    stats_changed: bool = False
    conversation_reset: bool = False
    vad_speaking: bool | None = None


@dataclass
class ConnectionChanged(Message):
    """The connection moved to `state` ("connecting", "connected", "disconnected", "failed").

    `detail` is a plain sentence for the header and log (never contains the API key).
    """

    state: str
    detail: str = ""


@dataclass
class StatusNoted(Message):
    """A short line for the status area: the result of a command, a hint, a warning."""

    text: str
    severity: str = "information"  # "information" | "warning" | "error"
    details: list[str] = field(default_factory=list)
