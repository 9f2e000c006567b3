"""JitterBuffer and Speaker(enabled=False): played counts, prebuffering, interrupt."""

from __future__ import annotations

import asyncio

import numpy as np

from console.audio.jitter import JitterBuffer
from console.audio.playback import Speaker
from console.audio.ring import RingBuffer


def pull(jb: JitterBuffer, n: int) -> np.ndarray:
    out = np.full(n, 7, dtype=np.int16)
    jb.pull(out)
    return out


def test_prebuffer_waits_for_depth_then_plays_in_order_and_counts() -> None:
    jb = JitterBuffer(prebuffer=100)
    jb.push("a", np.arange(1, 61, dtype=np.int16))
    assert not pull(jb, 20).any()  # 60 < 100 queued: still prebuffering
    jb.push("a", np.arange(61, 121, dtype=np.int16))  # now 120 queued
    out = pull(jb, 50)
    assert out.tolist() == list(range(1, 51))
    assert jb.played("a") == 50 and jb.buffered == 70
    jb.push("b", np.full(30, 5, dtype=np.int16))
    out = pull(jb, 100)
    assert out[:70].tolist() == list(range(51, 121)) and out[70:].tolist() == [5] * 30
    assert jb.played("a") == 120 and jb.played("b") == 30
    assert jb.clock == 170


def test_short_item_still_plays_after_waiting_the_prebuffer_time() -> None:
    jb = JitterBuffer(prebuffer=100)
    jb.push("a", np.ones(30, dtype=np.int16))
    assert not pull(jb, 50).any()
    assert not pull(jb, 50).any()  # waited 100
    out = pull(jb, 50)
    assert out[:30].tolist() == [1] * 30 and not out[30:].any()  # underrun -> silence
    assert jb.played("a") == 30 and not jb.is_playing() and jb.drained == 1


def test_flush_returns_current_item_and_ignores_its_late_deltas() -> None:
    jb = JitterBuffer(prebuffer=0)
    jb.push("a", np.ones(1000, dtype=np.int16))
    pull(jb, 240)
    assert jb.flush() == ("a", 240)
    assert jb.buffered == 0 and not jb.is_playing()
    assert jb.push("a", np.ones(100, dtype=np.int16)) is False  # in-flight delta after cancel
    assert not pull(jb, 100).any()
    assert jb.flush() == (None, 0)
    assert jb.push("b", np.ones(10, dtype=np.int16)) is True


def test_flush_before_playback_started_reports_zero_played() -> None:
    jb = JitterBuffer(prebuffer=1000)
    jb.push("a", np.ones(10, dtype=np.int16))
    pull(jb, 5)
    assert jb.flush() == ("a", 0)


async def wait_until(predicate, timeout: float = 10.0) -> None:
    """Poll `predicate` on the loop until it holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


async def test_virtual_speaker_plays_on_a_clock_and_interrupt_reports_what_was_heard() -> None:
    spk = Speaker(enabled=False, prebuffer_ms=0)
    await spk.start()
    try:
        spk.enqueue("item_1", np.full(24_000, 1000, dtype=np.int16))  # 1 s of audio
        assert spk.is_playing()
        await wait_until(lambda: spk.played("item_1") >= 2400)  # 100 ms heard
        played = spk.played("item_1")
        assert spk.level_ring.written >= played
        assert np.any(spk.level_ring.latest(2400) == 1000)
        item, at = spk.interrupt()
        assert item == "item_1" and played <= at <= 24_000
        assert not spk.is_playing() and spk.buffered_ms == 0
        spk.enqueue("item_1", np.ones(2400, dtype=np.int16))  # late delta: dropped
        assert not spk.is_playing()
        written = spk.level_ring.written
        await wait_until(lambda: spk.level_ring.written > written)  # the clock ran on
        assert spk.played("item_1") == at
    finally:
        await spk.stop()
    assert not spk.running


async def test_virtual_speaker_sleeps_at_rest_and_wakes_for_audio() -> None:
    """At rest the clock stops once the level ring is all silence; a delta restarts it."""
    spk = Speaker(enabled=False, prebuffer_ms=0)
    spk.level_ring = RingBuffer(2400)  # 100 ms of silence fills it
    await spk.start()
    try:
        await wait_until(lambda: spk.idle)
        written = spk.level_ring.written
        assert written >= 2400 and not spk.level_ring.latest(2400).any()
        await asyncio.sleep(0.1)  # an idle clock writes nothing more
        assert spk.idle and spk.level_ring.written == written
        spk.enqueue("it", np.full(4800, 500, dtype=np.int16))
        await wait_until(lambda: spk.played("it") == 4800)
        assert spk.level_ring.written > written
        await wait_until(lambda: spk.idle)  # and rests again once the silence fills the ring
        assert not spk.level_ring.latest(2400).any()
    finally:
        await spk.stop()


async def test_virtual_speaker_finishes_an_item_and_counts_all_of_it() -> None:
    spk = Speaker(enabled=False)  # default 100 ms prebuffer
    await spk.start()
    try:
        for _ in range(5):  # five 20 ms deltas
            spk.enqueue("it", np.full(480, 300, dtype=np.int16))
        for _ in range(100):
            if spk.played("it") == 2400 and not spk.is_playing():
                break
            await asyncio.sleep(0.02)
        assert spk.played("it") == 2400
        assert spk.played("other") == 0
    finally:
        await spk.stop()
