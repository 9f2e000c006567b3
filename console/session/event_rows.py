"""Filtered, folded views of an `EventStore`: the rows an event log shows.

A view is three growing numpy arrays (first event index, count, summed delta size per
row). `update()` folds in only the events appended since the last call, so a live log
pays O(new events) per refresh, never O(log size). Rebuilding (a filter change, an
unfold) is one vectorised pass over the columns.

Folding: the store puts each delta event in a run (same type, source and item id, not
interrupted by a non-delta event of the same source); a folded view shows a run as one
row at its first matching event with a count. Runs listed in `expanded` show every
member as its own row instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

if TYPE_CHECKING:
    from console.session.event_store import EventStore

from console.session.event_store import BOTH


class RowView:
    """Rows of a log view: see the module docstring."""

    def __init__(
        self,
        store: EventStore,
        *,
        fold: bool = True,
        directions: frozenset[str] = BOTH,
        types: frozenset[str] | None = None,
        text: str = "",
        expanded: Iterable[int] = (),
        within: np.ndarray | None = None,
    ) -> None:
        """Args:
        within: a sorted superset of the events this view can show (the matches of a
            broader search), so narrowing a search does not rescan the log.
        """
        self.store = store
        self.fold = fold
        self.directions = frozenset(directions)
        self.types = None if types is None else frozenset(types)
        self.text = text
        self.expanded: set[int] = set(int(g) for g in expanded)
        self._rows = np.zeros(0, np.int64)
        self._counts = np.zeros(0, np.int32)
        self._totals = np.zeros(0, np.int64)
        self._n = 0
        self._upto = 0
        self._group_rows: dict[int, int] = {}
        #: Rows whose count changed in the last `update()` (their cached strips are stale).
        self.changed: set[int] = set()
        self._within = within
        self._matched: list[np.ndarray] = []
        self.update()
        self._within = None

    def __len__(self) -> int:
        return self._n

    def _append(self, rows: np.ndarray, counts: np.ndarray, totals: np.ndarray) -> None:
        need = self._n + len(rows)
        if need > len(self._rows):
            cap = max(need, 2 * len(self._rows), 256)
            for name in ("_rows", "_counts", "_totals"):
                old = getattr(self, name)
                new = np.zeros(cap, old.dtype)
                new[: self._n] = old[: self._n]
                setattr(self, name, new)
        self._rows[self._n : need] = rows
        self._counts[self._n : need] = counts
        self._totals[self._n : need] = totals
        self._n = need

    def update(self) -> int:
        """Add rows for events appended since the last update; returns how many rows."""
        store = self.store
        lo, hi = self._upto, len(store)
        self.changed = set()
        if lo >= hi:
            return 0
        self._upto = hi
        idx = store.filter(lo, hi, self.directions, self.types, self.text, within=self._within)
        if self.text:
            self._matched.append(idx)
        before = self._n
        if not len(idx):
            return 0
        sizes = store._size[idx].astype(np.int64)
        if not self.fold:
            self._append(idx, np.ones(len(idx), np.int32), sizes)
            return self._n - before
        groups = store._group[idx].astype(np.int64)
        single = np.zeros(len(idx), bool)
        if self.expanded:
            single = np.isin(groups, np.fromiter(self.expanded, np.int64))
        multi = ~single
        g = groups[multi]
        uniq, first, inverse, counts = np.unique(g, return_index=True, return_inverse=True, return_counts=True)
        totals = np.bincount(inverse, weights=sizes[multi], minlength=len(uniq)).astype(np.int64)
        keep = np.ones(len(uniq), bool)
        for head, row in self._group_rows.items():
            pos = int(np.searchsorted(uniq, head))
            if pos < len(uniq) and uniq[pos] == head:
                self._counts[row] += counts[pos]
                self._totals[row] += totals[pos]
                self.changed.add(row)
                keep[pos] = False
        new_events = np.concatenate([idx[multi][first[keep]], idx[single]])
        new_counts = np.concatenate([counts[keep].astype(np.int32), np.ones(int(single.sum()), np.int32)])
        new_totals = np.concatenate([totals[keep], sizes[single]])
        order = np.argsort(new_events, kind="stable")
        start = self._n
        self._append(new_events[order], new_counts[order], new_totals[order])
        open_heads = store.open_groups()
        self._group_rows = {h: r for h, r in self._group_rows.items() if h in open_heads}
        for head in open_heads:
            if head in self.expanded or head in self._group_rows:
                continue
            pos = int(np.searchsorted(uniq, head))
            if pos < len(uniq) and uniq[pos] == head and keep[pos]:
                ev = idx[multi][first[pos]]
                self._group_rows[head] = start + int(np.searchsorted(self._rows[start : self._n], ev))
        return self._n - before

    # --- row accessors --------------------------------------------------------------

    def event_index(self, row: int) -> int:
        """The event a row shows (for a folded row: its first matching event)."""
        if not 0 <= row < self._n:
            raise IndexError(f"row {row} out of range")
        return int(self._rows[row])

    def count(self, row: int) -> int:
        return int(self._counts[row])

    def total(self, row: int) -> int:
        """Summed audio bytes / characters of the events folded into a row."""
        return int(self._totals[row])

    def group(self, row: int) -> int:
        return self.store.group(self.event_index(row))

    def is_expanded(self, row: int) -> bool:
        """True if the row is a member of an unfolded run."""
        return self.fold and self.group(row) in self.expanded

    def can_toggle(self, row: int) -> bool:
        """True if Enter on this row folds or unfolds something."""
        return self.fold and (self.count(row) > 1 or self.is_expanded(row))

    @property
    def event_indices(self) -> np.ndarray:
        """The first event index of every row (a view; do not modify)."""
        return self._rows[: self._n]

    def row_of_event(self, index: int) -> int | None:
        """The row showing event `index` (or folding it), or None if filtered out."""
        rows = self._rows[: self._n]
        pos = int(np.searchsorted(rows, index))
        if pos < self._n and rows[pos] == index:
            return pos
        if not self.fold or index >= len(self.store):
            return None
        head = self.store.group(index)
        if head == index:
            return None
        lo = int(np.searchsorted(rows, head))
        cand = rows[lo:pos]
        hits = np.flatnonzero(self.store._group[cand] == head)
        if not len(hits):
            return None
        row = lo + int(hits[0])
        if not self.store.filter(index, index + 1, self.directions, self.types, self.text).size:
            return None
        return row

    def nearest_row(self, index: int) -> int:
        """The row of event `index`, or the last row before it (0 if none)."""
        row = self.row_of_event(index)
        if row is not None:
            return row
        pos = int(np.searchsorted(self._rows[: self._n], index, side="right")) - 1
        return max(0, min(pos, self._n - 1))

    def matched(self) -> np.ndarray | None:
        """Every event (folded or not) this view's filters accept, if a text filter is on."""
        if not self.text:
            return None
        if len(self._matched) > 1:
            self._matched = [np.concatenate(self._matched)]
        return self._matched[0] if self._matched else np.zeros(0, np.int64)

    def narrowed(self, text: str) -> "RowView":
        """The same filters with a longer search text that contains the current one."""
        self.update()  # `within` must cover every event logged so far
        return RowView(
            self.store,
            fold=self.fold,
            directions=self.directions,
            types=self.types,
            text=text,
            expanded=self.expanded,
            within=self.matched(),
        )

    def with_expanded(self, expanded: Iterable[int]) -> "RowView":
        """The same filter with another set of unfolded runs (a full rebuild)."""
        return RowView(
            self.store,
            fold=self.fold,
            directions=self.directions,
            types=self.types,
            text=self.text,
            expanded=expanded,
        )
