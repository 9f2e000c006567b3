"""A table of many rows drawn with the Line API: columns, a cursor, a sortable header.

`DataTable.add_row` builds every row's cells and renderables up front, which at 10,000
recordings costs seconds on each sort or filter. `SummaryTable` holds no cells: the
owner gives it a row count and a function from a row number to that row's cell texts
(`set_rows`), and only the rows on screen are ever asked for and drawn (`render_line`),
their strips kept in a small LRU cache, as `widgets.event_log` does for a million events.
Line 0 is the header (column labels, the sorted one marked ▲/▼); it stays put while the
rows scroll under it. The owner decides what sorting means: a click on a header posts
`HeaderClicked`, Enter (or a click on the cursor row) posts `RowChosen`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.cell_text import fit_cells

#: Cells between two columns.
GAP = 2


@dataclass(frozen=True)
class TableColumn:
    """One column: its key (what `HeaderClicked` names), label, width in cells and
    alignment. A width of 0 takes what the other columns leave (at least the label)."""

    key: str
    label: str
    width: int = 0
    right: bool = False


class SummaryTable(ScrollView, can_focus=True):
    """Rows from a function, drawn only when visible; see the module docstring."""

    DEFAULT_CSS = """
    SummaryTable {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
    }
    SummaryTable > .summary-table--header { color: $text; background: $panel; text-style: bold; }
    SummaryTable > .summary-table--sorted { color: $accent; background: $panel; text-style: bold; }
    SummaryTable > .summary-table--stripe { background: $boost; }
    SummaryTable > .summary-table--cursor { background: $block-cursor-blurred-background; }
    SummaryTable:focus > .summary-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "summary-table--header", "summary-table--sorted", "summary-table--stripe", "summary-table--cursor",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First", show=False, id="table.first"),
        Binding("end", "last", "Last", show=False, id="table.last"),
        Binding("enter", "choose", "Open", id="table.choose", tooltip="Open the row under the cursor"),
    ]

    #: Strips kept: a few screens' worth.
    CACHE_ROWS: ClassVar[int] = 256

    class RowChosen(Message):
        """Enter (or a click on the cursor row) on row `row`."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    class HeaderClicked(Message):
        """A click on the header of the column `key`."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[TableColumn, ...] = ()
        self.sort_key: str | None = None
        self.reverse = False
        self.row_count = 0
        self.cursor_row = -1
        self._cells: Callable[[int], Sequence[str]] = lambda row: ()
        self._cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(self.CACHE_ROWS)
        self._styles: dict[str, Style] = {}

    # --- what the owner sets ------------------------------------------------------------------

    def set_columns(self, columns: Sequence[TableColumn], *, sort_key: str | None = None,
                    reverse: bool = False) -> None:
        """The columns, and which one the rows are sorted by (marked in the header)."""
        self.columns = tuple(columns)
        self.sort_key, self.reverse = sort_key, reverse
        self._cache.clear()
        self.refresh()

    def set_rows(self, count: int, cells: Callable[[int], Sequence[str]], *, cursor: int | None = None) -> None:
        """Show `count` rows whose texts `cells(row)` gives, one per column; the cursor
        goes to `cursor` (default: where it was, within the new count)."""
        self.row_count = count
        self._cells = cells
        self._cache.clear()
        self.virtual_size = Size(0, count + 1)
        target = self.cursor_row if cursor is None else cursor
        self.cursor_row = -1 if count == 0 else max(0, min(target, count - 1))
        if self.cursor_row >= 0:
            self._scroll_to_row(self.cursor_row)
        self.refresh()

    def cells_at(self, row: int) -> list[str]:
        """Row `row`'s texts, as the owner gives them (what the tests read)."""
        return list(self._cells(row))

    def column_x(self, key: str) -> int:
        """Where the column `key` starts, in cells from the left of the content."""
        x = 0
        for column, width in zip(self.columns, self._widths(self.scrollable_content_region.width)):
            if column.key == key:
                return x
            x += width + GAP
        raise KeyError(key)

    # --- moving -------------------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        """Put the cursor on `row` (clamped) and scroll it into view."""
        if not self.row_count:
            return
        self.cursor_row = max(0, min(row, self.row_count - 1))
        self._cache.clear()
        self._scroll_to_row(self.cursor_row)
        self.refresh()

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def _scroll_to_row(self, row: int) -> None:
        rows_shown = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if row < top:
            target = row
        elif row >= top + rows_shown:
            target = row - rows_shown + 1
        else:
            return
        # `force`: before the first layout with this many rows Textual ignores the scroll.
        self.scroll_to(y=max(0, min(target, self.row_count)), animate=False, immediate=True, force=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.row_count - 1)

    def action_choose(self) -> None:
        if 0 <= self.cursor_row < self.row_count:
            self.post_message(self.RowChosen(self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            x = 0
            for column, width in zip(self.columns, self._widths(self.scrollable_content_region.width)):
                if x <= offset.x < x + width + GAP:
                    self.post_message(self.HeaderClicked(column.key))
                    return
                x += width + GAP
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < self.row_count:
            if row == self.cursor_row:
                self.action_choose()
            else:
                self.move_cursor(row)

    # --- drawing ------------------------------------------------------------------------------

    def _widths(self, width: int) -> list[int]:
        """Each column's width; the 0-width ones share what is left."""
        fixed = [max(c.width, len(c.label) + 2) if c.width else 0 for c in self.columns]
        flexible = [i for i, c in enumerate(self.columns) if not c.width]
        left = width - sum(fixed) - GAP * max(0, len(self.columns) - 1)
        for i in flexible:
            fixed[i] = max(len(self.columns[i].label) + 2, left // len(flexible))
        return fixed

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = (
                self.rich_style if name == "base" else self.rich_style + self.get_component_rich_style(name)
            )
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if hasattr(self, "_styles"):  # called once before __init__ finishes
            self._styles.clear()
            self._cache.clear()

    def on_focus(self) -> None:
        self._styles.clear()
        self._cache.clear()

    def on_blur(self) -> None:
        self._styles.clear()
        self._cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._frame_width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = getattr(self, "_frame_width", self.scrollable_content_region.width)
        if y == 0:
            return self._header(width)
        row = int(self.scroll_y) + y - 1
        if row >= self.row_count:
            return Strip.blank(width, self._style("base"))
        cursor = row == self.cursor_row
        key = (row, width, cursor)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._row(row, width, cursor)
        return strip

    def _line(self, texts: Sequence[str], width: int, style: Style, sorted_style: Style | None = None) -> Strip:
        segments: list[Segment] = []
        for n, (column, cell_width, text) in enumerate(zip(self.columns, self._widths(width), texts)):
            cell = fit_cells(text, cell_width, keep_end=not column.right and column.width == 0)
            if column.right:
                cell = cell.strip().rjust(cell_width)
            own = sorted_style if sorted_style is not None and column.key == self.sort_key else style
            segments.append(Segment(cell, own))
            if n < len(self.columns) - 1:
                segments.append(Segment(" " * GAP, style))
        return Strip(segments).crop_extend(0, width, style)

    def _header(self, width: int) -> Strip:
        mark = " ▼" if self.reverse else " ▲"
        labels = [c.label + (mark if c.key == self.sort_key else "") for c in self.columns]
        return self._line(labels, width, self._style("summary-table--header"), self._style("summary-table--sorted"))

    def _row(self, row: int, width: int, cursor: bool) -> Strip:
        if cursor:
            style = self._style("summary-table--cursor")
        else:
            style = self._style("summary-table--stripe") if row % 2 else self._style("base")
        return self._line(self._cells(row), width, style)
