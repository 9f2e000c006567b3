"""A compact bar chart of where one turn's time went.

One row per span of the turn's timeline (`console.recording.timeline`: speech, commit,
to response, first text, first audio, generation, playback, end to end), each a bar placed
where the span starts and as long as it lasts on one shared time axis, with its length in
ms at the end of the row; spans the turn does not have are left out. A heading line names
the turn, its cost and what of its audio was never heard.

The widget only draws what it is given: a turn object in the shape of `inspect --json`'s
`turns[]` (`number`, `timeline`, optionally `cost`), computed outside the UI by the same code
for the live console, the replay and `inspect`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widget import Widget

#: (span key, row label, bar style), in timeline order.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("speech_ms", "speech", "cyan"),
    ("commit_ms", "commit", "blue"),
    ("to_response_ms", "to response", "magenta"),
    ("first_text_ms", "first text", "yellow"),
    ("first_audio_ms", "first audio", "bold yellow"),
    ("generation_ms", "generation", "green"),
    ("playback_ms", "playback", "bright_green"),
    ("end_to_end_ms", "end to end", "bold red"),
)
LABEL_WIDTH = 12
VALUE_WIDTH = 9


def duration_text(ms: float) -> str:
    """`310 ms` below a second, `1.20 s` from there (as `inspect`'s timeline line)."""
    return f"{ms:.0f} ms" if abs(ms) < 1000 else f"{ms / 1000:.2f} s"


def heading(turn: Mapping[str, Any], width: int | None = None) -> Text:
    """`turn 3 · end to end 700 ms · $0.0042 · 200 ms unheard ≈ $0.0013`, broken into lines
    between its parts (never inside one) when `width` is too narrow for one line."""
    timeline = turn.get("timeline") or {}
    spans = timeline.get("spans_ms") or {}
    cost = turn.get("cost") or {}
    parts = [Text(f"turn {turn.get('number', '?')}", style="bold")]
    for key, label in (("end_to_end_ms", "end to end"), ("first_audio_ms", "first audio")):
        if spans.get(key) is not None:
            parts.append(Text(f"{label} {duration_text(spans[key])}"))
    if cost.get("total") is not None:
        parts.append(Text(f"${cost['total']:.4f}"))
    if cost.get("unheard_audio_ms") is not None:
        unheard = f"{duration_text(cost['unheard_audio_ms'])} unheard"
        if cost.get("unheard_audio_usd") is not None:
            unheard += f" ≈ ${cost['unheard_audio_usd']:.4f}"
        parts.append(Text(unheard, style="yellow"))
    if timeline.get("truncated_at_ms") is not None:
        cut = f"cut at {duration_text(float(timeline['truncated_at_ms']))}"
        if timeline.get("audio_ms") is not None:
            cut += f" of {duration_text(float(timeline['audio_ms']))}"
        parts.append(Text(cut, style="dim"))
    elif timeline.get("playback_end_source") == "estimated":
        parts.append(Text("playback estimated", style="dim"))
    text = parts[0].copy()
    line = text.cell_len
    for part in parts[1:]:
        if width is not None and line + 3 + part.cell_len > width:
            text.append("\n")
            line = 0
        else:
            text.append(" · ")
            line += 3
        text.append_text(part)
        line += part.cell_len
    return text


def render_turn_timeline(turn: Mapping[str, Any] | None, width: int) -> Text:
    """The chart as text `width` cells wide: the heading (one line or more), then one row
    per span."""
    if not turn:
        return Text("no turn selected", style="dim")
    timeline = turn.get("timeline") or {}
    spans = timeline.get("spans_ms") or {}
    bounds = timeline.get("span_bounds_s") or {}
    rows = [(key, label, style) for key, label, style in ROWS if spans.get(key) is not None and bounds.get(key)]
    out = heading(turn, width)
    out.no_wrap = True  # every line is cut to `width` here: the widget's height counts them
    if not rows:
        out.append("\nno timeline yet", style="dim")
        return out
    ends = [t for key, _, _ in rows for t in bounds[key]]
    t0, t1 = min(ends), max(ends)
    bar_width = max(10, width - LABEL_WIDTH - VALUE_WIDTH)
    scale = bar_width / (t1 - t0) if t1 > t0 else 0.0
    for key, label, style in rows:
        start, end = bounds[key]
        lo, hi = (start, end) if end >= start else (end, start)  # a negative span: drawn where it lies
        col = min(bar_width - 1, round((lo - t0) * scale))
        length = max(1, min(bar_width - col, round((hi - lo) * scale)))
        out.append("\n" + label.ljust(LABEL_WIDTH)[:LABEL_WIDTH])
        out.append(" " * col)
        out.append("█" * length if hi > lo else "▏", style=style if end >= start else "dim " + style)
        out.append(" " * (bar_width - col - length))
        out.append(duration_text(spans[key]).rjust(VALUE_WIDTH), style="bold")
    return out


class TurnTimeline(Widget):
    """The selected turn's timeline as proportional bars; `show(turn)` changes the turn."""

    DEFAULT_CSS = """
    TurnTimeline {
        height: auto;
        min-height: 3;
        padding: 0 1;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.turn: Mapping[str, Any] | None = None

    def show(self, turn: Mapping[str, Any] | None) -> None:
        """Draw `turn` (a `turns[]` object; None: nothing selected)."""
        self.turn = turn
        self.refresh(layout=True)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(render_turn_timeline(self.turn, width).plain.splitlines()) or 1

    def render(self) -> Text:
        return render_turn_timeline(self.turn, self.content_region.width or self.size.width)

    def lines(self) -> list[str]:
        """The chart's rows as plain text (what a test or a copy reads)."""
        return render_turn_timeline(self.turn, self.content_region.width or 80).plain.splitlines()
