"""`Waveform`: a live audio waveform drawn by numpy as braille rows (Line API).

Why this design (measured on a 2-core machine): building the rows with numpy
and returning them from `render_line` costs ~2 ms per frame at 160x8, where `Sparkline`
costs ~28 ms and `Static.update(Text)` ~17 ms, so 30 fps stays near 10 % of a slow core.
There is no per-sample Python loop: the latest window of the ring buffer is reshaped into
one column per braille dot, reduced to min/max per column, and the dot grid is packed
into braille code points with a weighted sum.

The widget only reads its `RingBuffer` (the audio thread or a playback clock writes it)
on its own timer, and repaints only when the picture changed: a playback clock writes
silence into its ring all the time, and repainting an unchanged flat line 20 times a
second was most of the idle console's CPU and nearly all of its terminal output
(bench/bench_idle.py). Silence arriving into an all-silent picture is recognised from the
new samples alone (the frame is not even rebuilt); any other frame is rebuilt and painted
only if its rows or level differ from the ones on screen. Row 0 carries the label with the current level in dBFS and, while `vad_active`,
a speech mark.
"""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from console.audio.ring import RingBuffer

# Braille dot bits by (row within cell, column within cell).
_DOT_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint32)
MIN_PEAK = 1024  # silence draws a flat line instead of amplified noise
#: While the picture is digital silence the ring is only polled this often (at most): on
#: an idle console every timer tick costs an event-loop wake-up, and 10 Hz still shows
#: the start of speech within 100 ms; the full `fps` resumes with the first sound.
IDLE_FPS = 10.0


def braille_rows(samples: np.ndarray, width: int, height: int, *, min_peak: int = MIN_PEAK) -> list[str]:
    """Draw `samples` as `height` strings of `width` braille characters.

    Each character holds 2x4 dots; each dot column covers an equal slice of the samples
    and fills the dots between its minimum and maximum. The vertical scale follows the
    loudest sample shown (at least `min_peak`). Empty cells are spaces.
    """
    if width <= 0 or height <= 0:
        return []
    cols, rows = 2 * width, 4 * height
    n = (len(samples) // cols) * cols
    if n == 0:
        lo = hi = np.zeros(cols, dtype=np.int32)
    else:
        grid = np.asarray(samples[len(samples) - n :], dtype=np.int32).reshape(cols, -1)
        # Include the previous column's last sample so a slow wave draws as a joined line.
        prev = np.empty(cols, dtype=np.int32)
        prev[0] = grid[0, 0]
        prev[1:] = grid[:-1, -1]
        lo = np.minimum(grid.min(axis=1), prev)
        hi = np.maximum(grid.max(axis=1), prev)
    peak = max(int(max(-lo.min(), hi.max())), min_peak)
    span = (rows - 1) / (2 * peak)
    top = np.rint((peak - hi) * span).astype(np.int32)
    bottom = np.rint((peak - lo) * span).astype(np.int32)
    dot_rows = np.arange(rows, dtype=np.int32)[:, None]
    on = (dot_rows >= top[None, :]) & (dot_rows <= bottom[None, :])
    cells = on.reshape(height, 4, width, 2)
    codes = (cells * _DOT_BITS[None, :, None, :]).sum(axis=(1, 3), dtype=np.uint32)
    chars = np.where(codes == 0, 0x20, codes + 0x2800).astype("<u4")
    return [str(s) for s in np.ascontiguousarray(chars).view(f"<U{width}")[:, 0]]


def level_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS (-96 for digital silence)."""
    if len(samples) == 0:
        return -96.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(-96.0, 20 * np.log10(rms / 32768)) if rms > 0 else -96.0


class Waveform(Widget):
    """A live waveform of a `RingBuffer` (microphone or model voice).

    Args:
        ring: the buffer to draw (settable later through `ring`).
        label: shown top-left with the current level.
        samplerate: rate of the ring's samples, for the time window.
        window_ms: how much recent audio spans the width.
        fps: redraw rate while there is sound (20-30 is smooth); a silent picture polls
            at `IDLE_FPS`, and no ring at all needs no timer.
    """

    DEFAULT_CSS = """
    Waveform {
        height: 6;
        min-height: 1;
    }
    Waveform > .waveform--wave {
        color: $primary;
    }
    Waveform.-vad-active > .waveform--wave {
        color: $success;
    }
    Waveform.-paused > .waveform--wave {
        color: $text-muted;
    }
    Waveform > .waveform--label {
        color: $text-muted;
        text-style: bold;
    }
    Waveform > .waveform--vad {
        color: $success;
        text-style: bold reverse;
    }
    """

    COMPONENT_CLASSES = {"waveform--wave", "waveform--label", "waveform--vad"}

    #: Speech detected (server VAD `speech_started` until `speech_stopped`).
    vad_active: reactive[bool] = reactive(False)
    #: Freeze the picture (the ring keeps filling).
    paused: reactive[bool] = reactive(False)
    label: reactive[str] = reactive("")

    VAD_MARK = " ● speech "

    def __init__(
        self,
        ring: RingBuffer | None = None,
        *,
        label: str = "",
        samplerate: int = 24_000,
        window_ms: int = 2000,
        fps: float = 30.0,
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._ring = ring
        self.samplerate = samplerate
        self.window_ms = window_ms
        self.fps = fps
        self._rows: list[str] = []
        self._strips: list[Strip] | None = None  # built lazily at paint time
        self._drawn_written = -1
        self._drawn_size = (0, 0)
        self._drawn_silent = False  # every sample of the drawn window was 0
        self._timer: Timer | None = None
        self._rate = 0.0
        self._can_pace = False
        self._level = -96.0
        #: Frames actually rebuilt (for tests and benchmarks).
        self.frames = 0
        self.set_reactive(Waveform.label, label)

    @property
    def ring(self) -> RingBuffer | None:
        """The buffer drawn; set it to switch sources (None shows a flat line)."""
        return self._ring

    @ring.setter
    def ring(self, ring: RingBuffer | None) -> None:
        self._ring = ring
        self._drawn_written = -1
        self.redraw()
        self._pace()  # also when not drawn (not mounted yet): a ring removed stops the timer

    @property
    def frame_rate(self) -> float:
        """How often the timer polls the ring now (0: no timer, there is no ring)."""
        return self._rate

    def on_mount(self) -> None:
        self._can_pace = True  # timers can start from now on (`is_mounted` comes later)
        self.redraw()
        self._pace()

    def _pace(self) -> None:
        """Run the frame timer at `fps` while there is sound, `IDLE_FPS` while the picture
        is silent, and not at all without a ring."""
        if not self._can_pace:
            return
        if self._ring is None:
            rate = 0.0
        elif self._drawn_silent:
            rate = min(self.fps, IDLE_FPS)
        else:
            rate = self.fps
        if rate == self._rate:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._rate = rate
        if rate:
            self._timer = self.set_interval(1 / rate, self.tick, name="waveform-frame")

    def watch_vad_active(self, active: bool) -> None:
        self.set_class(active, "-vad-active")
        self._restyle()

    def watch_paused(self, paused: bool) -> None:
        self.set_class(paused, "-paused")
        self._restyle()

    def watch_label(self, label: str) -> None:
        self._restyle()

    def on_resize(self) -> None:
        self.redraw()

    def tick(self) -> None:
        """One frame of the widget's timer: repaint if the ring brought a new picture.

        Public so tests and benchmarks can drive frames without waiting for the timer.
        """
        if self.paused:
            return
        ring = self._ring
        written = ring.written if ring is not None else 0
        if self._drawn_size != (self.size.width, self.size.height):
            self.redraw()
        elif written != self._drawn_written:
            if ring is not None and self._drawn_silent and self._drawn_written >= 0:
                news = ring.latest(min(written - self._drawn_written, ring.capacity))
                if not news.any():  # silence scrolled into a silent picture: the same frame
                    self._drawn_written = written
                    return
            self.redraw(only_if_changed=True)

    def redraw(self, *, only_if_changed: bool = False) -> None:
        """Rebuild the rows from the ring now (normally the timer calls this).

        Args:
            only_if_changed: skip the repaint when the rebuilt rows and level are the
                ones already shown (the timer's frames).
        """
        if not self.is_mounted:
            return
        width, height = self.size.width, self.size.height
        ring = self._ring
        window = self.samplerate * self.window_ms // 1000
        if ring is not None:
            self._drawn_written = ring.written
            samples = ring.latest(min(window, ring.capacity))
        else:
            self._drawn_written = 0
            samples = np.zeros(0, dtype=np.int16)
        rows = braille_rows(samples, width, height)
        level = level_dbfs(samples[-self.samplerate // 20 :]) if len(samples) else -96.0
        self._drawn_silent = not samples.any()
        self._drawn_size = (width, height)
        self.frames += 1
        self._pace()  # however the frame came (timer, resize, new ring): rate follows the picture
        if only_if_changed and rows == self._rows and f"{level:4.0f}" == f"{self._level:4.0f}":
            self._level = level
            return
        self._rows = rows
        self._level = level
        self._restyle()

    def _restyle(self) -> None:
        """Forget the strips: the next paint rebuilds them with the styles then current
        (a class change such as `-vad-active` restyles only after this call returns)."""
        self._strips = None
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips = None  # theme or class change: colours differ
        self.refresh()

    def _build_strips(self) -> list[Strip]:
        """Turn the rows into strips with the current styles and overlays."""
        width = self.size.width
        wave = self.get_component_rich_style("waveform--wave")
        strips = [Strip([Segment(row, wave)], width) for row in self._rows]
        if strips and width > 0:
            label_style = self.get_component_rich_style("waveform--label")
            parts: list[Segment] = []
            if self.label:
                state = "paused" if self.paused else f"{self._level:4.0f} dB"
                text = f" {self.label} {state} "
                parts.append(Segment(text, label_style))
            used = sum(len(p.text) for p in parts)
            mark = self.VAD_MARK if self.vad_active else ""
            rest = max(0, width - used - len(mark))
            parts.append(Segment(self._rows[0][used : used + rest], wave))
            if mark:
                parts.append(Segment(mark, self.get_component_rich_style("waveform--vad")))
            strips[0] = Strip(parts).crop_extend(0, width, wave)
        return strips

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = self._build_strips()
        if 0 <= y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width, self.rich_style)

    @property
    def rows(self) -> list[str]:
        """The waveform rows as plain text (without overlays): for tests and tools."""
        return list(self._rows)

    @property
    def level(self) -> float:
        """Level of the last 50 ms drawn, in dBFS."""
        return self._level
