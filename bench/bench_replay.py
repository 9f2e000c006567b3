"""Benchmark: opening a large recording in the replay screen, against reading it line by
line in the same run.

    .venv/bin/python bench/bench_replay.py                 # ~100 MB, about a minute
    .venv/bin/python bench/bench_replay.py --size-mb 1024 --seek-window 50000  # the 1 GB figure

It generates a multi-hour GA session with audio (`long_session`'s generator, through the
real `SessionRecorder`), then runs each phase in a fresh subprocess so each peak RSS
(`ru_maxrss`) is that phase's alone:

    lines    `for line in f: pass` (binary): the floor for anything that reads the file
    empty_app  first paint of a bare Textual app: the floor for any screen
    replay   the headless `ReplayApp`: time to first paint (CLI check + mount + first
             rows), time until the index and the event log are complete (the worker's
             batches applied), then seeks: to the end (cold: every event applied once),
             back to the middle (from a checkpoint) and forward again
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def phase_lines(path: str) -> dict[str, float]:
    t0 = time.perf_counter()
    n = 0
    with open(path, "rb") as f:
        for _ in f:
            n += 1
    return {"seconds": time.perf_counter() - t0, "lines": n}


def phase_replay(path: str, window: int) -> dict[str, float]:
    import console.app.screens.replay  # noqa: F401 - import time is not the phase's
    from console.app.replay_cli import open_for_replay
    from console.app.screens.replay import ReplayApp

    out: dict[str, float] = {}

    async def drive() -> None:
        t0 = time.perf_counter()
        rec = open_for_replay(path)
        first_rows = len(rec)
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = app.replay
            while screen.indexing or screen.loaded < len(rec):
                await asyncio.sleep(0.02)
            await pilot.pause()
            assert screen.painted_at and screen.indexed_at and screen.log_loaded_at
            out["first_paint_s"] = screen.painted_at - t0
            out["indexed_s"] = screen.indexed_at - t0
            out["complete_s"] = screen.log_loaded_at - t0
            out["first_rows"] = first_rows
            out["events"] = len(rec)
            out["store_mb"] = screen.store.nbytes() / 1e6
            out["open_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            ctl = screen.controller
            span = min(len(rec), window) if window > 0 else len(rec)
            out["seek_span"] = span
            for label, target in (("seek_end_cold_s", span - 1), ("seek_middle_s", span // 2),
                                  ("seek_back_near_s", max(0, span // 2 - 200)),
                                  ("seek_forward_s", min(span - 1, span // 2 + 5000))):
                t = time.perf_counter()
                screen.seek(target)  # long seeks run in steps on the event loop
                while ctl.cursor != target or any(w.group == "replay-seek" for w in app.workers):
                    await asyncio.sleep(0.005)
                await pilot.pause()
                out[label] = time.perf_counter() - t
            out["checkpoints"] = len(ctl.checkpoints())
            rec.close()

    asyncio.run(drive())
    out["seconds"] = out["complete_s"]
    return out


def phase_empty_app() -> dict[str, float]:
    """The floor for first paint: a bare Textual app with a header and a footer."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Static

    painted: list[float] = []

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(lambda: painted.append(time.perf_counter()))

    out: dict[str, float] = {}

    async def drive() -> None:
        t0 = time.perf_counter()
        async with Bare().run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            out["first_paint_s"] = painted[0] - t0

    asyncio.run(drive())
    out["seconds"] = out["first_paint_s"]
    return out


def run_phase(name: str, path: Path, window: int = 0) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--phase", name, "--seek-window", str(window), str(path)]
    raw = subprocess.check_output(cmd, cwd=ROOT, text=True)
    return json.loads(raw.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0, help="size of the generated log (default 100)")
    parser.add_argument("--dir", default=None, help="where to write the log (default: a temp dir)")
    parser.add_argument("--seek-window", type=int, default=0, metavar="EVENTS",
                        help="seek within the first EVENTS events only (0: the whole file); a multi-hour "
                        "conversation rebuilt to its end holds all its audio, like the live client did")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phases = {"lines": lambda: phase_lines(args.file), "empty_app": phase_empty_app,
                  "replay": lambda: phase_replay(args.file, args.seek_window)}
        result = phases[args.phase]()
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0

    from long_session import write_long_session as generate

    tmpdir = Path(tempfile.mkdtemp(prefix="bench_replay_", dir=args.dir))
    path = tmpdir / "session.jsonl"
    try:
        events, session_s = generate(path, args.size_mb)
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"generated {size_mb:.0f} MB, {events} events, a {session_s / 3600:.2f} h session")
        lines = run_phase("lines", path)
        bare = run_phase("empty_app", path)
        replay = run_phase("replay", path, args.seek_window)
        print(f"\nbaseline  line loop: {lines['seconds']:.2f} s ({size_mb / lines['seconds']:.0f} MB/s), "
              f"peak RSS {lines['peak_rss_mb']:.0f} MB")
        print(f"baseline  first paint of a bare Textual app (Static + Footer): {bare['first_paint_s']:.2f} s")
        print(f"replay    first paint: {replay['first_paint_s']:.2f} s with {int(replay['first_rows'])} rows "
              f"(file check and its first 64 KiB, mount; the rest fills in)")
        print(f"          indexed (navigation complete): {replay['indexed_s']:.2f} s "
              f"({replay['indexed_s'] / lines['seconds']:.1f}x the line loop)")
        print(f"          whole event log loaded: {replay['complete_s']:.2f} s "
              f"({replay['complete_s'] / lines['seconds']:.1f}x the line loop), {int(replay['events'])} events, "
              f"store {replay['store_mb']:.0f} MB, peak RSS {replay['open_peak_rss_mb']:.0f} MB")
        print(f"          seeks over the first {int(replay['seek_span'])} events: "
              f"to the last (cold, every event applied once): {replay['seek_end_cold_s']:.2f} s; "
              f"back to the middle: {replay['seek_middle_s']:.2f} s; 200 back: {replay['seek_back_near_s']:.2f} s; "
              f"5000 forward: {replay['seek_forward_s']:.2f} s ({int(replay['checkpoints'])} checkpoints); "
              f"peak RSS with the conversation rebuilt to the end: {replay['peak_rss_mb']:.0f} MB")
    finally:
        for p in tmpdir.iterdir():
            p.unlink()
        tmpdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
