"""How many concurrent sessions and events per second the simulator sustains on one core.

    .venv/bin/python bench/bench_simulator.py [--seconds S] [--quick]

The server runs in a child process pinned to one CPU; the load generator runs in this
process (pinned to another CPU when there is one), all on loopback. Three measurements,
each bounded in time (the whole run stays under a minute):

1. Baseline, same run: a bare `websockets` server that answers each request with 32 JSON
   frames shaped like text deltas (`json.dumps` per frame, nothing else): frames/s.
2. Fast mode text turns ("count to 30": ~38 events each) with 1, 10, 50 and 100
   concurrent sessions: events/s (and its ratio to the baseline), turns/s, p95 turn latency.
3. Real-time audio: N sessions all speaking at once (100 ms deltas paced in real time);
   a load is sustained when no audio delta of any session arrives a whole delta (100 ms)
   later than its real-time schedule, i.e. a client's 100 ms jitter buffer never runs dry.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import websockets

BASELINE_FRAMES = 32


def pin(cpu: int) -> None:
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[cpu % len(cpus)]})


# --- server side (child process) ------------------------------------------------------


async def serve_echo() -> None:
    async def handler(ws: Any) -> None:
        async for _ in ws:
            for i in range(BASELINE_FRAMES):
                await ws.send(json.dumps({"type": "response.output_text.delta", "event_id": f"evt_{i:021d}",
                                          "response_id": "resp_x", "item_id": "item_x", "output_index": 0,
                                          "content_index": 0, "delta": f" {i},", "obfuscation": "abcdefgh"}))
            await ws.send(json.dumps({"type": "response.done"}))

    async with websockets.serve(handler, "127.0.0.1", 0, compression=None) as server:
        print(next(iter(server.sockets)).getsockname()[1], flush=True)
        await asyncio.Future()


async def serve_simulator(fast: bool) -> None:
    from console.simulator import Simulator

    async with Simulator(fast=fast, ping_interval=None) as sim:
        print(sim.port, flush=True)
        await asyncio.Future()


def child_main(kind: str) -> None:
    pin(0)
    if kind == "echo":
        asyncio.run(serve_echo())
    else:
        asyncio.run(serve_simulator(kind == "fast"))


class Server:
    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--child", kind], stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def url(self, path: str = "/v1/realtime?model=gpt-realtime") -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


# --- load (this process) ---------------------------------------------------------------


async def baseline(server: Server, sessions: int, seconds: float) -> float:
    frames = 0
    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal frames
        async with websockets.connect(server.url("/"), compression=None) as ws:
            while time.monotonic() < stop:
                await ws.send("go")
                while True:
                    frames += 1
                    if json.loads(await ws.recv())["type"] == "response.done":
                        break

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(sessions)))
    return frames / (time.monotonic() - started)


async def text_turns(server: Server, sessions: int, seconds: float) -> tuple[float, float, float]:
    events = 0
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def one(index: int) -> None:
        nonlocal events
        async with websockets.connect(server.url(), compression=None, max_size=None) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "session.update", "session": {
                "type": "realtime", "output_modalities": ["text"], "audio": {"input": {"turn_detection": None}}}}))
            await ws.recv()
            while time.monotonic() < stop:
                began = time.monotonic()
                await ws.send(json.dumps({"type": "response.create", "response": {
                    "conversation": "none", "input": [{"type": "message", "role": "user",
                                                       "content": [{"type": "input_text", "text": "count to 30"}]}]}}))
                while True:
                    events += 1
                    if json.loads(await ws.recv())["type"] == "rate_limits.updated":
                        break
                latencies.append(time.monotonic() - began)

    started = time.monotonic()
    await asyncio.gather(*(one(i) for i in range(sessions)))
    elapsed = time.monotonic() - started
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    return events / elapsed, len(latencies) / elapsed, p95


async def realtime_audio(server: Server, sessions: int) -> float:
    """Worst lateness (s) of any audio delta against its real-time schedule, over
    `sessions` simultaneous spoken replies (delta i is due 100 ms x i after delta 0)."""
    ready = asyncio.Barrier(sessions)

    async def one() -> float:
        async with websockets.connect(server.url(), compression=None, max_size=None) as ws:
            await ws.recv()
            await ready.wait()
            await ws.send(json.dumps({"type": "response.create", "response": {
                "conversation": "none", "input": [{"type": "message", "role": "user",
                                                   "content": [{"type": "input_text", "text": "count to 8"}]}]}}))
            arrivals: list[float] = []
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "response.output_audio.delta":
                    arrivals.append(time.monotonic())
                elif event["type"] == "response.done":
                    break
            return max(t - arrivals[0] - 0.1 * i for i, t in enumerate(arrivals))

    return max(await asyncio.gather(*(one() for _ in range(sessions))))


async def run(seconds: float, quick: bool) -> None:
    pin(1)
    counts = (1, 10) if quick else (1, 10, 50, 100)
    echo = Server("echo")
    try:
        base = await baseline(echo, 10, seconds)
    finally:
        echo.stop()
    print(f"baseline  bare websockets server, 10 sessions: {base:9.0f} frames/s")
    fast = Server("fast")
    try:
        for sessions in counts:
            rate, turns, p95 = await text_turns(fast, sessions, seconds)
            print(f"simulator fast text turns, {sessions:3d} sessions: {rate:9.0f} events/s "
                  f"({rate / base:4.2f} x baseline), {turns:6.1f} turns/s, p95 turn {p95 * 1000:6.0f} ms")
    finally:
        fast.stop()
    paced = Server("realtime")
    try:
        sustained = 0
        for sessions in ((10, 50) if quick else (10, 50, 100, 200)):
            lateness = await realtime_audio(paced, sessions)
            ok = lateness < 0.1
            sustained = sessions if ok else sustained
            print(f"simulator real-time audio, {sessions:3d} sessions: worst delta {lateness * 1000:5.0f} ms late "
                  f"({'sustained' if ok else 'falls behind'}: the bound is one 100 ms delta)")
            if not ok:
                break
        print(f"=> sustains at least {sustained} concurrent real-time audio sessions on one core")
    finally:
        paced.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each throughput run")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (a smoke test)")
    parser.add_argument("--child", choices=("echo", "fast", "realtime"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child)
        return
    asyncio.run(run(1.0 if args.quick else args.seconds, args.quick))


if __name__ == "__main__":
    main()
