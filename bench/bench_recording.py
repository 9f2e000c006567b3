"""Benchmark: writing, indexing and inspecting a large recording, against baselines
measured in the same run.

    .venv/bin/python bench/bench_recording.py                 # ~200 MB, well under 2 minutes
    .venv/bin/python bench/bench_recording.py --size-mb 1024  # the 1 GB figure for the README

It generates a multi-hour GA session (server-VAD turns: microphone appends every 100 ms,
streamed audio and transcript deltas, usage) through the real `SessionRecorder`, then runs
each phase in a fresh subprocess so every peak RSS (`ru_maxrss`) is that phase's alone:

    lines      `for line in f: pass` (binary), the floor for any line-based reader
    json       `json.loads` of every line, what a naive reader pays
    index      `Recording.open` (mmap scan, numpy columns)
    inspect    `Recording.open` + `build_report`
    ramp       indexing the first 64 KiB (what a UI waits for before it can show rows)
    chain-index, chain-inspect
               the same session split into `--chain` linked files (a reconnected
               session), opened as one with `open_chain` (and reported): against `index`
               and `inspect` of the single file, the cost of following a chain

Writing cost is measured per event against `json.dumps` alone. The file is deleted at the
end unless `--keep`.
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
    """Write the recording benchmark's session (see `long_session`)."""
    return write_long_session(path, size_mb)


def split(path: Path, parts: int) -> list[Path]:
    """The recording at `path` split by lines into `parts` linked files, as the console
    writes a reconnected session (later headers `continues`, earlier files' trailers)."""
    size = path.stat().st_size
    names = [path.with_name(f"{path.stem}-part{k + 1}.jsonl") for k in range(parts)]
    with open(path, "rb") as f:
        header = json.loads(f.readline())
        for k, name in enumerate(names):
            with open(name, "wb") as out:
                head = dict(header)
                if k:
                    head["continues"] = {"file": names[k - 1].name, "session_id": None}
                out.write(json.dumps(head).encode() + b"\n")
                limit = size * (k + 1) // parts
                for line in f:
                    out.write(line)
                    if k + 1 < parts and f.tell() >= limit:
                        break
                if k + 1 < parts:
                    trailer = {"time": header["started_at"], "continued": {"file": names[k + 1].name}}
                    out.write(json.dumps(trailer).encode() + b"\n")
    return names


def phase(name: str, path: str) -> dict[str, float]:
    """Run one phase in this process; return its seconds (imports excluded) and peak RSS."""
    if name in ("index", "inspect", "ramp", "chain-index", "chain-inspect"):
        import console.recording.report  # noqa: F401 - import time is not the phase's
    t0 = time.perf_counter()
    extra: dict[str, float] = {}
    if name == "lines":
        n = 0
        with open(path, "rb") as f:
            for _ in f:
                n += 1
        extra["lines"] = n
    elif name == "json":
        json_loop([path])
    elif name in ("index", "inspect"):
        from console.recording import Recording
        from console.recording.report import build_report

        rec = Recording.open(path)
        extra["events"] = len(rec)
        if name == "inspect":
            t1 = time.perf_counter()
            report = build_report(rec)
            extra["report_only_s"] = time.perf_counter() - t1
            extra["turns"] = len(report["turns"])
        rec.close()
    elif name in ("chain-index", "chain-inspect"):
        from console.recording.chain import open_chain
        from console.recording.report import build_report

        rec = open_chain(path)
        extra["events"] = len(rec)
        extra["files"] = len(rec.paths)
        if name == "chain-inspect":
            extra["turns"] = len(build_report(rec)["turns"])
        rec.close()
    elif name == "ramp":
        from console.recording import Recording

        rec = Recording(path)
        extra["events"] = len(rec)
        rec.close()
    else:
        raise SystemExit(f"unknown phase {name}")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}


def baseline_rss() -> float:
    """Peak RSS of a subprocess that only imports the package (the floor for every phase)."""
    code = ("import resource, console.recording.report; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True))


def run_phase(name: str, path: Path) -> dict[str, float]:
    out = subprocess.check_output([sys.executable, __file__, "--phase", name, str(path)], cwd=ROOT, text=True)
    return json.loads(out)


def write_cost(tmp: Path, n: int = 3000) -> dict[str, float]:
    """Microseconds per event: SessionRecorder.record vs json.dumps alone."""
    from console.realtime.audio import encode_base64
    from console.recording.synthetic import tone
    from console.recording.writer import SessionRecorder

    audio = {"type": "response.output_audio.delta", "event_id": "event_x", "response_id": "resp_1", "item_id": "item_1",
             "output_index": 0, "content_index": 0, "delta": encode_base64(tone(100))}
    small = {"type": "response.output_audio_transcript.delta", "event_id": "event_y", "response_id": "resp_1",
             "item_id": "item_1", "output_index": 0, "content_index": 0, "delta": "word "}
    result: dict[str, float] = {}
    for label, event in (("audio_delta", audio), ("small", small)):
        t0 = time.perf_counter()
        for _ in range(n):
            json.dumps({"time": "2026-11-24T15:46:02.000Z", "source": "server", "event": event})
        dumps = (time.perf_counter() - t0) / n * 1e6
        rec = SessionRecorder(tmp / f"w_{label}.jsonl", endpoint="ws://x", protocol="ga", model="m")
        t0 = time.perf_counter()
        for _ in range(n):
            rec.record("2026-11-24T15:46:02.000Z", "server", event)
        record = (time.perf_counter() - t0) / n * 1e6
        rec.close()
        result[f"{label}_dumps_us"] = dumps
        result[f"{label}_record_us"] = record
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=200.0, help="size of the generated log (default 200)")
    parser.add_argument("--dir", default=None, help="where to write the log (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    parser.add_argument("--chain", type=int, default=4, metavar="N",
                        help="also split the log into N linked files and open them as one (default 4; 0: skip)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.file)))
        return 0

    tmpdir = Path(tempfile.mkdtemp(prefix="bench_recording_", dir=args.dir))
    path = tmpdir / "session.jsonl"
    try:
        t0 = time.perf_counter()
        events, session_s = generate(path, args.size_mb)
        gen_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1024 / 1024
        print(f"generated {size_mb:.0f} MB, {events} events, a {session_s / 3600:.2f} h session, in {gen_s:.1f} s "
              f"({gen_s / events * 1e6:.1f} us/event including generation)")
        floor = baseline_rss()
        results = {name: run_phase(name, path) for name in ("lines", "json", "index", "inspect", "ramp")}
        if args.chain > 1:
            parts = split(path, args.chain)
            results.update({name: run_phase(name, parts[-1]) for name in ("chain-index", "chain-inspect")})
        print(f"\npeak RSS of the interpreter with the package imported: {floor:.0f} MB")
        print(f"{'phase':<14}{'seconds':>10}{'MB/s':>10}{'peak RSS MB':>14}  notes")
        for name, r in results.items():
            notes = ""
            if name == "lines":
                notes = f"{int(r['lines'])} lines (baseline)"
            elif name == "json":
                notes = f"baseline; index is {r['seconds'] / results['index']['seconds']:.1f}x faster"
            elif name == "index":
                notes = f"{int(r['events'])} events; {r['seconds'] / results['lines']['seconds']:.2f}x the line loop"
            elif name == "inspect":
                notes = f"report alone {r['report_only_s']:.2f} s, {int(r['turns'])} turns"
            elif name == "ramp":
                notes = f"first rows ready ({int(r['events'])} events)"
            elif name.startswith("chain-"):
                single = results[name.removeprefix("chain-")]
                notes = (f"{int(r['files'])} linked files, {int(r['events'])} events; "
                         f"{r['seconds'] / single['seconds']:.2f}x the single file's {name.removeprefix('chain-')}")
            mbps = size_mb / r["seconds"] if r["seconds"] and name != "ramp" else float("nan")
            print(f"{name:<14}{r['seconds']:>10.2f}{mbps:>10.0f}{r['peak_rss_mb']:>14.0f}  {notes}")
        w = write_cost(tmpdir)
        print("\nwriting, per event (us): "
              f"audio delta record {w['audio_delta_record_us']:.1f} vs json.dumps alone {w['audio_delta_dumps_us']:.1f}; "
              f"small event record {w['small_record_us']:.1f} vs json.dumps alone {w['small_dumps_us']:.1f}")
        if args.keep:
            print(f"\nkept {tmpdir}")
    finally:
        if not args.keep:
            for p in tmpdir.iterdir():
                p.unlink()
            tmpdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
