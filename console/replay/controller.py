"""`ReplayController`: a cursor over a recording, and everything the console shows at it.

The replay screen is a view; this is the model, with no Textual import, so every move
(play at the original timing times a speed factor, pause, step, seek to an event or a
time, next/previous turn or error) is tested without a UI.

The cursor is the number of the *current* event: events `0..cursor` have been applied
(-1: none yet). Applying an event feeds it to a `ConversationRebuilder`, the library's own
`RealtimeConversation` as the live client drove it (so what the replay shows is what the
client saw), and to `SessionStats` (the header's tokens, cost, latency), and keeps what the
conversation does not record (truncation marks, how responses ended, error notes) through
the same `Annotations` a live session uses.

Moving forward applies the events in between. Moving back cannot un-apply events, so it
restores the nearest earlier *checkpoint* (a copy of that state, taken every
`checkpoint_every` events as the cursor first passes them; see `console.replay.checkpoints`
for how they share audio and stay within `checkpoint_budget`) and re-applies from there:
a seek costs at most one checkpoint interval of events, whatever the recording's length.

The event log is not moved by the controller: the screen loads every event into the log
(`console.replay.log_events.log_events`) and marks the cursor's row, so the whole session stays
searchable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from console.realtime.audio import base64_to_bytes, decode
from console.realtime.protocol import canonical_type
from console.recording.chain import reconnect_text
from console.recording.reader import EventRecord, Recording, UnreadableEventError
from console.recording.rebuild import ConversationRebuilder
from console.replay.checkpoints import CheckpointStore
from console.session.annotations import Annotations, ConversationNote, ItemMarks, NoteKind
from console.session.stats import SessionStats

SPEEDS: tuple[float, ...] = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0, 8.0, 16.0, 64.0)
DEFAULT_CHECKPOINT_EVERY = 500
DEFAULT_CHECKPOINT_BUDGET = 64 << 20
#: At most this many events are applied per `tick` (a UI frame); beyond it the play
#: clock is moved so playback stays responsive instead of freezing the screen to catch up.
MAX_EVENTS_PER_TICK = 4000


@dataclass
class ReplayUpdate:
    """What one controller call changed, for the screen to redraw.

    `reset` means the conversation was rebuilt from a checkpoint: redraw every item and
    note. Audio lists hold what was passed while *playing* (not while seeking), in order.
    """

    reset: bool = False
    moved: bool = False
    applied: int = 0
    changed_items: dict[str, None] = field(default_factory=dict)
    notes: list[ConversationNote] = field(default_factory=list)
    output_audio: list[tuple[str, np.ndarray]] = field(default_factory=list)
    input_audio: list[np.ndarray] = field(default_factory=list)
    vad_changed: bool = False
    ended: bool = False

    def absorb(self, later: "ReplayUpdate") -> None:
        """Fold in the update of a later move, as if both were one move."""
        self.reset = self.reset or later.reset
        self.moved = self.moved or later.moved
        self.applied += later.applied
        self.changed_items.update(later.changed_items)
        self.notes.extend(later.notes)
        self.output_audio.extend(later.output_audio)
        self.input_audio.extend(later.input_audio)
        self.vad_changed = self.vad_changed or later.vad_changed
        self.ended = self.ended or later.ended


class _RecordCache:
    """The recording as the rebuilder sees it, with the event the controller already read.

    The controller reads each event once (for stats and marks) and hands the same record
    to the rebuilder instead of letting it parse the line again.
    """

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.held: EventRecord | None = None

    def __len__(self) -> int:
        return len(self.rec)

    def record(self, n: int) -> EventRecord:
        held = self.held
        if held is not None and held.index == n:
            return held
        return self.rec.record(n)

    def type_of(self, n: int) -> str:
        return self.rec.type_of(n)


class _State:
    """Everything that depends on the cursor; deep-copied as a checkpoint."""

    def __init__(self, annotations: Annotations) -> None:
        self.annotations = annotations
        self.rebuilder: dict[str, Any] = {}


class ReplayController:
    """A cursor over a `Recording` that rebuilds the session as of the cursor.

    Args:
        rec: the recording (it may still be indexing: `len(rec)` grows).
        speed: initial playback speed factor.
        clock: monotonic seconds (injected by tests).
        checkpoint_every: events between checkpoints (the cost bound of a backward seek).
        checkpoint_budget: bytes the checkpoints' private (unshared) parts may hold.
        endpoint_label: what the header shows as the endpoint (default: the recording's).
    """

    def __init__(
        self,
        rec: Recording,
        *,
        speed: float = 1.0,
        clock: Callable[[], float] | None = None,
        checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
        checkpoint_budget: int = DEFAULT_CHECKPOINT_BUDGET,
        endpoint_label: str | None = None,
    ) -> None:
        import time

        self.rec = rec
        self.endpoint_label = endpoint_label
        self.clock = clock or time.monotonic
        self.speed = float(speed)
        self.playing = False
        #: Set by the UI once indexing finished (play then stops at the last event).
        self.indexing_done = False
        self._records = _RecordCache(rec)
        self._checkpoints = CheckpointStore(checkpoint_every, checkpoint_budget, keep=(self._records,))
        self.rebuilder = ConversationRebuilder(self._records)  # type: ignore[arg-type]
        self._state = self._fresh_state()
        self.cursor = -1
        self._anchor: tuple[float, float] = (0.0, 0.0)  # (wall clock, recording time) of play start

    # --- what the screen reads ------------------------------------------------------------

    def _fresh_state(self) -> _State:
        header = self.rec.header or {}
        stats = SessionStats(
            endpoint=self.endpoint_label or str(header.get("endpoint") or "unknown endpoint"),
            protocol=self.rec.protocol,
            model=str(header.get("model") or ""),
            connection="idle",
        )
        return _State(Annotations(stats, protocol=self.rec.protocol))

    @property
    def annotations(self) -> Annotations:
        """Marks, notes and statistics as of the cursor (the live session's code path)."""
        return self._state.annotations

    @property
    def stats(self) -> SessionStats:
        """Header figures (tokens, cost, latency, session) as of the cursor."""
        return self._state.annotations.stats

    @property
    def marks(self) -> dict[str, ItemMarks]:
        return self._state.annotations.marks

    @property
    def notes(self) -> list[ConversationNote]:
        """Every note up to the cursor, in order."""
        return self._state.annotations.notes

    @property
    def vad_active(self) -> bool:
        """Speech detected (between `speech_started` and `speech_stopped`) at the cursor."""
        return self._state.annotations.vad

    @property
    def conversation(self):  # noqa: ANN201 - RealtimeConversation
        return self.rebuilder.conversation

    def items(self) -> list[dict[str, Any]]:
        """The conversation's items as of the cursor (live objects: do not modify)."""
        return self.rebuilder.conversation.get_items()

    @property
    def rebuild_errors(self) -> list[Any]:
        return self.rebuilder.errors

    def __len__(self) -> int:
        return len(self.rec)

    @property
    def time(self) -> float:
        """Recording seconds of the cursor (0 before the first event)."""
        return self.rec.time_of(self.cursor) if self.cursor >= 0 else 0.0

    @property
    def epoch(self) -> float:
        """Wall-clock epoch seconds of the cursor as recorded (for the session clock)."""
        start = self.rec.index.start_epoch or 0.0
        return start + self.time

    def turn_number(self) -> tuple[int, int]:
        """(1-based turn of the cursor, 0 before the first; turns indexed so far)."""
        starts = self.rec.turn_starts()
        return int(np.searchsorted(starts, self.cursor, side="right")), len(starts)

    def checkpoints(self) -> list[int]:
        """Cursor positions that have a checkpoint (for tests and the benchmark)."""
        return self._checkpoints.positions()

    @property
    def checkpoint_store(self) -> CheckpointStore:
        return self._checkpoints

    # --- moving ---------------------------------------------------------------------------

    def seek(self, event: int) -> ReplayUpdate:
        """Make event `event` the current one (clamped to the events indexed so far)."""
        target = self.clamp(event)
        update = ReplayUpdate()
        if target < self.cursor:
            self._restore(target, update)
        self._advance(target, update, playing=False)
        if self.playing:
            self._reanchor()
        return update

    def clamp(self, event: int) -> int:
        """`event` limited to -1 .. the last event indexed so far."""
        return max(-1, min(int(event), len(self.rec) - 1))

    def seek_base(self, event: int) -> int:
        """Where a seek to `event` starts applying events from: the cursor when moving
        forward, else the checkpoint it restores (-1: the very start)."""
        target = self.clamp(event)
        if target >= self.cursor:
            return self.cursor
        base = self._checkpoints.latest(target)
        return -1 if base is None else base

    def step(self, count: int = 1) -> ReplayUpdate:
        """Move `count` events forward (negative: back); stepping pauses playback."""
        self.playing = False
        return self.seek(self.cursor + count)

    def seek_time(self, seconds: float) -> ReplayUpdate:
        """Make the last event at or before `seconds` (recording time) the current one."""
        n = len(self.rec)
        if n == 0:
            return ReplayUpdate()
        times = self.rec.index.times
        return self.seek(int(np.searchsorted(times[:n], seconds, side="right")) - 1)

    def _target(self, rows: np.ndarray, forward: bool) -> int | None:
        if forward:
            i = int(np.searchsorted(rows, self.cursor, side="right"))
            return int(rows[i]) if i < len(rows) else None
        i = int(np.searchsorted(rows, self.cursor, side="left")) - 1
        return int(rows[i]) if i >= 0 else None

    def turn_target(self, forward: bool = True) -> int | None:
        """The first event of the next (or previous) turn from the cursor, if any."""
        return self._target(self.rec.turn_starts(), forward)

    def error_target(self, forward: bool = True) -> int | None:
        """The next (or previous) error event from the cursor, if any."""
        return self._target(self.rec.error_rows(), forward)

    def _jump(self, target: int | None) -> ReplayUpdate | None:
        return None if target is None else self.seek(target)

    def next_turn(self) -> ReplayUpdate | None:
        """Seek to the first event of the next turn (None: there is none)."""
        return self._jump(self.turn_target(True))

    def previous_turn(self) -> ReplayUpdate | None:
        """Seek to the start of the turn before the cursor's position (None at the first)."""
        return self._jump(self.turn_target(False))

    def next_error(self) -> ReplayUpdate | None:
        """Seek to the next error event (None: no error after the cursor)."""
        return self._jump(self.error_target(True))

    def previous_error(self) -> ReplayUpdate | None:
        return self._jump(self.error_target(False))

    # --- playing --------------------------------------------------------------------------

    def play(self) -> None:
        """Start playing from the cursor at the original timing times `speed`."""
        if self.indexing_done and self.cursor >= len(self.rec) - 1:
            return
        self.playing = True
        self._reanchor()

    def pause(self) -> None:
        self.playing = False

    def toggle(self) -> bool:
        """Play or pause; returns whether it is playing now."""
        if self.playing:
            self.pause()
        else:
            self.play()
        return self.playing

    def set_speed(self, speed: float) -> None:
        """Change the speed factor; playback continues from where it is."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        if self.playing:
            self._anchor = (self.clock(), self._play_time())
        self.speed = float(speed)

    def faster(self) -> float:
        """The next speed up in `SPEEDS`; returns the new speed."""
        self.set_speed(next((s for s in SPEEDS if s > self.speed + 1e-9), self.speed))
        return self.speed

    def slower(self) -> float:
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self.speed - 1e-9), self.speed))
        return self.speed

    def _reanchor(self) -> None:
        self._anchor = (self.clock(), self.time)

    def _play_time(self) -> float:
        wall, start = self._anchor
        return start + (self.clock() - wall) * self.speed

    def tick(self) -> ReplayUpdate | None:
        """While playing, apply the events whose time has come; None when paused."""
        if not self.playing:
            return None
        n = len(self.rec)
        due = self._play_time()
        target = int(np.searchsorted(self.rec.index.times[:n], due, side="right")) - 1
        capped = target - self.cursor > MAX_EVENTS_PER_TICK
        if capped:
            target = self.cursor + MAX_EVENTS_PER_TICK
        update = ReplayUpdate()
        if target > self.cursor:
            self._advance(target, update, playing=True)
            if capped:
                self._reanchor()  # play on from here instead of racing to catch up
        if self.indexing_done and self.cursor >= n - 1:
            self.playing = False
            update.ended = True
        return update

    # --- applying events --------------------------------------------------------------------

    def _advance(self, target: int, update: ReplayUpdate, *, playing: bool) -> None:
        start = self.cursor
        for n in range(self.cursor + 1, target + 1):
            self._apply(n, update, playing)
            self._collect(self._state.annotations, update)
            self.cursor = n
            if self._checkpoints.due(n):
                self._take_checkpoint()
        if self.cursor != start:
            update.moved = True
            update.applied += self.cursor - start

    def _apply(self, n: int, update: ReplayUpdate, playing: bool) -> None:
        state = self._state
        boundary = self.rec.boundaries.get(n)
        if boundary is not None:
            self._reconnected(state, boundary, n)
            update.reset = True  # the views drop the old session's items, as live
        try:
            record = self.rec.record(n)
        except UnreadableEventError as exc:
            self.rebuilder.apply(n)  # records the damaged line in its errors
            self._note(state, "error", f"event {n} skipped: {exc}", n)
            return
        ctype = canonical_type(record.type)
        if ctype == "conversation.item.truncated" and record.source == "server":
            # the truncated audio may be appended to again, in place: stop sharing it
            self._checkpoints.detach(self.rebuilder.conversation, str(record.event.get("item_id")))
        self._records.held = record
        errors_before = len(self.rebuilder.errors)
        item, delta = self.rebuilder.apply(n)
        self._records.held = None
        event = record.event
        now = (self.rec.index.start_epoch or 0.0) + record.time
        annotations = state.annotations
        if annotations.stats.connection == "idle":
            annotations.stats.connection = "connected"
        if item is not None and isinstance(item.get("id"), str):
            annotations.item_changed(item["id"])
        if len(self.rebuilder.errors) > errors_before:
            problem = self.rebuilder.errors[-1]
            self._note(state, "info", f"{problem.type} not applied: {problem.message}", n)
        annotations.observe(record.source, event, n, now, self.conversation)
        if not self.rec.times_known:  # an age against a made-up clock would be nonsense
            annotations.stats.expires_at = None
        if record.source == "client":
            if playing and ctype == "input_audio_buffer.append" and isinstance(event.get("audio"), str):
                samples = self._decode_input(event["audio"])
                if samples is not None:
                    update.input_audio.append(samples)
            return
        if playing and delta and isinstance(delta, dict) and item is not None:
            audio = delta.get("audio")
            if audio is not None and len(audio) and item.get("role") == "assistant":
                update.output_audio.append((str(item.get("id")), np.asarray(audio, dtype=np.int16)))

    def _reconnected(self, state: _State, boundary: dict[str, Any], n: int) -> None:
        """Event `n` opens the next file of a chain: a new server session, which holds
        the conversation the client restored into it. As the live console does on
        `reconnected`, the conversation starts again (the restore re-creates its items)
        and a marked note says where and why."""
        self.rebuilder.new_session()
        state.annotations.clear_marks()
        self._note(state, "info", reconnect_text(boundary), n)

    @staticmethod
    def _collect(annotations: Annotations, update: ReplayUpdate) -> None:
        """Move what the annotations changed into the screen's update."""
        changes = annotations.take_changes()
        update.changed_items.update(changes.changed_items)
        update.notes.extend(changes.notes)
        if changes.vad is not None:
            update.vad_changed = True

    def _decode_input(self, b64: str) -> np.ndarray | None:
        try:
            data = base64_to_bytes(b64)
        except ValueError:
            return None
        codec = self.rebuilder.input_codec  # the codec the client declared for its input
        if codec == "pcm16" and len(data) % 2:
            data = data[:-1]
        return decode(data, codec)

    def _note(self, state: _State, kind: NoteKind, text: str, n: int) -> None:
        state.annotations.add_note(kind, text, event_index=n, conversation=self.conversation)

    # --- checkpoints --------------------------------------------------------------------------

    def _take_checkpoint(self) -> None:
        state = self._state
        state.rebuilder = self.rebuilder.state()
        try:
            self._checkpoints.save(self.cursor, state, self.rebuilder.conversation)
        finally:
            state.rebuilder = {}

    def _restore(self, target: int, update: ReplayUpdate) -> None:
        """Go back to the latest checkpoint at or before `target` (or the start)."""
        update.reset = True
        restored = self._checkpoints.restore(target)
        if restored is not None:
            self.cursor, snapshot = restored
            rebuilder_state, snapshot.rebuilder = snapshot.rebuilder, {}
            self.rebuilder.restore_state(rebuilder_state)
            self._state = snapshot
        else:
            self.rebuilder.reset()
            self._state = self._fresh_state()
            self.cursor = -1
        update.changed_items.clear()
        update.notes.clear()
        self._state.annotations.take_changes()  # the screen redraws everything after a reset
