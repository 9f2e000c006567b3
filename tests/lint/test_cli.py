"""`realtime-console lint`: text and JSON output, rule selection, --fail-on, --explain,
and exit status 2 with one line for usage errors and unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main

from tests.lint.helpers import started


def _bad_and_good(tmp_path: Path) -> tuple[Path, Path]:
    bad = started()
    bad.user_text("hi")
    bad.emit("server", {"type": "response.created", "response": {"id": "resp_x", "status": "in_progress"}})
    bad.emit("client", {"type": "conversation.item.delete", "item_id": "item_ghost"})
    bad.write(tmp_path / "bad.jsonl")
    good = started()
    good.user_text("hi")
    good.response(text_only=True)
    good.write(tmp_path / "good.jsonl")
    return tmp_path / "bad.jsonl", tmp_path / "good.jsonl"


def test_text_output_names_file_event_severity_and_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad, good = _bad_and_good(tmp_path)
    assert main(["lint", str(bad), str(good)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad}:event ") and ": error unknown-item-id: " in line for line in out)
    assert any(": warning response-never-done: " in line for line in out)
    assert f"{bad}: 1 error(s), 1 warning(s), 0 info" in out
    assert f"{good}: 0 error(s), 0 warning(s), 0 info" in out
    assert out[-1] == "2 files: 1 error(s), 1 warning(s), 0 info"


def test_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad, good = _bad_and_good(tmp_path)
    assert main(["lint", str(bad), "--fail-on", "error"]) == 1
    assert main(["lint", str(bad), "--fail-on", "warning", "--ignore", "unknown-item-id"]) == 1
    assert main(["lint", str(bad), "--fail-on", "error", "--ignore", "unknown-item-id"]) == 0
    assert main(["lint", str(good), "--fail-on", "warning"]) == 0


def test_json_shape_and_rule_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad, _ = _bad_and_good(tmp_path)
    capsys.readouterr()
    assert main(["lint", str(bad), "--json", "--rule", "unknown-item-id"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (entry,) = doc["files"]
    assert entry["path"] == str(bad) and entry["counts"] == {"error": 1, "warning": 0, "info": 0}
    (finding,) = entry["findings"]
    assert finding["rule"] == "unknown-item-id" and finding["severity"] == "error"
    assert set(finding) == {"rule", "severity", "message", "events", "ids"}
    assert "item_ghost" in finding["ids"] and isinstance(finding["events"][0], int)
    assert "forget ids after" in doc["rules"]["unknown-item-id"]["explanation"]


def test_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--explain", "truncate-beyond-audio"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("truncate-beyond-audio (error):") and "48 bytes/ms" in out


@pytest.mark.parametrize("argv,needle", [
    (["lint"], "no FILE given"),
    (["lint", "--explain", "no-such-rule"], "unknown rule 'no-such-rule'"),
    (["lint", "x.jsonl", "--ignore", "nope"], "unknown rule 'nope'"),
    (["lint", "x.jsonl", "--fail-on", "info"], "invalid choice"),
])
def test_usage_errors_are_one_line_and_status_2(argv: list[str], needle: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors exit through the parser
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2 and needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unreadable_files_give_status_2_and_the_rest_is_still_linted(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, good = _bad_and_good(tmp_path)
    junk = tmp_path / "junk.txt"
    junk.write_text("this is not a recording\n")
    assert main(["lint", str(tmp_path / "missing.jsonl"), str(junk), str(tmp_path), str(good)]) == 2
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 3 and "no such file" in errors[0] and "not a realtime-console recording" in errors[1]
    assert "is a directory" in errors[2] and "Traceback" not in captured.err
    assert f"{good}: 0 error(s), 0 warning(s), 0 info" in captured.out


def test_damaged_lines_are_noted_and_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, good = _bad_and_good(tmp_path)
    lines = good.read_text().splitlines(keepends=True)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(lines[:4]) + '{"time": "x", "source": "server", "event": {"type": "err\n' + "".join(lines[4:]))
    assert main(["lint", str(damaged), "--fail-on", "warning"]) == 0
    assert "warning:" in capsys.readouterr().err
