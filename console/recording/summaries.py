"""One small summary per recording, cached on disk, for listings and `stats` over many files.

A team's recordings directory grows to thousands of files; opening and analysing each on
every listing would take minutes. A `Summary` keeps what a listing shows (start, source,
model, duration, turns, interruptions, errors, tokens, cost, lint findings) plus the compact per-turn
figures `stats` needs for percentiles (latencies, error codes, usage). Summaries are made
by the same one pass over the events as `inspect`'s report (`analyse_recording`), so the
numbers always agree with `inspect`; the lint counts come from that pass too, when asked
for: `stats`, which reports none, summarises without them (see `Summary.linted`).

`SummaryCache` keeps them in one file in the user's cache directory
(`$XDG_CACHE_HOME/realtime-console/summaries.bin`, default `~/.cache/...`), keyed by the
file's absolute path and checked against its size and modification time (ns): a second
listing reads only the files that changed. The file is a `row_file` (one tuple of the
`Summary` fields per recording, loaded by `marshal`, checksummed), because the browser's
start at 10,000 recordings was mostly spent parsing the JSON document it used to be. It
is written atomically, so a crash or two listings at once never leave it half written; a
damaged or older cache (the JSON `summaries.json` included) is ignored with one message
(`SummaryCache.problem`) and rebuilt. A file that is not a recording gets a summary too,
with `problem` set, so it is reported (and not re-read) until it changes.

UI-free: the sessions browser and `stats` both use it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import gates, row_file
from .analysis import analyse_recording, load_small
from .format import CONTINUES_KEY
from .index import SOURCE_CLIENT, NotARecordingError
from .linting import lint_counts, recording_linter
from .paths import APP_DIR, make_private_dirs
from .prices import PriceTable
from .reader import SMALL_FILE_BYTES, LoadedRecording, Recording
from .report import response_counts
from .usage import estimate_cost, usage_totals

#: Bumped when a summary field changes meaning: older caches are then ignored. (A field
#: added, removed or renamed needs no bump: the cache file names the fields it holds.)
CACHE_VERSION = 3
CACHE_FILE = "summaries.bin"
#: The JSON cache of earlier versions, replaced by `CACHE_FILE`.
LEGACY_CACHE_FILE = "summaries.json"
#: The names of the per-turn latency spans kept for percentiles (the report's, plus the
#: first output `--fail-on latency>MS` measures).
SPANS: tuple[str, ...] = ("first_text", "first_audio", "done", "first_output")


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/realtime-console` (default `~/.cache/realtime-console`).

    A relative `$XDG_CACHE_HOME` is ignored, as the XDG spec says.
    """
    env = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(env) if env and os.path.isabs(env) else Path.home() / ".cache"
    return base / APP_DIR


def default_cache_path() -> Path:
    return cache_dir() / CACHE_FILE


@dataclass
class Summary:
    """What one recording comes to. Every number is the `inspect` report's.

    `latency_ms` holds each turn's figure per span (None entries dropped), so `stats` can
    take percentiles over many files without opening them again; `error_codes` holds one
    `[code, caused_by_type]` pair per error; `usage` is the report's `usage` object (kept
    whole so a different price table can price it again). `lint` is the linter's findings
    by severity and `lint_rules` by rule id, as `inspect`'s `lint` section counts them;
    both are empty in a summary made without them (see `linted`).
    """

    path: str
    size: int
    mtime_ns: int
    problem: str | None = None
    kind: str | None = None
    started_at: str | None = None
    day: str | None = None
    source: str | None = None
    model: str | None = None
    duration_s: float = 0.0
    events: int = 0
    client_events: int = 0
    server_events: int = 0
    turns: int = 0
    interrupted_turns: int = 0
    interruptions: int = 0
    truncations: int = 0
    errors: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    error_codes: list[list[str | None]] = field(default_factory=list)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    bad_lines: int = 0
    #: The absolute path of the file this one continues (a reconnected session), if any.
    continues: str | None = None
    #: The files a chain's summary covers, in order (see `chain_summaries`); empty for
    #: one file's own summary.
    files: list[str] = field(default_factory=list)
    lint: dict[str, int] = field(default_factory=dict)
    lint_rules: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the file could be read as a recording."""
        return self.problem is None

    @property
    def linted(self) -> bool:
        """Whether `lint` holds the linter's counts (every severity, zeros included), or
        the summary was made without them (`summarise_file(lint=False)`: empty `lint`).

        `stats` reports no lint figures, and linting reads every payload, audio included,
        which the rest of a summary never parses: over voice recordings it more than
        doubles a summary's time (`bench/bench_stats.py`), so `stats` summarises without
        it. The sessions browser, which shows the counts, reads again the files whose
        cached summary lacks them. An unreadable file has nothing to lint: it counts as
        linted.
        """
        return bool(self.lint) or not self.ok

    @property
    def total_tokens(self) -> int:
        return int(self.usage.get("total_tokens", 0)) if self.usage else 0

    def cost(self, prices: PriceTable | None = None) -> float | None:
        """Estimated USD cost (None when the model has no price), as `inspect` computes it."""
        if not self.usage:
            return None
        result = estimate_cost(self.usage, self.model, prices or PriceTable())
        return result["total"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Summary":
        """A summary from the cache (raises TypeError/KeyError on a foreign shape)."""
        return cls(**data)


def _day(started_at: str | None, start_epoch: float | None) -> str | None:
    """The session's day: the header's date as written (the recorder's local date), else
    the UTC date of the first event, else None."""
    if started_at and len(started_at) >= 10 and started_at[4] == "-" and started_at[7] == "-":
        return started_at[:10]
    if start_epoch is not None:
        return datetime.fromtimestamp(start_epoch, timezone.utc).date().isoformat()
    return None


def source_of(kind: str | None, header: dict[str, Any] | None) -> str:
    """Who recorded the file: the header's `source` ("proxy", "attach", ...); a console
    recording has a header without one ("console"); a header-less file is "unknown"."""
    if header is None or kind != "recording":
        return "unknown"
    value = header.get("source")
    return value if isinstance(value, str) and value else "console"


def summarise_recording(rec: Recording | LoadedRecording, size: int, mtime_ns: int, *, lint: bool = True) -> Summary:
    """The summary of an indexed recording: its `inspect` report's figures, from the same
    one pass (`analyse_recording`, the `TurnAnalyser` every view shares).

    It takes the figures from the analysis itself rather than from `build_report`'s
    document: a summary holds no timelines, per-turn costs, percentiles or audio length of
    truncated items, and building those cost more than the rest of a small file's summary.
    `tests/recording/test_summary_figures.py` checks the two agree on varied recordings.

    `lint`: with the linter's counts, from the same pass (see `Summary.linted`); the
    linter reads an indexed `Recording` only.
    """
    if lint and isinstance(rec, LoadedRecording):
        raise TypeError("the lint counts need an indexed Recording")
    linter = recording_linter(rec) if lint and isinstance(rec, Recording) else None
    analyser = analyse_recording(rec, linter=linter, truncated_audio=False)
    header = rec.header if isinstance(rec.header, dict) else None
    started_at = header.get("started_at") if header else None
    started_at = started_at if isinstance(started_at, str) else None
    turns = analyser.turns
    latency: dict[str, list[float]] = {span: [] for span in SPANS}
    for turn in turns:
        figures = turn.latency()
        for span in ("first_text", "first_audio", "done"):
            value = figures[f"{span}_ms"]
            if value is not None:
                latency[span].append(float(value))
        first = gates.first_output_ms({"latency": figures})
        if first is not None:
            latency["first_output"].append(first)
    if isinstance(rec, LoadedRecording):
        client = rec.client_events()
    else:
        client = int(np.count_nonzero(rec.index.sources == SOURCE_CLIENT))
    counted = lint_counts(linter.finish()) if linter is not None else None
    return Summary(
        path=str(rec.path),
        size=size,
        mtime_ns=mtime_ns,
        kind=rec.kind,
        started_at=started_at,
        day=_day(started_at, rec.start_epoch),
        source=source_of(rec.kind, header),
        model=rec.model or analyser.session_model,
        duration_s=float(round(rec.duration, 3)),
        events=len(rec),
        client_events=client,
        server_events=len(rec) - client,
        turns=len(turns),
        interrupted_turns=sum(1 for t in turns if t.interrupted),
        interruptions=len(analyser.interruptions),
        truncations=len(analyser.truncations),
        errors=len(analyser.errors),
        responses=response_counts(analyser.statuses),
        error_codes=[[_code(e), _str(e.get("caused_by_type"))] for e in analyser.errors],
        latency_ms=latency,
        usage=usage_totals(t.usage for t in turns),
        bad_lines=int(rec.bad_lines),
        continues=_previous_file(rec.path, header),
        lint=dict(counted["counts"]) if counted else {},
        lint_rules={rule: entry["count"] for rule, entry in counted["rules"].items()} if counted else {},
    )


def _previous_file(path: str | os.PathLike[str], header: dict[str, Any] | None) -> str | None:
    """The absolute path of the file a continued recording's header links back to."""
    link = (header or {}).get(CONTINUES_KEY)
    name = link.get("file") if isinstance(link, dict) else None
    if not isinstance(name, str) or not name or name != os.path.basename(name) or name in (".", ".."):
        return None
    return os.path.join(os.path.dirname(os.path.abspath(path)), name)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _code(error: dict[str, Any]) -> str:
    """The name an error is counted under: its code, else its type, else its kind."""
    for key in ("code", "type", "kind"):
        if isinstance(error.get(key), str) and error[key]:
            return str(error[key])
    return "unknown"


def summarise_file(path: str | os.PathLike[str], *, lint: bool = True) -> Summary:
    """Read and summarise one file; a file that cannot be read gets `problem` set instead
    of raising (a listing of thousands of files must not stop at one bad file).
    `lint=False` leaves the linter's counts out (see `Summary.linted`).

    Without them, a small file of the usual layout is read whole in one pass rather than
    indexed (`load_small`): over thousands of files of a few dozen lines each, the index's
    fixed costs were a third of `stats`' time, and the figures are the same
    (`tests/recording/test_loaded_recording.py` compares the two on varied recordings)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        return Summary(path=str(p), size=-1, mtime_ns=-1, problem=f"cannot read: {exc.strerror or exc}")
    try:
        small = load_small(p) if not lint and st.st_size <= SMALL_FILE_BYTES else None
        if small is not None:
            return summarise_recording(small, st.st_size, st.st_mtime_ns, lint=False)
        with Recording.open(p) as rec:
            return summarise_recording(rec, st.st_size, st.st_mtime_ns, lint=lint)
    except NotARecordingError as exc:
        reason = f"not a realtime-console recording or event log: {exc}"
    except IsADirectoryError:
        reason = "a directory, not a recording"
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
    except (ValueError, RecursionError, MemoryError) as exc:  # a damaged file the readers gave up on
        reason = f"cannot analyse: {exc.__class__.__name__}: {str(exc)[:120]}"
    return Summary(path=str(p), size=st.st_size, mtime_ns=st.st_mtime_ns, problem=reason)


def recording_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every `*.jsonl` under `directory` (recursively), sorted by path.

    Raises:
        NotADirectoryError / FileNotFoundError: `directory` is not a directory.
    """
    return [Path(p) for p in recording_paths(directory)]


def recording_paths(directory: str | os.PathLike[str]) -> list[str]:
    """`recording_files` as strings (each `directory` joined with the file's path under
    it): what the sessions browser's re-check of 10,000 files uses, where making a
    `Path` of each cost more than the `stat` calls."""
    root = Path(directory)
    if not root.is_dir():
        if root.exists():
            raise NotADirectoryError(f"{root} is not a directory")
        raise FileNotFoundError(f"{root}: no such directory")
    # `scandir` and string keys: `rglob` stats every file and `Path` comparisons are slow,
    # which at 10,000 files cost more than the rest of a cached listing.
    found: list[str] = []
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
                elif entry.name.endswith(".jsonl") and entry.is_file():
                    found.append(entry.path)
    found.sort(key=lambda p: p.split(os.sep))  # the order `Path`s sort in
    return found


Reader = Callable[[Path], Summary]


class SummaryCache:
    """Summaries by absolute path, valid while the file's size and mtime are unchanged.

    Args:
        path: the cache file (default: `default_cache_path()`); None keeps it in memory.
        reader: how a file is summarised when the cache has nothing valid for it
            (default `summarise_file`; tests pass a counting wrapper).
        legacy: a cache file of an older format that `path` replaces: when `path` does
            not exist yet and this does, `problem` says so, and `save` deletes it.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, reader: Reader | None = None,
                 legacy: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.legacy = Path(legacy) if legacy is not None else None
        self.reader: Reader = reader or summarise_file
        self.entries: dict[str, Summary] = {}
        #: Files summarised (read) by this cache object, and summaries served from the cache.
        self.reads = 0
        self.hits = 0
        #: Why the cache file was ignored (damaged, an older format): one line for the user,
        #: or None when it was read (or there was none yet).
        self.problem: str | None = None
        self._dirty = False
        if self.path is not None:
            self._load()

    @classmethod
    def default(cls, reader: Reader | None = None) -> "SummaryCache":
        """The user's cache file (replacing the JSON one of earlier versions)."""
        return cls(default_cache_path(), reader=reader, legacy=cache_dir() / LEGACY_CACHE_FILE)

    def _load(self) -> None:
        """Read the cache file; a missing one counts as empty, a damaged or foreign one
        too, with `problem` saying why."""
        assert self.path is not None
        try:
            summaries = row_file.read(self.path, Summary, CACHE_VERSION)
        except FileNotFoundError:
            if self.legacy is not None and self.legacy.is_file():
                self._ignored(self.legacy, "an older format (JSON)")
            return
        except (OSError, row_file.RowFileError) as exc:
            self._ignored(self.path, getattr(exc, "strerror", None) or str(exc))
            return
        self.entries = {s.path: s for s in summaries}

    def _ignored(self, path: Path, reason: str) -> None:
        self.problem = f"summary cache {path} ignored ({reason}): every file is read again"
        self._dirty = True  # rewritten (and a legacy file removed) even if nothing is read

    def cached(self, path: str | os.PathLike[str]) -> Summary | None:
        """The valid cached summary of `path` without reading the file (one `stat`), or None."""
        key = os.path.abspath(path)
        entry = self.entries.get(key)
        if entry is None:
            return None
        try:
            st = os.stat(key)
        except OSError:
            return None
        if st.st_size == entry.size and st.st_mtime_ns == entry.mtime_ns:
            return entry
        return None

    def get(self, path: str | os.PathLike[str]) -> Summary:
        """The summary of `path`: from the cache if the file is unchanged, else read now."""
        hit = self.cached(path)
        if hit is not None:
            self.hits += 1
            return hit
        return self.store(self.reader(Path(os.path.abspath(path))))

    def store(self, summary: Summary) -> Summary:
        """Keep a summary just read (by `get`, or by a pool of workers: `summary_pool`)."""
        key = summary.path = os.path.abspath(summary.path)
        self.reads += 1
        self.entries[key] = summary
        self._dirty = True
        return summary

    def summaries(
        self, paths: Iterable[str | os.PathLike[str]], progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Summary]:
        """Each path's summary in order, calling `progress(done, total)` after each."""
        items = list(paths)
        for n, path in enumerate(items, 1):
            yield self.get(path)
            if progress is not None:
                progress(n, len(items))

    def forget_missing(self, directory: str | os.PathLike[str], present: Iterable[str | os.PathLike[str]]) -> None:
        """Drop entries under `directory` whose files are gone (keeps the cache small)."""
        root = os.path.join(os.path.abspath(directory), "")
        keep = {os.path.abspath(p) for p in present}
        gone = [k for k in self.entries if k.startswith(root) and k not in keep]
        for key in gone:
            del self.entries[key]
        self._dirty = self._dirty or bool(gone)

    def save(self) -> str | None:
        """Write the cache atomically if anything changed; return a problem, or None.

        Never raises: a cache that cannot be written only costs speed next time.
        """
        if self.path is None or not self._dirty:
            return None
        try:
            make_private_dirs(self.path.parent)
            row_file.write(self.path, self.entries.values(), Summary, CACHE_VERSION)
        except (OSError, ValueError) as exc:
            return f"summary cache not saved ({self.path}): {getattr(exc, 'strerror', None) or exc}"
        if self.legacy is not None:
            try:
                self.legacy.unlink()
            except OSError:
                pass
        self._dirty = False
        return None
