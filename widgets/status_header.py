"""The status header: connection, endpoint, session, turn mode, mic, usage, limits, latency.

It renders a `console.stats.SessionStats` snapshot; the screen calls `show(stats, now)`
when the bridge reports a change and once a second for the session clock. Two lines, so
it fits an 80-column SSH terminal; nothing in it can contain the API key (the stats hold
only the endpoint label, never a URL query or a header).
"""

from __future__ import annotations

from rich.text import Text
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


def render_status(stats: SessionStats, now: float) -> Text:
    """The two header lines for `stats` at wall-clock time `now` (pure: tested alone)."""
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

    line.append("\n")
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
    return line


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

    def show(self, stats: SessionStats, now: float) -> None:
        """Render `stats` at time `now` (seconds since the epoch)."""
        self.set_class(stats.connection == "failed", "-failed")
        self.set_class(stats.connection == "disconnected", "-disconnected")
        self.set_class(stats.endpoint.startswith("offline"), "-offline")
        self.update(render_status(stats, now))
