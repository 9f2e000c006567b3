"""Benchmark: `export --parquet` throughput (MB of recordings per second), against a plain
`json.loads` loop over the same files, measured in the same run.

    .venv/bin/python bench/bench_parquet.py            # 60 recordings of ~3.8 MB (voice sessions)
    .venv/bin/python bench/bench_parquet.py --fast     # 10

It writes one voice session (ten spoken turns: the user's audio appends and the model's
audio deltas, as a real recording holds them) through the real `SessionRecorder`, copies
it to N files, then times:

    json loop     open each file and `json.loads` every line (the floor for any reader
                  that looks inside every event)
    parquet       `realtime-console export DIR --parquet OUT` in-process: index, the full
                  `inspect` analysis, the events pass, the three tables written (zstd)
    duckdb        the README's query (p50/p90 first audio and cost per model, a join of
                  turns and sessions) over the written tables

Needs pyarrow and duckdb (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

from json_baseline import json_loop  # bench/ is the script's own directory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def template(path: Path) -> int:
    """Write one voice session of ten turns; return its size in bytes."""
    from console.recording.synthetic import SessionBuilder

    b = SessionBuilder(chunk_ms=100)
    b.session()
    for n in range(10):
        b.user_speech(3000, f"question number {n}")
        if n % 4 == 3:
            b.response(latency_ms=400 + 10 * n, audio_ms=3000, cancel_after_deltas=10)
        else:
            b.response(latency_ms=400 + 10 * n, audio_ms=3000, transcript=f"Answer number {n}.")
    b.write(path)
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--fast", action="store_true", help="10 recordings")
    args = parser.parse_args()
    count = 10 if args.fast else args.count

    import duckdb

    from console.cli import main as cli_main

    with tempfile.TemporaryDirectory(prefix="bench-parquet-") as tmp:
        root = Path(tmp) / "recs"
        root.mkdir()
        size = template(root / "s0000.jsonl")
        for n in range(1, count):
            shutil.copyfile(root / "s0000.jsonl", root / f"s{n:04d}.jsonl")
        files = sorted(root.glob("*.jsonl"))
        total_mb = size * len(files) / 1e6
        print(f"{len(files)} recordings of {size / 1e6:.2f} MB ({total_mb:.0f} MB) in {root}")

        start = time.perf_counter()
        lines = json_loop(files)
        base = time.perf_counter() - start
        print(f"json loop   {base:7.2f} s  {total_mb / base:7.1f} MB/s  ({lines} lines)", flush=True)

        out = Path(tmp) / "pq"
        err = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stderr(err):
            code = cli_main(["export", str(root), "--parquet", str(out)])
        took = time.perf_counter() - start
        assert code == 0, err.getvalue()
        written = sum(p.stat().st_size for p in out.glob("*.parquet"))
        print(f"parquet     {took:7.2f} s  {total_mb / took:7.1f} MB/s  ({took / base:.2f}x the json loop; "
              f"{written / 1e6:.2f} MB of Parquet: {err.getvalue().strip().split(': ')[-1]})", flush=True)

        query = (f"SELECT s.model, count(*) AS turns, quantile_cont(t.first_audio_ms, 0.5) AS p50_ms, "
                 f"quantile_cont(t.first_audio_ms, 0.9) AS p90_ms, sum(t.cost_usd) AS cost_usd "
                 f"FROM '{out}/turns.parquet' t JOIN '{out}/sessions.parquet' s USING (file) "
                 f"WHERE t.first_audio_ms IS NOT NULL GROUP BY s.model ORDER BY p90_ms DESC")
        start = time.perf_counter()
        result = duckdb.sql(query).fetchall()
        print(f"duckdb      {(time.perf_counter() - start) * 1e3:7.1f} ms  the README's query: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
