"""Benchmark: what an image at the size limit costs each layer, against plain JSON work.

One 10 MiB image (a PNG header followed by filler: only the header is ever read) travels
as a GA `conversation.item.create` (13.3 MiB of data URL). Each step is timed next to the
baseline it cannot beat, in the same run, best of several passes:

  client check     `input_image_part(bytes)` (type, size, header, base64)  vs  `base64.b64encode` alone
  data URL check   `check_data_url` (strict decode + header), as the simulator checks
                                                                            vs  `base64.b64decode` alone
  conversation     `process_event` of the echoed `conversation.item.added`
                   (`formatted.images` from the header only)                vs  `json.loads` of the frame
  event log        `EventStore.append` (data URL replaced by a marker) and
                   the row's summary                                        vs  `json.dumps` of the event
  recording        `SessionRecorder.record` of the event (written whole)    vs  `json.dumps` of the event

The claim: no layer decodes or copies the image more than the wire format forces, so every
step stays within a small factor of its baseline, and the log row stays small (its stored
bytes are printed).

Run:  .venv/bin/python bench/bench_images.py [--mib 10] [--passes 5]
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.realtime.conversation import RealtimeConversation  # noqa: E402
from console.realtime.images import check_data_url, input_image_part  # noqa: E402
from console.session.event_store import EventStore  # noqa: E402
from tests.realtime.image_samples import png  # noqa: E402


def best(fn: Callable[[], object], passes: int) -> float:
    """Best wall time of `passes` runs, in milliseconds."""
    times = []
    for _ in range(passes):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=10.0, help="image size in MiB (at most 10)")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    head = png(640, 480)
    data = head + b"\x00" * (int(args.mib * 1024 * 1024) - len(head))
    part = input_image_part(data)
    url = part["image_url"]
    item = {"id": "item_bench", "type": "message", "role": "user", "status": "completed", "content": [part]}
    create = {"type": "conversation.item.create", "event_id": "evt_bench", "item": item}
    added = {"type": "conversation.item.added", "event_id": "evt_added", "previous_item_id": None, "item": item}
    frame = json.dumps(added)

    def conversation_step() -> None:
        RealtimeConversation().process_event(json.loads(frame))

    def store_step() -> None:
        store = EventStore(start_time=0.0)
        store.summary(store.append("client", create, time=0.0))

    from console.recording.writer import SessionRecorder

    tmp = Path(tempfile.mkdtemp(prefix="bench_images_"))
    recorder = SessionRecorder(tmp / "images.jsonl", endpoint="ws://x", protocol="ga", model="m")

    rows: list[tuple[str, float, float]] = [
        ("client check", best(lambda: input_image_part(data), args.passes),
         best(lambda: base64.b64encode(data), args.passes)),
        ("data URL check", best(lambda: check_data_url(url), args.passes),
         best(lambda: base64.b64decode(url.partition(",")[2]), args.passes)),
        ("conversation", best(conversation_step, args.passes), best(lambda: json.loads(frame), args.passes)),
        ("event log", best(store_step, args.passes), best(lambda: json.dumps(create), args.passes)),
        ("recording", best(lambda: recorder.record("2026-01-01T00:00:00.000Z", "client", create), args.passes),
         best(lambda: json.dumps(create), args.passes)),
    ]
    recorder.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"image {len(data):,} bytes, data URL {len(url):,} characters, best of {args.passes}")
    print(f"{'step':<16}{'ms':>10}{'baseline ms':>14}{'ratio':>8}")
    for name, took, base in rows:
        print(f"{name:<16}{took:>10.1f}{base:>14.1f}{took / base:>7.2f}×")
    store = EventStore(start_time=0.0)
    index = store.append("client", create, time=0.0)
    print(f"stored log row: {len(store.raw(index))} bytes; summary: {store.summary(index)}")
    print(f"median of the ratios: {statistics.median(t / b for _, t, b in rows):.2f}×")


if __name__ == "__main__":
    main()
