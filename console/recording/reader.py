"""`Recording`: a recording opened for reading, with random access by event number.

Built on `RecordingIndex`: the index says where event N's line is, and `event(N)` reads and
parses that one line from disk. A UI (the replay screen) opens a `Recording` without
indexing, runs `index_batches()` in a worker thread to show progress, and meanwhile reads
the rows already indexed; a headless command calls `Recording.open`, which indexes at once.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from console.realtime.protocol import BETA_TO_GA, GA_TO_BETA

from . import turns
from .refusals import refusals
from .format import is_header, is_wrapped_event, parse_time
from .json_text import decode_json
from .index import (
    DEFAULT_BATCH_BYTES,
    SOURCE_CLIENT,
    SOURCE_NAMES,
    SOURCE_SERVER,
    WRAPPED_PREFIX,
    LineProblem,
    NotARecordingError,
    ProgressCallback,
    RecordingIndex,
)

__all__ = ["EventRecord", "LoadedRecording", "NotARecordingError", "Recording", "UnreadableEventError"]

#: Event types that mark something going wrong (for "jump to next error").
ERROR_TYPES: frozenset[str] = frozenset(
    {
        "error",
        "conversation.item.input_audio_transcription.failed",
        "mcp_list_tools.failed",
        "response.mcp_call.failed",
    }
)


@dataclass(frozen=True)
class EventRecord:
    """One event read back: its number, time (s since event 0), source, type and payload."""

    index: int
    time: float
    source: str
    type: str
    event: dict[str, Any]
    time_iso: str | None = None


class UnreadableEventError(ValueError):
    """An indexed line that does not parse (its start looked right, the rest is damaged)."""


def _load_event_line(line: bytes) -> tuple[Any, str | None]:
    """(parsed line, None), or (None, why it is not a readable event line)."""
    try:
        obj = json.loads(line)
    except RecursionError:
        return None, "JSON nested too deeply to read"
    except ValueError as exc:  # UnicodeDecodeError included
        return None, f"not JSON ({exc.__class__.__name__}: {str(exc)[:80]})"
    if not isinstance(obj, dict):
        return None, "not an event (not a JSON object)"
    event = obj.get("event") if "event" in obj else obj
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return None, "not an event (no string 'type')"
    return obj, None


def type_mask(types: int, ids: Iterable[int]) -> np.ndarray:
    """A boolean table over type ids, True at `ids`: `mask[type_ids]` marks the rows of
    those types (far cheaper than `np.isin` on the small arrays of a small file)."""
    mask = np.zeros(types, dtype=bool)
    mask[list(ids)] = True
    return mask


class Recording:
    """A recording file opened for reading.

    Random access (`event(n)`, `time_of(n)`, ...) is valid for `0 <= n < len(self)`; while
    indexing runs in another thread `len` grows batch by batch.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Open `path` without indexing it (see `index_batches` / `build_index`).

        Raises:
            NotARecordingError: the file is empty or does not start like a log of events.
            OSError: the file cannot be opened (missing, unreadable, a directory).
        """
        self.path = Path(path)
        self._index = RecordingIndex(self.path)
        self._file = open(self.path, "rb")
        self._read_lock = threading.Lock()
        self._turn_cache: tuple[int, np.ndarray] | None = None
        self._refusal_cache: tuple[int, dict[int, int]] | None = None
        #: Indexed events whose lines turned out damaged when read (see `warnings`).
        self.unreadable: set[int] = set()
        #: Why each of `unreadable` could not be read (for `line_problems`).
        self._unreadable_reasons: dict[int, str] = {}
        #: One line per chain link that could not be followed (see `chain.open_chain`).
        self.missing: list[str] = []
        # Index the first batch at once: a file that is not a log fails here, before any UI.
        scanner = self._index.scan(batch_bytes=64 * 1024)
        try:
            next(scanner, None)
        except BaseException:
            self._file.close()
            raise
        finally:
            scanner.close()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        progress: ProgressCallback | None = None,
        batch_bytes: int = DEFAULT_BATCH_BYTES,
    ) -> "Recording":
        """Open and fully index a recording (what headless commands use)."""
        rec = cls(path)
        try:
            idx = rec._index
            if idx.truncated is None and idx.scanned >= idx.file_size:
                # The first batch read it all (a small file): opening and mapping the
                # file again only to find that out cost a tenth of such a file's summary.
                if progress is not None:
                    progress(idx.scanned, idx.file_size)
            else:
                rec.build_index(progress, batch_bytes)
        except BaseException:
            rec.close()
            raise
        return rec

    # --- indexing ---------------------------------------------------------------------

    def index_batches(
        self, batch_bytes: int = DEFAULT_BATCH_BYTES, cancel: threading.Event | None = None
    ) -> Iterator[tuple[int, int]]:
        """Index the rest of the file, yielding (bytes scanned, file size) after each batch.

        Meant for a worker thread: the UI thread may read the rows already indexed at any
        time. Calling it again after the file grew indexes the new lines (live tailing).
        """
        yield from self._index.scan(batch_bytes, cancel)

    def build_index(self, progress: ProgressCallback | None = None, batch_bytes: int = DEFAULT_BATCH_BYTES) -> None:
        """Index the rest of the file, calling `progress(bytes scanned, file size)` per batch."""
        for done, total in self.index_batches(batch_bytes):
            if progress is not None:
                progress(done, total)

    refresh = build_index

    @property
    def index(self) -> RecordingIndex:
        """The underlying index (numpy columns: offsets, lengths, times, type_ids, sources)."""
        return self._index

    # --- metadata -----------------------------------------------------------------------

    @property
    def header(self) -> dict[str, Any] | None:
        return self._index.header

    @property
    def kind(self) -> str | None:
        """"recording", "events" (no header) or "bare" (bare API events)."""
        return self._index.kind

    @property
    def protocol(self) -> str:
        """"ga" or "beta": from the header, else guessed from the event names seen."""
        if self.header and self.header.get("protocol") in ("ga", "beta"):
            return str(self.header["protocol"])
        types = set(self._index.types)
        if types & (set(GA_TO_BETA) | {"conversation.item.done"}):
            return "ga"
        if types & (set(BETA_TO_GA) - {"conversation.item.created"}):
            return "beta"
        return "ga"

    @property
    def model(self) -> str | None:
        if self.header and self.header.get("model"):
            return str(self.header["model"])
        return None

    @property
    def times_synthesised(self) -> bool:
        return self._index.times_synthesised

    @property
    def paths(self) -> list[Path]:
        """The files this recording reads (more than one for a reconnected session's chain)."""
        return [self.path]

    @property
    def given(self) -> int:
        """The position in `paths` of the file that was asked for (a chain opened from its
        second file: 1), where the replay starts; 0 for a single file."""
        return 0

    @property
    def file_starts(self) -> list[int]:
        """The event number where each of `paths` starts, as far as indexed (one file: [0])."""
        return [0]

    def file_of(self, n: int) -> int:
        """The position in `paths` of the file that holds event `n` (0 for a single file)."""
        return 0

    @property
    def boundaries(self) -> dict[int, dict[str, Any]]:
        """{first event of each continuation file: its link}; none in a single file."""
        return {}

    def segments(self, lo: int, hi: int) -> list[tuple[Recording, int, int, int, float]]:
        """Events `lo..hi-1` as (file's recording, first, end, first's number here, time
        shift) runs, one per file they span: one run, this file, for a single file."""
        return [(self, lo, hi, lo, 0.0)]

    @property
    def times_known(self) -> bool:
        """Whether event times are real wall-clock times (see `RecordingIndex.times_known`).

        False for a file of bare API events (times made up 10 ms apart): a replay must
        then show no session age or expiry, since `start_epoch` is not a real instant.
        """
        return self._index.times_known

    @property
    def start_epoch(self) -> float | None:
        """Epoch seconds of event 0, or None when times are not known."""
        return self._index.start_epoch if self._index.times_known else None

    def line_of(self, n: int) -> int:
        """The 1-based line number of event `n` in the file."""
        return self._index.line_of(self._check(n))

    @property
    def truncated(self) -> bool:
        """True when the file ends in the middle of a line (that line is skipped)."""
        return self._index.truncated is not None

    @property
    def problems(self) -> list[LineProblem]:
        return list(self._index.problems)

    @property
    def bad_lines(self) -> int:
        return self._index.bad_lines

    def line_problems(self) -> list[LineProblem]:
        """Every line skipped so far, by line number: those the index could not read and
        those found damaged when read back (each with its reason)."""
        found = list(self._index.problems)
        idx = self._index
        for n in sorted(self._unreadable_reasons):
            found.append(LineProblem(idx.line_of(n), int(idx.offsets[n]), self._unreadable_reasons[n]))
        return sorted(found, key=lambda p: p.line)

    def note_unreadable(self, n: int, reason: str) -> None:
        """Record that event `n`'s line could not be used (reported by `warnings`)."""
        self.unreadable.add(n)
        self._unreadable_reasons.setdefault(n, reason)

    def warnings(self) -> list[str]:
        """Human-readable notes about the file (cut last line, skipped lines, made-up times)."""
        notes: list[str] = list(self.missing)
        if self._index.truncated is not None:
            offset, length = self._index.truncated
            notes.append(f"the last line is cut off (a crash while writing?): {length} bytes at offset {offset} skipped")
        if self.bad_lines:
            first = self._index.problems[0]
            notes.append(f"{self.bad_lines} unreadable line(s) skipped, the first at line {first.line}: {first.reason}")
        if self.unreadable:
            first = min(self.unreadable)
            notes.append(f"{len(self.unreadable)} damaged event line(s) skipped, the first at line "
                         f"{self._index.line_of(first)} (event {first}): {self._unreadable_reasons.get(first, 'damaged')}")
        if self.times_synthesised:
            notes.append("event times are synthesised (the log has no timestamps)")
        return notes

    @property
    def duration(self) -> float:
        """Seconds from the first to the last event."""
        n = len(self)
        return float(self._index.times[n - 1]) if n else 0.0

    # --- random access -----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._index)

    def _check(self, n: int) -> int:
        size = len(self._index)
        if n < 0:
            n += size
        if not 0 <= n < size:
            raise IndexError(f"event {n} out of range (0..{size - 1})")
        return n

    def time_of(self, n: int) -> float:
        """Seconds since event 0 of event `n`."""
        return float(self._index.times[self._check(n)])

    def type_of(self, n: int) -> str:
        return self._index.types[int(self._index.type_ids[self._check(n)])]

    def source_of(self, n: int) -> str:
        return SOURCE_NAMES[int(self._index.sources[self._check(n)])]

    def size_of(self, n: int) -> int:
        """Bytes of event `n`'s line (tells a UI an event is large before reading it)."""
        return int(self._index.lengths[self._check(n)])

    def raw_line(self, n: int) -> bytes:
        """Event `n`'s line exactly as stored (without the line break)."""
        n = self._check(n)
        offset, length = int(self._index.offsets[n]), int(self._index.lengths[n])
        with self._read_lock:
            self._file.seek(offset)
            return self._file.read(length)

    def peek(self, n: int, size: int) -> bytes:
        """The first `size` bytes of event `n`'s line (its keys before a large payload)."""
        n = self._check(n)
        offset, length = int(self._index.offsets[n]), int(self._index.lengths[n])
        with self._read_lock:
            self._file.seek(offset)
            return self._file.read(min(size, length))

    def event(self, n: int) -> dict[str, Any]:
        """The event payload of event `n`, parsed from disk (each call returns a new dict)."""
        return self.record(n).event

    def record(self, n: int) -> EventRecord:
        """Event `n` with its time, source, type and payload.

        Raises:
            IndexError: `n` is out of range.
            UnreadableEventError: the line is damaged (noted in `unreadable`).
        """
        n = self._check(n)
        obj = self._parse(n, self.raw_line(n))
        if is_wrapped_event(obj):
            event, time_iso = obj["event"], obj.get("time")
            time_iso = time_iso if isinstance(time_iso, str) else None
        else:
            event, time_iso = obj, None
        return EventRecord(n, self.time_of(n), self.source_of(n), self.type_of(n), event, time_iso)

    def _parse(self, n: int, line: bytes) -> Any:
        obj, reason = _load_event_line(line)
        if reason is not None:
            self.note_unreadable(n, reason)
            raise UnreadableEventError(
                f"event {n} (line {self._index.line_of(n)}, byte {int(self._index.offsets[n])}) is damaged: {reason}"
            )
        return obj

    def iter_events(self, rows: Iterable[int] | np.ndarray) -> Iterator[tuple[int, dict[str, Any] | None]]:
        """(n, event payload) for the given event numbers, read in one sweep.

        Cheaper per event than `event(n)` (no per-call bounds checks or column views): what
        whole-file passes (the report, exports) use. A damaged line yields `(n, None)` and
        is noted in `unreadable` (and `warnings()`), so one bad line never stops a pass.
        """
        idx = self._index
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(idx)):
            raise IndexError("event number out of range")
        offsets = idx.offsets[rows].tolist()
        lengths = idx.lengths[rows].tolist()
        decode = decode_json
        lock, f = self._read_lock, self._file
        for n, offset, length in zip(rows.tolist(), offsets, lengths):
            with lock:  # per read, so another thread's reads interleave safely
                f.seek(offset)
                data = f.read(length)
            try:
                obj = decode(data.decode())
            except (ValueError, RecursionError):  # or not UTF-8 (a BOM, UTF-16): as `json.loads` reads it
                try:
                    obj = json.loads(data)
                except (ValueError, RecursionError):
                    obj = None
            if isinstance(obj, dict):
                inner = obj.get("event")
                if isinstance(inner, dict):
                    obj = inner
                if isinstance(obj.get("type"), str):
                    yield n, obj
                    continue
            self.note_unreadable(n, _load_event_line(data)[1] or "not an event")
            yield n, None

    def __getitem__(self, n: int) -> EventRecord:
        return self.record(n)

    def iter_records(
        self, start: int = 0, stop: int | None = None, types: Iterable[str] | None = None
    ) -> Iterator[EventRecord]:
        """Events `start..stop` in order, optionally only those of the given types."""
        rows = self.rows_of_type(*types) if types is not None else None
        stop = len(self) if stop is None else min(stop, len(self))
        if rows is None:
            for n in range(start, stop):
                yield self.record(n)
        else:
            for n in rows[(rows >= start) & (rows < stop)]:
                yield self.record(int(n))

    def __iter__(self) -> Iterator[EventRecord]:
        return self.iter_records()

    # --- navigation ---------------------------------------------------------------------

    def rows_of_type(self, *event_types: str) -> np.ndarray:
        """Event numbers whose type is one of `event_types` (ascending)."""
        ids = [tid for t in event_types if (tid := self._index.type_id(t)) is not None]
        if not ids:
            return np.zeros(0, dtype=np.int64)
        if len(ids) == 1:
            return np.flatnonzero(self._index.type_ids == ids[0])
        return np.flatnonzero(type_mask(len(self._index.types), ids)[self._index.type_ids])

    def type_counts(self) -> dict[tuple[str, str], int]:
        """{(source, type): count} over the indexed events."""
        idx = self._index
        keys = idx.type_ids.astype(np.int64) * 2 + idx.sources
        counts = np.bincount(keys, minlength=2 * len(idx.types))
        out: dict[tuple[str, str], int] = {}
        for key in np.flatnonzero(counts):
            out[(SOURCE_NAMES[key % 2], idx.types[key // 2])] = int(counts[key])
        return out

    def seek_time(self, seconds: float) -> int:
        """The first event at or after `seconds` (len(self) if none)."""
        return int(np.searchsorted(self._index.times, seconds, side="left"))

    def error_rows(self) -> np.ndarray:
        """Event numbers of `error` events and failure events (transcription, MCP)."""
        return self.rows_of_type(*ERROR_TYPES)

    def refusals(self) -> dict[int, int]:
        """{refused `response.create` event: the `error` that refused it} (see
        `refusals.py`): such requests are errors, not turns."""
        n = len(self)
        cached = self._refusal_cache
        if cached is None or cached[0] != n:
            cached = (n, refusals(self))
            self._refusal_cache = cached
        return cached[1]

    def refused_creates(self) -> np.ndarray:
        """Event numbers of the `response.create` requests the server refused (ascending)."""
        return np.asarray(sorted(self.refusals()), dtype=np.int64)

    def turn_starts(self) -> np.ndarray:
        """Event numbers where each turn begins (see `turns.turn_start_rows`)."""
        n = len(self)
        cached = self._turn_cache
        if cached is None or cached[0] != n:
            cached = (n, turns.turn_start_rows(self._index.type_ids, self._index.types, self.refused_creates()))
            self._turn_cache = cached
        return cached[1]

    def turn_of(self, n: int) -> int:
        """The 0-based turn event `n` belongs to by position (-1 before the first turn)."""
        return int(np.searchsorted(self.turn_starts(), self._check(n), side="right")) - 1

    def next_row(self, rows: np.ndarray, after: int) -> int | None:
        """The first of `rows` strictly after event `after` (e.g. the next turn or error)."""
        i = int(np.searchsorted(rows, after, side="right"))
        return int(rows[i]) if i < len(rows) else None

    # --- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "Recording":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Files up to this size may be read whole by `LoadedRecording` (a summary's driver). Up to
#: about here a voice session's summary costs the same either way (0.4-1.6 MB measured);
#: by 5 MB the index, which never copies the audio lines it skips, is 15-25% cheaper.
SMALL_FILE_BYTES = 1 << 20


class LoadedRecording:
    """A small recording read whole in one sequential pass, without the numpy index.

    For a file of a few dozen lines, building `RecordingIndex` (an mmap, five growable
    columns, a second read of every line) costs about as much as parsing the lines, and a
    summary of such a file is mostly those fixed costs. This reads the file once, splits
    its lines and parses those the analysis reads as it goes; the analysis itself is the
    same (`analysis.analyse_recording` drives the same `TurnAnalyser` over either).

    It covers only the layout recorders write: a header, then complete
    `{"time", "source", "event"}` lines whose prefix the index's fast path reads, every
    parsed one a readable event. `load` returns None for anything else (no header, bare
    events, blank, damaged or cut lines, a trailer, CRLF, unreadable times), and the
    indexed `Recording`, with all its rules for odd files, reads those. The fields mirror
    what `Recording` gives for the same file (`tests/recording/test_loaded_recording.py`).
    """

    kind = "recording"
    bad_lines = 0
    times_synthesised = False

    def __init__(self, path: Path, header: dict[str, Any], lines: list[bytes], types: list[str],
                 type_ids: list[int], times: list[float], sources: list[int], events: list[dict[str, Any] | None],
                 start_epoch: float, rules: tuple[frozenset[str], Callable[[str], bool] | None]) -> None:
        self.path = path
        self.header = header
        #: Event `n`'s line is `lines[n + 1]` (line 0 is the header).
        self._lines = lines
        self.types = types
        self.type_ids = type_ids
        self.times = times
        self.sources = sources
        #: Each event's payload, or None where it was left unparsed.
        self.events = events
        self.start_epoch = start_epoch
        #: The `unparsed` types and `reads` it was loaded with (which events are None).
        self.rules = rules

    @classmethod
    def load(cls, path: str | os.PathLike[str], unparsed: frozenset[str] = frozenset(),
             reads: Callable[[str], bool] | None = None) -> LoadedRecording | None:
        """Read `path` whole, parsing every event line whose type is not in `unparsed`
        (nor, from the server, of a type `reads` says is not read); None when the file is
        not of the plain layout (see the class) or larger than `SMALL_FILE_BYTES`.

        Raises:
            OSError: the file cannot be read.
        """
        p = Path(path)
        with open(p, "rb", buffering=0) as f:
            if os.fstat(f.fileno()).st_size > SMALL_FILE_BYTES:
                return None
            # Not `read(SMALL_FILE_BYTES + 1)`: that allocates the whole megabyte first,
            # which cost a fifth of a small file's summary.
            data = f.readall()
        if len(data) > SMALL_FILE_BYTES or not data.endswith(b"\n") or b"\r" in data:
            return None
        lines = data.split(b"\n")
        lines.pop()  # after the last line break
        if len(lines) < 2:
            return None
        try:
            header = json.loads(lines[0])
        except (ValueError, RecursionError):
            return None
        if not is_header(header):
            return None
        types: list[str] = []
        ids: dict[str, int] = {}
        type_ids: list[int] = []
        times: list[float] = []
        sources: list[int] = []
        events: list[dict[str, Any] | None] = []
        match, decode = WRAPPED_PREFIX.match, decode_json
        start_epoch: float | None = None
        #: {(type, source) as the line has them: (type id, source code, whether parsed)}.
        kinds: dict[tuple[bytes, bytes], tuple[int, int, bool]] = {}
        #: {time as the line has it: epoch seconds} (lines written in the same
        #: millisecond share one).
        epochs: dict[bytes, float | None] = {}
        for line in lines[1:]:
            m = match(line)
            if m is None:
                return None
            raw_time, raw_source, raw_type = m.groups()
            epoch = epochs.get(raw_time)
            if epoch is None:
                epoch = epochs[raw_time] = parse_time(raw_time.decode("utf-8", "replace"))
                if epoch is None:
                    return None
            kind = kinds.get((raw_type, raw_source))
            if kind is None:
                event_type = raw_type.decode("utf-8", "replace")
                source = SOURCE_CLIENT if raw_source == b"client" else SOURCE_SERVER
                tid = ids.get(event_type)
                if tid is None:
                    tid = ids[event_type] = len(types)
                    types.append(event_type)
                parse = event_type not in unparsed and (source == SOURCE_CLIENT or reads is None or reads(event_type))
                kind = kinds[(raw_type, raw_source)] = (tid, source, parse)
            tid, source, parse = kind
            event: dict[str, Any] | None = None
            if parse or start_epoch is None:
                try:
                    obj = decode(line.decode())
                except (ValueError, RecursionError):
                    return None
                inner = obj.get("event") if isinstance(obj, dict) else None
                if not isinstance(inner, dict) or not isinstance(inner.get("type"), str):
                    return None
                if start_epoch is None:
                    # The index reads the first event line in full, not by its prefix.
                    if (obj.get("source") != SOURCE_NAMES[source] or inner["type"] != types[tid]
                            or parse_time(obj.get("time")) != epoch):
                        return None
                    start_epoch = epoch
                if parse:
                    event = inner
            type_ids.append(tid)
            times.append(epoch - start_epoch)
            sources.append(source)
            events.append(event)
        return cls(p, header, lines, types, type_ids, times, sources, events, start_epoch, (unparsed, reads))

    @property
    def model(self) -> str | None:
        return str(self.header["model"]) if self.header.get("model") else None

    @property
    def duration(self) -> float:
        return float(self.times[-1])

    def __len__(self) -> int:
        return len(self.type_ids)

    @property
    def lengths(self) -> list[int]:
        """Byte length of each event's line."""
        return [len(line) for line in self._lines[1:]]

    def client_events(self) -> int:
        return self.sources.count(SOURCE_CLIENT)

    def line_of(self, n: int) -> int:
        """The 1-based line number of event `n` (the header is line 1; no line is skipped)."""
        return n + 2

    def peek(self, n: int, size: int) -> bytes:
        return self._lines[n + 1][:size]

    def event(self, n: int) -> dict[str, Any]:
        """Event `n`'s payload (parsed now if it was left unparsed)."""
        event = self.events[n]
        if event is not None:
            return event
        obj, reason = _load_event_line(self._lines[n + 1])
        if reason is not None:
            raise UnreadableEventError(f"event {n} (line {n + 2}) is damaged: {reason}")
        return obj["event"] if is_wrapped_event(obj) else obj

    def iter_events(self, rows: Iterable[int] | np.ndarray) -> Iterator[tuple[int, dict[str, Any] | None]]:
        """(n, event payload) for the given event numbers; a damaged line yields (n, None)."""
        for n in rows.tolist() if isinstance(rows, np.ndarray) else rows:
            try:
                yield n, self.event(n)
            except UnreadableEventError:
                yield n, None

    def rows_of_type(self, *event_types: str) -> np.ndarray:
        """Event numbers whose type is one of `event_types` (ascending)."""
        ids = {self.types.index(t) for t in event_types if t in self.types}
        if not ids:
            return np.zeros(0, dtype=np.int64)
        return np.asarray([n for n, tid in enumerate(self.type_ids) if tid in ids], dtype=np.int64)

    def refusals(self) -> dict[int, int]:
        """As `Recording.refusals` (see `refusals.py`)."""
        return refusals(self)
