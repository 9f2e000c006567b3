"""Per-turn timelines and costs as events arrive, for the console's turn view.

`TurnTimelines` is fed one event at a time (`observe`) by the live `Session` with every
event it ingests, and by the replay with every event it loads. It is a view over the very
analysis `inspect` runs (`console.recording.analysis.TurnAnalyser`, which `inspect` drives
over the whole file): the same turn rule, the same timeline marks, the same cost
(`timeline.build_timeline`, `turn_cost.turn_cost`), so a turn reads the same in the
console, the replay and `inspect --json`.

What only a whole file can tell is the one difference: a refused `response.create` is
recognised by the `error` naming its `event_id` (see `TurnAnalyser`), and audio is measured
from each delta's base64 length (the replay's stand-in payloads keep it) where `inspect`
measures it from the lines' sizes.
"""

from __future__ import annotations

from typing import Any

from console.recording.analysis import TurnAnalyser
from console.recording.prices import PriceTable
from console.recording.turn_cost import turn_cost, unheard_totals


class TurnTimelines:
    """Turns of one conversation, updated per event; `rows()` gives the report's shape."""

    def __init__(self) -> None:
        self.analysis = TurnAnalyser()
        #: Bumped on every change, so a view redraws only when there is something new.
        self.version = 0
        self._rows_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None

    @property
    def turns(self) -> list[Any]:
        """The analysis' turns (`number`, `start_event`, `start_s`, `marks`...)."""
        return self.analysis.turns

    def reset(self) -> None:
        """A new conversation: forget every turn (the version keeps counting up, so a
        view's cached rows are never taken for the new conversation's)."""
        self.analysis = TurnAnalyser()
        self.version += 1
        self._rows_cache = None

    def observe(self, index: int, source: str, event: dict[str, Any], t: float) -> bool:
        """Account for event `index` at `t` seconds; True when the analysis changed."""
        changed = self.analysis.observe(index, source, event, t)
        if changed:
            self.version += 1
        return changed

    def rows(self, model: str | None, prices: PriceTable, *, only_cut: bool = False) -> list[dict[str, Any]]:
        """Per turn: `number`, `start_event`, `start_s`, `timeline`, `cost` (as in the
        report) and `item_ids` (the assistant items of its response).

        Args:
            only_cut: only the turns whose answer was truncated (what the never-heard
                figure sums, without building every other turn's timeline again).
        """
        key = (self.version, model, id(prices), only_cut)
        if self._rows_cache is not None and self._rows_cache[0] == key:
            return self._rows_cache[1]
        analysis = self.analysis
        cut = {entry["turn"] for entry in analysis.truncations.values()}
        out = []
        for turn in analysis.turns:
            if only_cut and turn.number not in cut:
                continue
            timeline = analysis.timeline(turn)
            out.append({"number": turn.number, "start_event": turn.start_event, "start_s": round(turn.start_s, 3),
                        "timeline": timeline, "cost": turn_cost(turn.usage, timeline, model, prices),
                        "item_ids": [i["item_id"] for i in turn.items.values() if isinstance(i["item_id"], str)]})
        self._rows_cache = (key, out)
        return out

    def turn_of_item(self, item_id: str | None) -> int | None:
        """The number of the turn an item belongs to (assistant, or the user's input)."""
        if not item_id:
            return None
        analysis = self.analysis
        turn = analysis.turn_by_item.get(item_id)
        if turn is None:
            turn = next((t for t in reversed(analysis.turns) if item_id in t.items), None)
        turns = analysis.turns  # a turn dropped (a refused request) is no answer
        if turn is None or turn.number > len(turns) or turns[turn.number - 1] is not turn:
            return None
        return turn.number


def unheard_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summed never-heard audio over `rows()` (see `turn_cost.unheard_totals`)."""
    return unheard_totals(r["cost"] for r in rows)
