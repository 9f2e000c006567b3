"""Benchmark: the recording proxy against connecting directly to the simulator, same run.

    python bench/bench_proxy.py [--sessions 1,10,100] [--round-trips 50] [--rounds 3] [--idle 200]

Three processes, as deployed: the simulator in fast mode (`realtime-console simulator
--fast`), the proxy (`realtime-console proxy --headless`, recording on, to a temporary
directory), and this one, which runs the apps. A second proxy process, the same relay
with recording off (`ProxyServer(record_dir=None)`, started by this script), splits the
proxy's cost between relaying and recording. For each N concurrent app connections, the
three paths (direct, proxy without recording, proxy with recording) take turns, `--rounds`
times, so a load spike on a shared machine hits them alike:

- round-trip time of `session.update` → `session.updated` (two relayed frames), every
  session at once; the added latency per relayed frame is half the difference to direct
  (p50, p99 over all round trips);
- throughput: events/s received while every session streams long fast text answers (60
  in all, at least one per session; median over the rounds), and its ratio to direct;
- the proxy process's CPU time per relayed frame (user + system, from /proc, while the
  sessions are open; opening and closing them is not counted): the cost itself, which a busy shared machine does not inflate the way it inflates wall-clock times;
- memory per idle session: each proxy's RSS growth over `--idle` open, idle sessions
  (after a warm-up), divided by their number.

Targets: p99 added ≤ 2 ms per frame at 100 sessions, throughput ≥ 0.8× direct, ≤ 256 KB
per idle recorded session. The machine's core count and load average are printed: with
fewer free cores than the three processes, the proxied paths also pay for sharing a core,
which direct does not, and wall-clock figures (latency, events/s) move with the load; the
CPU time per frame moves much less.

Where the relay's time goes now that data frames are forwarded as received bytes
(`console.proxy.rawrelay`): a cProfile of the relay-only proxy at 100 sessions puts 41 % of
its busy time in the socket `send`s (one per session and burst each way: every session has
its own sockets, so bursts of different sessions cannot share a write), 6 % in `recv`, 13 %
in the raw reader and the queueing, and most of the rest in the event loop's own
bookkeeping. Decoding through websockets' receive path, which this replaced, was about two
thirds of the cost per frame. Recording adds JSON parsing and the recording's line (about
10-15 µs a frame), 2 ms after the frame was relayed.
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

UPDATE = json.dumps({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}})
STORY = [json.dumps({"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [
    {"type": "input_text", "text": "tell me a long story"}]}}), json.dumps({"type": "response.create"})]
PATHS = ("direct", "relay only", "recording")
#: Long answers streamed per measurement, shared among the sessions (at least one each).
STREAMED_ANSWERS = 60


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def open_session(url: str) -> Any:
    ws = await websockets.connect(url + "?model=gpt-realtime", max_queue=None, max_size=None, compression=None)
    await ws.recv()  # session.created
    return ws


async def round_trips(ws: Any, count: int, out: list[float]) -> int:
    """Round trips, timed into `out`; returns the frames sent and received."""
    frames = 0
    for _ in range(count):
        start = time.perf_counter()
        await ws.send(UPDATE)
        frames += 2
        while json.loads(await ws.recv())["type"] != "session.updated":
            frames += 1
        out.append(time.perf_counter() - start)
    return frames


async def stream(ws: Any, answers: int) -> int:
    """Events received for `answers` long answers, one after the other."""
    received = 0
    for _ in range(answers):
        for frame in STORY:
            await ws.send(frame)
        while True:
            received += 1
            if '"response.done"' in (await ws.recv())[:40]:
                break
    return received


async def measure(url: str, n: int, trips: int, pid: int | None = None) -> tuple[list[float], float, int, float]:
    """(round-trip times, events/s streamed, frames relayed, CPU seconds process `pid`
    used for them) for n concurrent sessions on `url`; opening and closing the sessions
    is not counted."""
    sessions = await asyncio.gather(*(open_session(url) for _ in range(n)))
    cpu = cpu_seconds(pid) if pid is not None else 0.0
    rtts: list[float] = []
    frames = sum(await asyncio.gather(*(round_trips(ws, trips, rtts) for ws in sessions)))
    answers = max(1, STREAMED_ANSWERS // n)  # every N streams about as many events
    start = time.perf_counter()
    events = sum(await asyncio.gather(*(stream(ws, answers) for ws in sessions)))
    rate = events / (time.perf_counter() - start)
    cpu = cpu_seconds(pid) - cpu if pid is not None else 0.0
    await asyncio.gather(*(ws.close() for ws in sessions))
    return rtts, rate, frames + events + n * answers * len(STORY), cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# --- the processes ----------------------------------------------------------------------


async def spawn(args: list[str], pattern: str, stream_name: str) -> tuple[asyncio.subprocess.Process, str]:
    """Start a process and wait for the line announcing its URL (group 1 of `pattern`)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out = proc.stdout if stream_name == "stdout" else proc.stderr
    assert out is not None
    while True:
        line = (await out.readline()).decode()
        if not line:
            raise RuntimeError(f"{' '.join(args[:3])} did not start")
        found = re.search(pattern, line)
        if found:
            break

    async def drain(pipe: asyncio.StreamReader | None) -> None:  # session lines: keep the pipes from filling
        while pipe is not None and await pipe.readline():
            pass

    asyncio.ensure_future(drain(proc.stdout))
    asyncio.ensure_future(drain(proc.stderr))
    return proc, found.group(1)


async def serve_unrecorded(upstream: str, max_sessions: int) -> None:
    """The relay-only proxy (child process): the CLI's server, no record_dir."""
    from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget

    server = ProxyServer(UpstreamTarget(upstream, None, "url"), policy=AccessPolicy(max_sessions=max_sessions),
                         record_dir=None)
    async with server:
        print(f"proxy: listening on {server.url}", file=sys.stderr, flush=True)
        await asyncio.Event().wait()


async def idle_kb(url: str, pid: int, count: int) -> float:
    """KB of proxy RSS per idle session (after opening and closing a few to warm up)."""
    warm = [await open_session(url) for _ in range(10)]
    await asyncio.gather(*(ws.close() for ws in warm))
    await asyncio.sleep(0.5)  # let the proxy finish those sessions (a measurement, not a test)
    before = rss_kb(pid)
    idle = [await open_session(url) for _ in range(count)]
    await asyncio.sleep(0.5)
    after = rss_kb(pid)
    await asyncio.gather(*(ws.close() for ws in idle))
    return (after - before) / count


async def main(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.sessions.split(",")]
    most = max(counts + [args.idle]) + 16
    procs: list[asyncio.subprocess.Process] = []
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; simulator, proxies and "
          f"apps each in their own process; {args.rounds} rounds of {args.round_trips} round trips per session")
    with tempfile.TemporaryDirectory() as record_dir:
        try:
            sim, sim_url = await spawn(["-m", "console", "simulator", "--fast", "--port", "0"],
                                       r"listening on (ws://\S+/v1/realtime)", "stdout")
            procs.append(sim)
            recording, recording_url = await spawn(
                ["-m", "console", "proxy", "--headless", "--listen", "127.0.0.1:0", "--upstream", sim_url,
                 "--record-dir", record_dir, "--max-sessions", str(most)],
                r"listening on (ws://\S+/v1/realtime)", "stderr")
            procs.append(recording)
            relay, relay_url = await spawn([str(Path(__file__).resolve()), "--serve-unrecorded", sim_url,
                                            "--max-sessions", str(most)],
                                           r"listening on (ws://\S+/v1/realtime)", "stderr")
            procs.append(relay)
            urls = {"direct": sim_url, "relay only": relay_url, "recording": recording_url}
            pids = {"relay only": relay.pid, "recording": recording.pid}
            for path in PATHS:  # warm up: first connections, lazy imports
                await measure(urls[path], 2, 5)

            idle_relay = await idle_kb(relay_url, relay.pid, args.idle)
            idle_rec = await idle_kb(recording_url, recording.pid, args.idle)
            print(f"idle: {args.idle} sessions: {idle_relay:.1f} KB per session relay only, "
                  f"{idle_rec:.1f} KB per session recording ({len(os.listdir(record_dir))} recordings)")

            print(f"{'N':>4} | {'path':<10} | {'RTT p50/p99 ms':>16} | {'added/frame p50/p99 ms':>22} | "
                  f"{'events/s':>8} | ratio | proxy CPU µs/frame")
            for n in counts:
                rtts: dict[str, list[float]] = {p: [] for p in PATHS}
                rates: dict[str, list[float]] = {p: [] for p in PATHS}
                cpu: dict[str, float] = {p: 0.0 for p in PATHS}
                relayed: dict[str, int] = {p: 0 for p in PATHS}
                for _ in range(args.rounds):
                    for path in PATHS:
                        got, rate, frames, used = await measure(urls[path], n, args.round_trips, pids.get(path))
                        cpu[path] += used
                        relayed[path] += frames
                        rtts[path] += got
                        rates[path].append(rate)
                d50, d99 = percentile(rtts["direct"], 0.5) * 1e3, percentile(rtts["direct"], 0.99) * 1e3
                direct_rate = statistics.median(rates["direct"])
                for path in PATHS:
                    p50, p99 = percentile(rtts[path], 0.5) * 1e3, percentile(rtts[path], 0.99) * 1e3
                    rate = statistics.median(rates[path])
                    added = "" if path == "direct" else f"{(p50 - d50) / 2:>9.2f} / {(p99 - d99) / 2:>9.2f}"
                    per_frame = f"{cpu[path] / relayed[path] * 1e6:.1f}" if path in pids else ""
                    print(f"{n:>4} | {path:<10} | {p50:>7.2f} / {p99:>6.2f} | {added:>22} | {rate:>8.0f} | "
                          f"{rate / direct_rate:.2f}x | {per_frame:>6}")
            print(f"load average {os.getloadavg()[0]:.1f} at the end")
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()
            for proc in procs:
                await proc.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,100")
    parser.add_argument("--round-trips", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--serve-unrecorded", metavar="UPSTREAM", help=argparse.SUPPRESS)
    parser.add_argument("--max-sessions", type=int, default=64, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_unrecorded:
        asyncio.run(serve_unrecorded(options.serve_unrecorded, options.max_sessions))
    else:
        asyncio.run(main(options))
