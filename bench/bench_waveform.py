"""Per-frame cost of the numpy-drawn `Waveform` vs Textual's `Sparkline`, same data.

    .venv/bin/python bench/bench_waveform.py [--frames N] [--fast]

A headless app shows one widget at a time at 160x8. Each frame appends 33 ms of new
24 kHz audio (a voice-like modulated tone) to a ring buffer, updates the widget from the
latest 2 s window, and lets Textual paint. The baseline `Sparkline` gets the same window
already reduced by numpy to one peak per column (its best case). An idle frame (paint
with nothing changed) is measured in the same run and subtracted, so the figures are the
cost of the widget itself. Reports ms/frame (median and p95) and the implied CPU share
of one core at 30 fps. Times are process CPU time (not wall time), so other load on
the machine and the idle waits inside the paint cycle do not count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np
from textual.app import App, ComposeResult
from textual.widgets import Sparkline

from console.audio.ring import RingBuffer
from widgets.waveform import Waveform

WIDTH, HEIGHT = 160, 8
RATE = 24_000
CHUNK = RATE // 30
WINDOW = 2 * RATE


def voice_like(n: int, start: int) -> np.ndarray:
    t = (np.arange(n) + start) / RATE
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return (np.sin(2 * np.pi * 180 * t) * env * 18_000).astype(np.int16)


class BenchApp(App[None]):
    CSS = """
    #wave, #spark { width: 160; height: 8; }
    """

    def __init__(self, ring: RingBuffer) -> None:
        super().__init__()
        self.ring = ring

    def compose(self) -> ComposeResult:
        # fps=1: the widget's own timer stays out of the way; frames are driven here.
        yield Waveform(self.ring, label="mic", id="wave", fps=1)
        yield Sparkline([0.0] * WIDTH, id="spark")


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


async def measure(frames: int) -> dict[str, list[float]]:
    ring = RingBuffer(WINDOW * 2)
    app = BenchApp(ring)
    results: dict[str, list[float]] = {"idle": [], "waveform": [], "sparkline": []}
    async with app.run_test(size=(WIDTH, HEIGHT + 2)) as pilot:
        wave = app.query_one(Waveform)
        spark = app.query_one(Sparkline)
        written = 0

        async def frame(kind: str) -> float:
            nonlocal written
            t0 = time.process_time()
            if kind != "idle":
                ring.write(voice_like(CHUNK, written))
                written += CHUNK
                if kind == "waveform":
                    wave.redraw()
                else:
                    window = ring.latest(WINDOW).astype(np.int32)
                    spark.data = np.abs(window).reshape(WIDTH, -1).max(axis=1).tolist()
            await pilot.pause()
            return (time.process_time() - t0) * 1000

        for kind in ("idle", "waveform", "sparkline"):
            wave.display = kind == "waveform"
            spark.display = kind == "sparkline"
            await pilot.pause()
            for _ in range(max(3, frames // 10)):  # warm-up
                await frame(kind)
            results[kind] = [await frame(kind) for _ in range(frames)]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--fast", action="store_true", help="30 frames per widget")
    args = parser.parse_args()
    frames = 30 if args.fast else args.frames
    res = asyncio.run(measure(frames))
    idle = statistics.median(res["idle"])
    print(f"{WIDTH}x{HEIGHT}, {frames} frames each; idle paint (subtracted) {idle:.2f} ms")
    print(f"{'widget':<34}{'ms/frame p50':>13}{'p95':>8}{'CPU @30fps':>12}")
    for kind, label in (("waveform", "Waveform (numpy braille)"), ("sparkline", "Sparkline (baseline)")):
        p50 = max(0.0, statistics.median(res[kind]) - idle)
        p95 = max(0.0, pct(res[kind], 0.95) - idle)
        print(f"{label:<34}{p50:>13.2f}{p95:>8.2f}{p50 * 30 / 10:>11.1f}%")
    w = statistics.median(res["waveform"]) - idle
    s = statistics.median(res["sparkline"]) - idle
    if w > 0:
        print(f"Waveform is {s / w:.1f}x cheaper per frame than Sparkline")


if __name__ == "__main__":
    main()
