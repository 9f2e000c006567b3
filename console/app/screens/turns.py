"""The turn view: every turn's latency and cost in a table, the selected one as a chart.

Opened with F6 from the console and from the replay. Each row is one turn (its number, when
it started, first audio, end to end, generation, cost, and the audio generated after a
truncation point that nobody heard); under the table, `TurnTimeline` draws the selected
turn's spans as proportional bars. The rows come from a callable, `source`, which returns
turns in the shape of `inspect --json`'s `turns[]` (`Session.turn_rows` live,
`TurnTimelines.rows` in the replay), so the numbers are the report's own; the view asks
it again twice a second and redraws when they changed, so a live session's turns fill in
while it is open. Enter dismisses with the selected turn's first event (the host selects
it in the log, or seeks the replay there); esc dismisses with None.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
from widgets.console_footer import ConsoleFooter
from widgets.turn_timeline import TurnTimeline, duration_text

TurnRows = Callable[[], Sequence[dict[str, Any]]]
REFRESH_S = 0.5
COLUMNS = ("turn", "start", "first audio", "end to end", "generation", "cost", "unheard")


def _span(turn: dict[str, Any], key: str) -> str:
    value = (turn.get("timeline") or {}).get("spans_ms", {}).get(key)
    return "—" if value is None else duration_text(value)


def turn_cells(turn: dict[str, Any]) -> tuple[str, ...]:
    """One table row: the turn's latency and cost columns, as shown."""
    cost = turn.get("cost") or {}
    total = "—" if cost.get("total") is None else f"${cost['total']:.4f}"
    unheard = ""
    if cost.get("unheard_audio_ms") is not None:
        unheard = duration_text(cost["unheard_audio_ms"])
        if cost.get("unheard_audio_usd") is not None:
            unheard += f" ≈${cost['unheard_audio_usd']:.4f}"
    return (str(turn["number"]), f"{turn.get('start_s', 0.0):.1f}s", _span(turn, "first_audio_ms"),
            _span(turn, "end_to_end_ms"), _span(turn, "generation_ms"), total, unheard)


def title(turns: Sequence[dict[str, Any]]) -> str:
    """`3 turns · $0.0123 · 2.30 s never heard ≈ $0.0029 · enter: its first event · esc back`."""
    if not turns:
        return "No turns yet  ·  esc back"
    parts = [f"{len(turns)} turn{'' if len(turns) == 1 else 's'}"]
    costs = [t["cost"]["total"] for t in turns if (t.get("cost") or {}).get("total") is not None]
    if costs:
        parts.append(f"${sum(costs):.4f}" + ("" if len(costs) == len(turns) else " (priced turns)"))
    cut = [t["cost"] for t in turns if (t.get("cost") or {}).get("unheard_audio_ms") is not None]
    if cut:
        unheard = f"{duration_text(sum(c['unheard_audio_ms'] for c in cut))} never heard"
        priced = [c["unheard_audio_usd"] for c in cut if c.get("unheard_audio_usd") is not None]
        parts.append(unheard + (f" ≈ ${sum(priced):.4f}" if priced else ""))
    return "  ·  ".join(parts + ["enter: its first event", "esc back"])


class TurnsScreen(Screen[int | None]):
    """Turns with their latency and cost; dismisses with the chosen turn's first event."""

    CSS_PATH = Path(__file__).with_name("turns.tcss")
    BINDINGS = [
        Binding("escape", "back", "Back", id="turns.back", tooltip="Back to where the view was opened"),
    ]

    def __init__(self, source: TurnRows, *, selected: int | None = None, name: str | None = None,
                 id: str | None = None) -> None:
        """Args:
        source: the turns now (called again while the view is open).
        selected: the turn number to select first (default: the newest turn).
        """
        super().__init__(name=name, id=id)
        self.source = source
        self.turns: list[dict[str, Any]] = []
        self._selected = selected
        self._shown: list[tuple[str, ...]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="turns-title", markup=False)
        yield DataTable(id="turns-table", cursor_type="row", zebra_stripes=True)
        yield TurnTimeline(id="turn-timeline")
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self.reload()
        table.focus()
        self.set_interval(REFRESH_S, self.reload, name="turns-refresh")

    def reload(self) -> None:
        """Ask `source` for the turns; redraw what changed, keeping the selected row."""
        turns = list(self.source())
        cells = [turn_cells(t) for t in turns]
        table = self.query_one(DataTable)
        if cells != self._shown:
            keep = self._selected if self._shown else (self._selected or (turns[-1]["number"] if turns else None))
            self.turns, self._shown = turns, cells
            table.clear()
            for turn, row in zip(turns, cells):
                table.add_row(*row, key=str(turn["number"]))
            if keep is not None and 1 <= keep <= len(turns):
                table.move_cursor(row=keep - 1, scroll=True)
        else:
            self.turns = turns
        self.query_one("#turns-title", Static).update(title(turns))
        self._show_selected()

    def selected_turn(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        return self.turns[row] if self.turns and 0 <= row < len(self.turns) else None

    def _show_selected(self) -> None:
        turn = self.selected_turn()
        self.query_one(TurnTimeline).show(turn)

    @on(DataTable.RowHighlighted, "#turns-table")
    def _highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        turn = self.selected_turn()
        if turn is not None:
            self._selected = turn["number"]
        self._show_selected()

    @on(DataTable.RowSelected, "#turns-table")
    def _chosen(self, message: DataTable.RowSelected) -> None:
        message.stop()
        turn = self.selected_turn()
        if turn is not None:
            self.dismiss(int(turn["start_event"]))

    def action_back(self) -> None:
        self.dismiss(None)
