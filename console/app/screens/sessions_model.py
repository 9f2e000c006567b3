"""The sessions browser's rows: columns, filtering and sorting of `Summary`s, UI-free.

Kept apart from the screen so the rules (what a column shows, how it sorts, what the
filter matches) are plain functions the screen applies to its `SummaryTable`. A column
is one `Column` entry in `COLUMNS` (text, sort value, width): adding one is one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from console.recording.chain_summaries import merge_chains
from console.recording.prices import PriceTable
from console.recording.summary import Summary


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    #: The cell's text.
    show: Callable[[Summary, str, PriceTable], str]
    #: The value rows sort by (None sorts last).
    value: Callable[[Summary, str, PriceTable], Any]
    #: Cells on screen (0: what the other columns leave), and whether numbers align right.
    width: int = 0
    right: bool = False


def _duration(s: Summary) -> str:
    seconds = int(round(s.duration_s))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _started(s: Summary) -> str:
    if s.started_at:
        return s.started_at[:19].replace("T", " ")
    return s.day or "-"


def relative(s: Summary, root: str) -> str:
    """The file's path under the browsed directory (its absolute path if outside it)."""
    prefix = os.path.join(root, "")
    if s.path.startswith(prefix):  # the usual case, without `relpath`'s cost (10,000 rows a filter)
        shown = s.path[len(prefix):]
    else:
        try:
            rel = os.path.relpath(s.path, root)
        except ValueError:
            return s.path
        shown = s.path if rel.startswith("..") else rel
    # A reconnected session's chain is one row: its first file, and how many follow.
    return f"{shown} (+{len(s.files) - 1} continued)" if len(s.files) > 1 else shown


def _lint(s: Summary) -> str:
    """`errors/warnings` of the linter's findings (`-` for an unreadable file, `…` until
    a summary cached without them, by `stats`, is read again)."""
    if not s.ok:
        return "-"
    if not s.linted:
        return "…"
    return f"{s.lint.get('error', 0)}/{s.lint.get('warning', 0)}"


def _lint_rank(s: Summary) -> tuple[int, int, int] | None:
    """Sorts by errors, then warnings, then info."""
    return (s.lint.get("error", 0), s.lint.get("warning", 0), s.lint.get("info", 0)) if s.ok and s.linted else None


def _cost(s: Summary, prices: PriceTable) -> float | None:
    return s.cost(prices) if s.ok else None


COLUMNS: tuple[Column, ...] = (
    Column("started", "Started", lambda s, r, p: _started(s), lambda s, r, p: s.started_at or s.day, width=19),
    Column("source", "Source", lambda s, r, p: s.source or "unreadable" if s.ok else "unreadable",
           lambda s, r, p: s.source if s.ok else "~unreadable", width=10),
    Column("model", "Model", lambda s, r, p: (s.model or "-") if s.ok else "-", lambda s, r, p: s.model, width=24),
    Column("duration", "Duration", lambda s, r, p: _duration(s) if s.ok else "-",
           lambda s, r, p: s.duration_s if s.ok else None, width=8, right=True),
    Column("turns", "Turns", lambda s, r, p: str(s.turns) if s.ok else "-", lambda s, r, p: s.turns if s.ok else None,
           width=5, right=True),
    Column("interruptions", "Interr.", lambda s, r, p: str(s.interrupted_turns) if s.ok else "-",
           lambda s, r, p: s.interrupted_turns if s.ok else None, width=7, right=True),
    Column("errors", "Errors", lambda s, r, p: str(s.errors) if s.ok else "-", lambda s, r, p: s.errors if s.ok else None,
           width=6, right=True),
    Column("tokens", "Tokens", lambda s, r, p: str(s.total_tokens) if s.ok else "-",
           lambda s, r, p: s.total_tokens if s.ok else None, width=8, right=True),
    Column("cost", "Cost $", lambda s, r, p: "-" if (c := _cost(s, p)) is None else f"{c:.4f}",
           lambda s, r, p: _cost(s, p), width=9, right=True),
    Column("lint", "Lint E/W", lambda s, r, p: _lint(s), lambda s, r, p: _lint_rank(s), width=10, right=True),
    Column("path", "File", lambda s, r, p: relative(s, r) if s.ok else f"{relative(s, r)}: {s.problem}",
           lambda s, r, p: relative(s, r)),
)
COLUMN_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)
_BY_KEY = {c.key: c for c in COLUMNS}


def cells(s: Summary, root: str, prices: PriceTable) -> list[str]:
    """One row's cells, in `COLUMNS` order."""
    return [c.show(s, root, prices) for c in COLUMNS]


def matches(s: Summary, text: str, root: str) -> bool:
    """Whether the filter text (case-insensitive, every word) is in the path, model or source."""
    words = text.lower().split()
    if not words:
        return True
    haystack = " ".join([relative(s, root), s.model or "", s.source or "" if s.ok else "unreadable"]).lower()
    return all(w in haystack for w in words)


def arrange(summaries: Iterable[Summary], *, root: str, text: str, sort_key: str, reverse: bool,
            prices: PriceTable) -> list[Summary]:
    """The rows to show, one per session (a reconnected session's files are one row, see
    `chain_summaries`): filtered by `text`, sorted by the column `sort_key` (missing values
    last whichever the direction), ties by path."""
    return arrange_sessions(merge_chains(summaries), root=root, text=text, sort_key=sort_key, reverse=reverse,
                            prices=prices)


def arrange_sessions(sessions: list[Summary], *, root: str, text: str, sort_key: str, reverse: bool,
                     prices: PriceTable) -> list[Summary]:
    """`arrange` of summaries already merged into sessions (`merge_chains`): what the
    screen calls, keeping the merge from one change of the summaries to the next."""
    column = _BY_KEY[sort_key]
    rows = [s for s in sessions if matches(s, text, root)] if text.strip() else sessions
    valued = [(column.value(s, root, prices), s) for s in rows]  # each value computed once
    present = [(v, s) for v, s in valued if v is not None]
    missing = [s for v, s in valued if v is None]
    present.sort(key=lambda vs: vs[1].path)
    present.sort(key=lambda vs: vs[0], reverse=reverse)
    missing.sort(key=lambda s: s.path)
    return [s for _, s in present] + missing
