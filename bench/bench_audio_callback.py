"""Cost of the audio-thread side of capture and playback, vs a bare numpy copy.

    .venv/bin/python bench/bench_audio_callback.py [--calls N]

The PortAudio callbacks must return in microseconds whatever the UI does. This calls
`Microphone._callback` (ring-buffer copy plus, at most once per block, a
`loop.call_soon_threadsafe` wake-up to a loop running in another thread) and
`Speaker._callback` (jitter-buffer pull under its lock, plus the level-ring copy) with
20 ms blocks at 24 kHz, and compares them with the baseline `np.copyto` of one block
measured in the same run. No sound card needed: the callbacks are called directly.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time

import numpy as np

from console.audio.capture import Microphone
from console.audio.playback import Speaker
from console.audio.ring import RingBuffer

BLOCK = 480


def stats(ns: list[int]) -> tuple[float, float, float]:
    s = sorted(ns)
    return s[len(s) // 2] / 1000, s[int(len(s) * 0.99)] / 1000, s[-1] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    n = args.calls

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    block_in = np.random.default_rng(0).integers(-8000, 8000, (BLOCK, 1)).astype(np.int16)
    block_out = np.zeros((BLOCK, 1), dtype=np.int16)
    dest = np.empty(BLOCK, dtype=np.int16)
    results: dict[str, list[int]] = {"baseline np.copyto": [], "Microphone callback": [],
                                     "Microphone callback + wake-up": [], "Speaker callback": []}
    clock = time.perf_counter_ns

    for _ in range(n):
        t = clock()
        np.copyto(dest, block_in[:, 0])
        results["baseline np.copyto"].append(clock() - t)

    mic = Microphone()
    mic._raw = RingBuffer(48_000)  # what start() sets up, without a device
    mic._loop = loop
    for i in range(n):
        mic._wake_pending = i % 2 == 0  # alternate: half the calls schedule a wake-up
        t = clock()
        mic._callback(block_in, BLOCK, None, None)
        dt = clock() - t
        results["Microphone callback + wake-up" if i % 2 else "Microphone callback"].append(dt)

    spk = Speaker(prebuffer_ms=0)
    audio = np.zeros(BLOCK * 10, dtype=np.int16)
    for i in range(n):
        if i % 10 == 0:
            spk.enqueue(f"item_{i // 1000}", audio)  # a 200 ms delta every 10 blocks
        t = clock()
        spk._callback(block_out, BLOCK, None, None)
        results["Speaker callback"].append(clock() - t)

    loop.call_soon_threadsafe(loop.stop)
    thread.join(2)
    print(f"{n} calls, {BLOCK}-sample blocks (20 ms at 24 kHz); microseconds per call")
    print(f"{'':34}{'p50':>8}{'p99':>8}{'max':>9}")
    for name, ns in results.items():
        p50, p99, mx = stats(ns)
        print(f"{name:<34}{p50:>8.1f}{p99:>8.1f}{mx:>9.1f}")
    print("budget: a 20 ms block leaves 20,000 us; the notes measured call_from_thread at p99 11,500 us")


if __name__ == "__main__":
    main()
