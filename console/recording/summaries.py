"""Making a `Summary` of one recording: `summarise_file` and `summarise_recording`.

Summaries are made by the same one pass over the events as `inspect`'s report
(`analyse_recording`), so the numbers always agree with `inspect`; the lint counts come
from that pass too, when asked for: `stats`, which reports none, summarises without them
(see `Summary.linted`). What a summary holds is in `summary.py`; how summaries are cached
and a directory listed, in `summary_cache.py`.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import gates
from .analysis import analyse_recording, load_small
from .format import CONTINUES_KEY
from .index import SOURCE_CLIENT, NotARecordingError
from .linting import lint_counts, recording_linter
from .reader import SMALL_FILE_BYTES, LoadedRecording, Recording
from .report import response_counts
from .summary import SPANS, Summary, source_of
from .usage import usage_totals


def _day(started_at: str | None, start_epoch: float | None) -> str | None:
    """The session's day: the header's date as written (the recorder's local date), else
    the UTC date of the first event, else None."""
    if started_at and len(started_at) >= 10 and started_at[4] == "-" and started_at[7] == "-":
        return started_at[:10]
    if start_epoch is not None:
        return datetime.fromtimestamp(start_epoch, timezone.utc).date().isoformat()
    return None


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


