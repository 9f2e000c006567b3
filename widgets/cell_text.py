"""Fitting text into a fixed number of terminal cells, for the Line-API tables.

Apart from the event log's renderer so that a table that shows no events (the sessions
browser's) does not load the event store, and numpy with it, to pad its cells.
"""

from __future__ import annotations


def fit_cells(text: str, width: int, keep_end: bool = False) -> str:
    """Pad or cut `text` to exactly `width` cells (cutting keeps the end if asked)."""
    if len(text) <= width:
        return text.ljust(width)
    if width <= 1:
        return text[:width]
    return "…" + text[-(width - 1) :] if keep_end else text[: width - 1] + "…"
