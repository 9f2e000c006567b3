"""What the console knows about a session beyond the conversation itself.

The library's `RealtimeConversation` holds items; it does not record where an item was
truncated, how the response that produced it ended, the errors and notices that happened
between items, whether the user is speaking, or what the server applied of the session
the client sent. `Annotations` derives all of that from the event stream, the same way
for every source of events: the console's own client, a recording being replayed, a
proxied app. One code path, tested without a UI (`tests/session/test_annotations.py`).

Consumers redraw from `take_changes()`, which hands over what changed since the last
call; the object is deep-copyable, so the replay can checkpoint it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from console.realtime.protocol import canonical_type
from console.session.editable import diff_sessions, to_flat
from console.session.event_summary import error_text, status_reason
from console.session.stats import SessionStats

NoteKind = Literal["error", "response", "info", "drift", "lint"]


@dataclass(frozen=True)
class ItemMarks:
    """What the conversation does not record about an item but the events said:
    where it was truncated, and how the response that produced it ended."""

    truncated_ms: int | None = None
    response_status: str | None = None
    response_reason: str | None = None


@dataclass(frozen=True)
class ConversationNote:
    """A line the conversation shows between items: an error, or a response's bad end.

    `after_item_id` places it (None: at the end, as of when it happened); `event_index`
    is the event it came from, so selecting the note can select the event.
    """

    note_id: str
    kind: str  # a NoteKind
    text: str
    after_item_id: str | None = None
    event_index: int | None = None


@dataclass
class AnnotationChanges:
    """What changed since the previous `Annotations.take_changes()`.

    `vad` is None when speech detection did not change, else whether the user speaks.
    """

    changed_items: dict[str, None] = field(default_factory=dict)
    notes: list[ConversationNote] = field(default_factory=list)
    vad: bool | None = None
    stats_changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.changed_items or self.notes or self.vad is not None or self.stats_changed)


class ItemLookup(Protocol):
    """The part of a `RealtimeConversation` annotations need: which items exist."""

    def get_item(self, item_id: str) -> dict[str, Any] | None: ...

    def get_items(self) -> list[dict[str, Any]]: ...


class Annotations:
    """Marks, notes, speech state, session diff and statistics, derived from events.

    Args:
        stats: the header's figures for this session (fed every event).
        protocol: "ga" or "beta", for comparing sent and applied sessions.
    """

    def __init__(self, stats: SessionStats, *, protocol: str = "ga") -> None:
        self.stats = stats
        self.protocol = protocol
        self.marks: dict[str, ItemMarks] = {}
        #: Every note so far, in the order they happened.
        self.notes: list[ConversationNote] = []
        self.vad = False
        #: The last `session.update` the client sent, and what the server last applied.
        self.last_sent_session: dict[str, Any] | None = None
        self.applied_session: dict[str, Any] | None = None
        #: The response the server is generating now (between response.created and
        #: response.done), None when none is: only then may a client cancel one.
        self.active_response: str | None = None
        #: Responses the server started so far (each `response.created`).
        self.responses_started = 0
        self._response_items: dict[str, list[str]] = {}
        self._changes = AnnotationChanges(stats_changed=True)

    # --- feeding --------------------------------------------------------------------

    def observe(
        self,
        source: str,
        event: dict[str, Any],
        index: int | None,
        now: float,
        conversation: ItemLookup | None,
        *,
        cause_of: Callable[[int], str | None] | None = None,
    ) -> None:
        """Take in one event (after the conversation processed it).

        Args:
            source: "client" or "server".
            index: the event's number in the session's store (None: not stored).
            now: epoch seconds of the event, for the statistics.
            conversation: the items as of this event (to place notes and find outputs).
            cause_of: for an error, a short description of the client event that caused
                it (the live store links them), or None.

        An event with values no code expects (a number where text belongs, ...) becomes a
        note saying so: one odd event never stops a live session or a replay.
        """
        try:
            self._observe(source, event, index, now, conversation, cause_of)
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            self.add_note("info", f"event not annotated ({type(exc).__name__}: {exc})", event_index=index,
                          conversation=conversation)

    def _observe(
        self,
        source: str,
        event: dict[str, Any],
        index: int | None,
        now: float,
        conversation: ItemLookup | None,
        cause_of: Callable[[int], str | None] | None,
    ) -> None:
        if self.stats.observe(source, event, now):
            self._changes.stats_changed = True
        etype = canonical_type(str(event.get("type", "")))
        if source == "client":
            if etype == "session.update" and isinstance(event.get("session"), dict):
                self.last_sent_session = copy.deepcopy(event["session"])
            return
        if etype in ("session.created", "session.updated"):
            if isinstance(event.get("session"), dict):
                self.applied_session = copy.deepcopy(event["session"])
            if etype == "session.updated":
                self._compare_applied(index, conversation)
        elif etype == "error":
            suffix = ""
            if cause_of is not None and index is not None:
                suffix = cause_of(index) or ""
            self.add_note("error", error_text(event) + suffix, event_index=index, conversation=conversation)
        elif etype == "response.created":
            response = event.get("response") if isinstance(event.get("response"), dict) else {}
            self._response_items.setdefault(str(response.get("id")), [])
            self.active_response = str(response.get("id"))
            self.responses_started += 1
        elif etype == "response.output_item.added":
            item = event.get("item") if isinstance(event.get("item"), dict) else {}
            self._response_items.setdefault(str(event.get("response_id")), []).append(str(item.get("id")))
        elif etype == "response.done":
            response = event.get("response") if isinstance(event.get("response"), dict) else {}
            if self.active_response in (None, str(response.get("id"))):
                self.active_response = None
            self._response_done(response, index, conversation)
        elif etype == "conversation.item.truncated":
            end = event.get("audio_end_ms")
            self._mark(str(event.get("item_id")), truncated_ms=int(end) if _finite(end) else 0)
        elif etype == "input_audio_buffer.speech_started":
            self.vad = self._changes.vad = True
        elif etype == "input_audio_buffer.speech_stopped":
            self.vad = self._changes.vad = False

    def _mark(self, item_id: str, **changes: Any) -> None:
        old = self.marks.get(item_id, ItemMarks())
        self.marks[item_id] = ItemMarks(
            changes.get("truncated_ms", old.truncated_ms),
            changes.get("response_status", old.response_status),
            changes.get("response_reason", old.response_reason),
        )
        self._changes.changed_items[item_id] = None

    def _response_done(self, response: dict[str, Any], index: int | None, conversation: ItemLookup | None) -> None:
        status = response.get("status")
        if status in (None, "completed"):
            return
        reason = status_reason(response)
        outputs = [o.get("id") if isinstance(o, dict) else o for o in response.get("output") or []]
        item_ids = [i for i in outputs if isinstance(i, str)] or self._response_items.get(str(response.get("id")), [])
        known = [i for i in item_ids if conversation is not None and conversation.get_item(i) is not None]
        for item_id in known:
            self._mark(item_id, response_status=str(status), response_reason=reason)
        if not known:
            text = f"response {status}" + (f": {reason}" if reason else "")
            self.add_note("response", text, event_index=index, conversation=conversation)

    def _compare_applied(self, index: int | None, conversation: ItemLookup | None) -> None:
        """After `session.updated`, note every field the server did not apply as sent."""
        sent, applied = self.last_sent_session, self.applied_session
        if not isinstance(sent, dict) or not isinstance(applied, dict):
            return
        try:
            entries = diff_sessions(to_flat(sent), applied, protocol=self.protocol)
        except Exception:  # a session shape the comparison does not know: nothing to mark
            return
        differences = [e for e in entries if e.is_difference]
        if differences:
            text = "; ".join(
                f"{e.path}: sent {e.sent!r}, " + ("not applied" if e.status == "missing" else f"applied {e.applied!r}")
                for e in differences[:6]
            )
            self.add_note("drift", f"session.updated differs from what was sent: {text}", event_index=index,
                          conversation=conversation)

    # --- notes and changes ------------------------------------------------------------

    def add_note(
        self,
        kind: NoteKind,
        text: str,
        *,
        event_index: int | None = None,
        after_item_id: str | None = None,
        conversation: ItemLookup | None = None,
    ) -> ConversationNote:
        """Record a note; without `after_item_id` it follows the conversation's last item."""
        if after_item_id is None and conversation is not None:
            items = conversation.get_items()
            after_item_id = items[-1]["id"] if items else None
        note = ConversationNote(f"note-{len(self.notes) + 1}", kind, text, after_item_id, event_index)
        self.notes.append(note)
        self._changes.notes.append(note)
        return note

    def item_marks(self, item_id: str) -> ItemMarks:
        return self.marks.get(item_id, ItemMarks())

    def item_changed(self, item_id: str) -> None:
        """The conversation changed this item (the view must redraw it)."""
        self._changes.changed_items[item_id] = None

    def stats_changed(self) -> None:
        """Something the header shows changed outside the event stream."""
        self._changes.stats_changed = True

    def clear_marks(self) -> None:
        """A new conversation (a reconnect): item marks no longer apply."""
        self.marks.clear()
        self._response_items.clear()
        self.active_response = None

    def take_changes(self) -> AnnotationChanges:
        """What changed since the previous call (and start collecting afresh)."""
        changes, self._changes = self._changes, AnnotationChanges()
        return changes


def _finite(value: Any) -> bool:
    """A number that converts to an int (not a bool, NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value and abs(value) < 1e15
