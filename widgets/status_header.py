"""The status header: connection, endpoint, session, turn mode, mic, usage, limits, latency.

It renders a `console.stats.SessionStats` snapshot; the screen calls `show(stats, now)`
when the bridge reports a change and once a second for the session clock. Two lines, so
it fits an 80-column SSH terminal; nothing in it can contain the API key (the stats hold
only the endpoint label, never a URL query or a header).
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import events
from textual.widgets import Static

from console.stats import SessionStats

_STATE_GLYPH = {
    "idle": ("○", "dim"),
    "connecting": ("◌", "yellow"),
    "connected": ("●", "green"),
    "disconnected": ("○", "red"),
    "failed": ("✖", "bold red"),
}
_TURN_LABEL = {"vad": "server VAD", "ptt": "push-to-talk"}
_LIMIT_NAMES = {"requests": "req", "tokens": "tok"}
_MIC_STYLE = {"recording": "bold red", "streaming": "bold red", "off": "dim", "unavailable": "yellow"}


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


def render_status(stats: SessionStats, now: float, width: int | None = None) -> Text:
    """The two header lines for `stats` at wall-clock time `now` (pure: tested alone).

    `width` (cells) lets the recording path, last on the line with more room, be
    shortened to the room left; None uses a fixed budget.
    """
    glyph, style = _STATE_GLYPH.get(stats.connection, ("?", ""))
    line = Text()
    line.append(f"{glyph} {stats.connection}", style=style)
    line.append("  ")
    line.append(stats.endpoint, style="bold")
    line.append(f" · {stats.protocol}", style="dim")
    if stats.model:
        line.append(f" · {stats.model}")
    if stats.session_id:
        line.append(f" · {stats.session_id}", style="dim")
    age = stats.age_seconds(now)
    if age is not None:
        line.append("  age ")
        remaining = stats.remaining_seconds(now)
        if remaining is not None and stats.expires_at is not None and stats.session_started is not None:
            total = stats.expires_at - stats.session_started
            warn = "bold red" if remaining < 300 else ""
            line.append(f"{_clock(age)} / {_clock(total)}", style=warn)
        else:
            line.append(_clock(age))
    if stats.connection_detail and stats.connection in ("failed", "disconnected", "connecting"):
        line.append(f"  {stats.connection_detail}", style="red" if stats.connection != "connecting" else "dim")
    first, line = line, Text()
    line.append("turn ", style="dim")
    line.append(_TURN_LABEL.get(stats.turn_mode, stats.turn_mode))
    line.append("  mic ", style="dim")
    line.append(stats.mic, style=_MIC_STYLE.get(stats.mic, ""))
    if stats.mic == "unavailable" and stats.mic_detail:
        line.append(f" ({stats.mic_detail})", style="yellow")
    line.append("  tokens ", style="dim")
    line.append(f"{_count(stats.input_tokens)} in / {_count(stats.output_tokens)} out")
    line.append(f"  ≈${stats.cost_usd:.4f}" if stats.cost_usd < 1 else f"  ≈${stats.cost_usd:.2f}")
    line.append("  latency ", style="dim")
    line.append("—" if stats.last_latency_ms is None else f"{stats.last_latency_ms:.0f} ms")
    if stats.errors:
        line.append(f"  errors {stats.errors}", style="bold red")
    if stats.rate_limits:
        line.append("  limits ", style="dim")
        line.append(
            " ".join(f"{_LIMIT_NAMES.get(r.name, r.name)} {_count(r.remaining)}/{_count(r.limit)}"
                     for r in stats.rate_limits.values())
        )
    second = line
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

    def show(self, stats: SessionStats, now: float) -> None:
        """Render `stats` at time `now` (seconds since the epoch)."""
        self._last = (stats, now)
        self.set_class(stats.connection == "failed", "-failed")
        self.set_class(stats.connection == "disconnected", "-disconnected")
        self.set_class(stats.endpoint.startswith("offline"), "-offline")
        width = self.content_size.width
        self.update(render_status(stats, now, width or None))

    def on_resize(self, event: events.Resize) -> None:
        """The recording path is shortened to the width: redraw for the new one."""
        if self._last is not None:
            self.show(*self._last)
