"""Benchmark: the RealtimeClient receive path against bare JSON + base64 decoding.

One assistant item carries N minutes of 24 kHz PCM16 audio in 100 ms deltas (GA
`response.output_audio.delta` JSON frames, generated before timing). Measured in the same
run, best of 5 interleaved passes:

  (a) baseline   json.loads + base64 decode of every frame, nothing else
  (b) client     RealtimeAPI frame handling -> `server.*` dispatch -> RealtimeClient:
                 `realtime.event` (with its ISO timestamp), RealtimeConversation, and
                 `conversation.updated`, each with one subscribed no-op handler

This is everything the library does per received event short of the socket read itself.

Run:  .venv/bin/python bench/bench_client.py          (30 minutes of audio)
      .venv/bin/python bench/bench_client.py --fast   (3 minutes)
"""

from __future__ import annotations

import argparse
import base64
import json
import time

import numpy as np

from console.realtime import RealtimeClient


def frames(minutes: float) -> list[str]:
    rng = np.random.default_rng(0)
    chunk = base64.b64encode(rng.integers(-8000, 8000, 2400, dtype=np.int16).astype("<i2").tobytes()).decode()
    head = [
        {"type": "response.created", "event_id": "e0", "response": {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "event_id": "e1", "response_id": "resp_1", "output_index": 0,
         "item": {"id": "item_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}},
        {"type": "conversation.item.added", "event_id": "e2", "previous_item_id": None,
         "item": {"id": "item_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "event_id": "e3", "response_id": "resp_1", "item_id": "item_1",
         "output_index": 0, "content_index": 0, "part": {"type": "audio", "transcript": ""}},
    ]
    count = int(minutes * 60 * 10)
    deltas = [
        json.dumps({"type": "response.output_audio.delta", "event_id": f"evt_{i}", "response_id": "resp_1",
                    "item_id": "item_1", "output_index": 0, "content_index": 0, "delta": chunk})
        for i in range(count)
    ]
    return [json.dumps(e) for e in head] + deltas


def baseline(stream: list[str]) -> float:
    start = time.perf_counter()
    for frame in stream:
        event = json.loads(frame)
        if "delta" in event:
            base64.b64decode(event["delta"])
    return time.perf_counter() - start


def client_path(stream: list[str]) -> tuple[float, int]:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    for name in ("realtime.event", "conversation.updated"):
        client.on(name, lambda event: None)
    handle = client.realtime._handle_frame_safely  # what the reader calls per frame
    start = time.perf_counter()
    for frame in stream:
        handle(frame)
    elapsed = time.perf_counter() - start
    item = client.conversation.get_item("item_1")
    return elapsed, len(item["formatted"]["audio"]) if item else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="3 minutes of audio instead of 30")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    minutes = 3 if args.fast else 30
    stream = frames(minutes)
    bases: list[float] = []
    runs: list[tuple[float, int]] = []
    for _ in range(args.passes):  # interleaved, so machine load hits both alike
        bases.append(baseline(stream))
        runs.append(client_path(stream))
    base = min(bases)
    best = min(r[0] for r in runs)
    samples = runs[0][1]
    assert samples == minutes * 60 * 24000, samples
    n = len(stream)
    print(f"{minutes} min of audio, {n} frames")
    print(f"(a) json.loads + base64 decode : {base:8.3f} s  {base / n * 1e6:7.1f} us/frame")
    print(f"(b) RealtimeClient receive path: {best:8.3f} s  {best / n * 1e6:7.1f} us/frame")
    print(f"ratio (b)/(a): {best / base:.2f}")


if __name__ == "__main__":
    main()
