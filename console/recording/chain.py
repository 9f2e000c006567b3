"""Recordings that continue one another: finding the chain, and reading it as one session.

When the console reconnects a session (the library's `auto_reconnect`), the recording goes
on in a new file whose header says `continues: {"file", "session_id", "reconnect"}`, and
the old file ends with a `continued: {"file", "session_id"}` trailer (see `format.py`).
Links are bare file names, resolved in the file's own directory: a chain never leaves it.

`find_chain(path)` walks both ways from any file of a chain (backward by headers, forward
by trailers, a next file counting only if its header links back), stopping at a missing or
foreign file with a one-line note and never looping.
`ChainRecording` presents the files as one `Recording`: event numbers run across the
files, times are seconds since the first file's first event, and reads go to the file
that holds the event. Each file keeps its own `RecordingIndex` (the same one-pass mmap
scan), so a chain costs what its files cost; the merged columns are rebuilt only when a
file's indexed count changes (once per indexing batch).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .format import CONTINUED_KEY, CONTINUES_KEY, is_header, is_trailer
from .index import DEFAULT_BATCH_BYTES, LineProblem, RecordingIndex, _Column
from .reader import Recording

#: How much of a file's start is read to find its header (headers are a few hundred bytes).
HEADER_PEEK = 64 * 1024
#: How much of a file's end is read to find its trailer.
TRAILER_PEEK = 64 * 1024


def read_header(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The header of a recording (its first line), or None (no header, unreadable)."""
    try:
        with open(path, "rb") as f:
            line = f.readline(HEADER_PEEK)
    except OSError:
        return None
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if is_header(obj) else None


def read_trailer(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The `continued` trailer object of a recording (its last line), or None."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(max(0, size - TRAILER_PEEK))
            tail = f.read()
    except OSError:
        return None
    lines = [line for line in tail.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        obj = json.loads(lines[-1])
    except (ValueError, RecursionError):
        return None
    return obj[CONTINUED_KEY] if is_trailer(obj) else None


def reconnect_text(boundary: dict[str, Any]) -> str:
    """One line for a file boundary: `⟳ reconnected (session_expired, attempt 1): ...`."""
    link = boundary.get("continues") or {}
    info = link.get("reconnect") if isinstance(link.get("reconnect"), dict) else {}
    why = ", ".join(str(x) for x in (info.get("reason"), f"attempt {info['attempt']}" if info.get("attempt") else None) if x)
    restored = f"; {info['restored']} item(s) restored" if isinstance(info.get("restored"), int) else ""
    skipped = f", {info['skipped']} left out" if info.get("skipped") else ""
    return (f"⟳ reconnected{f' ({why})' if why else ''}: the recording continues in {boundary.get('file')}"
            f"{restored}{skipped}")


def continues_of(header: dict[str, Any] | None) -> dict[str, Any] | None:
    """The header's `continues` link, or None."""
    link = (header or {}).get(CONTINUES_KEY)
    return link if isinstance(link, dict) and isinstance(link.get("file"), str) else None


def _sibling(path: Path, name: Any) -> Path | None:
    """`name` in `path`'s directory; None for a name that would leave it."""
    if not isinstance(name, str) or not name or name != os.path.basename(name) or name in (".", ".."):
        return None
    return path.parent / name


@dataclass
class ChainFiles:
    """The files of one session, in order; `given` is the position of the file asked for."""

    files: list[Path]
    given: int = 0
    #: One line per link that could not be followed (a missing or unreadable file).
    missing: list[str] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return len(self.files) > 1


def find_chain(path: str | os.PathLike[str], *, follow: bool = True) -> ChainFiles:
    """The chain `path` belongs to (just `path` when `follow` is False or it has no links)."""
    start = Path(path)
    if not follow:
        return ChainFiles([start])
    seen = {start.resolve()}
    before: list[Path] = []
    missing: list[str] = []
    current = start
    while (link := continues_of(read_header(current))) is not None:
        previous = _sibling(current, link["file"])
        if previous is None or not previous.is_file():
            missing.append(f"{current.name} continues {link['file']}, which is missing: "
                           "the session's start is not shown")
            break
        if read_header(previous) is None:
            missing.append(f"{current.name} continues {link['file']}, which is not a readable recording: "
                           "the session's start is not shown")
            break
        if previous.resolve() in seen:
            break
        seen.add(previous.resolve())
        before.append(previous)
        current = previous
    after: list[Path] = []
    current = start
    while (trailer := read_trailer(current)) is not None:
        following = _sibling(current, trailer.get("file"))
        if following is None or not following.is_file():
            missing.append(f"{current.name} continues in {trailer.get('file')}, which is missing: "
                           "the session's end is not shown")
            break
        if (continues_of(read_header(following)) or {}).get("file") != current.name:
            missing.append(f"{current.name} continues in {trailer.get('file')}, which does not continue it "
                           "(replaced or not a recording): the session's end is not shown")
            break
        if following.resolve() in seen:
            break
        seen.add(following.resolve())
        after.append(following)
        current = following
    files = list(reversed(before)) + [start] + after
    return ChainFiles(files, given=len(before), missing=missing)


def _complete(idx: RecordingIndex) -> bool:
    """Whether a file's index reached the end of the file (a cut last line included)."""
    return idx.file_size > 0 and (idx.scanned >= idx.file_size or idx.truncated is not None)


class ChainIndex:
    """The merged columns of a chain's per-file indexes (what `Recording` reads from `_index`).

    Offsets and lengths stay each file's own: `ChainRecording` routes a read to its file.
    Files are taken in order, each once the one before it is fully indexed, so event
    numbers never move: `sync` only appends the rows indexed since its last call
    (amortised O(new rows), the same growable columns as `RecordingIndex`).
    """

    def __init__(self, parts: list[Recording]) -> None:
        self.parts = parts
        self.types: list[str] = []
        self._type_ids: dict[str, int] = {}
        self._lock = threading.Lock()
        #: Rows taken from each file so far; `_current` is the first file not fully taken.
        self._done = [0] * len(parts)
        self._current = 0
        self._shifts: list[float] = []
        self._starts: list[int] = []
        self.starts = np.zeros(0, np.int64)
        self._count = 0
        self._cols = {name: _Column(dtype) for name, dtype in (
            ("offsets", np.int64), ("lengths", np.int64), ("times", np.float64),
            ("type_ids", np.uint16), ("sources", np.uint8))}
        self.sync()

    def sync(self) -> None:
        """Append the rows the files indexed since the last call (call after each batch)."""
        with self._lock:
            parts = self.parts
            while self._current < len(parts):
                k = self._current
                idx = parts[k].index
                if k == len(self._shifts):
                    if not len(idx) and not _complete(idx):
                        break  # its times are not known yet
                    self._shifts.append(self._shift(idx))
                    self._starts.append(self._count)
                    self.starts = np.asarray(self._starts, np.int64)
                n, done = len(idx), self._done[k]
                if n > done:
                    remap = np.array([self._type_id(t) for t in idx.types], np.uint16)
                    cols = self._cols
                    cols["offsets"].extend(self._count, idx.offsets[done:n])
                    cols["lengths"].extend(self._count, idx.lengths[done:n])
                    cols["times"].extend(self._count, idx.times[done:n] + self._shifts[k])
                    cols["type_ids"].extend(self._count, remap[idx.type_ids[done:n]])
                    cols["sources"].extend(self._count, idx.sources[done:n])
                    self._done[k] = n
                    self._count += n - done
                if not _complete(idx):
                    break
                self._current += 1

    def shift_of(self, k: int) -> float:
        """Seconds to add to file `k`'s own times (since its first event) for the chain's."""
        return self._shifts[k]

    def _shift(self, idx: RecordingIndex) -> float:
        """Seconds from the chain's first event to the file's first: from the real clocks
        when known, else right after the rows taken so far."""
        base = self.parts[0].index.start_epoch
        epoch = idx.start_epoch
        if base is not None and epoch is not None and idx.times_known:
            return float(epoch - base)
        return float(self._cols["times"].data[self._count - 1]) if self._count else 0.0

    def _type_id(self, event_type: str) -> int:
        tid = self._type_ids.get(event_type)
        if tid is None:
            tid = self._type_ids[event_type] = len(self.types)
            self.types.append(event_type)
        return tid

    def locate(self, n: int) -> tuple[int, int]:
        """(file number, event number within that file) of chain event `n`."""
        k = int(np.searchsorted(self.starts, n, side="right")) - 1
        return k, n - int(self.starts[k])

    def __len__(self) -> int:
        return self._count

    def _column(self, name: str) -> np.ndarray:
        view = self._cols[name].data[: self._count]
        view.flags.writeable = False
        return view

    @property
    def offsets(self) -> np.ndarray:
        """Each event's byte offset in its own file."""
        return self._column("offsets")

    @property
    def lengths(self) -> np.ndarray:
        return self._column("lengths")

    @property
    def times(self) -> np.ndarray:
        """Seconds since the first file's first event."""
        return self._column("times")

    @property
    def type_ids(self) -> np.ndarray:
        """Index into `types` (the chain's own table, merged from the files')."""
        return self._column("type_ids")

    @property
    def sources(self) -> np.ndarray:
        return self._column("sources")

    def type_id(self, event_type: str) -> int | None:
        return self._type_ids.get(event_type)

    @property
    def header(self) -> dict[str, Any] | None:
        return self.parts[0].header

    @property
    def kind(self) -> str | None:
        return self.parts[0].kind

    @property
    def times_synthesised(self) -> bool:
        return any(p.times_synthesised for p in self.parts)

    @property
    def start_epoch(self) -> float | None:
        return self.parts[0].index.start_epoch

    @property
    def times_known(self) -> bool:
        return len(self) > 0 and all(p.times_known for p in self.parts if len(p))

    @property
    def truncated(self) -> tuple[int, int] | None:
        return self.parts[-1].index.truncated

    @property
    def problems(self) -> list[LineProblem]:
        return [problem for p in self.parts for problem in p.index.problems]

    @property
    def bad_lines(self) -> int:
        return sum(p.bad_lines for p in self.parts)

    def line_of(self, n: int) -> int:
        """The 1-based line of event `n` in its own file."""
        k, local = self.locate(n)
        return self.parts[k].index.line_of(local)


class ChainRecording(Recording):
    """Several linked recordings read as one (see the module docstring).

    `path` is the first file (what a report names); `paths` lists them all; `given` is
    the position of the file that was opened (the replay starts at its first event).
    `boundaries` maps the chain event number where each later file starts to
    `{"file": its name, "continues": its header's link}` (what the replay marks as a reconnect).
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]], missing: Iterable[str] = (),
                 given: int = 0) -> None:
        """Open each file without indexing it all (as `Recording(path)` does).

        Raises:
            NotARecordingError / OSError: one of the files cannot be opened as a recording.
        """
        self._paths = [Path(p) for p in paths]
        self.path = self._paths[0]
        self.missing = list(missing)
        self._given = given
        self.parts: list[Recording] = []
        try:
            for p in self.paths:
                self.parts.append(Recording(p))
        except BaseException:
            self.close()
            raise
        self._index = ChainIndex(self.parts)  # type: ignore[assignment]
        self._read_lock = threading.Lock()
        self._turn_cache = None
        self._refusal_cache = None
        self.unreadable: set[int] = set()
        self._unreadable_reasons: dict[int, str] = {}

    @property
    def paths(self) -> list[Path]:
        return list(self._paths)

    @property
    def chain(self) -> ChainIndex:
        return self._index  # type: ignore[return-value]

    @property
    def given(self) -> int:
        return self._given

    @property
    def file_starts(self) -> list[int]:
        """The chain event number where each file starts, for the files taken in so far
        (a file is taken once the ones before it are fully indexed)."""
        return [int(n) for n in self.chain.starts]

    def file_of(self, n: int) -> int:
        if n < 0 or not len(self.chain.starts):
            return 0
        return self.chain.locate(n)[0]

    @property
    def boundaries(self) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for k in range(1, len(self.chain.starts)):  # the files taken into the chain so far
            link = continues_of(self.parts[k].header) or {}
            out[int(self.chain.starts[k])] = {"file": self._paths[k].name, "continues": link}
        return out

    def index_batches(self, batch_bytes: int = DEFAULT_BATCH_BYTES,
                      cancel: threading.Event | None = None) -> Iterator[tuple[int, int]]:
        """Index each file in turn, yielding (bytes scanned, bytes of all files) per batch."""
        sizes = [0] * len(self.parts)
        for k, part in enumerate(self.parts):
            for done, total in part.index_batches(batch_bytes, cancel):
                sizes[k] = total
                self.chain.sync()
                before = sum(sizes[:k])
                after = sum(os.path.getsize(p) for p in self._paths[k + 1:] if p.exists())
                yield before + done, before + total + after
            if cancel is not None and cancel.is_set():
                return
        self.chain.sync()

    def segments(self, lo: int, hi: int) -> list[tuple[Recording, int, int, int, float]]:
        """(file's recording, its first event, its end, chain event of the first, time
        shift) for each file that events `lo..hi-1` span."""
        out: list[tuple[Recording, int, int, int, float]] = []
        n = lo
        while n < hi:
            k, local = self.chain.locate(n)
            start = int(self.chain.starts[k])
            end = min(hi, start + len(self.parts[k]))
            shift = self.chain.shift_of(k)
            out.append((self.parts[k], local, end - start, n, shift))
            n = end
        return out

    def raw_line(self, n: int) -> bytes:
        k, local = self.chain.locate(self._check(n))
        return self.parts[k].raw_line(local)

    def peek(self, n: int, size: int) -> bytes:
        k, local = self.chain.locate(self._check(n))
        return self.parts[k].peek(local, size)

    def iter_events(self, rows: Iterable[int] | np.ndarray) -> Iterator[tuple[int, dict[str, Any] | None]]:
        """(n, event payload) per row, read from each row's file in runs (see `Recording`)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        if rows.min() < 0 or rows.max() >= len(self):
            raise IndexError("event number out of range")
        files = np.searchsorted(self.chain.starts, rows, side="right") - 1
        cuts = [0, *(np.flatnonzero(np.diff(files)) + 1).tolist(), len(rows)]
        for a, b in pairwise(cuts):
            k = int(files[a])
            start = int(self.chain.starts[k])
            part = self.parts[k]
            for local, event in part.iter_events(rows[a:b] - start):
                if event is None:
                    self.note_unreadable(local + start, part._unreadable_reasons.get(local, "not an event"))
                yield local + start, event

    def warnings(self) -> list[str]:
        notes = list(self.missing)
        for path, part in zip(self._paths, self.parts):
            notes.extend(f"{path.name}: {w}" for w in part.warnings())
        return notes

    def close(self) -> None:
        for part in getattr(self, "parts", []):
            part.close()


def open_chain(path: str | os.PathLike[str], *, follow: bool = True, index: bool = True) -> Recording:
    """`path` as one session: a plain `Recording` when it has no links (or `follow` is
    False), else a `ChainRecording` of the whole chain; `index` indexes it all at once.
    Links that cannot be followed are in `.missing` (also on a plain `Recording`); `.given`
    is the position of `path` in the chain.

    Raises:
        NotARecordingError / OSError: as `Recording(path)`.
    """
    found = find_chain(path, follow=follow)
    rec: Recording
    if len(found.files) == 1:
        rec = Recording(found.files[0])
        rec.missing = found.missing
    else:
        rec = ChainRecording(found.files, found.missing, given=found.given)
    if index:
        try:
            rec.build_index()
        except BaseException:
            rec.close()
            raise
    return rec
