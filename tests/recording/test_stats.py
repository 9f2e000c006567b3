"""`realtime-console stats` over a generated directory: every aggregate equals the sum of, or
the percentile over, the per-file `inspect` reports; bad files are reported and skipped;
`--fail-on` gates on the aggregate."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from console.recording import gates, row_file
from console.recording.prices import load_prices
from console.recording.reader import Recording
from console.recording.report import build_report
from console.recording.stats import parse_condition, percentile
from console.recording.summary import Summary
from console.recording.summary_cache import CACHE_VERSION
from tests.recording.stats_fixtures import make_directory

COUNT = 9


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test gets its own summary cache directory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def directory(tmp_path: Path) -> Path:
    root = tmp_path / "recs"
    make_directory(root, COUNT)
    return root


def reports(root: Path, prices_path: str | None = None) -> list[dict[str, Any]]:
    prices = load_prices(prices_path)
    out = []
    for path in sorted(root.glob("*.jsonl")):
        with Recording.open(path) as rec:
            out.append(build_report(rec, prices))
    return out


def run_stats(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["stats", "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def nearest_rank(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def test_aggregates_equal_the_per_file_reports(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, stats, err = run_stats(capsys, str(directory))
    assert code == 0 and err == ""
    each = reports(directory)
    assert stats["recordings"] == COUNT == len(each)
    assert stats["events"]["total"] == sum(r["events"]["total"] for r in each)
    assert stats["events"]["by_source"]["client"] == sum(r["events"]["by_source"]["client"] for r in each)
    assert stats["turns"] == sum(len(r["turns"]) for r in each)
    assert stats["errors"] == sum(len(r["errors"]) for r in each) > 0
    assert stats["responses"]["cancelled"] == sum(r["responses"]["cancelled"] for r in each) > 0
    assert stats["usage"]["total_tokens"] == sum(r["usage"]["total_tokens"] for r in each)
    assert stats["usage"]["input"]["cached_audio"] == sum(r["usage"]["input"]["cached_audio"] for r in each)
    assert stats["cost"]["total"] == pytest.approx(sum(r["cost"]["total"] for r in each), abs=1e-6)
    assert stats["interruptions"]["count"] == sum(len(r["interruptions"]) for r in each)
    assert stats["truncations"]["count"] == sum(len(r["truncations"]) for r in each)
    interrupted = sum(t["interrupted"] for r in each for t in r["turns"])
    assert stats["interruptions"]["rate"] == round(interrupted / stats["turns"], 4)
    for span in ("first_text", "first_audio", "done"):
        values = [t["latency"][f"{span}_ms"] for r in each for t in r["turns"] if t["latency"][f"{span}_ms"] is not None]
        assert stats["latency_ms"][span]["count"] == len(values)
        for q in (50, 90, 99):
            assert stats["latency_ms"][span][f"p{q}"] == nearest_rank(values, q), (span, q)
    first = [ms for r in each for t in r["turns"] if (ms := gates.first_output_ms(t)) is not None]
    assert stats["latency_ms"]["first_output"]["p95"] == nearest_rank(first, 95)
    # error codes, with the client event types that caused them where the report links one
    codes: dict[str, int] = {}
    causes: dict[str, dict[str, int]] = {}
    for r in each:
        for e in r["errors"]:
            codes[e["code"]] = codes.get(e["code"], 0) + 1
            if e["caused_by_type"]:
                causes.setdefault(e["code"], {}).setdefault(e["caused_by_type"], 0)
                causes[e["code"]][e["caused_by_type"]] += 1
    assert {c["code"]: c["count"] for c in stats["error_codes"]} == codes
    assert {c["code"]: c["caused_by"] for c in stats["error_codes"] if c["caused_by"]} == causes


def test_per_model_and_per_day(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, stats, _ = run_stats(capsys, str(directory))
    each = reports(directory)
    by_model: dict[str, list[dict[str, Any]]] = {}
    for r in each:
        by_model.setdefault(r["format"]["model"], []).append(r)
    got = {g["model"]: g for g in stats["by_model"]}
    assert set(got) == set(by_model) == {"gpt-realtime", "gpt-realtime-mini"}
    for model, rs in by_model.items():
        assert got[model]["recordings"] == len(rs)
        assert got[model]["total_tokens"] == sum(r["usage"]["total_tokens"] for r in rs)
        assert got[model]["cost"] == pytest.approx(sum(r["cost"]["total"] for r in rs), abs=1e-6)
    days = {g["day"]: g["recordings"] for g in stats["by_day"]}
    assert days == {"2026-03-01": 5, "2026-03-02": 4}


def test_prices_file_reprices_the_aggregate(directory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"date": "2030-01-01", "models": {"gpt-realtime": {"audio_output": 1000.0}}}))
    _, cheap, _ = run_stats(capsys, str(directory))
    _, dear, _ = run_stats(capsys, str(directory), "--prices", str(prices))
    assert dear["cost"]["prices_date"] == "2030-01-01"
    assert dear["cost"]["total"] == pytest.approx(sum(r["cost"]["total"] for r in reports(directory, str(prices))), abs=1e-6)
    assert dear["cost"]["total"] > cheap["cost"]["total"]


def test_corrupt_file_is_reported_and_skipped(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (directory / "broken.jsonl").write_bytes(b"\x00\x01 garbage\n")
    (directory / "empty.jsonl").write_bytes(b"")
    code, stats, err = run_stats(capsys, str(directory))
    assert code == 0 and stats["recordings"] == COUNT
    assert sorted(Path(s["file"]).name for s in stats["skipped"]) == ["broken.jsonl", "empty.jsonl"]
    assert f"skipped {directory / 'broken.jsonl'}: not a realtime-console recording" in err
    assert "Traceback" not in err


def test_fail_on_exit_codes(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, stats, _ = run_stats(capsys, str(directory))
    p95 = stats["latency_ms"]["first_output"]["p95"]
    rate = stats["error_rate"]
    assert 0 < rate < 1
    cases = [
        (["--fail-on", "error"], 1),
        (["--fail-on", "cancelled"], 1),
        (["--fail-on", f"latency>{p95:g}"], 0),
        (["--fail-on", f"latency>{p95 - 1:g}"], 1),
        (["--fail-on", f"error-rate>{rate}"], 0),
        (["--fail-on", f"error-rate>{rate * 100 - 1:g}%"], 1),
        (["--fail-on", "error-rate>0.99", "--fail-on", "latency>100000"], 0),
    ]
    for args, expected in cases:
        code, doc, err = run_stats(capsys, str(directory), *args)
        assert code == expected, (args, err)
        assert any(r["held"] for r in doc["fail_on"]) == (expected == 1)
        assert len(doc["fail_on"]) == len(args) // 2
    assert main(["stats", str(directory), "--fail-on", "slow"]) == 2
    assert "unknown --fail-on condition" in capsys.readouterr().err
    assert main(["stats", str(directory), "--fail-on", "error-rate>2"]) == 2


def test_since_keeps_later_sessions(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, stats, _ = run_stats(capsys, str(directory), "--since", "2026-03-02")
    assert stats["recordings"] == 4 and stats["excluded_by_since"] == 5
    assert main(["stats", str(directory), "--since", "March"]) == 2


def test_usage_errors_and_text_output(directory: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["stats", str(directory)]) == 0
    text = capsys.readouterr().out
    assert f"{COUNT} recording(s)" in text and "first_output" in text and "gpt-realtime-mini" in text


def test_files_named_one_by_one_count_once(directory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = str(directory / "rec-00.jsonl")
    _, stats, _ = run_stats(capsys, one, one, str(directory))
    assert stats["recordings"] == COUNT


def test_second_run_uses_the_cache(directory: Path, private_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_stats(capsys, str(directory))
    cache_file = private_cache / "realtime-console" / "summaries.bin"
    cached = row_file.read(cache_file, Summary, CACHE_VERSION)
    assert len(cached) == COUNT
    # poison one cached figure: a second run that trusted the cache shows it
    key = str((directory / "rec-00.jsonl").resolve())
    next(s for s in cached if s.path == key).turns = 1000
    row_file.write(cache_file, cached, Summary, CACHE_VERSION)
    _, again, _ = run_stats(capsys, str(directory))
    _, fresh, _ = run_stats(capsys, str(directory), "--no-cache")
    assert again["turns"] == fresh["turns"] + 1000 - len(reports(directory)[0]["turns"])


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([float(v) for v in range(1, 101)], 99) == 99.0
    assert parse_condition("error-rate>5%").threshold == pytest.approx(0.05)


def test_imports_no_ui_and_no_network_code() -> None:
    code = ("import sys, console.cli, console.recording.stats_cli as m; m.build_parser('x'); "
            "bad = sorted({n.split('.')[0] for n in sys.modules} & {'textual', 'websockets', 'sounddevice'}); "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_collect_counts_each_file_once_however_it_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file named twice, through a directory and by itself, through a relative path or a
    link to it, is one recording."""
    import os

    from console.recording.stats_cli import collect

    folder = tmp_path / "recs"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.jsonl", "sub/b.jsonl"):
        (folder / name).write_text("{}\n", encoding="utf-8")
    (folder / "link.jsonl").symlink_to(folder / "a.jsonl")
    (tmp_path / "elsewhere.jsonl").symlink_to(folder / "sub" / "b.jsonl")
    monkeypatch.chdir(tmp_path)
    found = collect(["recs", str(folder) + "/", "recs/sub/b.jsonl", "elsewhere.jsonl", "recs/a.jsonl"])
    assert sorted(os.path.realpath(p) for p in found) == sorted(
        [os.path.realpath(folder / "a.jsonl"), os.path.realpath(folder / "sub" / "b.jsonl")])
    assert len(found) == 2
