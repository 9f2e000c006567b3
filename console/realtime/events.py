"""What the library's events carry: one named shape per event, in one place.

`RealtimeClient` dispatches the reference client's events with plain dicts (handlers read
`payload["item"]`, `payload["delta"]`, ...); these TypedDicts name those dicts, so a
reader or a type checker knows what a handler receives without reading the dispatch code.
They are dicts at run time: nothing changes for a caller indexing them.

| event                          | payload                     | when |
|--------------------------------|-----------------------------|------|
| `realtime.event`               | `RealtimeEventPayload`      | every event sent or received, before the conversation applies it |
| `conversation.updated`         | `ConversationUpdated`       | an event changed a conversation item |
| `conversation.item.appended`   | `ItemAppended`              | once per new item |
| `conversation.item.completed`  | `ItemCompleted`             | once per item reaching `completed` |
| `conversation.interrupted`     | `Interrupted`               | the server detected the user speaking |
| `close`                        | `ClosePayload`              | once per connection, after the socket is closed (with `auto_reconnect`: once the session finally ends) |
| `reconnecting`                 | `Reconnecting`              | `auto_reconnect`: the connection was lost, attempt N starts after `delay` |
| `reconnected`                  | `Reconnected`               | `auto_reconnect`: a new session holds the restored conversation |
| `error`                        | `ErrorPayload`              | the server's `error` events and the client's own failures |

Restored items (`auto_reconnect`): an item re-created on a new session keeps its place in
`get_items()`, and its `item["id"]` becomes the id the *new* session knows it by (so
`delete_item`, truncation and later server events work on it), while
`item["restored_from"]` keeps the id it had before (the first one, across several
reconnects). `Reconnected.restored` lists the mapping.

`RealtimeAPI` also dispatches `server.<type>` / `server.*` and `client.<type>` /
`client.*` with the raw event dict (`ServerEvent` / `ClientEvent`).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

import numpy as np

#: A server or client event as parsed from / sent as JSON: `{"type": str, ...}`.
ServerEvent = dict[str, Any]
ClientEvent = dict[str, Any]
#: A conversation item: the server's item dict plus `"formatted"` (see `Formatted`).
Item = dict[str, Any]


class Formatted(TypedDict, total=False):
    """`item["formatted"]`: the item as a UI shows it, kept current by the conversation."""

    audio: np.ndarray  # int16 samples at the session's rate
    text: str
    transcript: str  # a single space: transcribed, and empty
    tool: dict[str, Any]  # function calls: {type, name, call_id, arguments}
    output: Any  # function call outputs
    transcript_error: dict[str, Any]  # a failed input transcription
    images: list[dict[str, Any]]  # input_image parts: {index, name, mime, bytes, width, height, detail}


class Delta(TypedDict, total=False):
    """What one event added to an item: exactly one of these keys."""

    audio: np.ndarray  # the new int16 samples
    text: str
    transcript: str
    arguments: str
    transcript_error: dict[str, Any]


class RealtimeEventPayload(TypedDict):
    """`realtime.event`: every event, with when it was seen and which side sent it."""

    time: str  # ISO 8601, UTC, milliseconds
    source: Literal["client", "server"]
    event: ServerEvent | ClientEvent


class ConversationUpdated(TypedDict):
    """`conversation.updated`: the live item and what changed (None: the whole item)."""

    item: Item
    delta: Delta | None


class ItemAppended(TypedDict):
    """`conversation.item.appended`: a new item joined the conversation."""

    item: Item


class ItemCompleted(TypedDict):
    """`conversation.item.completed`: the item reached status `completed`."""

    item: Item


class Interrupted(TypedDict):
    """`conversation.interrupted`: the `input_audio_buffer.speech_started` event (the
    reference sends no payload; the key is extra)."""

    event: ServerEvent


class ClosePayload(TypedDict):
    """`close`: how the connection ended. `error` is True unless it was a normal close
    (1000/1001) or the client's own `disconnect()`; `expired` when the server ended the
    session with `session_expired`."""

    error: bool
    code: int | None
    reason: str
    expired: bool


class ErrorDetail(TypedDict, total=False):
    """`error["error"]`. For the client's own failures `type` is `"client_error"`."""

    type: str
    code: str | None
    message: str
    param: str | None
    event_id: str | None


class ErrorPayload(TypedDict, total=False):
    """`error`: shaped like the server's `error` event. Client failures add context:
    `event` (the event the conversation could not apply), `raw` (the frame that could not
    be read, quoted), `event_name` (the event whose handler raised)."""

    type: Literal["error"]
    event_id: str
    error: ErrorDetail
    event: ServerEvent
    raw: str
    event_name: str


class Reconnecting(TypedDict):
    """`reconnecting`: the connection was lost (`reason`: `session_expired`, the close
    reason, or the close code) and attempt `attempt` (1-based) starts after `delay`
    seconds. `interrupted`: ids of the items of a response cut off by the drop, now
    status `incomplete` (only on attempt 1; empty when nothing was in progress)."""

    attempt: int
    reason: str
    delay: float
    interrupted: list[str]


class RestoredItem(TypedDict):
    """One item re-created on the new session: its new `id`, the id it had before, and
    how it was sent (`audio`, `text`, `transcript` for user audio sent as its marked
    transcript, `function_call`, `function_call_output`)."""

    id: str
    restored_from: str
    restored_as: str


class SkippedItem(TypedDict):
    """An item not re-created (its old id stays in `get_items()`), and why: over the
    restore budget, nothing to restore, or refused by the server."""

    id: str
    reason: str


class Reconnected(TypedDict):
    """`reconnected`: the new session's id, the items re-created in order, and the items
    left out."""

    session_id: str | None
    restored: list[RestoredItem]
    skipped: list[SkippedItem]
