"""Waveform widget: numpy braille drawing, and the widget driven by Pilot in a small app."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import numpy as np
from textual.app import App, ComposeResult

from console.audio.ring import RingBuffer
from widgets.waveform import IDLE_FPS, Waveform, braille_rows, level_dbfs

BRAILLE = range(0x2800, 0x2900)


def sine(n: int, cycles: float, amp: float = 20_000) -> np.ndarray:
    return (np.sin(np.arange(n) * 2 * np.pi * cycles / n) * amp).astype(np.int16)


def test_braille_rows_shape_and_characters() -> None:
    rows = braille_rows(sine(48_000, 3), 40, 4)
    assert len(rows) == 4 and all(len(r) == 40 for r in rows)
    assert all(ord(c) in BRAILLE or c == " " for r in rows for c in r)
    # A sine touches the top row and the bottom row, and every column has a dot.
    assert rows[0].strip() and rows[-1].strip()
    assert all(any(r[x] != " " for r in rows) for x in range(40))


def test_braille_rows_silence_is_a_flat_line_and_small_inputs_work() -> None:
    rows = braille_rows(np.zeros(10_000, dtype=np.int16), 10, 3)
    lit = [i for i, r in enumerate(rows) if r.strip()]
    assert len(lit) == 1 and len(set(rows[lit[0]])) == 1  # one row, same char everywhere
    assert braille_rows(np.zeros(3, dtype=np.int16), 10, 2)[1].strip()  # fewer samples than columns
    assert braille_rows(sine(100, 1), 0, 5) == []


def test_level_dbfs() -> None:
    assert level_dbfs(np.zeros(100, dtype=np.int16)) == -96.0
    assert abs(level_dbfs(np.full(100, 16384, dtype=np.int16)) - (-6.02)) < 0.05


class TickCountingWaveform(Waveform):
    """Counts its timer's frames, so a test can show that frames passed and did nothing."""

    ticks = 0

    def tick(self) -> None:
        self.ticks += 1
        super().tick()


class WaveApp(App[None]):
    def __init__(self, ring: RingBuffer | None) -> None:
        super().__init__()
        self.ring = ring

    def compose(self) -> ComposeResult:
        yield TickCountingWaveform(self.ring, label="mic", id="wave")


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (the widget's own timer did its work)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


async def test_widget_draws_the_ring_and_follows_new_audio() -> None:
    ring = RingBuffer(48_000)
    app = WaveApp(ring)
    async with app.run_test(size=(60, 8)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        assert wave.rows and len(wave.rows) == 6  # default height
        flat = wave.rows
        ring.write(sine(48_000, 4))
        await wait_until(pilot, lambda: wave.rows != flat)  # the timer picks the sound up
        assert sum(1 for r in wave.rows if r.strip()) >= 5  # the sine spans the height
        line0 = wave.render_line(0).text
        assert line0.startswith(" mic ") and "dB" in line0
        assert any(ord(c) in BRAILLE for c in wave.render_line(3).text)
        frames, ticks = wave.frames, wave.ticks
        await wait_until(pilot, lambda: wave.ticks >= ticks + 3)  # three timer frames pass
        assert wave.frames == frames  # nothing new in the ring: no rebuilds


async def test_vad_mark_pause_and_ring_swap() -> None:
    app = WaveApp(None)
    async with app.run_test(size=(60, 8)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        assert sum(1 for r in wave.rows if r.strip()) == 1  # no ring: a flat line
        calm = list(wave.render_line(2))[0].style
        wave.vad_active = True
        await pilot.pause()
        assert wave.has_class("-vad-active")
        assert list(wave.render_line(2))[0].style != calm  # speech recolours the wave
        assert wave.render_line(0).text.rstrip().endswith(Waveform.VAD_MARK.rstrip())
        assert "speech" in app.export_screenshot()  # what the terminal actually shows
        wave.vad_active = False
        await pilot.pause()
        assert "speech" not in wave.render_line(0).text

        ring = RingBuffer(24_000)
        wave.ring = ring
        wave.paused = True
        await pilot.pause()
        before = wave.frames
        ring.write(sine(24_000, 2))
        ticks = wave.ticks
        await wait_until(pilot, lambda: wave.ticks >= ticks + 2)  # the timer saw the sound, paused
        assert wave.frames == before and "paused" in wave.render_line(0).text
        wave.paused = False
        await wait_until(pilot, lambda: wave.frames > before)
        assert any(r.strip() for r in wave.rows[:2])
        assert wave.level > -20


async def test_resize_redraws_at_the_new_size() -> None:
    app = WaveApp(RingBuffer(24_000))
    async with app.run_test(size=(40, 8)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        assert len(wave.rows[0]) == 40
        await pilot.resize_terminal(80, 8)
        await wait_until(pilot, lambda: len(wave.rows[0]) == 80)
        assert len(wave.rows[0]) == 80 and wave.render_line(0).cell_length == 80


class CountingWaveform(Waveform):
    """Counts repaints asked of the widget (every frame that reaches the terminal)."""

    refreshes = 0

    def refresh(self, *args: Any, **kwargs: Any) -> Any:
        self.refreshes += 1
        return super().refresh(*args, **kwargs)


class DrivenWaveApp(App[None]):
    """A waveform whose own timer never fires in a test: frames are driven by `tick()`."""

    def __init__(self, ring: RingBuffer) -> None:
        super().__init__()
        self.ring = ring

    def compose(self) -> ComposeResult:
        yield CountingWaveform(self.ring, label="model", fps=0.001, id="wave")


async def test_silence_into_a_silent_picture_repaints_nothing() -> None:
    ring = RingBuffer(48_000)
    app = DrivenWaveApp(ring)
    async with app.run_test(size=(60, 8)) as pilot:
        wave = app.query_one(CountingWaveform)
        await pilot.pause()
        ring.write(np.zeros(4_800, dtype=np.int16))  # a playback clock writing silence
        wave.tick()
        before, frames = wave.refreshes, wave.frames
        for _ in range(20):
            ring.write(np.zeros(480, dtype=np.int16))
            wave.tick()
        assert wave.refreshes == before  # nothing new to show: no repaint...
        assert wave.frames == frames  # ...and the frame is not even rebuilt
        flat = wave.rows

        ring.write(sine(4_800, 20))  # the model speaks: the waveform animates again
        wave.tick()
        assert wave.refreshes > before and wave.rows != flat
        speaking = wave.refreshes
        ring.write(np.zeros(480, dtype=np.int16))
        wave.tick()
        assert wave.refreshes > speaking  # the speech scrolls on while silence follows it
        ring.write(np.zeros(48_000, dtype=np.int16))  # the speech has left the window
        wave.tick()
        assert wave.rows == flat
        settled = wave.refreshes
        for _ in range(5):
            ring.write(np.zeros(480, dtype=np.int16))
            wave.tick()
        assert wave.refreshes == settled


async def test_a_rebuilt_frame_identical_to_the_shown_one_is_not_repainted() -> None:
    ring = RingBuffer(48_000)
    app = DrivenWaveApp(ring)
    async with app.run_test(size=(60, 8)) as pilot:
        wave = app.query_one(CountingWaveform)
        await pilot.pause()
        ring.write(np.full(48_000, 3_000, dtype=np.int16))  # a steady hum fills the window
        wave.tick()
        shown, refreshes, frames = wave.rows, wave.refreshes, wave.frames
        assert any(r.strip() for r in shown)
        for _ in range(5):
            ring.write(np.full(480, 3_000, dtype=np.int16))
            wave.tick()
        assert wave.frames == frames + 5  # not silence: each frame is rebuilt...
        assert wave.rows == shown and wave.refreshes == refreshes  # ...but it is the same picture


async def test_the_frame_timer_slows_while_silent_and_stops_without_a_ring() -> None:
    app = WaveApp(None)
    async with app.run_test(size=(60, 8)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        assert wave.frame_rate == 0  # no ring, nothing to poll
        ring = RingBuffer(48_000)
        wave.ring = ring
        assert wave.frame_rate == IDLE_FPS < wave.fps  # an empty ring is a silent picture
        ring.write(sine(4_800, 10))
        wave.tick()
        assert wave.frame_rate == wave.fps  # sound: full frame rate at once
        ring.write(np.zeros(48_000, dtype=np.int16))
        wave.tick()
        assert wave.frame_rate == IDLE_FPS  # the sound has scrolled out: back to polling
        wave.ring = None
        assert wave.frame_rate == 0
