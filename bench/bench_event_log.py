"""Event log throughput, memory, navigation and event-loop lag, vs Textual's stock `Log`.

    .venv/bin/python bench/bench_event_log.py [--events N] [--million] [--fast]

Everything runs headless in `App.run_test`, in one process, against a baseline measured
in the same run: Textual's `Log` fed one plain line per event (the yardstick:
~250 B and ~11,000 lines/s on this class of machine).

1. Ingest: N synthetic session events (60 % audio deltas, 30 % transcript deltas, 10 %
   mic appends, like a live voice turn) appended to an `EventStore` with
   `EventLog.refresh_new()` at 30 Hz, as the app's flush timer does; the baseline
   writes the same number of lines to `Log` with the same 30 Hz yielding.
2. Memory: bytes per event retained (tracemalloc) by the store plus its row view,
   and by `Log` for the same lines.
3. Navigation over the big log: jump to a random event (`select_event` + repaint), page
   down, a type filter, a text search over all rows, the time from the last key of a
   typed search to its rows (over 200k events this includes the 0.3 s typing pause),
   and unfolding everything. Each figure includes one `pilot.pause()` (~20 ms, printed).
4. Lag: events arriving at a sustained rate (default 2,000/s for 5 s) while a probe
   coroutine sleeps 10 ms in a loop and records how late it wakes (target: < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import random
import statistics
import time
import tracemalloc
from typing import Any, Callable

from textual.app import App, ComposeResult
from textual.widgets import Log

from console.session.event_rows import RowView
from console.session.event_store import EventStore
from widgets.event_log import EventLog

AUDIO = base64.b64encode(bytes(4800)).decode()
IDS = {"response_id": "resp_CaB3xYz0123456789abcd", "item_id": "item_CaB3xYz0123456789abcd",
       "output_index": 0, "content_index": 0}


def make_event(i: int) -> tuple[str, dict[str, Any]]:
    """The i-th event of a synthetic voice session (fresh dict, like a parsed frame)."""
    k = i % 10
    if k < 6:
        return "server", {"type": "response.output_audio.delta", "event_id": f"event_{i:021d}", **IDS, "delta": AUDIO}
    if k < 9:
        return "server", {"type": "response.output_audio_transcript.delta", "event_id": f"event_{i:021d}", **IDS,
                          "delta": " word", "obfuscation": "xK3p"}
    if i % 1000 == 999:
        return "server", {"type": "response.done", "event_id": f"event_{i:021d}",
                          "response": {"id": "resp_x", "status": "completed"}}
    return "client", {"type": "input_audio_buffer.append", "event_id": f"evt_{i:021d}", "audio": AUDIO}


def make_line(i: int) -> str:
    """The baseline's plain line for event i (about what one log row shows)."""
    source, event = make_event(i)
    return f"+{i / 100:10.3f} {'↑' if source == 'client' else '↓'} {event['type']:<40} item_CaB3xYz0123456789abcd +4800 B"


class StoreApp(App[None]):
    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield EventLog(self.store, id="log")


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Log(id="log", max_lines=None)


async def ingest_store(n: int) -> tuple[float, StoreApp]:
    store = EventStore(start_time=0)
    app = StoreApp(store)
    async with app.run_test(size=(160, 50)) as pilot:
        log = app.query_one(EventLog)
        t0 = last = time.perf_counter()
        for i in range(n):
            source, event = make_event(i)
            store.append(source, event, i / 100)
            if i % 64 == 0 and (now := time.perf_counter()) - last >= 1 / 30:
                log.refresh_new()
                await asyncio.sleep(0)
                last = now
        log.refresh_new()
        await pilot.pause()
        elapsed = time.perf_counter() - t0
    return elapsed, app


async def ingest_log(n: int) -> float:
    """Lines buffered and written with `write_lines` at 30 Hz: Log's best case (one
    `write_line` per event is ~15x slower, as it scrolls per line)."""
    app = LogApp()
    async with app.run_test(size=(160, 50)) as pilot:
        log = app.query_one(Log)
        t0 = last = time.perf_counter()
        pending: list[str] = []
        for i in range(n):
            pending.append(make_line(i))
            if i % 64 == 0 and (now := time.perf_counter()) - last >= 1 / 30:
                log.write_lines(pending)
                pending = []
                await asyncio.sleep(0)
                last = now
        log.write_lines(pending)
        await pilot.pause()
        return time.perf_counter() - t0


def traced_bytes(build: Callable[[], Any]) -> tuple[int, Any]:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before, kept
    finally:
        tracemalloc.stop()


def store_memory(n: int) -> float:
    def build() -> Any:
        store = EventStore(start_time=0)
        for i in range(n):
            source, event = make_event(i)
            store.append(source, event, i / 100)
        return store, RowView(store)

    used, _ = traced_bytes(build)
    return used / n


def log_memory(n: int) -> float:
    """`Log` keeps its lines in a list of str; measured the same way, without a screen."""
    def build() -> Any:
        return [make_line(i) for i in range(n)]

    used, _ = traced_bytes(build)
    return used / n


async def navigation_log(n: int) -> dict[str, float]:
    """The baseline moves on a stock `Log` of n plain lines (scroll_to / page down)."""
    app = LogApp()
    out: dict[str, list[float]] = {"jump (scroll_to + repaint)": [], "page down + repaint": []}
    rng = random.Random(1)
    async with app.run_test(size=(160, 50)) as pilot:
        log = app.query_one(Log)
        for start in range(0, n, 10_000):
            log.write_lines([make_line(i) for i in range(start, min(n, start + 10_000))])
        await pilot.pause()
        for _ in range(10):
            t = time.perf_counter()
            log.scroll_to(y=rng.randrange(n), animate=False, immediate=True)
            await pilot.pause()
            out["jump (scroll_to + repaint)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            log.scroll_page_down(animate=False)
            await pilot.pause()
            out["page down + repaint"].append(time.perf_counter() - t)
        t = time.perf_counter()
        await pilot.pause()
        out["(a bare pilot.pause)"] = [time.perf_counter() - t]
    return {k: statistics.median(v) * 1000 for k, v in out.items()}


async def navigation(n: int) -> dict[str, float]:
    """Times (ms) for moves over a log of n events, each followed by a repaint."""
    store = EventStore(start_time=0)
    for i in range(n):
        source, event = make_event(i)
        store.append(source, event, i / 100)
    app = StoreApp(store)
    out: dict[str, list[float]] = {"jump (select_event + repaint)": [], "page down + repaint": [],
                                   "type filter (all rows)": [], "text search (all rows)": [],
                                   "search shown after typing stops": [],
                                   "worst loop lag during that search": [],
                                   "unfold all": []}
    rng = random.Random(1)
    async with app.run_test(size=(160, 50)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.pause()
        for _ in range(10):
            t = time.perf_counter()
            log.select_event(rng.randrange(n))
            await pilot.pause()
            out["jump (select_event + repaint)"].append(time.perf_counter() - t)
            t = time.perf_counter()
            log.action_page_down()
            await pilot.pause()
            out["page down + repaint"].append(time.perf_counter() - t)
        for _ in range(3):
            t = time.perf_counter()
            log.set_filter(types=frozenset({"response.done"}))
            await pilot.pause()
            out["type filter (all rows)"].append(time.perf_counter() - t)
            log.set_filter(types=None)
            log.SEARCH_DEBOUNCE_EVENTS = 1 << 62  # the scan itself, without the typing pause
            t = time.perf_counter()
            log.set_filter(text="RESP_X")
            await pilot.pause()
            out["text search (all rows)"].append(time.perf_counter() - t)
            log.set_filter(text="")
            del log.SEARCH_DEBOUNCE_EVENTS  # back to the class default
            for typed in ("i", "it", "ite", "item"):  # a user typing, 100 ms per key
                log.set_filter(text=typed)
                await pilot.pause(0.1)
            t = time.perf_counter()  # from the last key until the rows show (incl. debounce)
            worst = 0.0
            while log.pending_text is not None or log.text != "item":
                tick = time.perf_counter()
                await asyncio.sleep(0.01)  # meanwhile: how late does the event loop wake?
                worst = max(worst, time.perf_counter() - tick - 0.01)
            await pilot.pause()
            out["search shown after typing stops"].append(time.perf_counter() - t)
            out["worst loop lag during that search"].append(worst)
            log.set_filter(text="")
        t = time.perf_counter()
        log.set_filter(fold=False)
        await pilot.pause()
        out["unfold all"].append(time.perf_counter() - t)
    print(f"  store footprint (columns + JSON blocks): {store.nbytes() / n:.0f} B/event, "
          f"{store.nbytes() / 1e6:.0f} MB")
    return {k: statistics.median(v) * 1000 for k, v in out.items()}


async def lag(rate: int, seconds: float, use_store: bool, freeze: bool) -> tuple[float, float, int]:
    """(worst, p99) event-loop lag in ms while `rate` events/s arrive, and events logged.

    Both sides flush at 30 Hz (the store via `refresh_new`, the baseline via
    `write_lines`). With `freeze`, `gc.freeze()` runs once the app is up, so the
    cyclic GC stops rescanning Textual's startup objects (full collections of those
    were the worst stalls seen: ~80 ms here).
    """
    store = EventStore(start_time=0)
    app: App[None] = StoreApp(store) if use_store else LogApp()
    lags: list[float] = []
    async with app.run_test(size=(160, 50)) as pilot:
        widget = app.query_one("#log")
        pending: list[str] = []
        if freeze:
            gc.freeze()
        if use_store:
            app.set_interval(1 / 30, widget.refresh_new)  # type: ignore[attr-defined]
        else:
            def flush() -> None:
                widget.write_lines(pending)  # type: ignore[attr-defined]
                pending.clear()

            app.set_interval(1 / 30, flush)
        done = asyncio.Event()
        count = 0

        async def producer() -> None:
            nonlocal count
            start = time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds:
                due = int(elapsed * rate)
                while count < due:
                    if use_store:
                        source, event = make_event(count)
                        store.append(source, event, count / rate)
                    else:
                        pending.append(make_line(count))
                    count += 1
                await asyncio.sleep(0.005)
            done.set()

        async def probe() -> None:
            while not done.is_set():
                t = time.perf_counter()
                await asyncio.sleep(0.010)
                lags.append(time.perf_counter() - t - 0.010)

        await asyncio.gather(producer(), probe())
        await pilot.pause()
    if freeze:
        gc.unfreeze()
    lags.sort()
    return lags[-1] * 1000, lags[int(len(lags) * 0.99)] * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="also navigate a 1,000,000-event log")
    parser.add_argument("--fast", action="store_true", help="10k events, 2 s of lag test")
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--gc-freeze", action="store_true", help="also run the lag test after gc.freeze()")
    args = parser.parse_args()
    n = 10_000 if args.fast else args.events
    seconds = 2.0 if args.fast else args.seconds

    t_log = asyncio.run(ingest_log(n))
    t_store, _ = asyncio.run(ingest_store(n))
    print(f"ingest {n:,} events, refresh at 30 Hz, headless 160x50")
    print(f"  baseline Log (plain lines) : {n / t_log:10,.0f} lines/s  ({t_log:.2f} s)")
    print(f"  EventStore + EventLog      : {n / t_store:10,.0f} events/s ({t_store:.2f} s)")

    m_log = log_memory(n)
    m_store = store_memory(n)
    print(f"memory per event ({n:,}, tracemalloc, audio payloads excluded by design)")
    print(f"  baseline Log lines         : {m_log:10.0f} B")
    print(f"  EventStore + RowView       : {m_store:10.0f} B")

    sizes = [n] + ([1_000_000] if args.million else [])
    for size in sizes:
        print(f"navigation over {size:,} events (median ms)")
        for k, v in asyncio.run(navigation_log(size)).items():
            print(f"  baseline Log {k:<28}: {v:8.1f} ms")
        for k, v in asyncio.run(navigation(size)).items():
            print(f"  EventLog {k:<32}: {v:8.1f} ms")

    runs = [(False, False), (True, False)] + ([(False, True), (True, True)] if args.gc_freeze else [])
    for use_store, freeze in runs:
        label = ("EventStore + EventLog" if use_store else "baseline Log") + (" +gc.freeze" if freeze else "")
        worst, p99, count = asyncio.run(lag(args.rate, seconds, use_store, freeze))
        print(f"lag at {args.rate:,} ev/s for {seconds:g} s, {label:<33}: worst {worst:6.1f} ms, p99 {p99:6.1f} ms ({count:,} events)")


if __name__ == "__main__":
    main()
