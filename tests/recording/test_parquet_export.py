"""`export FILES… --parquet DIR`: the three tables, read back with DuckDB, hold the figures
`inspect --json` reports for each file; the schema is PARQUET.md's; bad files are skipped;
a missing pyarrow is one line; `export` starts without Textual, websockets or pyarrow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
pq = pytest.importorskip("pyarrow.parquet")

from console.cli import main
from console.recording import parquet_export
from console.recording.parquet_export import TABLES, arrow_schema, schema_markdown
from console.recording.synthetic import SessionBuilder
from console.recording.timeline import SPANS
from tests.recording.stats_fixtures import make_directory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def recordings(tmp_path: Path) -> Path:
    """Six sessions over two models and three sources, with barge-ins and errors, plus a
    beta-protocol one with an interrupted spoken answer, in nested directories."""
    root = tmp_path / "recs"
    make_directory(root / "fleet", 6)
    b = SessionBuilder(protocol="beta")
    b.session()
    b.user_speech(1500, "Hello")
    b.response(audio_ms=1000, transcript="Hi, how are you?")
    b.user_speech(1000, "Tell me a story")
    b.response(audio_ms=3000, cancel_after_deltas=6)
    b.write(root / "beta.jsonl")
    return root


def inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["inspect", "--json", str(path)]) == 0
    return json.loads(capsys.readouterr().out)


def rows(sql: str) -> list[dict[str, Any]]:
    result = duckdb.sql(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def test_the_tables_round_trip_inspects_figures(recordings: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pq"
    assert main(["export", str(recordings), "--parquet", str(out)]) == 0
    assert "7 recording(s)" in capsys.readouterr().err
    files = sorted(recordings.rglob("*.jsonl"))
    sessions = {r["file"]: r for r in rows(f"SELECT * FROM '{out}/sessions.parquet'")}
    assert sorted(sessions) == [str(f.resolve()) for f in files]
    for path in files:
        report = inspect_json(path, capsys)
        key = str(path.resolve())
        s = sessions[key]
        assert (s["events"], s["turns"], s["interruptions"], s["errors"], s["truncations"]) == (
            report["events"]["total"], len(report["turns"]), len(report["interruptions"]), len(report["errors"]),
            len(report["truncations"]))
        assert (s["total_tokens"], s["input_audio_tokens"], s["output_audio_tokens"], s["input_cached_text_tokens"]) \
            == (report["usage"]["total_tokens"], report["usage"]["input"]["audio"], report["usage"]["output"]["audio"],
                report["usage"]["input"]["cached_text"])
        assert s["cost_usd"] == report["cost"]["total"] and s["model"] == report["format"]["model"]
        assert s["duration_s"] == report["duration_s"]
        turns = rows(f"SELECT * FROM '{out}/turns.parquet' WHERE file = '{key}' ORDER BY turn")
        assert [t["turn"] for t in turns] == [t["number"] for t in report["turns"]]
        for row, turn in zip(turns, report["turns"]):
            assert {span: row[span] for span in SPANS} == turn["timeline"]["spans_ms"]
            assert row["start_event"] == turn["start_event"] and row["interrupted"] == turn["interrupted"]
        per_turn = rows(f"SELECT sum(total_tokens) AS tokens, sum(cost_usd) AS cost FROM '{out}/turns.parquet' "
                        f"WHERE file = '{key}'")[0]
        assert per_turn["tokens"] == report["usage"]["total_tokens"]
        assert per_turn["cost"] == pytest.approx(report["cost"]["total"], abs=1e-5)
        by_type = rows(f"SELECT source, type, count(*) AS n FROM '{out}/events.parquet' WHERE file = '{key}' "
                       "GROUP BY source, type")
        assert {(r["source"], r["type"]): r["n"] for r in by_type} == {
            (source, etype): n for source in ("client", "server") for etype, n in report["events"]["by_type"][source].items()}
    # an event row is the recording's event: its index, type and response id
    done = rows(f"SELECT e.response_id, t.response_id AS turn_response FROM '{out}/events.parquet' e "
                f"JOIN '{out}/turns.parquet' t ON e.file = t.file AND e.response_id = t.response_id "
                "WHERE e.type = 'response.done'")
    assert done and all(r["response_id"] == r["turn_response"] for r in done)


def test_the_schema_is_the_documented_one(recordings: Path, tmp_path: Path) -> None:
    assert main(["export", str(recordings / "beta.jsonl"), "--parquet", str(tmp_path / "pq")]) == 0
    for name, columns in TABLES.items():
        assert pq.read_schema(tmp_path / "pq" / f"{name}.parquet").remove_metadata() == arrow_schema(columns)
    assert schema_markdown() in (ROOT / "console" / "recording" / "PARQUET.md").read_text(encoding="utf-8")


def test_a_bad_file_is_skipped_and_the_rest_exported(recordings: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (recordings / "broken.jsonl").write_text("not a recording\n", encoding="utf-8")
    assert main(["export", str(recordings), str(tmp_path / "missing.jsonl"), "--parquet", str(tmp_path / "pq")]) == 2
    err = capsys.readouterr().err
    assert "skipped" in err and "broken.jsonl" in err and "missing.jsonl: no such file" in err
    assert rows(f"SELECT count(*) AS n FROM '{tmp_path}/pq/sessions.parquet'") == [{"n": 7}]


def test_one_file_outputs_refuse_several_files(recordings: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(recordings.rglob("*.jsonl"))[:2]]
    assert main(["export", *files, "--transcript", "-"]) == 2
    assert "export one recording" in capsys.readouterr().err


def test_without_pyarrow_one_line_and_exit_2(recordings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if not installed: its import raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert main(["export", str(recordings), "--parquet", str(tmp_path / "pq")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'realtime-console[parquet]'" in err
    assert not (tmp_path / "pq").exists()
    assert parquet_export.NO_PYARROW in err


def test_export_starts_without_textual_websockets_or_pyarrow(recordings: Path) -> None:
    code = (
        "import sys\nfrom console.cli import main\n"
        f"assert main(['export', {str(recordings / 'beta.jsonl')!r}, '--events', '-']) == 0\n"
        "print(sorted(m for m in ('textual', 'websockets', 'pyarrow') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"
