"""`SummaryTable` in a minimal app, driven by Pilot: a million rows cost what the visible
rows cost (only they are asked for), the cursor moves and scrolls, the header stays on
top and names the sorted column, clicks and Enter post their messages."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.message import Message

from tests.widgets.helpers import screen_text, wait_for
from widgets.summary_table import SummaryTable, TableColumn

ROWS = 1_000_000
COLUMNS = (TableColumn("n", "Number", 10, right=True), TableColumn("name", "Name", 12), TableColumn("path", "Path"))


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[int] = []
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield SummaryTable(id="table")

    def on_mount(self) -> None:
        table = self.query_one(SummaryTable)
        table.set_columns(COLUMNS, sort_key="n", reverse=False)
        table.set_rows(ROWS, self.cells)
        table.focus()

    def cells(self, row: int) -> list[str]:
        self.asked.append(row)
        return [str(row), f"row {row}", f"/recordings/day-{row % 7}/session-{row:07d}.jsonl"]

    def on_summary_table_row_chosen(self, message: SummaryTable.RowChosen) -> None:
        self.messages.append(message)

    def on_summary_table_header_clicked(self, message: SummaryTable.HeaderClicked) -> None:
        self.messages.append(message)


def header(table: SummaryTable) -> str:
    return "".join(segment.text for segment in table.render_line(0))


async def test_a_million_rows_draw_only_the_visible_ones() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(SummaryTable)
        await pilot.pause()
        text = screen_text(app)
        assert header(table).split() == ["Number", "▲", "Name", "Path"]
        assert "row 0 /recordings/day-0/session-0000000.jsonl" in text
        assert app.asked and max(app.asked) < 20  # one screen's rows, not a million
        await pilot.press("end")
        await wait_for(pilot, lambda: f"row {ROWS - 1}" in screen_text(app), what="the last row shown")
        assert table.cursor_row == ROWS - 1
        assert header(table).split()[:2] == ["Number", "▲"]  # the header stays on top
        assert len(set(app.asked)) < 60
        await pilot.press("home", "down", "down", "pagedown")
        assert table.cursor_row == 2 + 18
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.messages, what="Enter chose the row")
        assert isinstance(app.messages[-1], SummaryTable.RowChosen) and app.messages[-1].row == 20


async def test_clicks_on_the_header_and_on_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table = app.query_one(SummaryTable)
        await pilot.pause()
        await pilot.click(SummaryTable, offset=(table.column_x("name") + 1, 0))
        await wait_for(pilot, lambda: app.messages, what="the header click")
        assert isinstance(app.messages[-1], SummaryTable.HeaderClicked) and app.messages[-1].key == "name"
        await pilot.click(SummaryTable, offset=(3, 4))  # the fourth row (row 3): moves the cursor
        await pilot.pause()
        assert table.cursor_row == 3 and len(app.messages) == 1
        await pilot.click(SummaryTable, offset=(3, 4))  # again: chooses it
        await wait_for(pilot, lambda: len(app.messages) == 2, what="a click on the cursor row")
        assert isinstance(app.messages[-1], SummaryTable.RowChosen) and app.messages[-1].row == 3
        table.set_rows(2, app.cells)  # fewer rows: the cursor stays within them
        assert table.cursor_row == 1
