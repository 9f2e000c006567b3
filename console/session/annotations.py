"""What the console knows about a session beyond the conversation itself.

The library's `RealtimeConversation` holds items; it does not record where an item was
truncated, how the response that produced it ended, or the errors and notices that
happened between items. These records are shared by every view of a session (live,
replayed, proxied), so they live here, free of any UI.
"""

from __future__ import annotations

from dataclasses import dataclass


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
