"""Benchmark: listing and aggregating many small recordings, against a plain `json.loads`
loop over the same files, measured in the same run.

    .venv/bin/python bench/bench_sessions.py             # 10,000 recordings
    .venv/bin/python bench/bench_sessions.py --fast      # 1,000

It writes one small synthetic session (three turns through the real `SessionRecorder`:
a text answer, a spoken one cut by a barge-in, a short spoken question) and copies it to N files in a temporary
directory, then times:

    json loop     open each file and `json.loads` every line (the floor for any reader
                  that looks inside every file)
    list cold     `SummaryCache` with no cache file: every file read and analysed
                  (`build_report`) in this process, the cache saved
    list pool     the same through `summary_pool.summarise_all` with 2 worker processes
                  (the browser's first scan uses cores - 1 workers: a pool from 3 cores up)
    list cached   a new `SummaryCache` over the saved file: one `stat` per file
    cache load    loading that cache file alone (`SummaryCache` over it), against the JSON
                  document it used to be (`json.loads` and one `Summary.from_json` per
                  entry, the earlier loader) written from the same summaries
    stats cold    `realtime-console stats --json --no-cache DIR` in-process (read + aggregate)
    stats cached  `realtime-console stats --json DIR` with the cache warm

and the sessions browser itself (`SessionsApp`, headless through Textual's `run_test`):

    bare app      a minimal Textual app's start to its first frame (the floor)
    app cold      app start to every row shown, no cache file (the scan worker, progress bar)
    app cached    app start (the cache file loaded included) to the first frame with every
                  row in it, the cache warm; then to the worker done (it lists the directory
                  and checks each file's size and mtime after that first frame); run
                  `--repeat` times
    process       the same cached start in a fresh `python` process, imports included,
                  against a bare Textual app's fresh process to its first frame
    sort / filter re-sorting by cost, and a filter that keeps a tenth of the rows, with the
                  Line-API `SummaryTable`, against the `DataTable` the browser used before
                  (`clear` + `add_row` per row), filled with the same cells in the same run

The cache lives in the temporary directory (`XDG_CACHE_HOME` is pointed there).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from json_baseline import json_loop  # bench/ is the script's own directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def template(path: Path) -> int:
    """Write one small session; return its size in bytes."""
    from console.recording.synthetic import SessionBuilder

    b = SessionBuilder(chunk_ms=200, fast_audio=True)
    b.session()
    b.user_text("hello")
    b.response(latency_ms=350, text_only=True, transcript="Hello! How can I help you today?")
    b.user_text("tell me a long story")
    b.response(latency_ms=420, audio_ms=400, cancel_after_deltas=1)
    b.user_speech(200, "stop", silence_ms=0)
    b.response(latency_ms=300, text_only=True, transcript="Sure.")
    b.write(path)
    return path.stat().st_size


def timed(label: str, fn, baseline: float | None = None):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    ratio = f"  ({took / baseline:.2f}x the json loop)" if baseline else ""
    print(f"{label:<14} {took:8.2f} s{ratio}", flush=True)
    return took, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--fast", action="store_true", help="1,000 recordings")
    parser.add_argument("--repeat", type=int, default=3, help="cached browser starts (default 3)")
    parser.add_argument("--child", nargs=4, metavar=("WHAT", "ROOT", "CACHE", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_start(*args.child)
    count = 1000 if args.fast else args.count

    from console.cli import main as cli_main
    from console.recording.summary_cache import default_cache_path, recording_files, SummaryCache
    from console.recording.summary_pool import cores

    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp:
        root = Path(tmp) / "recs"
        root.mkdir()
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        size = template(root / "template.jsonl")
        for n in range(count - 1):
            shutil.copyfile(root / "template.jsonl", root / f"s{n:05d}.jsonl")
        files = recording_files(root)
        print(f"{len(files)} recordings of {size / 1024:.1f} KiB ({size * len(files) / 1e6:.0f} MB) in {root}")

        base, lines = timed("json loop", lambda: json_loop(files))
        print(f"               {lines} lines, {base / len(files) * 1e6:.0f} µs per file")
        cache_file = default_cache_path()  # under the temporary directory

        def list_cold() -> int:
            cache = SummaryCache(cache_file)
            n = len(list(cache.summaries(recording_files(root))))
            cache.save()
            return n

        def list_cached() -> int:
            cache = SummaryCache(cache_file)
            summaries = list(cache.summaries(recording_files(root)))
            assert cache.reads == 0, cache.reads
            return len(summaries)

        cold, _ = timed("list cold", list_cold, base)
        print(f"               cache file {cache_file.stat().st_size / 1e6:.1f} MB")
        cache_file.unlink()
        pool, _ = timed("list pool", lambda: list_pool(root, cache_file), base)
        print(f"               {cores()} cores; {cold / pool:.2f}x faster than one process")
        warm, _ = timed("list cached", list_cached, base)
        load_times(cache_file, Path(tmp) / "old-layout.json")

        def stats(*extra: str) -> dict:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli_main(["stats", "--json", *extra, str(root)])
            assert code == 0
            return json.loads(out.getvalue())

        s_cold, doc = timed("stats cold", lambda: stats("--no-cache"), base)
        s_warm, doc2 = timed("stats cached", lambda: stats(), base)
        assert doc["turns"] == doc2["turns"] == 3 * len(files)
        print(f"cached listing is {cold / warm:.0f}x faster than cold; cached stats {s_cold / s_warm:.0f}x "
              f"faster than cold; cold per file {cold / len(files) * 1e3:.2f} ms")

        cache_file.unlink()
        bare = asyncio.run(bare_app_start())
        print(f"bare app       {bare:8.2f} s  (a Textual app with a footer: start to its first frame, the floor)")
        for what in ("app cold", *["app cached"] * args.repeat):
            (shown, shown_cpu), (done, done_cpu) = asyncio.run(browser_start(root, cache_file, len(files)))
            print(f"{what:<14} {shown:8.2f} s  to the first frame with {len(files)} rows ({shown_cpu:.2f} s CPU); "
                  f"{done:.2f} s to every file checked ({done_cpu:.2f} s CPU)", flush=True)
        for _ in range(2):
            bare_wall, bare_cpu = fresh_process("bare", root, cache_file, len(files))
            wall, cpu = fresh_process("browser", root, cache_file, len(files))
            print(f"process        {wall:8.2f} s  from a fresh `python` to the first frame with the rows ({cpu:.2f} s "
                  f"CPU, imports included); bare Textual app {bare_wall:.2f} s ({bare_cpu:.2f} s CPU)", flush=True)
        table, old = asyncio.run(sort_and_filter(root, cache_file, len(files)))
        for what in ("sort", "filter"):
            (wall, cpu), (old_wall, old_cpu) = table[what], old[what]
            print(f"{what:<14} {wall * 1e3:8.0f} ms  SummaryTable ({cpu * 1e3:.0f} ms CPU); DataTable "
                  f"{old_wall * 1e3:.0f} ms ({old_cpu * 1e3:.0f} ms CPU): {old_cpu / cpu:.0f}x the CPU", flush=True)
    return 0


def list_pool(root: Path, cache_file: Path) -> int:
    from console.recording.summary_cache import recording_files, SummaryCache
    from console.recording.summary_pool import summarise_all

    cache = SummaryCache(cache_file)
    n = sum(1 for s in summarise_all(recording_files(root), jobs=2) if cache.store(s))
    cache.save()
    return n


def bare_app():  # type: ignore[no-untyped-def]
    """A minimal Textual app: a line of text and a footer."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

    return Bare()


async def bare_app_start() -> float:
    """Seconds from a minimal Textual app's start to its first frame (the floor of any app)."""
    start = clock()
    app = bare_app()
    shown = on_first_frame(app, start)
    async with app.run_test(size=(170, 50)) as pilot:
        while not shown:
            await pilot.pause(0.005)
        return shown[0][0]


def load_times(cache_file: Path, json_file: Path) -> None:
    """The cache file's load against the JSON document (and loader) it replaced."""
    from console.recording.summary import Summary
    from console.recording.summary_cache import SummaryCache

    entries = SummaryCache(cache_file).entries
    json_file.write_text(json.dumps({"version": 3, "entries": {k: v.to_json() for k, v in entries.items()}},
                                    separators=(",", ":")), encoding="utf-8")

    def old_load() -> int:
        data = json.loads(json_file.read_bytes())
        return len({k: Summary.from_json(v) for k, v in data["entries"].items()})

    for label, fn in (("cache load", lambda: len(SummaryCache(cache_file).entries)), ("  json layout", old_load)):
        best: Spent = (1e9, 1e9)
        for _ in range(3):
            start = clock()
            assert fn() == len(entries)
            best = min(best, since(start))
        print(f"{label:<14} {best[0] * 1e3:8.0f} ms  ({best[1] * 1e3:.0f} ms CPU, best of 3)", flush=True)
    print(f"               cache file {cache_file.stat().st_size / 1e6:.1f} MB; JSON {json_file.stat().st_size / 1e6:.1f} MB")


async def browser_start(root: Path, cache_file: Path, count: int) -> tuple[Spent, Spent]:
    """(wall, CPU) seconds from the app's start (the cache loaded included) to the first
    frame drawn with all `count` rows, and to the scan finished (every file listed, checked
    and read). CPU is the whole process's, the scan's thread included."""
    from console.app.sessions_app import SessionsApp
    from console.recording.summary_cache import SummaryCache

    start = clock()
    app = SessionsApp(root, SummaryCache(cache_file), audio=False)
    with on_first_frame_with_rows(app, count, start) as shown:
        async with app.run_test(size=(170, 50)) as pilot:
            while not shown:
                await pilot.pause(0.005)
            while app.browser.scanning:
                await pilot.pause(0.01)
            return shown[0], since(start)


def on_first_frame(app, start: Spent, ready=lambda: True) -> list[Spent]:  # type: ignore[no-untyped-def]
    """A list that gets `since(start)` when `app` first hands the terminal a frame while
    `ready()` (headless: the frame is composed, then dropped, where a terminal app's would
    be written)."""
    shown: list[Spent] = []
    display = app._display

    def frame(screen, renderable):  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if renderable is not None and not shown and ready():
            shown.append(since(start))

    app._display = frame
    return shown


@contextlib.contextmanager
def on_first_frame_with_rows(app, count: int, start: Spent):  # type: ignore[no-untyped-def]
    """`on_first_frame` of the first frame in which the sessions table drew rows, with
    `count` of them (`SummaryTable` is watched until the block ends)."""
    from widgets.summary_table import SummaryTable

    drawn = [False]
    table_row = SummaryTable._row

    def row(self, *args):  # type: ignore[no-untyped-def]
        drawn[0] = drawn[0] or self.row_count >= count
        return table_row(self, *args)

    SummaryTable._row = row  # type: ignore[method-assign]
    try:
        yield on_first_frame(app, start, lambda: drawn[0])
    finally:
        SummaryTable._row = table_row  # type: ignore[method-assign]


def fresh_process(what: str, root: Path, cache_file: Path, count: int) -> Spent:
    """(wall, CPU) seconds from starting a new interpreter to its first frame: of a bare
    Textual app, or of the browser with every row (`child_start`)."""
    import subprocess

    start = time.time()
    out = subprocess.run([sys.executable, __file__, "--child", what, str(root), str(cache_file), str(count)],
                         check=True, capture_output=True, text=True).stdout
    painted, cpu = json.loads(out.splitlines()[-1])
    return painted - start, cpu


def child_start(what: str, root: str, cache_file: str, count: str) -> int:
    """In a fresh process: start the browser (or a bare app), print [time.time() at its
    first frame with the rows, process CPU seconds until then] as JSON."""
    start = clock()
    with contextlib.ExitStack() as watching:
        if what == "bare":
            app = bare_app()
            shown = on_first_frame(app, start)
        else:
            from console.app.sessions_app import SessionsApp
            from console.recording.summary_cache import SummaryCache

            app = SessionsApp(root, SummaryCache(cache_file), audio=False)
            shown = watching.enter_context(on_first_frame_with_rows(app, int(count), start))

        async def run() -> None:
            async with app.run_test(size=(170, 50)) as pilot:
                while not shown:
                    await pilot.pause(0.005)
                wall, cpu = shown[0]
                painted = time.time() - (time.perf_counter() - (start[0] + wall))  # the frame's time.time()
                print(json.dumps([painted, start[1] + cpu]), flush=True)

        asyncio.run(run())
    return 0


Spent = tuple[float, float]


def clock() -> Spent:
    return time.perf_counter(), time.process_time()


def since(start: Spent) -> Spent:
    """(wall, CPU) seconds since `start`: on a shared machine the wall time is mostly waiting."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


async def sort_and_filter(root: Path, cache_file: Path, count: int) -> tuple[dict[str, Spent], dict[str, Spent]]:
    """(SummaryTable, DataTable) (wall, CPU) seconds to re-sort by cost and to filter to a
    tenth of the rows, each until the next paint."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from console.app.screens.sessions_model import COLUMNS, arrange, cells
    from console.app.sessions_app import SessionsApp
    from console.recording.summary_cache import SummaryCache
    from widgets.summary_table import SummaryTable

    tenth = "s" + "0" * (5 - len(str(count // 10))) + "1"  # file names s00000..: "s01" of 10,000
    app = SessionsApp(root, SummaryCache(cache_file), audio=False)
    table_times: dict[str, Spent] = {}
    async with app.run_test(size=(170, 50)) as pilot:
        screen = app.browser
        table = screen.query_one(SummaryTable)
        while screen.scanning or table.row_count < count:
            await pilot.pause(0.01)
        start = clock()
        screen.sort_by("cost")
        await pilot.pause()
        table_times["sort"] = since(start)
        start = clock()
        screen.filter_text = tenth  # s01000 to s01999 of 10,000 files
        screen.refresh_rows()
        await pilot.pause()
        table_times["filter"] = since(start)
        shown = table.row_count
        assert 0 < shown < count, shown
        summaries = list(screen.summaries.values())
        root_s, prices = screen.root, screen.prices

    class Old(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row", zebra_stripes=True)

    def fill(table: DataTable, rows: list) -> None:  # type: ignore[type-arg]
        table.clear(columns=True)
        for column in COLUMNS:
            table.add_column(column.label, key=column.key)
        for summary in rows:
            table.add_row(*cells(summary, root_s, prices), key=summary.path)

    old_times: dict[str, Spent] = {}
    old = Old()
    async with old.run_test(size=(170, 50)) as pilot:
        data = old.query_one(DataTable)
        fill(data, arrange(summaries, root=root_s, text="", sort_key="started", reverse=True, prices=prices))
        await pilot.pause()
        start = clock()
        fill(data, arrange(summaries, root=root_s, text="", sort_key="cost", reverse=False, prices=prices))
        await pilot.pause()
        old_times["sort"] = since(start)
        start = clock()
        fill(data, arrange(summaries, root=root_s, text=tenth, sort_key="cost", reverse=False, prices=prices))
        await pilot.pause()
        old_times["filter"] = since(start)
        assert data.row_count == shown, (data.row_count, shown)
    return table_times, old_times


if __name__ == "__main__":
    sys.exit(main())
