"""`ReplayBar`: the replay's transport line (play state, speed, cursor, time, turn, and
the file of a reconnected session's chain) and the indexing progress.

The screen hands it a `ReplayPosition` snapshot (data down) whenever the cursor moves or
indexing advances; the bar never reads the controller itself. While the recording is
still being indexed a `ProgressBar` shows how much of the file was scanned, so a large
file is usable at once and visibly filling in.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static


@dataclass(frozen=True)
class ReplayPosition:
    """What the bar shows (pure data, so `render_position` is tested without an app)."""

    playing: bool
    speed: float
    cursor: int
    events: int
    time: float
    duration: float
    turn: int
    turns: int
    event_type: str = ""
    indexing: bool = False
    ended: bool = False
    #: The file the cursor is in (1-based) of how many: a reconnected session's chain of
    #: files; shown only when there is more than one.
    file: int = 1
    files: int = 1


def _clock(seconds: float) -> str:
    seconds = max(0.0, seconds)
    minutes, secs = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(int(minutes), 60)
        return f"{hours}:{minutes:02d}:{secs:04.1f}"
    return f"{int(minutes):02d}:{secs:04.1f}"


def _speed(speed: float) -> str:
    return f"{speed:g}×"


def render_position(pos: ReplayPosition) -> Text:
    """The transport line for a position."""
    out = Text()
    if pos.playing:
        out.append("▶ playing", style="bold green")
    elif pos.ended:
        out.append("■ end", style="bold")
    else:
        out.append("⏸ paused", style="bold yellow")
    out.append(f" {_speed(pos.speed)}", style="bold")
    more = "+" if pos.indexing else ""
    out.append("  event ", style="dim")
    out.append(f"#{pos.cursor:,}" if pos.cursor >= 0 else "—")
    out.append(f" of {pos.events:,}{more}", style="dim")
    out.append("  ", style="dim")
    out.append(f"{_clock(pos.time)} / {_clock(pos.duration)}{more}")
    out.append("  turn ", style="dim")
    out.append(f"{pos.turn}/{pos.turns}{more}")
    if pos.files > 1:
        out.append("  file ", style="dim")
        out.append(f"{pos.file}/{pos.files}")
    if pos.event_type:
        out.append(f"  {pos.event_type}", style="italic")
    return out


class ReplayBar(Horizontal):
    """One line: the transport state, plus a progress bar while indexing."""

    DEFAULT_CSS = """
    ReplayBar { height: 1; background: $boost; padding: 0 1; }
    ReplayBar > #replay-state { width: 1fr; height: 1; }
    ReplayBar > #replay-progress-label { width: auto; height: 1; color: $text-muted; padding: 0 1; }
    ReplayBar > #replay-progress { width: 36; height: 1; }
    ReplayBar > .-done { display: none; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._text = Text()

    def compose(self) -> ComposeResult:
        yield Static("", id="replay-state")
        yield Static("indexing", id="replay-progress-label")
        yield ProgressBar(total=100, show_eta=False, id="replay-progress")

    def show(self, position: ReplayPosition) -> None:
        """Render a position snapshot."""
        self._text = render_position(position)
        self.query_one("#replay-state", Static).update(self._text)

    def show_progress(self, done: int, total: int, label: str = "indexing") -> None:
        """Progress of a background phase (`label`); the bar disappears when `done >= total`."""
        bar = self.query_one("#replay-progress", ProgressBar)
        caption = self.query_one("#replay-progress-label", Static)
        bar.update(total=max(1, total), progress=min(done, total))
        caption.update(label)
        for widget in (bar, caption):
            widget.set_class(done >= total, "-done")

    @property
    def progress_shown(self) -> bool:
        """Whether a background phase is still shown as in progress."""
        return not self.query_one("#replay-progress", ProgressBar).has_class("-done")

    @property
    def text(self) -> str:
        """The transport line as plain text (for tests)."""
        return self._text.plain
