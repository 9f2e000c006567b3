"""How the event log draws its rows: strips built from segments, their styles, their cache.

Split from `widgets.event_log` so that the widget is about state, keys and messages, and
this module about pixels. `RowRenderer` belongs to one widget: it reads that widget's
component styles (which change with the theme and with focus) and keeps an LRU cache of
finished strips keyed by what a row's look depends on (row, width, fold count, cursor).
The widget tells it when that stops being true (`clear`, `discard_row`, `restyle`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.strip import Strip
from textual.widget import Widget

from console.lint.findings import SEVERITIES, Finding
from console.session.event_rows import RowView
from console.session.event_store import EventStore
from console.session.event_summary import fit_summary
from widgets.cell_text import fit_cells

ROW_CSS = """
EventLog > .event-log--time { color: $text-muted; }
EventLog > .event-log--client { color: $accent; }
EventLog > .event-log--server { color: $success; }
EventLog > .event-log--error { color: $error; text-style: bold; }
EventLog > .event-log--count { color: $warning; text-style: bold; }
EventLog > .event-log--summary { color: $foreground; }
EventLog > .event-log--fold { color: $text-muted; }
EventLog > .event-log--cursor { background: $block-cursor-blurred-background; }
EventLog:focus > .event-log--cursor {
    background: $block-cursor-background;
    color: $block-cursor-foreground;
}
EventLog > .event-log--badge { background: $primary; color: $text; text-style: bold; }
EventLog > .event-log--finding-error { color: $error; text-style: bold; }
EventLog > .event-log--finding-warning { color: $warning; text-style: bold; }
EventLog > .event-log--finding-info { color: $accent; }
"""
"""The component styles a row is drawn with (part of `EventLog.DEFAULT_CSS`)."""

ROW_COMPONENT_CLASSES: frozenset[str] = frozenset(
    {
        "event-log--time",
        "event-log--client",
        "event-log--server",
        "event-log--error",
        "event-log--count",
        "event-log--summary",
        "event-log--fold",
        "event-log--cursor",
        "event-log--badge",
        "event-log--finding-error",
        "event-log--finding-warning",
        "event-log--finding-info",
    }
)

#: The mark in the fold-marker column of a row whose event has a lint finding.
FINDING_MARK = "⚑"

#: The findings of a session by the store index of the event each is reported at.
FindingsMap = Mapping[int, Sequence[Finding]]


def worst_severity(findings: Sequence[Finding]) -> str | None:
    """The most serious severity among `findings` (None for none): the one a mark shows."""
    ranks = [SEVERITIES.index(f.severity) for f in findings if f.severity in SEVERITIES]
    return SEVERITIES[min(ranks)] if ranks else (findings[0].severity if findings else None)


def row_findings(store: EventStore, view: RowView, row: int, findings: FindingsMap) -> list[Finding]:
    """The findings a row stands for: its event's, or for a folded run of deltas, those of
    any event in the run (a bad append in the middle of 200 folded appends still shows)."""
    if not findings:
        return []
    index = view.event_index(row)
    if view.count(row) <= 1:
        return list(findings.get(index, ()))
    group = store.group(index)
    return [f for i, found in findings.items() if 0 <= i < len(store) and store.group(i) == group for f in found]

_ARROWS = {"client": "↑", "server": "↓"}


def abbreviate_type(event_type: str, width: int) -> str:
    """Fit an event type into `width` cells, shortening leading namespaces first.

    `conversation.item.input_audio_transcription.completed` becomes
    `c.i.input_audio_transcription.completed`; if that is still too long, the words of the
    middle segments shorten to initials from the left (`r.o_a_transcript.delta`), and
    last the remaining text is cut from the left (the last segment says most).
    """
    parts = event_type.split(".")
    i = 0
    while len(".".join(parts)) > width and i < len(parts) - 2:
        parts[i] = parts[i][:1]
        i += 1
    for j in range(max(0, len(parts) - 2), len(parts) - 1):
        words = parts[j].split("_")
        for k in range(len(words) - 1):
            if len(".".join(parts)) <= width:
                break
            words[k] = words[k][:1]
            parts[j] = "_".join(words)
    return fit_cells(".".join(parts), width, keep_end=True)


#: Rows narrower than this (cells) get a narrower type and count column, so that the
#: summary keeps room on an 80-column terminal (a 78-cell log) and beside the conversation
#: on a 140-column one; wider logs keep the wide columns.
NARROW_ROW = 80


#: Cells before the type column: time (10 + 1), arrow (2), fold marker (1).
_LEAD = 14
#: The summary keeps at least this many cells when the type column widens.
MIN_SUMMARY = 28


def column_widths(width: int, longest_type: int = 0) -> tuple[int, int]:
    """(type, count) column widths for a row `width` cells wide.

    `longest_type`: the longest type name among the rows on screen. The type column
    widens to show it whole while the summary keeps `MIN_SUMMARY` cells; below that
    names are abbreviated (`abbreviate_type`), and the cursor row shows its name whole.
    """
    if width < NARROW_ROW:
        base, count = max(16, width * 3 // 10), 4
    else:
        base, count = max(16, min(46, width * 2 // 5)), 6
    room = width - _LEAD - (count + 2) - MIN_SUMMARY
    return max(base, min(longest_type, room)), count


class RowRenderer:
    """Draws one widget's log rows, caching component styles and finished strips."""

    CACHE_ROWS: ClassVar[int] = 256
    """Strips kept: a few screens' worth, so scrolling back and forth repaints nothing."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._styles: dict[str, Style] = {}
        self._cache: LRUCache[tuple[int, int, int, bool, int, str | None], Strip] = LRUCache(self.CACHE_ROWS)

    # --- invalidation -------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every strip (the rows, their width or their order changed)."""
        self._cache.clear()

    def restyle(self) -> None:
        """Forget styles and strips (the theme, the CSS or the focus changed)."""
        self._styles.clear()
        self._cache.clear()

    def discard_row(self, row: int) -> None:
        """Forget the strips of one row (its fold count or cursor state changed)."""
        for key in [k for k in self._cache.keys() if k[0] == row]:
            self._cache.discard(key)

    # --- drawing ------------------------------------------------------------------------

    def style(self, name: str) -> Style:
        """A component style over the widget's own ("base"), cached until `restyle`."""
        style = self._styles.get(name)
        if style is None:
            widget = self._widget
            style = self._styles[name] = (
                widget.rich_style if name == "base" else widget.rich_style + widget.get_component_rich_style(name)
            )
        return style

    def blank(self, width: int) -> Strip:
        """An empty line below the last row."""
        return Strip.blank(width, self.style("base"))

    def row(
        self, store: EventStore, view: RowView, row: int, width: int, *, cursor: bool, expanded: set[int],
        longest_type: int = 0, findings: FindingsMap | None = None,
    ) -> Strip:
        """Row `row` of `view`, `width` cells wide, from the cache when it can.

        `longest_type`: the longest type name on screen (see `column_widths`).
        `findings`: lint findings by event index; a row with one is marked `FINDING_MARK`
        in its severity's colour. The severity is part of the cache key, so a finding
        reported after its row was drawn (the server's refusal comes later) redraws it.
        """
        severity = worst_severity(row_findings(store, view, row, findings)) if findings else None
        key = (row, width, view.count(row), cursor, longest_type, severity)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._draw(store, view, row, width, cursor, expanded, longest_type, severity)
        return strip

    def with_badge(self, strip: Strip, width: int, new_rows: int) -> Strip:
        """`strip` with the "▼ N new" badge over its right end (not following)."""
        badge = f" ▼ {new_rows} new (f to follow) "
        left = strip.crop(0, max(0, width - len(badge)))
        return Strip.join([left, Strip([Segment(badge[:width], self.style("event-log--badge"))])]).crop_extend(
            0, width, self.style("base")
        )

    def _draw(
        self, store: EventStore, view: RowView, row: int, width: int, cursor: bool, expanded: set[int],
        longest_type: int = 0, severity: str | None = None,
    ) -> Strip:
        """One row as segments built directly (no Rich Text): ~5x cheaper per row."""
        index = view.event_index(row)
        source = store.source(index)
        etype = store.event_type(index)
        count = view.count(row)
        if count > 1:
            summary = store.fold_summary(index, count, view.total(row))
            marker = "▸"
        else:
            summary = store.summary(index)
            marker = " "
            if view.fold and store.group(index) in expanded:
                marker = "▾" if store.group(index) == index else "·"
        type_width, count_width = column_widths(width, longest_type)
        if cursor and len(etype) > type_width:
            # The cursor row is the legend: its type whole, the summary gives way.
            type_width = max(type_width, min(len(etype), width - _LEAD - (count_width + 2) - 2))
        is_error = etype == "error"
        highlight = self.style("event-log--cursor") if cursor else None
        summary = fit_summary(summary.replace("\n", " "), width - _LEAD - type_width - (count_width + 2))
        parts = [
            (f"{'+' + format(store.time(index), '.3f'):>10} ", "event-log--time"),
            (f"{_ARROWS.get(source, '?')} ", f"event-log--{source}"),
            # A finding outranks the fold marker: a folded row still shows its ×N count.
            (FINDING_MARK, f"event-log--finding-{severity}") if severity in SEVERITIES else (marker, "event-log--fold"),
            (abbreviate_type(etype, type_width), "event-log--error" if is_error else f"event-log--{source}"),
            (f" {'×' + str(count) if count > 1 else '':>{count_width}} ", "event-log--count"),
            (summary, "event-log--error" if is_error else "event-log--summary"),
        ]
        segments = [
            Segment(text, self.style(name) + highlight if highlight else self.style(name)) for text, name in parts
        ]
        cells = sum(len(t) for t, _ in parts[:-1]) + cell_len(summary)
        fill = self.style("base") + highlight if highlight else self.style("base")
        return Strip(segments, cells).crop_extend(0, width, fill)
