"""WavMicrophone: block sizes, pacing, mute pauses the file, finished/done, bad files."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from console.audio.wav_source import WavMicrophone
from console.audio.wavfile import WavError, write_wav


def make_wav(tmp_path: Path, ms: int, rate: int = 24_000) -> Path:
    n = rate * ms // 1000
    samples = (np.sin(np.arange(n) * 2 * np.pi * 220 / rate) * 8000).astype(np.int16)
    path = tmp_path / "speech.wav"
    write_wav(path, samples, rate)
    return path


async def test_delivers_whole_file_then_trailing_silence_then_ends(tmp_path: Path) -> None:
    path = make_wav(tmp_path, 400)
    mic = WavMicrophone(path, block_ms=20, speed=8.0, trailing_silence_ms=200)
    await mic.start()
    blocks = [b async for b in mic.blocks()]
    assert all(len(b) == 480 for b in blocks)
    assert len(blocks) == (400 + 200) // 20
    audio = np.concatenate(blocks)
    assert np.array_equal(audio[: len(mic.samples)], mic.samples)
    assert not audio[len(mic.samples) :].any()  # trailing silence
    assert mic.finished.is_set() and mic.done.is_set() and mic.closed
    assert mic.level_ring.written == len(audio)


async def test_paced_in_real_time(tmp_path: Path) -> None:
    """At speed 1, 20 ms blocks arrive at ~50/s: count them over 0.5 s with generous
    bounds (the machine is shared), never a tight timing assertion."""
    mic = WavMicrophone(make_wav(tmp_path, 3000), block_ms=20)
    await mic.start()
    count = 0
    start = time.monotonic()

    async def consume() -> None:
        nonlocal count
        async for _ in mic.blocks():
            count += 1

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)
    await mic.stop()
    await task
    elapsed = time.monotonic() - start
    expected = elapsed / 0.02
    assert 0.5 * expected <= count <= 1.2 * expected + 2, (count, elapsed)
    assert not mic.finished.is_set()


async def test_muted_pauses_the_file_instead_of_skipping_it(tmp_path: Path) -> None:
    mic = WavMicrophone(make_wav(tmp_path, 200), block_ms=20, speed=10.0, trailing_silence_ms=0)
    mic.muted = True
    await mic.start()
    await asyncio.sleep(0.1)  # ~50 block periods at speed 10
    assert mic.position == 0 and mic.read_nowait() is None
    mic.muted = False
    await asyncio.wait_for(mic.done.wait(), 2)
    got = []
    while (b := mic.read_nowait()) is not None:
        got.append(b)
    assert np.array_equal(np.concatenate(got), mic.samples)


async def test_bad_file_raises_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WavError, match="no such file"):
        WavMicrophone(tmp_path / "nope.wav")
    with pytest.raises(ValueError):
        WavMicrophone(make_wav(tmp_path, 100), speed=0)


async def test_stop_before_end_ends_blocks(tmp_path: Path) -> None:
    mic = WavMicrophone(make_wav(tmp_path, 5000))
    await mic.start()
    await asyncio.sleep(0.05)
    await mic.stop()
    got = [b async for b in mic.blocks()]
    assert mic.closed and not mic.done.is_set()
    assert len(got) >= 1
