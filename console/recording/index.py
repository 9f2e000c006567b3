"""One-pass, bounded-memory index of a recording: where each event's line is, and its
time, type and source, as numpy columns.

Toolong's model: the file is memory-mapped and scanned for line breaks in batches (a UI
runs `RecordingIndex.scan` in a worker thread and shows the progress it yields); nothing
parsed is kept except five numbers per event, so a 1 GB recording of a multi-hour session
costs tens of bytes per event, and audio payloads stay on disk until someone asks for them.

Per line, only the type, time and source are needed. The writer puts them in the line's
first bytes (`{"time": "...", "source": "...", "event": {"type": "..."`), so an anchored
regex run on the mmap itself (no copy of the line) reads them whatever the line's length.
Lines in any other layout fall back to `json.loads`, which is always correct.
"""

from __future__ import annotations

import json
import mmap
from bisect import bisect_right
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .format import (
    CONTINUED_KEY,
    HEADER_KEY,
    UNRECORDED_KEY,
    infer_source,
    is_bare_event,
    is_header,
    is_trailer,
    is_wrapped_event,
    parse_time,
)

SOURCE_CLIENT, SOURCE_SERVER = 0, 1
SOURCE_NAMES: tuple[str, str] = ("client", "server")
#: Seconds between events whose times are synthesised (bare-event logs carry no times).
SYNTHETIC_STEP = 0.01
#: How many bad lines are described individually (the count is always exact).
MAX_PROBLEMS = 20
DEFAULT_BATCH_BYTES = 8 << 20
#: The type column is uint16: a file with more distinct types than this is damaged or
#: hostile, and the lines bringing further new types are skipped as bad lines.
MAX_TYPES = 65_535

ProgressCallback = Callable[[int, int], None]

#: The type, time and source at the start of a `{"time", "source", "event"}` line, as the
#: recorder writes it (also how `reader.LoadedRecording` reads a small file's lines).
WRAPPED_PREFIX = re.compile(
    rb'\{\s*"time"\s*:\s*"([^"\\]*)"\s*,\s*"source"\s*:\s*"(client|server)"\s*,'
    rb'\s*"event"\s*:\s*\{\s*"type"\s*:\s*"([^"\\]*)"'
)
#: The kinds of file whose event lines are `{"time", "source", "event"}` lines.
_WRAPPED_KINDS = frozenset({"recording", "events"})
_BARE = re.compile(rb'\{\s*"type"\s*:\s*"([^"\\]*)"')
_BLANK = re.compile(rb"\s*")


class NotARecordingError(ValueError):
    """The file is not a recording (nor a log of events): the message says why."""


@dataclass(frozen=True)
class LineProblem:
    """A line that was skipped: its 1-based line number, byte offset and why."""

    line: int
    offset: int
    reason: str


class _Column:
    """A growable numpy column with amortised O(1) appends (capacity doubles).

    Readers on another thread see a consistent prefix: new rows are written before the
    row count that exposes them is published, and a grown array replaces the old one only
    after the old rows are copied into it.
    """

    __slots__ = ("data",)

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self.data = np.empty(capacity, dtype=dtype)

    def extend(self, size: int, values: list[Any]) -> None:
        need = size + len(values)
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data)), dtype=self.data.dtype)
            grown[:size] = self.data[:size]
            self.data = grown
        self.data[size:need] = values


class RecordingIndex:
    """The index of one recording file, built incrementally.

    Attributes (valid for the rows indexed so far):
        header: the header dict, or None for header-less files.
        kind: "recording" (header + event lines), "events" (event lines, no header) or
            "bare" (bare API events, times synthesised).
        times_synthesised: True when some times were made up (bare events carry none).
        times_known: (property) every event indexed has its real wall-clock time, so
            `start_epoch + times[n]` is when event n happened; False for bare events.
        start_epoch: epoch seconds of event 0 (None until one is indexed or if synthesised).
        types: the type table; `type_ids` index into it.
        truncated: the cut last line (offset, length) if the file ends mid-line.
        problems: the first `MAX_PROBLEMS` skipped lines; `bad_lines` counts them all.
        trailer: the `continued` trailer's object (where the session goes on), or None.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self.header: dict[str, Any] | None = None
        self.trailer: dict[str, Any] | None = None
        self.kind: str | None = None
        self.times_synthesised = False
        self.start_epoch: float | None = None
        self.types: list[str] = []
        self._type_ids: dict[str, int] = {}
        self.truncated: tuple[int, int] | None = None
        self.problems: list[LineProblem] = []
        self.bad_lines = 0
        self.scanned = 0  # bytes consumed (always the end of a complete line)
        self.file_size = 0
        self._lines_seen = 0
        #: Lines that are not events (header, blank, bad), run-length coded by the event
        #: count they came after: `_gap_at[i]` events, then `_gap_total[i]` such lines in
        #: all so far. `line_of` turns an event number into its line number from these.
        self._gap_at: list[int] = []
        self._gap_total: list[int] = []
        self._count = 0
        self._last_time = 0.0
        self._timed_rows = 0
        self._offsets = _Column(np.int64)
        self._lengths = _Column(np.int64)
        self._times = _Column(np.float64)
        self._type_col = _Column(np.uint16)
        self._sources = _Column(np.uint8)
        self._lock = threading.Lock()
        self._views: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}

    # --- reading the columns -----------------------------------------------------------

    def __len__(self) -> int:
        return self._count

    @property
    def offsets(self) -> np.ndarray:
        """Byte offset of each event's line (a read-only view of the indexed prefix)."""
        return self._view(self._offsets)

    @property
    def lengths(self) -> np.ndarray:
        """Byte length of each event's line, without its line break."""
        return self._view(self._lengths)

    @property
    def times(self) -> np.ndarray:
        """Seconds since event 0, per event."""
        return self._view(self._times)

    @property
    def type_ids(self) -> np.ndarray:
        """Index into `types`, per event."""
        return self._view(self._type_col)

    @property
    def sources(self) -> np.ndarray:
        """0 (client) or 1 (server), per event."""
        return self._view(self._sources)

    def _view(self, column: _Column) -> np.ndarray:
        n = self._count
        data = column.data
        cached = self._views.get(id(column))
        if cached is not None and cached[0] == n and cached[1] is data:
            return cached[2]
        view = data[:n]
        view.flags.writeable = False
        self._views[id(column)] = (n, data, view)
        return view

    @property
    def times_known(self) -> bool:
        """Whether every indexed event has a real time (`start_epoch` is a real instant).

        False for bare API events (their times are made up, 10 ms apart) and when some
        lines had no readable time: a UI must then show no wall-clock age or expiry.
        """
        return self._count > 0 and not self.times_synthesised and self.start_epoch is not None

    def line_of(self, n: int) -> int:
        """The 1-based line number of event `n` in the file (what an editor shows)."""
        i = bisect_right(self._gap_at, n) - 1
        return n + 1 + (self._gap_total[i] if i >= 0 else 0)

    def _skipped_line(self, events_before: int) -> None:
        if self._gap_at and self._gap_at[-1] == events_before:
            self._gap_total[-1] += 1
        else:
            self._gap_at.append(events_before)
            self._gap_total.append((self._gap_total[-1] if self._gap_total else 0) + 1)

    def type_id(self, event_type: str) -> int | None:
        """The id of a type in the table, or None if no event has it."""
        return self._type_ids.get(event_type)

    # --- scanning ------------------------------------------------------------------------

    def scan(
        self, batch_bytes: int = DEFAULT_BATCH_BYTES, cancel: threading.Event | None = None
    ) -> Iterator[tuple[int, int]]:
        """Index what was not indexed yet, yielding (bytes scanned, file size) per batch.

        Call again later to pick up lines appended since (a recording being written).

        Raises:
            NotARecordingError: the file's first line is neither a header nor an event.
            OSError: the file cannot be read.
        """
        with open(self.path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self.file_size = size
            if size == 0:
                if self.kind is None:
                    raise NotARecordingError("the file is empty")
                return
            self.truncated = None
            if self.scanned >= size:
                yield size, size
                return
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                pos = self.scanned
                released = pos - pos % mmap.PAGESIZE
                while pos < size:
                    if cancel is not None and cancel.is_set():
                        return
                    pos = self._scan_batch(mm, pos, min(size, pos + batch_bytes), size)
                    released = _release(mm, released, pos)
                    if pos >= size and self.kind is None and self.header is None:
                        raise NotARecordingError("it holds no JSON lines at all (only blank lines)")
                    yield pos, size
                    if self.truncated is not None:
                        return

    def build(self, progress: ProgressCallback | None = None, batch_bytes: int = DEFAULT_BATCH_BYTES) -> None:
        """Index the whole file, calling `progress(bytes scanned, file size)` per batch."""
        for done, total in self.scan(batch_bytes):
            if progress is not None:
                progress(done, total)

    def _scan_batch(self, mm: mmap.mmap, pos: int, stop: int, size: int) -> int:
        """Index the lines that start before `stop`; return the offset after the last one."""
        offsets: list[int] = []
        lengths: list[int] = []
        times: list[float] = []
        type_ids: list[int] = []
        sources: list[int] = []
        find = mm.find
        # The common line, a complete `{"time", "source", "event"}` line once the file's
        # kind is known, is read here without the calls `_parse_line` makes for the rest.
        wrapped = WRAPPED_PREFIX.match
        type_ids_of = self._type_ids
        while pos < stop:
            nl = find(b"\n", pos)
            complete = nl >= 0
            end = nl if complete else size
            next_pos = end + 1 if complete else size
            line_end = end - 1 if end > pos and mm[end - 1] == 13 else end  # tolerate CRLF
            self._lines_seen += 1
            m = wrapped(mm, pos, line_end) if complete and self.kind in _WRAPPED_KINDS else None
            if m is not None and self.start_epoch is not None and not self.times_synthesised:
                epoch = parse_time(m.group(1).decode("utf-8", "replace"))
                if epoch is not None:
                    event_type = m.group(3).decode("utf-8", "replace")
                    tid = type_ids_of.get(event_type)
                    if tid is None and len(self.types) < MAX_TYPES:
                        tid = type_ids_of[event_type] = len(self.types)
                        self.types.append(event_type)
                    if tid is not None:
                        offsets.append(pos)
                        lengths.append(line_end - pos)
                        t = epoch - self.start_epoch
                        self._timed_rows += 1
                        self._last_time = t
                        times.append(t)
                        type_ids.append(tid)
                        sources.append(SOURCE_CLIENT if m.group(2) == b"client" else SOURCE_SERVER)
                        pos = next_pos
                        continue
            parsed = self._parse_line(mm, pos, line_end, complete)
            if parsed is not None:
                epoch, source, event_type = parsed
                tid = self._type_ids.get(event_type)
                if tid is None and len(self.types) >= MAX_TYPES:
                    self._reject(pos, True, f"one distinct event type too many (more than {MAX_TYPES})")
                    parsed = None
            if parsed is not None:
                offsets.append(pos)
                lengths.append(line_end - pos)
                times.append(self._relative_time(epoch))
                if tid is None:
                    tid = self._type_ids[event_type] = len(self.types)
                    self.types.append(event_type)
                type_ids.append(tid)
                sources.append(source)
            elif not complete and self.truncated is not None:
                next_pos = pos  # keep the cut line unconsumed: a later scan retries it
                self._lines_seen -= 1
                break
            else:
                self._skipped_line(self._count + len(offsets))
            pos = next_pos
        if offsets:
            with self._lock:
                n = self._count
                self._offsets.extend(n, offsets)
                self._lengths.extend(n, lengths)
                self._times.extend(n, times)
                self._type_col.extend(n, type_ids)
                self._sources.extend(n, sources)
                self._count = n + len(offsets)
        self.scanned = pos
        return pos

    def _relative_time(self, epoch: float | None) -> float:
        if epoch is None:
            t = self._last_time + SYNTHETIC_STEP if self._timed_rows else 0.0
            self.times_synthesised = True
        else:
            if self.start_epoch is None:
                # Events before it had made-up times: keep the clock going from there.
                self.start_epoch = epoch - (self._last_time + SYNTHETIC_STEP if self._timed_rows else 0.0)
            t = epoch - self.start_epoch
        self._timed_rows += 1
        self._last_time = t
        return t

    def _parse_line(
        self, mm: mmap.mmap, start: int, end: int, complete: bool
    ) -> tuple[float | None, int, str] | None:
        """(epoch or None, source, type) of an event line; None for a skipped line.

        The fast paths trust a complete line's prefix; a line without its line break may
        be cut anywhere (a writer mid-line, a crash), so it is always parsed in full.
        """
        if complete and self.kind == "bare":
            m = _BARE.match(mm, start, end)
            if m is not None:
                event_type = m.group(1).decode("utf-8", "replace")
                return None, _source_code(infer_source(event_type)), event_type
        elif complete and self.kind is not None:
            m = WRAPPED_PREFIX.match(mm, start, end)
            if m is not None:
                source = SOURCE_CLIENT if m.group(2) == b"client" else SOURCE_SERVER
                epoch = parse_time(m.group(1).decode("utf-8", "replace"))
                return epoch, source, m.group(3).decode("utf-8", "replace")
        if _BLANK.fullmatch(mm, start, end):
            return None
        try:
            obj = json.loads(mm[start:end])
        except RecursionError:
            return self._reject(start, complete, "JSON nested too deeply to read")
        except ValueError as exc:  # UnicodeDecodeError included
            return self._reject(start, complete, f"not JSON ({exc.__class__.__name__}: {str(exc)[:80]})")
        return self._classify(obj, start, complete)

    def _classify(self, obj: Any, start: int, complete: bool) -> tuple[float | None, int, str] | None:
        if self.kind is None and self.header is None and is_header(obj):
            self.header = obj
            return None
        if self.header is not None and is_trailer(obj):
            self.trailer = obj[CONTINUED_KEY]
            return None
        if isinstance(obj, dict) and isinstance(obj.get(UNRECORDED_KEY), dict) and "event" not in obj:
            marker = obj[UNRECORDED_KEY]
            return self._reject(start, complete, "an event the recorder could not serialise "
                                f"(type {str(marker.get('type'))[:60]}: {str(marker.get('reason'))[:120]})")
        if is_wrapped_event(obj):
            event = obj["event"]
            if not isinstance(event["type"], str):
                return self._reject(start, complete, f"event 'type' is a {type(event['type']).__name__}, not a string")
            if self.kind is None:
                self.kind = "recording" if self.header is not None else "events"
            source = obj.get("source")
            event_type = event["type"]
            if source not in SOURCE_NAMES:
                source = infer_source(event_type)
            return parse_time(obj.get("time")), _source_code(source), event_type
        if is_bare_event(obj):
            if self.kind is None:
                self.kind = "bare" if self.header is None else "recording"
            event_type = obj["type"]
            epoch = parse_time(obj.get("time")) if self.kind != "bare" else None
            return epoch, _source_code(infer_source(event_type)), event_type
        reason = "a second header" if is_header(obj) else "not an event (no 'type')"
        return self._reject(start, complete, reason)

    def _reject(self, start: int, complete: bool, reason: str) -> None:
        if self.kind is None and self.header is None:
            raise NotARecordingError(
                f"line {self._lines_seen} is {reason}: expected a '{HEADER_KEY}' header, "
                "a {time, source, event} line or a bare API event"
            )
        if not complete:
            self.truncated = (start, self.file_size - start)
            return None
        self.bad_lines += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(LineProblem(self._lines_seen, start, reason))
        return None


def _release(mm: mmap.mmap, start: int, end: int) -> int:
    """Drop scanned pages from this process's mapping so resident memory stays bounded
    (they stay in the page cache; the kernel would reclaim them anyway, but RSS would
    otherwise grow to the file's size). Returns the new release point."""
    end -= end % mmap.PAGESIZE
    if end > start and hasattr(mm, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        try:
            mm.madvise(mmap.MADV_DONTNEED, start, end - start)
        except OSError:  # pragma: no cover - advisory only
            pass
        return end
    return start


def _source_code(source: str) -> int:
    return SOURCE_CLIENT if source == "client" else SOURCE_SERVER
