"""Benchmark: the recording proxy against connecting directly to the simulator, same run.

    python bench/bench_proxy.py [--sessions 1,10,100] [--round-trips 50] [--idle 200]

The proxy runs as its own process (`realtime-console proxy`, recording on, to a
temporary directory) in front of the simulator in fast mode; the clients and the
simulator share this process. For each N concurrent app connections it measures:

- round-trip time of `session.update` → `session.updated` (two relayed frames), direct
  and proxied; the added latency per relayed frame is half the difference (p50, p99);
- throughput: events/s received while every session streams a long fast text answer,
  proxied over direct;
- memory per idle proxied session: the proxy process's RSS growth over `--idle` open,
  idle sessions (recording on), divided by their number.
Targets: p99 added ≤ 2 ms per frame at 100 sessions, throughput ≥ 0.8× direct, ≤ 256 KB
per idle session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere (the bench is not a package)

from console.simulator import Simulator  # noqa: E402

UPDATE = json.dumps({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
STORY = [json.dumps({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [
    {"type": "input_text", "text": "tell me a long story"}]}}), json.dumps({"type": "response.create"})]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def open_session(url: str) -> Any:
    ws = await websockets.connect(url + "?model=gpt-realtime", max_queue=None, max_size=None, compression=None)
    await ws.recv()  # session.created
    return ws


async def round_trips(ws: Any, count: int, out: list[float]) -> None:
    for _ in range(count):
        start = time.perf_counter()
        await ws.send(UPDATE)
        while json.loads(await ws.recv())["type"] != "session.updated":
            pass
        out.append(time.perf_counter() - start)


async def stream(ws: Any) -> int:
    for frame in STORY:
        await ws.send(frame)
    received = 0
    while True:
        received += 1
        if '"response.done"' in (await ws.recv())[:40]:
            return received


async def measure(url: str, n: int, trips: int) -> tuple[list[float], float]:
    sessions = await asyncio.gather(*(open_session(url) for _ in range(n)))
    rtts: list[float] = []
    await asyncio.gather(*(round_trips(ws, trips, rtts) for ws in sessions))
    start = time.perf_counter()
    events = sum(await asyncio.gather(*(stream(ws) for ws in sessions)))
    rate = events / (time.perf_counter() - start)
    await asyncio.gather(*(ws.close() for ws in sessions))
    return rtts, rate


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def start_proxy(upstream: str, record_dir: str, max_sessions: int) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "proxy", "--headless", "--listen", "127.0.0.1:0", "--upstream", upstream,
        "--record-dir", record_dir, "--max-sessions", str(max_sessions), cwd=ROOT,
        stderr=asyncio.subprocess.PIPE, env={k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"})
    assert proc.stderr is not None
    while True:
        line = (await proc.stderr.readline()).decode()
        if not line:
            raise RuntimeError("the proxy did not start")
        found = re.search(r"listening on (ws://\S+/v1/realtime)", line)
        if found:
            break

    async def drain() -> None:  # session lines: keep the pipe from filling
        assert proc.stderr is not None
        while await proc.stderr.readline():
            pass

    asyncio.ensure_future(drain())
    return proc, found.group(1)


async def main(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.sessions.split(",")]
    with tempfile.TemporaryDirectory() as record_dir:
        async with Simulator(fast=True, ping_interval=None) as sim:
            proc, proxy_url = await start_proxy(sim.url, record_dir, max(counts + [args.idle]) + 8)
            try:
                print(f"{'N':>4} | {'direct RTT p50/p99 ms':>22} | {'proxied RTT p50/p99 ms':>23} | "
                      f"{'added/frame p50/p99 ms':>23} | {'direct ev/s':>11} | {'proxied ev/s':>12} | ratio")
                for n in counts:
                    direct, direct_rate = await measure(sim.url, n, args.round_trips)
                    proxied, proxied_rate = await measure(proxy_url, n, args.round_trips)
                    d50, d99 = percentile(direct, 0.5) * 1e3, percentile(direct, 0.99) * 1e3
                    p50, p99 = percentile(proxied, 0.5) * 1e3, percentile(proxied, 0.99) * 1e3
                    print(f"{n:>4} | {d50:>10.2f} / {d99:>9.2f} | {p50:>10.2f} / {p99:>10.2f} | "
                          f"{(p50 - d50) / 2:>10.2f} / {(p99 - d99) / 2:>10.2f} | {direct_rate:>11.0f} | "
                          f"{proxied_rate:>12.0f} | {proxied_rate / direct_rate:.2f}x")
                before = rss_kb(proc.pid)
                idle = [await open_session(proxy_url) for _ in range(args.idle)]
                await asyncio.sleep(0.5)  # let the proxy settle (measurement, not a test)
                after = rss_kb(proc.pid)
                files = len(os.listdir(record_dir))
                print(f"idle: {args.idle} proxied sessions (recording on, {files} recordings in total): proxy RSS "
                      f"{before / 1024:.1f} → {after / 1024:.1f} MB, {(after - before) / args.idle:.1f} KB per session")
                await asyncio.gather(*(ws.close() for ws in idle))
                print(f"median proxied RTT over all N: {statistics.median(proxied) * 1e3:.2f} ms")
            finally:
                proc.terminate()
                await proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,100")
    parser.add_argument("--round-trips", type=int, default=50)
    parser.add_argument("--idle", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
