"""`Session`: one Realtime session as the console knows it, whatever feeds it.

A session owns an event store (every event, for the log), its `Annotations` (marks,
notes, statistics) and, through its feed, a `RealtimeConversation`. Events come from a
*source*: the console's own client (`console.session.live.LiveSession`), a recording
being replayed, a proxied app's connection or a sideband attach to a live call. The app
holds any number of sessions and shows one; it redraws from `take_changes()`, polled at
the screen's frame rate, so a session costs nothing to switch to or from.

Whether the console may send client events into a session (*steer* it) is the source's
call: `steerable` is False unless a source allows it.

Every session is linted as it happens (`console.lint`, through the `LintMarks` every event
log uses): a finding becomes a `lint` note after the event it is about, and the header
counts them. `server-error` is left out: the error itself is already a note. The findings
are also kept, in order (`findings`) and by the event each is reported at
(`findings_by_event`), so the event log can mark that row and the diagnostics view list them
all; findings are few, so two small containers beside the compact store cost nothing.

Every session also keeps its turns' timelines and costs (`timelines`, a `TurnTimelines`
fed the same events on the session's clock), for the turn view; when an answer is cut, the
header's figure of audio generated but never heard is refreshed from them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from console.lint.findings import Finding
from console.session.annotations import Annotations, ConversationNote, ItemLookup, ItemMarks, NoteKind
from console.session.event_store import EventStore
from console.session.lint_marks import LintMarks
from console.session.stats import DEFAULT_PRICE_TABLE, SessionStats
from console.session.turn_timelines import TurnTimelines, unheard_summary

SessionKind = Literal["console", "replay", "proxy", "attach"]
#: Events after which the never-heard audio figure may change: a truncation, or a
#: `response.done` bringing the usage it is priced from.
_CUT_OR_BILLED = frozenset({"conversation.item.truncate", "conversation.item.truncated", "response.done"})
EventListener = Callable[[dict[str, Any]], None]
#: Told of every connection change: (state, a plain sentence that never holds the key).
ConnectionListener = Callable[[str, str], None]
#: Told of a short status line for the user: (text, "information" | "warning" | "error").
StatusListener = Callable[[str, str], None]


@dataclass(frozen=True)
class SessionChanges:
    """What a session changed since the previous `take_changes()` (all redraws in one)."""

    new_events: int = 0
    changed_items: tuple[str, ...] = ()
    removed_items: tuple[str, ...] = ()
    notes: tuple[ConversationNote, ...] = ()
    stats_changed: bool = False
    conversation_reset: bool = False
    vad_speaking: bool | None = None


class Session:
    """The event store, annotations and conversation of one session.

    Args:
        store: where every event of the session is kept for the log.
        stats: the header's figures, fed every event.
        kind: what feeds the session.
        protocol: "ga" or "beta".
        clock: epoch seconds (tests inject a fixed clock).
        redact: applied to every note's text (keeps secrets off the screen).
    """

    def __init__(
        self,
        store: EventStore,
        stats: SessionStats,
        *,
        kind: SessionKind,
        protocol: str = "ga",
        clock: Callable[[], float] = time.time,
        redact: Callable[[str], str] | None = None,
    ) -> None:
        self.store = store
        self.kind: SessionKind = kind
        self.clock = clock
        self.redact = redact or (lambda text: text)
        self.annotations = Annotations(stats, protocol=protocol)
        #: Called with every `{"source", "event"}` payload before it is stored (e.g. the recorder).
        self.event_listeners: list[EventListener] = []
        self.on_connection: ConnectionListener | None = None
        self.on_status: StatusListener | None = None
        self._new_events = 0
        self._reset = False
        self.lint = LintMarks(protocol, on_finding=self._lint_finding)
        self._first_time: float | None = None
        self.timelines = TurnTimelines()
        #: Never-heard audio of earlier conversations (ms, USD), kept like the header's cost.
        self._unheard_carry: tuple[float, float | None] = (0.0, None)

    # --- what the views read ------------------------------------------------------------

    @property
    def stats(self) -> SessionStats:
        return self.annotations.stats

    @property
    def findings(self) -> list[Finding]:
        """Every lint finding of the session, in the order found (the linter keeps them)."""
        return self.lint.findings

    @property
    def findings_by_event(self) -> dict[int, list[Finding]]:
        """The findings by the store index of the event each is reported at (its first event)."""
        return self.lint.by_event

    @property
    def conversation(self) -> ItemLookup | None:
        """The session's conversation (None before the source has one)."""
        return None

    @property
    def steerable(self) -> bool:
        """Whether client events may be sent into this session now."""
        return False

    @property
    def last_sent_session(self) -> dict[str, Any] | None:
        return self.annotations.last_sent_session

    @property
    def applied_session(self) -> dict[str, Any] | None:
        return self.annotations.applied_session

    def items(self) -> list[dict[str, Any]]:
        conversation = self.conversation
        return conversation.get_items() if conversation is not None else []

    def item(self, item_id: str) -> dict[str, Any] | None:
        """The conversation item (None when unknown or deleted)."""
        conversation = self.conversation
        return conversation.get_item(item_id) if conversation is not None else None

    def item_marks(self, item_id: str) -> ItemMarks:
        return self.annotations.item_marks(item_id)

    # --- feeding ------------------------------------------------------------------------

    def set_connection(self, state: str, detail: str = "") -> None:
        """The source's connection moved to `state` ("connecting", "connected", "disconnected", "failed")."""
        detail = self.redact(detail)
        self.stats.connection = state  # type: ignore[assignment]
        self.stats.connection_detail = detail
        self.mark_stats_changed()
        if self.on_connection is not None:
            self.on_connection(state, detail)

    def ingest(self, payload: dict[str, Any]) -> int:
        """Take one `{"source", "event"}` payload (after the conversation processed it);
        returns its index in the store."""
        for listener in list(self.event_listeners):
            listener(payload)
        source = payload.get("source", "server")
        event = payload.get("event") or {}
        now = self.clock()
        index = self.store.append(source, event, now)
        self._new_events += 1
        self.annotations.observe(source, event, index, now, self.conversation, cause_of=self._cause_text)
        if self._first_time is None:
            self._first_time = now
        self.lint.observe(index, source, event, now - self._first_time)
        if self.timelines.observe(index, source, event, now - self._first_time) and \
                str(event.get("type", "")) in _CUT_OR_BILLED:
            self._refresh_unheard()
        return index

    def turn_rows(self) -> list[dict[str, Any]]:
        """Each turn's timeline and cost (see `TurnTimelines.rows`), priced as the header is."""
        return self.timelines.rows(self.stats.model or None, DEFAULT_PRICE_TABLE)

    def _refresh_unheard(self) -> None:
        unheard = unheard_summary(self.timelines.rows(self.stats.model or None, DEFAULT_PRICE_TABLE, only_cut=True))
        carried_ms, carried_usd = self._unheard_carry
        if unheard["turns"] or carried_ms:
            self.stats.unheard_ms = carried_ms + unheard["ms"]
            usd = [v for v in (carried_usd, unheard["usd"]) if v is not None]
            self.stats.unheard_usd = round(sum(usd), 6) if usd else None
            self.mark_stats_changed()

    def finish_lint(self) -> None:
        """The session is over for good (a proxied connection closed, a sideband detached):
        let the linter report what only the end can tell (a response never done, a function
        call whose output never came). Once; later calls do nothing."""
        if not self.lint.finished:
            self.lint.finish()

    def _lint_finding(self, finding: Finding) -> None:
        self.stats.lint_findings += 1
        self.add_note("lint", f"{finding.severity} {finding.rule}: {finding.message}",
                      event_index=finding.first_event if finding.first_event >= 0 else None)

    def _cause_text(self, index: int) -> str | None:
        cause = self.store.cause_of(index)
        return f" (caused by {self.store.event_type(cause)} #{cause})" if cause is not None else None

    def status(self, text: str, severity: str = "information") -> None:
        """A status line for the user (the outcome of something they asked for)."""
        if self.on_status is not None:
            self.on_status(self.redact(text), severity)

    def add_note(self, kind: NoteKind, text: str, *, event_index: int | None = None,
                 after_item_id: str | None = None) -> ConversationNote:
        """A note for the conversation (shown at the next redraw), its text redacted."""
        return self.annotations.add_note(kind, self.redact(text), event_index=event_index,
                                         after_item_id=after_item_id, conversation=self.conversation)

    def item_changed(self, item_id: str) -> None:
        self.annotations.item_changed(item_id)

    def mark_stats_changed(self) -> None:
        """Something the header shows changed outside the event stream (mic, turn mode)."""
        self.annotations.stats_changed()

    def reset_conversation(self) -> None:
        """A new conversation replaces the old one (views clear theirs)."""
        self._reset = True
        self._unheard_carry = (self.stats.unheard_ms or 0.0, self.stats.unheard_usd)
        self.timelines.reset()
        self.annotations.clear_marks()

    def take_changes(self) -> SessionChanges | None:
        """Everything that changed since the last call (None if nothing did)."""
        changes = self.annotations.take_changes()
        if not (changes or self._new_events or self._reset):
            return None
        conversation = self.conversation
        changed: list[str] = []
        removed: list[str] = []
        for item_id in changes.changed_items:
            (changed if conversation is not None and conversation.get_item(item_id) is not None else removed).append(item_id)
        result = SessionChanges(
            new_events=self._new_events,
            changed_items=tuple(changed),
            removed_items=tuple(removed),
            notes=tuple(changes.notes),
            stats_changed=changes.stats_changed,
            conversation_reset=self._reset,
            vad_speaking=changes.vad,
        )
        self._new_events = 0
        self._reset = False
        return result
