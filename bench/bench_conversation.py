"""Benchmark: RealtimeConversation audio appends against bare JSON + base64 decoding.

One assistant item carries 30 minutes of 24 kHz PCM16 audio in 100 ms deltas (18,000
`response.output_audio.delta` JSON frames, generated before timing). Measured in the same
run, best of several passes:

  (a) baseline   json.loads + base64 decode of every frame, nothing else
  (b) library    json.loads + RealtimeConversation.process_event of every frame

The target is (b) / (a) <= 2.0. For contrast, the reference's approach (a new
array concatenated on every delta: quadratic) is timed on shorter streams next to the
library on the same streams, so the growth is visible without waiting for it.

Run:  .venv/bin/python bench/bench_conversation.py          (full: 30 minutes of audio)
      .venv/bin/python bench/bench_conversation.py --fast   (3 minutes, for a quick check)
Exit status 1 if the ratio misses the target.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.realtime.conversation import RealtimeConversation  # noqa: E402

RATE = 24_000
DELTA_MS = 100
TARGET_RATIO = 2.0


def make_frames(minutes: float) -> list[str]:
    """The JSON text of every delta frame (distinct event ids, varied audio)."""
    per_delta = RATE * DELTA_MS // 1000
    rng = np.random.default_rng(7)
    variants = [
        base64.b64encode(rng.integers(-8000, 8000, per_delta, dtype=np.int16).astype("<i2").tobytes()).decode()
        for _ in range(8)
    ]
    count = int(minutes * 60 * 1000 // DELTA_MS)
    return [
        json.dumps({
            "type": "response.output_audio.delta",
            "event_id": f"event_{i:08d}",
            "response_id": "resp_1",
            "item_id": "item_1",
            "output_index": 0,
            "content_index": 0,
            "delta": variants[i % len(variants)],
        })
        for i in range(count)
    ]


def fresh_conversation() -> RealtimeConversation:
    conv = RealtimeConversation()
    conv.process_event({"type": "response.created", "event_id": "e0", "response": {"id": "resp_1", "output": []}})
    item = {"id": "item_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    conv.process_event({"type": "response.output_item.added", "event_id": "e1", "response_id": "resp_1",
                        "output_index": 0, "item": item})
    conv.process_event({"type": "conversation.item.added", "event_id": "e2", "item": item})
    conv.process_event({"type": "response.content_part.added", "event_id": "e3", "response_id": "resp_1",
                        "item_id": "item_1", "output_index": 0, "content_index": 0,
                        "part": {"type": "audio", "transcript": ""}})
    return conv


def run_baseline(frames: list[str]) -> int:
    total = 0
    for frame in frames:
        event = json.loads(frame)
        total += len(base64.b64decode(event["delta"]))
    return total // 2


def run_library(frames: list[str]) -> int:
    conv = fresh_conversation()
    process = conv.process_event
    for frame in frames:
        process(json.loads(frame))
    return len(conv.get_item("item_1")["formatted"]["audio"])


def run_quadratic(frames: list[str]) -> int:
    """The reference's way: decode, then copy the whole item audio into a new array."""
    audio = np.zeros(0, dtype=np.int16)
    for frame in frames:
        event = json.loads(frame)
        new = np.frombuffer(base64.b64decode(event["delta"]), dtype="<i2")
        audio = np.concatenate([audio, new])
    return len(audio)


def best_of(fn: Callable[[list[str]], int], frames: list[str], passes: int) -> tuple[float, int]:
    best, samples = float("inf"), 0
    for _ in range(passes):
        start = time.perf_counter()
        samples = fn(frames)
        best = min(best, time.perf_counter() - start)
    return best, samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fast", action="store_true", help="3 minutes of audio instead of 30")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args(argv)
    minutes = 3.0 if args.fast else 30.0

    frames = make_frames(minutes)
    expected = len(frames) * RATE * DELTA_MS // 1000
    print(f"{len(frames):,} delta frames = {minutes:g} min of 24 kHz audio, "
          f"{sum(map(len, frames)) / 1e6:.0f} MB of JSON; best of {args.passes} passes")
    # Interleaved passes, so load from other processes hits both sides alike.
    base_t = lib_t = float("inf")
    for _ in range(args.passes):
        t, base_n = best_of(run_baseline, frames, 1)
        base_t = min(base_t, t)
        t, lib_n = best_of(run_library, frames, 1)
        lib_t = min(lib_t, t)
    assert base_n == lib_n == expected, (base_n, lib_n, expected)
    ratio = lib_t / base_t
    print(f"  (a) baseline json.loads + base64 decode  {base_t:7.3f} s  {base_t / len(frames) * 1e6:6.1f} us/frame")
    print(f"  (b) json.loads + process_event           {lib_t:7.3f} s  {lib_t / len(frames) * 1e6:6.1f} us/frame")
    print(f"  ratio (b)/(a) = {ratio:.2f}  (target <= {TARGET_RATIO})  {'OK' if ratio <= TARGET_RATIO else 'MISSED'}")

    print("reference-style np.concatenate per delta (quadratic) vs library, shorter streams:")
    for short_minutes in (1, 2, 4) if not args.fast else (0.5, 1):
        short = frames[: int(short_minutes * 60 * 1000 // DELTA_MS)]
        quad_t, _ = best_of(run_quadratic, short, 1)
        lin_t, _ = best_of(run_library, short, 1)
        print(f"  {short_minutes:>4g} min ({len(short):5,} frames): concatenate {quad_t:7.3f} s   "
              f"library {lin_t:6.3f} s   x{quad_t / lin_t:5.1f}")
    scale = minutes / short_minutes
    print(f"  quadratic extrapolation to {minutes:g} min: ~{quad_t * scale * scale:,.0f} s for concatenate "
          f"vs {lib_t:.2f} s measured for the library")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
