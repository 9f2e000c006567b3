"""The status header: connection, endpoint, session, turn mode, mic, usage, limits, latency.

It renders a `console.session.stats.SessionStats` snapshot; the screen calls `show(stats, now)`
when the bridge reports a change and once a second for the session clock. Two lines,
fitted to the width: on an 80-column SSH terminal items shrink or go in a fixed priority
order (`_SHRINK_ORDER`) instead of being cut by the ellipsis, and wide terminals get
everything; nothing in it can contain the API key (the stats hold
only the endpoint label, never a URL query or a header).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.widgets import Static

from console.session.stats import SessionStats

_STATE_GLYPH = {
    "idle": ("○", "dim"),
    "connecting": ("◌", "yellow"),
    "connected": ("●", "green"),
    "disconnected": ("○", "red"),
    "failed": ("✖", "bold red"),
}
_TURN_LABEL = {"vad": "server VAD", "ptt": "push-to-talk"}
_TURN_SHORT = {"vad": "VAD", "ptt": "PTT"}
_LIMIT_NAMES = {"requests": "req", "tokens": "tok"}
_MIC_STYLE = {"recording": "bold red", "streaming": "bold red", "off": "dim", "unavailable": "yellow"}
_MIC_SHORT = {"recording": "rec", "streaming": "live", "unavailable": "n/a"}


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 6000:  # minutes up to 99: GA sessions last 60 minutes
        return f"{seconds // 60:02d}:{seconds % 60:02d}"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def _count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n / 1000:.1f}k"
    return f"{n:,}"


#: The recording path gets at least this many cells, even where the line is already full
#: (the widget's own ellipsis then cuts it): a shorter stub would say nothing.
MIN_PATH_CELLS = 16
#: Cells for the recording path when the width is unknown (before the first layout).
DEFAULT_PATH_CELLS = 48


def shorten_path(path: str | os.PathLike[str], cells: int, home: str | os.PathLike[str] | None = None) -> str:
    """`path` in at most `cells` characters, for a status line.

    The home directory becomes `~`; if that is still too long, middle directories give way
    to `…` (the file name says most: when, which model, which backend), and last the name
    itself is cut in its middle, keeping its start (the time) and its end (the backend).

    Args:
        path: the path to show.
        cells: the room available (at least 3 is sensible).
        home: the home directory; default the user's.
    """
    text = str(path)
    home_text = str(home if home is not None else Path.home()).rstrip(os.sep)
    if home_text and (text == home_text or text.startswith(home_text + os.sep)):
        text = "~" + text[len(home_text):]
    if len(text) <= cells:
        return text
    parts = text.split(os.sep)
    head = parts[0] + os.sep if parts[0] else os.sep  # "~/" or "/"
    for keep in range(len(parts) - 2, 0, -1):
        candidate = head + "…" + os.sep + os.sep.join(parts[-keep:])
        if len(candidate) <= cells:
            return candidate
    name = parts[-1]
    room = cells - 2  # "…/" before the name
    if len(name) <= room:
        return "…" + os.sep + name
    if cells < 2:
        return "…"[:cells]
    front = (cells - 1) // 2
    back = cells - 1 - front
    return name[:front] + "…" + (name[-back:] if back else "")


def _recording(line: Text, stats: SessionStats, width: int | None) -> None:
    """Append where the session is recorded (live sessions only) to `line`."""
    if stats.recording is None:
        return
    line.append("  rec ", style="dim")
    if stats.recording == "off":
        line.append("off", style="dim")
    elif stats.recording == "stopped":
        line.append("stopped", style="bold red")
    else:
        cells = DEFAULT_PATH_CELLS if width is None else max(MIN_PATH_CELLS, width - line.cell_len)
        line.append(shorten_path(stats.recording_path, cells))


class _Part:
    """One item of a header line in its forms, widest first; the last may be empty (dropped).

    `shrink()` moves to the next form; the fitting in `render_status` calls it in priority
    order until the line fits.
    """

    __slots__ = ("forms", "level")

    def __init__(self, *forms: Text) -> None:
        self.forms = forms
        self.level = 0

    @property
    def text(self) -> Text:
        return self.forms[self.level]

    def shrink(self) -> bool:
        """Use the next narrower form; False if this is already the narrowest."""
        if self.level + 1 >= len(self.forms):
            return False
        self.level += 1
        return True


def _text(*pieces: tuple[str, str] | str) -> Text:
    return Text.assemble(*pieces)


_DROPPED = Text()


def _join(parts: list[_Part]) -> Text:
    line = Text()
    for part in parts:
        line.append_text(part.text)
    return line


def _identity_parts(stats: SessionStats, now: float) -> dict[str, _Part]:
    """Line 1: connection, endpoint, protocol, model, session id, age, connection problem."""
    glyph, style = _STATE_GLYPH.get(stats.connection, ("?", ""))
    endpoint_short = stats.endpoint.split(":", 1)[0] if stats.endpoint.startswith("offline") else stats.endpoint
    parts = {
        "state": _Part(_text((f"{glyph} {stats.connection}", style))),
        "endpoint": _Part(_text("  ", (stats.endpoint, "bold")), _text("  ", (endpoint_short, "bold"))),
        "protocol": _Part(_text((f" · {stats.protocol}", "dim")), _DROPPED),
        "model": _Part(_text(f" · {stats.model}") if stats.model else _DROPPED, _DROPPED),
        "session": _Part(_text((f" · {stats.session_id}", "dim")) if stats.session_id else _DROPPED, _DROPPED),
    }
    age = stats.age_seconds(now)
    if age is not None:
        remaining = stats.remaining_seconds(now)
        if remaining is not None and stats.expires_at is not None and stats.session_started is not None:
            total = stats.expires_at - stats.session_started
            warn = "bold red" if remaining < 300 else ""
            parts["age"] = _Part(
                _text("  age ", (f"{_clock(age)} / {_clock(total)}", warn)),
                _text("  age ", (f"{_clock(age)}/{_clock(total)}", warn)),
                _text("  ", (f"{_clock(age)}/{_clock(total)}", warn)),
            )
        else:
            parts["age"] = _Part(_text(f"  age {_clock(age)}"), _text(f"  {_clock(age)}"))
    if stats.connection_detail and stats.connection in ("failed", "disconnected", "connecting"):
        parts["detail"] = _Part(
            _text((f"  {stats.connection_detail}", "red" if stats.connection != "connecting" else "dim"))
        )
    return parts


def _unheard(stats: SessionStats) -> str:
    """` (≈$0.0019 unheard)`: the cost of audio generated after truncation points, or its
    length when it cannot be priced; nothing while no answer was cut."""
    if not stats.unheard_ms:
        return ""
    if stats.unheard_usd is not None:
        return f" (≈${stats.unheard_usd:.4f} unheard)"
    return f" ({stats.unheard_ms / 1000:.1f} s unheard)"


def _counter_parts(stats: SessionStats) -> dict[str, _Part]:
    """Line 2: errors, turn mode, mic, tokens, cost, latency, rate limits."""
    mic_style = _MIC_STYLE.get(stats.mic, "")
    mic_full = _text(("  mic ", "dim"), (stats.mic, mic_style))
    if stats.mic == "unavailable" and stats.mic_detail:
        mic_full.append(f" ({stats.mic_detail})", style="yellow")
    tokens = (_count(stats.input_tokens), _count(stats.output_tokens))
    across = f" ({stats.sessions} sessions)" if stats.sessions > 1 else ""
    cost = f"≈${stats.cost_usd:.4f}" if stats.cost_usd < 1 else f"≈${stats.cost_usd:.2f}"
    if stats.unpriced_model:  # never a figure from another model's prices
        cost = "cost: no price" if not stats.cost_usd else cost + "+?"
    latency = "—" if stats.last_latency_ms is None else f"{stats.last_latency_ms:.0f} ms"
    parts = {
        "turn": _Part(
            _text(("  turn ", "dim"), _TURN_LABEL.get(stats.turn_mode, stats.turn_mode)),
            _text("  " + _TURN_SHORT.get(stats.turn_mode, stats.turn_mode)),
        ),
        "mic": _Part(mic_full, _text(("  mic ", "dim"), (_MIC_SHORT.get(stats.mic, stats.mic), mic_style))),
        "tokens": _Part(
            _text(("  tokens ", "dim"), f"{tokens[0]} in / {tokens[1]} out{across}"),
            _text(("  tok ", "dim"), f"{tokens[0]}/{tokens[1]}" + (f" ×{stats.sessions}" if across else "")),
        ),
        # the never-heard figure goes first when the line is short of room
        "cost": _Part(_text(f"  {cost}{_unheard(stats)}"), _text(f"  {cost}")),
        "latency": _Part(_text(("  latency ", "dim"), latency), _text(("  lat ", "dim"), latency)),
        "errors": _Part(_text((f"  errors {stats.errors}", "bold red")) if stats.errors else _DROPPED),
        "lint": _Part(_text((f"  lint {stats.lint_findings}", "bold yellow")) if stats.lint_findings else _DROPPED),
    }
    if stats.rate_limits:
        limits = " ".join(
            f"{_LIMIT_NAMES.get(r.name, r.name)} {_count(r.remaining)}/{_count(r.limit)}"
            for r in stats.rate_limits.values()
        )
        parts["limits"] = _Part(_text(("  limits ", "dim"), limits), _DROPPED)
    return parts


#: What gives way first when a header line does not fit (each step shrinks one item by one
#: form): the session id goes, the cost loses its never-heard figure (the turn view, F6,
#: has it too), the rate limits go, then labels shorten, then the model and protocol go.
#: Connection state, endpoint, errors, age, cost and latency stay.
_SHRINK_ORDER = (
    "session", "cost", "limits", "tokens", "mic", "turn", "latency", "age", "model", "protocol", "endpoint", "age",
)
_WIDE_ORDER = (("state", "endpoint", "protocol", "model", "session", "age", "detail"),
               ("turn", "mic", "tokens", "cost", "latency", "errors", "lint", "limits"))
#: Once anything is shortened the error count moves to the front of its line, where the
#: ellipsis of a still-too-long line never reaches it.
_NARROW_ORDER = (_WIDE_ORDER[0], ("errors", "lint", "turn", "mic", "tokens", "cost", "latency", "limits"))


def _fit_lines(
    identity: dict[str, _Part], counters: dict[str, _Part], width: int | None, extra: int = 0
) -> tuple[Text, Text]:
    """The two lines, shrinking items in `_SHRINK_ORDER` until both fit `width` cells.

    `extra` cells must also fit after the shorter line (where the recording state goes).
    """
    def lines(order: tuple[tuple[str, ...], tuple[str, ...]]) -> tuple[Text, Text]:
        first = _join([identity[k] for k in order[0] if k in identity])
        second = _join([counters[k] for k in order[1] if k in counters])
        return first, _strip_leading(second)  # an item's "  " separator never starts a line

    def fits(first: Text, second: Text) -> bool:
        assert width is not None
        return max(first.cell_len, second.cell_len) <= width and min(first.cell_len, second.cell_len) + extra <= width

    def overflowing(first: Text, second: Text) -> dict[str, _Part]:
        """The items of the line(s) that must give way."""
        assert width is not None
        over = {}
        if first.cell_len > width:
            over.update(identity)
        if second.cell_len > width:
            over.update(counters)
        if not over and min(first.cell_len, second.cell_len) + extra > width:
            over.update(identity)  # either line may become the shorter one
            over.update(counters)
        return over

    first, second = lines(_WIDE_ORDER)
    if width is None or fits(first, second):
        return first, second
    for name in _SHRINK_ORDER:
        part = overflowing(first, second).get(name)
        if part is None or not part.shrink():
            continue
        first, second = lines(_NARROW_ORDER)
        if fits(first, second):
            break
    first, second = lines(_NARROW_ORDER)
    limits = counters.get("limits")
    if limits is not None and limits.level and first.cell_len + limits.forms[0].cell_len + extra <= width:
        first.append_text(limits.forms[0])  # room on the first line: the rate limits move there
    return first, second


def _strip_leading(line: Text) -> Text:
    """`line` without leading spaces (an item's separator when it comes first)."""
    plain = line.plain
    cut = len(plain) - len(plain.lstrip(" "))
    return line[cut:] if cut else line


def render_status(stats: SessionStats, now: float, width: int | None = None) -> Text:
    """The two header lines for `stats` at wall-clock time `now` (pure: tested alone).

    With `width` (cells) both lines are fitted to it: items shrink or go in `_SHRINK_ORDER`
    (the full detail whenever it fits), and the recording path, last on the line with more
    room, is shortened to the room left. None renders everything with a fixed path budget.
    """
    # "rec off" and "rec stopped" must fit whole; a path is shortened to what is left.
    extra = len(f"  rec {stats.recording}") if stats.recording in ("off", "stopped") else 0
    first, second = _fit_lines(_identity_parts(stats, now), _counter_parts(stats), width, extra)
    # The recording path goes where there is more room (the session id and rate limits
    # come and go), so it is cut as little as possible.
    _recording(first if first.cell_len <= second.cell_len else second, stats, width)
    return Text("\n").join([first, second])


class StatusHeader(Static):
    """Two-line status of the session (see `render_status`)."""

    DEFAULT_CSS = """
    /* Two lines whatever the width: a narrow (SSH, 80-column) terminal cuts each line
       with an ellipsis instead of wrapping the first into the second. */
    StatusHeader {
        height: 2;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $panel;
        color: $foreground;
    }
    StatusHeader.-failed, StatusHeader.-disconnected { background: $error 20%; }
    StatusHeader.-offline { border-left: outer $warning; }
    """

    _last: tuple[SessionStats, float] | None = None
    _shown: Text | None = None
    _changed_rows: tuple[int, ...] | None = None

    def show(self, stats: SessionStats, now: float) -> None:
        """Render `stats` at time `now` (seconds since the epoch).

        Called once a second by the screen's clock and on every stats change: the widget
        repaints only when the text differs from what it shows, and never asks for a
        layout (its size comes from CSS, not from its text), so an idle console costs one
        header repaint per second (the session age) and no re-layout of the screen.
        """
        self._last = (stats, now)
        self.set_class(stats.connection == "failed", "-failed")
        self.set_class(stats.connection == "disconnected", "-disconnected")
        self.set_class(stats.endpoint.startswith("offline"), "-offline")
        width = self.content_size.width
        text = render_status(stats, now, width or None)
        if text == self._shown:
            return
        if self._shown is not None:  # repaint only the line(s) that changed
            old, new = self._shown.split("\n"), text.split("\n")
            if len(old) == len(new):
                self._changed_rows = tuple(y for y, (a, b) in enumerate(zip(old, new)) if a != b)
        self._shown = text
        try:
            self.update(text, layout=False)
        finally:
            self._changed_rows = None

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """Narrow `show`'s whole-widget repaint to the rows whose text changed.

        `Static.update` always marks the whole widget dirty; the session age changes
        every second but the counters line rarely does, so this halves the header's
        steady output. Any other refresh (styles, resize, layout) stays whole.
        """
        if self._changed_rows is not None and not regions and not layout and not recompose:
            width = self.content_size.width
            regions = tuple(Region(0, y, width, 1) for y in self._changed_rows)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def on_resize(self, event: events.Resize) -> None:
        """The recording path is shortened to the width: redraw for the new one."""
        self._shown = None
        if self._last is not None:
            self.show(*self._last)
