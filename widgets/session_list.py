"""The sessions list: one row per watched session (live or ended), newest last.

A `DataTable` is enough for the tens of sessions a proxy relays at once. The owner calls
`show(summaries)` whenever something may have changed (a session opened or ended, once a
second for the ages); only cells whose text changed are rewritten, so the cursor and the
scroll position stay where the user left them. Moving the cursor posts `SessionSelected`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from console.session.proxied import SessionSummary, format_age

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#"), ("state", "state"), ("app", "app"), ("model", "model"), ("age", "age"),
    ("turns", "turns"), ("errors", "errors"), ("tokens", "tokens"),
)


def _cells(summary: SessionSummary) -> dict[str, str | Text]:
    state = Text("live", style="bold green") if summary.live else Text("ended", style="dim")
    errors = Text(str(summary.errors), style="bold red") if summary.errors else Text("0")
    return {
        "id": str(summary.id), "state": state, "app": summary.app, "model": summary.model,
        "age": format_age(summary.age_s), "turns": str(summary.turns), "errors": errors,
        "tokens": f"{summary.tokens:,}",
    }


class SessionList(DataTable[str | Text]):
    """Sessions as rows keyed by their id; the cursor is the selection."""

    class SessionSelected(Message):
        """The cursor moved onto session `session_id`."""

        def __init__(self, session_id: int) -> None:
            self.session_id = session_id
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self._shown: dict[int, dict[str, str | Text]] = {}

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    @property
    def session_ids(self) -> list[int]:
        """The listed sessions, in row order."""
        return list(self._shown)

    def show(self, summaries: Iterable[SessionSummary]) -> None:
        """Add new sessions as rows and rewrite the cells that changed."""
        for summary in summaries:
            cells = _cells(summary)
            shown = self._shown.get(summary.id)
            if shown is None:
                self.add_row(*(cells[key] for key, _ in COLUMNS), key=str(summary.id))
                self._shown[summary.id] = cells
                continue
            for key, value in cells.items():
                if shown.get(key) != value:
                    self.update_cell(str(summary.id), key, value)
                    shown[key] = value

    def state_of(self, session_id: int) -> str:
        """"live" or "ended" as the row shows it ("" for an unknown session)."""
        cells = self._shown.get(session_id)
        return str(cells["state"]) if cells else ""

    def select_session(self, session_id: int) -> None:
        """Put the cursor on `session_id`'s row (posting `SessionSelected`)."""
        if session_id in self._shown:
            self.move_cursor(row=self.get_row_index(str(session_id)))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        if message.row_key.value is not None:
            self.post_message(self.SessionSelected(int(message.row_key.value)))
