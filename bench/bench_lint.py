"""Benchmark: `lint` of a large recording, against baselines measured in the same run.

    .venv/bin/python bench/bench_lint.py                # ~100 MB
    .venv/bin/python bench/bench_lint.py --size-mb 500
    .venv/bin/python bench/bench_lint.py --size-mb 150 --repeat 5   # best of 5, interleaved

It writes a multi-hour GA session with `SessionBuilder` through the real `SessionRecorder`
(server-VAD turns with microphone appends every 100 ms, streamed audio and transcript
deltas, a barge-in every 9th turn, a tool round trip every 5th), then runs each phase in a
fresh subprocess so each peak RSS (`ru_maxrss`) is that phase's alone:

    json       `json.loads` of every line: the floor for any reader that looks at every event
    inspect    `Recording.open` + `build_report` (parses everything but audio payloads)
    lint       `Recording.open` + `lint_recording` (parses every event, audio included)
    inspect+lint  `build_report` then `lint_recording` on one opened recording: the two
               passes `inspect` used to make for its report and its lint counts (baseline)
    one-pass   `build_report(lint=True)`: what `inspect` does, the linter fed from the
               report's own pass, so each event is read and parsed once
    lint_traced  the same under tracemalloc, untimed: its peak Python allocation

The lint phase also reports the findings (a clean synthetic session must have none) and
its peak traced Python allocation (tracemalloc) to show memory stays bounded.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from json_baseline import json_loop  # noqa: E402 - after the path set-up
from long_session import write_long_session  # noqa: E402


def generate(path: Path, size_mb: float) -> tuple[int, float]:
    """Write the lint benchmark's session: a tool round trip every 5th turn, answers played out."""
    return write_long_session(path, size_mb, tool_every=5, pause_ms=6000)


def phase(name: str, path: str) -> dict[str, float]:
    """Run one phase in this process; return its seconds (imports excluded) and peak RSS."""
    import console.recording.linting  # noqa: F401 - import time is not the phase's
    import console.recording.report  # noqa: F401
    extra: dict[str, float] = {}
    t0 = time.perf_counter()
    if name == "json":
        json_loop([path])
    elif name == "inspect":
        from console.recording import Recording
        from console.recording.report import build_report

        with Recording.open(path) as rec:
            build_report(rec)
    elif name == "inspect+lint":
        from console.recording import Recording
        from console.recording.linting import lint_counts, lint_recording
        from console.recording.report import build_report

        with Recording.open(path) as rec:
            report = build_report(rec)
            report["lint"] = lint_counts(lint_recording(rec).findings)
    elif name == "one-pass":
        from console.recording import Recording
        from console.recording.report import build_report

        with Recording.open(path) as rec:
            extra["lint_findings"] = sum(build_report(rec, lint=True)["lint"]["counts"].values())
    elif name in ("lint", "lint_traced"):
        import tracemalloc

        from console.recording.linting import lint_recording
        from console.recording import Recording

        if name == "lint_traced":  # tracemalloc slows Python down: its own run, not timed
            tracemalloc.start()
        with Recording.open(path) as rec:
            result = lint_recording(rec)
        if name == "lint_traced":
            extra["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        extra["findings"] = len(result.findings)
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "rss_mb": rss_mb, **extra}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--keep", action="store_true", help="keep the generated recording")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the phases N times, interleaved, and keep each one's fastest (a loaded "
                             "machine moves single runs by a third)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.path)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench_lint_"))
    path = tmp / "long.jsonl"
    t0 = time.perf_counter()
    events, session_s = generate(path, args.size_mb)
    size_mb = path.stat().st_size / 2**20
    print(f"generated {size_mb:.0f} MB, {events:,} events, {session_s / 3600:.1f} h of session "
          f"in {time.perf_counter() - t0:.1f} s")
    results: dict[str, dict[str, float]] = {}
    for _ in range(max(1, args.repeat)):
        for name in ("json", "inspect", "lint", "inspect+lint", "one-pass", "lint_traced"):
            out = subprocess.run([sys.executable, __file__, "--phase", name, "--path", str(path)],
                                 check=True, capture_output=True, text=True).stdout
            result = json.loads(out)
            if name not in results or result["seconds"] < results[name]["seconds"]:
                results[name] = result
    base = results["json"]["seconds"]
    print(f"{'phase':<12} {'seconds':>8} {'MB/s':>7} {'x json':>7} {'peak RSS MB':>12}")
    for name, r in results.items():
        if name == "lint_traced":
            continue
        print(f"{name:<12} {r['seconds']:>8.2f} {size_mb / r['seconds']:>7.0f} {r['seconds'] / base:>7.2f} "
              f"{r['rss_mb']:>12.0f}")
    lint = results["lint"]
    print(f"lint: {int(lint['findings'])} finding(s); peak traced Python allocation "
          f"{results['lint_traced']['traced_peak_mb']:.1f} MB")
    if not args.keep:
        path.unlink()
        tmp.rmdir()
    else:
        print(f"kept {path}")


if __name__ == "__main__":
    main()
