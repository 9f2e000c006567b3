"""`RecordingReadback`: the event log's audio payloads, read back from the session recordings.

The event store drops base64 audio (audio is never held twice), keeping a marker;
the recording already has every payload on disk. This maps a store index to the recording
line that holds the same event, so the log can show and copy the full event on demand.

Why segments rather than "store index == line number": the two are appended from the same
`realtime.event` callback, but not always in lockstep. A reconnect starts a new recording
file while the store keeps counting; a write failure stops recording while the log goes
on; client-side errors are logged but not recorded. Each run of events that *are* recorded
contiguously is one segment `(first store index, recorder, first line, count)`, so the
mapping costs a few tuples per session, not a word per event. Every read is also checked
against the store (same type, same `event_id`), so a mapping gone wrong shows "not
available" instead of somebody else's audio.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

from console.realtime.protocol import AUDIO_PAYLOAD_KEYS

from .writer import SessionRecorder

if TYPE_CHECKING:
    from console.session.event_store import EventStore


class RecordingReadback:
    """Store index → recording line; `payload(index)` is an `EventStore.payload_reader`."""

    def __init__(self, store: "EventStore") -> None:
        self.store = store
        self._starts: list[int] = []  # first store index of each segment (sorted)
        self._segments: list[list[Any]] = []  # [recorder, first line, count] per segment
        self._recorders: list[SessionRecorder] = []

    def adopt(self, recorder: SessionRecorder) -> None:
        """Take charge of closing `recorder` (its lines stay readable until `close`)."""
        if not any(r is recorder for r in self._recorders):
            self._recorders.append(recorder)

    def recorded(self, index: int, recorder: SessionRecorder, line: int) -> None:
        """Event `index` of the store was written as line `line` of `recorder`.

        Called in store order (indices only grow); one comparison in the common case.
        """
        if self._segments:
            last = self._segments[-1]
            if last[0] is recorder and self._starts[-1] + last[2] == index and last[1] + last[2] == line:
                last[2] += 1
                return
            if index < self._starts[-1] + last[2]:
                return  # out of order: never map one index twice
        self.adopt(recorder)
        self._starts.append(index)
        self._segments.append([recorder, line, 1])

    def locate(self, index: int) -> tuple[SessionRecorder, int] | None:
        """The recorder and line holding store event `index`, or None if none does."""
        k = bisect_right(self._starts, index) - 1
        if k < 0:
            return None
        recorder, line, count = self._segments[k]
        offset = index - self._starts[k]
        return (recorder, line + offset) if offset < count else None

    def event(self, index: int) -> dict[str, Any] | None:
        """Store event `index` as recorded (full payloads), or None if not available."""
        where = self.locate(index)
        if where is None:
            return None
        recorder, line = where
        try:
            event = recorder.read_event(line)["event"]
        except (OSError, ValueError, IndexError):
            return None
        stored = self.store.event(index)
        if event.get("type") != stored.get("type") or event.get("event_id") != stored.get("event_id"):
            return None
        return event

    def payload(self, index: int) -> str | None:
        """The base64 audio of store event `index`, if it is an audio event and recorded."""
        key = AUDIO_PAYLOAD_KEYS.get(self.store.event_type(index))
        if key is None:
            return None
        event = self.event(index)
        value = None if event is None else event.get(key)
        return value if isinstance(value, str) else None

    def close(self) -> None:
        """Close every recorder seen (their files stay; only the descriptors go)."""
        for recorder in self._recorders:
            recorder.close()
        self._recorders.clear()
        self._starts.clear()
        self._segments.clear()
