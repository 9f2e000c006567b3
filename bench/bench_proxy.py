"""Benchmark: the recording proxy against connecting directly to the simulator, same run.

    python bench/bench_proxy.py [--sessions 1,10,100] [--rounds 3] [--paced-sessions 100]
                                [--paced-ticks 40] [--idle 200] [--baseline CHECKOUT]

Processes as deployed: the simulator in fast mode (`realtime-console simulator --fast`),
the proxy (`realtime-console proxy --headless`, recording on, to a temporary directory),
and this one, which runs the apps. A second proxy process, the same relay with recording
off (`ProxyServer(record_dir=None)`, started by this script), splits the proxy's cost
between relaying and recording. `--baseline` starts both proxies a second time from
another checkout of the project (the code before a change: `git archive main | tar -x -C
DIR`), as paths of their own, so a change is measured against the code before it in the
same run. The paths take turns, `--rounds` times, so a load spike on a shared machine hits
them alike.

Latency (the "p99 added ≤ 2 ms per frame" target) is measured paced, at `--paced-sessions`
(100): every session does one `session.update` → `session.updated` round trip (two relayed
frames) every 100-200 ms, drawn at random so the sessions' phases spread: ~670 round trips
and ~1,330 relayed frames a second. That is a small share of what each process does
saturated (printed: about 10-14 % of a core for the apps, 20 % for the simulator, 2-5 % for
a proxy), so a round trip mostly finds every process idle, and its time is the path's
latency. (Round trips back to back as fast as they go, as this bench measured them before,
form a closed loop that saturates the machine: their time is queueing, direct's own p99
moved between 41 and 135 ms from run to run, and half the difference was noise of ±20 ms.)
Two designs, in the same rounds:

- taking turns: each path alone, all sessions pacing; added per relayed frame = half the
  difference of the round trips' p50 (p99) to direct's. Different paths run at different
  moments, so a load spike lands on one of them: the p99 is still noisy;
- interleaved (the figure to read): every session holds a connection on each path plus a
  second direct one ("direct again", an A/A control: the proxy is not on its path, so its
  "added" latency is the measurement's own noise) and does one round trip on each, back to
  back in a random order, every 100-200 ms times the number of paths (the same round trips
  a second as alone). A spike then hits all paths within a millisecond of each other. Per
  path: the added p50 / p99 as above; a 95 % interval for the p99 added from a bootstrap
  that resamples 0.25 s windows of the run (no assumption about the distributions, and a
  spike's effect across sessions stays together); and the median over round trips of
  (proxied - direct taken back to back) / 2, the steadiest figure for the typical cost.

Throughput and cost, saturated (each N of `--sessions`, every session at once as fast as it
goes: `--round-trips` round trips, then long fast text answers, 120 in all and at least two
per session, so the rate is taken over 30,000-50,000 events), in two layouts:

- shared: every process on every core, as the scheduler places them. On 2 cores the
  proxied paths run three busy processes where direct runs two, so this measures the
  contention as much as the proxy;
- pinned: the apps and the simulator on one core, the proxies on the other, for every
  path: the proxy has a core of its own, as on a machine with one free for it (the
  deployment the target is about), and each path's endpoints get the same core.

Per N and path:
- events/s received while streaming (median over the rounds) and the ratio to direct
  (target ≥ 0.8× at 100 sessions);
- the proxy process's CPU time per relayed frame (user + system, from /proc, while the
  sessions are open; opening and closing them is not counted): the cost itself, which a
  busy shared machine inflates much less than it inflates wall-clock times;
- each process's share of a core while streaming: which one is the bottleneck. Pinned,
  the endpoints' core runs at 100 % on every path and the proxy's below it, so the proxy
  is not what limits the rate there; what moves the ratio is how much the endpoints pay
  per event, and they pay more the smaller the pieces the proxy hands them the frames in
  (see the end);
- memory per idle session: each proxy's RSS growth over `--idle` open, idle sessions
  (after a warm-up), divided by their number (target ≤ 256 KB recorded).

The core count and load average are printed: with fewer free cores than processes, a
proxied round trip waits for the proxy process to be scheduled twice (once per frame),
which direct does not; on a 2-core machine shared with other work, that wait makes more of
the p99 than the relay's code does (see the end).

What it showed (five runs, details in README, Benchmarks): the p99 added per relayed frame
with recording on, interleaved, 0.33-0.52 ms in the four runs that measured it (95 %
intervals within 0.27-0.65 ms); the A/A control's p99 added -0.10 to 0.02 ms. Throughput
at 100 sessions with recording on: 0.95-1.05x direct pinned on a quiet machine (all five
runs ≥ 0.8x), 0.78-1.17x shared (4 of 5); the code before the last change, in the same
runs, 0.92-1.06x and 0.86-1.14x. Pinned, the endpoints' core ran at 100 % on every path
and the recording proxy's at 69-74 %.

Where the relay's time goes: data frames are forwarded as received bytes
(`console.proxy.rawrelay`), written from the very callback that read them. Timed inside a
recording proxy at 100 paced sessions (one instrumented run, not part of this bench), that
callback (recv, frame headers, send) took ~75 µs at p50 and ~0.5 ms at p99 of wall time,
mostly the two system calls: a loopback `send` runs the receiver's side of TCP and wakes
it, and the proxy can be preempted right there. A cProfile of the relay-only proxy
saturated puts 41 % of its busy time in the `send`s (one per session and burst each way:
every session has its own sockets, so bursts of different sessions cannot share a write)
and 6 % in `recv`. Recording parses each frame and writes its line (one disk write per
session for the frames of 20 ms), 20 ms after the frame was relayed; since asyncio runs a
pass's timers after its I/O callbacks, that work can delay a frame only if it is already
running when the frame arrives (~0.1 ms per session and burst).

Why relaying only can be slower than recording (relay only 0.57-0.95× in the same runs):
a proxy with little to do forwards each frame the moment it arrives, so the apps receive
the stream in more, smaller pieces, and the simulator's sends wake a reader on another
core every time; both endpoints then spend more CPU per event (pinned, the same 100 % of
their core carries 20-40 % fewer events). A recording proxy, busier, reads and forwards
bigger pieces. Holding frames back to batch them would trade latency for it; the relay
does not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
#: Long answers streamed per measurement, shared among the sessions (at least two each:
#: ~250 events an answer, so the rate is taken over ~30,000-50,000 events, a few seconds).
STREAMED_ANSWERS = 120


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


class CpuMeter:
    """Share of one core each process used between `start` and `stop` (from /proc)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.used = {name: 0.0 for name in pids}
        self.wall = 0.0
        self._begin: dict[str, float] = {}
        self._at = 0.0

    def start(self) -> None:
        self._begin = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._at = time.perf_counter()

    def stop(self) -> None:
        self.wall += time.perf_counter() - self._at
        for name, pid in self.pids.items():
            self.used[name] += cpu_seconds(pid) - self._begin[name]

    def add(self, other: CpuMeter) -> CpuMeter:
        """This meter with `other`'s time added (the same processes, measured again)."""
        self.wall += other.wall
        for name in self.pids:
            self.used[name] += other.used[name]
        return self

    def summary(self) -> str:
        return ", ".join(f"{name} {self.used[name] / self.wall * 100:.0f} %" for name in self.pids)


async def measure(url: str, n: int, trips: int, pid: int | None = None,
                  endpoints: dict[str, int] | None = None) -> tuple[float, int, float, CpuMeter]:
    """(events/s streamed, frames relayed, CPU seconds process `pid` used for them, and the
    share of a core each of `endpoints` and the proxy used while streaming) for n
    concurrent sessions on `url`, all at once as fast as they go (a saturated closed loop:
    its round-trip times measure queueing, so they are load here, not a latency figure);
    opening and closing the sessions is not counted."""
    sessions = await asyncio.gather(*(open_session(url) for _ in range(n)))
    cpu = cpu_seconds(pid) if pid is not None else 0.0
    frames = sum(await asyncio.gather(*(round_trips(ws, trips, []) for ws in sessions)))
    answers = max(2, STREAMED_ANSWERS // n)  # every N streams about as many events
    meter = CpuMeter((endpoints or {}) | ({"proxy": pid} if pid is not None else {}))
    meter.start()
    start = time.perf_counter()
    events = sum(await asyncio.gather(*(stream(ws, answers) for ws in sessions)))
    rate = events / (time.perf_counter() - start)
    meter.stop()
    cpu = cpu_seconds(pid) - cpu if pid is not None else 0.0
    await asyncio.gather(*(ws.close() for ws in sessions))
    return rate, frames + events + n * answers * len(STORY), cpu, meter


# --- paced latency ----------------------------------------------------------------------

#: The paced phases: each session does one round trip every PACE_MS (uniformly drawn, so
#: the sessions' phases drift apart), mean 150 ms; at 100 sessions that is ~670 round trips
#: (~1,330 relayed frames) a second per path: a few % of a core for each proxy and well
#: under what the simulator and the apps process do saturated, so a round trip mostly
#: finds every process idle and its time is the path's latency, not a queue's.
PACE_MS = (100.0, 200.0)
#: The interleaved phase's second direct connection per session: an A/A control whose
#: "added" latency is the measurement's own noise (the proxy is not on its path).
CONTROL = "direct again"
#: Block length for the bootstrap: samples taken within the same window are resampled
#: together, since a load spike on the machine hits all of them.
WINDOW_S = 0.25
BOOTSTRAP = 400


async def one_round_trip(ws: Any) -> float:
    """Seconds from sending `session.update` to receiving `session.updated` (two frames relayed)."""
    start = time.perf_counter()
    await ws.send(UPDATE)
    while '"session.updated"' not in (await ws.recv())[:40]:
        pass
    return time.perf_counter() - start


async def paced_slot(connections: list[Any], ticks: int, rng: random.Random,
                     out: list[list[tuple[float, float]]]) -> None:
    """One session slot: every PACE_MS times len(connections) (so the round trips offered
    per second do not depend on how many paths a slot has), one round trip on each of
    `connections` in a random order, back to back; (tick start, round-trip time) into
    out[i] for connections[i]. A late tick starts the schedule again from now instead of
    catching up in a burst."""
    low, high = (bound * len(connections) for bound in PACE_MS)
    await asyncio.sleep(rng.uniform(0, high) / 1e3)  # a random phase
    due = time.perf_counter()
    order = list(range(len(connections)))
    for _ in range(ticks):
        rng.shuffle(order)
        at = time.perf_counter()
        for i in order:
            out[i].append((at, await one_round_trip(connections[i])))
        due += rng.uniform(low, high) / 1e3
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            due = time.perf_counter()


async def paced(slots: list[list[Any]], ticks: int, rng: random.Random) -> list[list[tuple[float, float]]]:
    """Run `paced_slot` for every slot at once; the samples per connection index."""
    out: list[list[tuple[float, float]]] = [[] for _ in slots[0]]
    await asyncio.gather(*(paced_slot(slot, ticks, rng, out) for slot in slots))
    return out


def quantiles_ms(values: list[float]) -> str:
    return f"{percentile(values, 0.5) * 1e3:>6.3f} / {percentile(values, 0.99) * 1e3:>7.3f}"


def added_ms(path: list[float], direct: list[float], q: float) -> float:
    """Latency added per relayed frame at quantile q: half the round trips' difference."""
    return (percentile(path, q) - percentile(direct, q)) / 2 * 1e3


def windowed(samples: list[tuple[float, float]], start: float) -> dict[int, list[float]]:
    blocks: dict[int, list[float]] = {}
    for at, rtt in samples:
        blocks.setdefault(int((at - start) / WINDOW_S), []).append(rtt)
    return blocks


def bootstrap_p99_added(path: list[tuple[float, float]], direct: list[tuple[float, float]],
                        rng: random.Random) -> tuple[float, float]:
    """95 % interval of the p99 added per frame, resampling whole time windows (the same
    windows for both, so what hit both in a window stays paired): no assumption about
    the distributions, and a spike's correlation across sessions is kept."""
    start = min(at for at, _ in direct + path)
    blocks_path, blocks_direct = windowed(path, start), windowed(direct, start)
    keys = sorted(set(blocks_path) & set(blocks_direct))
    estimates = []
    for _ in range(BOOTSTRAP):
        picked = [rng.choice(keys) for _ in keys]
        estimates.append(added_ms([x for k in picked for x in blocks_path[k]],
                                  [x for k in picked for x in blocks_direct[k]], 0.99))
    return percentile(estimates, 0.025), percentile(estimates, 0.975)


def paired_median_ms(path: list[tuple[float, float]], direct: list[tuple[float, float]]) -> float:
    """Median over ticks of (proxied - direct round trip) / 2, each pair taken back to back
    (a tick's samples share its start time)."""
    direct_at = dict(direct)
    return statistics.median((rtt - direct_at[at]) / 2 for at, rtt in path) * 1e3


async def paced_phases(urls: dict[str, str], n: int, ticks: int, rounds: int, meter_pids: dict[str, int]) -> None:
    """The latency figures: paced round trips at n sessions on every path of `urls`, each
    path alone in turn and then all interleaved, `rounds` times; prints both tables."""
    rng = random.Random(1)
    paths = list(urls)
    conns = {path: list(await asyncio.gather(*(open_session(urls[path]) for _ in range(n)))) for path in paths}
    conns[CONTROL] = list(await asyncio.gather(*(open_session(urls["direct"]) for _ in range(n))))
    mixed = ["direct", CONTROL] + [p for p in paths if p != "direct"]
    alone: dict[str, list[tuple[float, float]]] = {p: [] for p in paths}
    together: dict[str, list[tuple[float, float]]] = {p: [] for p in mixed}
    meter, meter_mixed = CpuMeter(meter_pids), CpuMeter(meter_pids)
    for _ in range(rounds):
        for path in paths:
            meter.start()
            alone[path] += (await paced([[ws] for ws in conns[path]], ticks, rng))[0]
            meter.stop()
        meter_mixed.start()  # as many round trips per session and path as alone, spread over as long
        got = await paced([[conns[p][i] for p in mixed] for i in range(n)], ticks, rng)
        meter_mixed.stop()
        for path, samples in zip(mixed, got):
            together[path] += samples
    await asyncio.gather(*(ws.close() for group in conns.values() for ws in group))

    rate = n / (sum(PACE_MS) / 2 / 1e3)
    width = max(map(len, mixed))
    print(f"\npaced latency, {n} sessions, each one round trip every {PACE_MS[0]:.0f}-{PACE_MS[1]:.0f} ms "
          f"(~{rate:.0f} round trips/s, ~{2 * rate:.0f} relayed frames/s), {rounds} rounds of {ticks}")
    print(f"taking turns (each path alone); CPU, share of one core: {meter.summary()}")
    print(f"  {'path':<{width}} | {'RTT p50 / p99 ms':>16} | added/frame p50 / p99 ms")
    rtt = {p: [x for _, x in alone[p]] for p in paths}
    for path in paths:
        added = "" if path == "direct" else \
            f"{added_ms(rtt[path], rtt['direct'], 0.5):>6.3f} / {added_ms(rtt[path], rtt['direct'], 0.99):>6.3f}"
        print(f"  {path:<{width}} | {quantiles_ms(rtt[path])} | {added}")
    print(f"interleaved (each session's {len(mixed)} connections back to back in a random order, every "
          f"{len(mixed) * PACE_MS[0]:.0f}-{len(mixed) * PACE_MS[1]:.0f} ms: the same round trips/s in all); "
          f"CPU: {meter_mixed.summary()}")
    print(f"  {'path':<{width}} | {'RTT p50 / p99 ms':>16} | added/frame p50 / p99 ms | p99 added 95 % interval "
          f"| paired median added")
    rtt = {p: [x for _, x in together[p]] for p in mixed}
    for path in mixed:
        line = f"  {path:<{width}} | {quantiles_ms(rtt[path])}"
        if path != "direct":
            low, high = bootstrap_p99_added(together[path], together["direct"], rng)
            line += (f" | {added_ms(rtt[path], rtt['direct'], 0.5):>6.3f} / "
                     f"{added_ms(rtt[path], rtt['direct'], 0.99):>6.3f}        | {low:>6.3f} to {high:>6.3f}"
                     f"        | {paired_median_ms(together[path], together['direct']):>6.3f}")
        print(line)


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


async def spawn(args: list[str], pattern: str, stream_name: str,
                cwd: Path = ROOT) -> tuple[asyncio.subprocess.Process, str]:
    """Start a process and wait for the line announcing its URL (group 1 of `pattern`)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=cwd, env=env,
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


async def serve_unrecorded(upstream: str, max_sessions: int, tree: Path) -> None:
    """The relay-only proxy (child process): the CLI's server from checkout `tree`, no record_dir."""
    sys.path.insert(0, str(tree))
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


async def start_proxies(sim_url: str, record_dir: str, most: int, tree: Path,
                        label: str) -> dict[str, tuple[asyncio.subprocess.Process, str]]:
    """The two proxies of checkout `tree`: recording (the CLI as deployed) and relay only."""
    recording = await spawn(["-m", "console", "proxy", "--headless", "--listen", "127.0.0.1:0", "--upstream", sim_url,
                             "--record-dir", record_dir, "--max-sessions", str(most)],
                            r"listening on (ws://\S+/v1/realtime)", "stderr", cwd=tree)
    relay = await spawn([str(Path(__file__).resolve()), "--serve-unrecorded", sim_url, "--max-sessions", str(most),
                         "--tree", str(tree)], r"listening on (ws://\S+/v1/realtime)", "stderr")
    return {"relay only" + label: relay, "recording" + label: recording}


#: The CPUs this bench may use (the pinned layout needs two).
CPUS = sorted(os.sched_getaffinity(0))


def place(layout: str, endpoints: dict[str, int], proxies: dict[str, int]) -> None:
    """Where the processes run: "shared", every process on every CPU (the scheduler
    decides); "pinned", the apps and the simulator on the first CPU, every proxy on the
    last (each path's endpoints get the same core, and a proxy a core of its own, as on a
    machine with a core free for it)."""
    for pids, cpu in ((endpoints, CPUS[0]), (proxies, CPUS[-1])):
        for pid in pids.values():
            for thread in os.listdir(f"/proc/{pid}/task"):  # every thread: affinity is per thread
                os.sched_setaffinity(int(thread), set(CPUS) if layout == "shared" else {cpu})


async def saturated(urls: dict[str, str], pids: dict[str, int], endpoints: dict[str, int], counts: list[int],
                    args: argparse.Namespace, layout: str) -> None:
    """The throughput table: each N of `counts`, every path `args.rounds` times in turn."""
    where = ("every process on every core" if layout == "shared" else
             f"pinned: apps and simulator on CPU {CPUS[0]}, the proxies on CPU {CPUS[-1]}")
    print(f"saturated, {where} (every session at once, as fast as it goes; {args.round_trips} round trips per "
          f"session, then long answers streamed): throughput and CPU cost")
    width = max(map(len, urls))
    print(f"{'N':>4} | {'path':<{width}} | {'events/s':>8} | ratio | proxy CPU µs/frame | "
          f"CPU while streaming, share of a core")
    for n in counts:
        rates: dict[str, list[float]] = {p: [] for p in urls}
        cpu: dict[str, float] = {p: 0.0 for p in urls}
        relayed: dict[str, int] = {p: 0 for p in urls}
        shares: dict[str, CpuMeter] = {}
        for _ in range(args.rounds):
            for path in urls:
                rate, frames, used, meter = await measure(urls[path], n, args.round_trips, pids.get(path), endpoints)
                cpu[path] += used
                relayed[path] += frames
                rates[path].append(rate)
                shares[path] = shares[path].add(meter) if path in shares else meter
        direct_rate = statistics.median(rates["direct"])
        for path in urls:
            rate = statistics.median(rates[path])
            per_frame = f"{cpu[path] / relayed[path] * 1e6:.1f}" if path in pids else ""
            print(f"{n:>4} | {path:<{width}} | {rate:>8.0f} | {rate / direct_rate:.2f}x | {per_frame:>18} | "
                  f"{shares[path].summary()}")


async def main(args: argparse.Namespace) -> None:
    counts = [int(n) for n in args.sessions.split(",") if n]
    most = max(counts + [args.idle, args.paced_sessions]) + 16
    procs: list[asyncio.subprocess.Process] = []
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; simulator, proxies and "
          f"apps each in their own process; {args.rounds} rounds")
    with tempfile.TemporaryDirectory() as record_dir:
        try:
            sim, sim_url = await spawn(["-m", "console", "simulator", "--fast", "--port", "0"],
                                       r"listening on (ws://\S+/v1/realtime)", "stdout")
            procs.append(sim)
            proxies = await start_proxies(sim_url, record_dir, most, ROOT, "")
            if args.baseline:
                proxies |= await start_proxies(sim_url, record_dir, most, args.baseline.resolve(), " (before)")
            procs += [proc for proc, _ in proxies.values()]
            urls = {"direct": sim_url} | {path: url for path, (_, url) in proxies.items()}
            pids = {path: proc.pid for path, (proc, _) in proxies.items()}
            for path in urls:  # warm up: first connections, lazy imports
                await measure(urls[path], 2, 5)

            for path, pid in pids.items():
                kb = await idle_kb(urls[path], pid, args.idle)
                print(f"idle: {args.idle} sessions: {kb:.1f} KB per session, {path}")

            endpoints = {"apps": os.getpid(), "simulator": sim.pid}
            for layout in ["shared"] + (["pinned"] if len(CPUS) >= 2 else []):
                place(layout, endpoints, pids)
                await saturated(urls, pids, endpoints, counts, args, layout)
            place("shared", endpoints, pids)
            if args.paced_sessions:
                await paced_phases(urls, args.paced_sessions, args.paced_ticks, args.rounds, endpoints | pids)
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
    parser.add_argument("--paced-sessions", type=int, default=100,
                        help="sessions in the paced latency phases (0: skip)")
    parser.add_argument("--paced-ticks", type=int, default=40, help="paced round trips per session, path and round")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also run both proxies from another checkout of this project (the code before a change)")
    parser.add_argument("--serve-unrecorded", metavar="UPSTREAM", help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--max-sessions", type=int, default=64, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_unrecorded:
        asyncio.run(serve_unrecorded(options.serve_unrecorded, options.max_sessions, options.tree))
    else:
        asyncio.run(main(options))
