"""Pieces of `RealtimeConversation` that need none of its state: the error it raises,
checks of event fields, and how item content turns into `formatted` text / transcripts.

Kept apart so the state machine in `conversation.py` (and its processor modules) reads as
state changes, and so these rules can be tested and reused on their own.
"""

from __future__ import annotations

import copy
import math
from typing import Any, NamedTuple

Item = dict[str, Any]
Delta = dict[str, Any]
Result = tuple[Item | None, Delta | None]


class Change(NamedTuple):
    """What one server event did to the conversation (`RealtimeConversation.apply_event`).

    `item`: the live item that changed (None: nothing for the UI); `delta`: what changed
    in it (`{"audio"}`, `{"text"}`, `{"transcript"}`, `{"arguments"}` or
    `{"transcript_error"}`; None for whole-item changes); `appended`: this event added the
    item to the conversation; `completed`: this event is the one that reports the item
    completed (once per item). Returned by the call that produced it, so nothing about
    the last event lingers on the conversation.
    """

    item: Item | None
    delta: Delta | None
    appended: bool = False
    completed: bool = False

#: Content part types whose `text` makes up `formatted.text` (GA adds `output_text`).
TEXT_PART_TYPES = frozenset({"text", "input_text", "output_text"})
#: Content part types that carry audio (and a transcript).
AUDIO_PART_TYPES = frozenset({"audio", "input_audio", "output_audio"})

NOTHING = Change(None, None)


class ConversationError(Exception):
    """An event the conversation cannot apply (unknown item id, missing field, bad audio).

    Raised before any state changes, so the conversation stays exactly as it was; the
    client turns it into an `error` event and keeps the connection going.
    """


def missing_field(event: dict[str, Any], key: str) -> ConversationError:
    return ConversationError(f"{event.get('type')} event is missing required field {key!r}")


def require_fields(event: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if event.get(key) is None:
            raise missing_field(event, key)


def check_ms(event: dict[str, Any], key: str) -> None:
    """A millisecond field must be a finite number >= 0: sample arithmetic on `inf` or
    `nan` raises (OverflowError / ValueError) instead of meaning anything."""
    value = event.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not math.isfinite(value):
        raise ConversationError(f"{event.get('type')}: bad {key} {value!r} (milliseconds expected)")


def part_type(part: Any) -> str | None:
    """A content part's `type` when it is a string; None for anything else, so a part
    whose `type` is a list or a dict matches no kind instead of raising TypeError."""
    if isinstance(part, dict):
        kind = part.get("type")
        if isinstance(kind, str):
            return kind
    return None


def output_ids(output: Any) -> list[str]:
    """Item ids of a response's `output` (item objects upstream, ids in the reference)."""
    ids = []
    for out in output or []:
        out_id = out.get("id") if isinstance(out, dict) else out
        if isinstance(out_id, str) and out_id:
            ids.append(out_id)
    return ids


def text_of(content: list[Any]) -> str:
    """`formatted.text`: the text of the text parts (values that are not strings skipped)."""
    return "".join(
        part["text"] for part in content if part_type(part) in TEXT_PART_TYPES and isinstance(part.get("text"), str)
    )


def transcript_of(content: list[Any]) -> str:
    """`formatted.transcript`: the transcripts of the audio parts (strings only)."""
    return "".join(
        part["transcript"]
        for part in content
        if part_type(part) in AUDIO_PART_TYPES and isinstance(part.get("transcript"), str)
    )


def merge_content(old: list[Any], new: list[Any]) -> list[Any]:
    """The server's final content, keeping values we know that its copy leaves empty.

    Upstream's `conversation.item.done` may carry `transcript: null` for a user audio part
    whose transcription arrived first; the known transcript must not be lost.
    """
    merged = copy.deepcopy(new)
    for i, part in enumerate(merged):
        if i < len(old) and isinstance(part, dict) and isinstance(old[i], dict):
            for key, value in old[i].items():
                if part.get(key) in (None, "") and value not in (None, ""):
                    part[key] = copy.deepcopy(value)
    return merged
