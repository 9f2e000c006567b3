"""`inspect` ends with the linter's counts (by severity and by rule), in text and JSON, and
its start-up stays light: the linter is plain Python, with neither Textual nor websockets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import main
from console.recording.linting import lint_path

from tests.lint.lint_recordings import write_clean, write_flawed

ROOT = Path(__file__).resolve().parents[2]


def _flawed(tmp_path: Path) -> Path:
    return write_flawed(tmp_path / "flawed.jsonl")


def _clean(tmp_path: Path) -> Path:
    return write_clean(tmp_path / "clean.jsonl")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_inspect_json_counts_the_findings_by_severity_and_rule(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _flawed(tmp_path)
    code, out = _run(capsys, "inspect", str(path), "--json")
    assert code == 0
    lint = json.loads(out)["lint"]
    assert lint["counts"] == {"error": 1, "warning": 1, "info": 1}
    assert lint["rules"] == {"truncate-beyond-audio": {"severity": "error", "count": 1},
                             "cancel-not-active": {"severity": "warning", "count": 1},
                             "tool-output-not-json": {"severity": "info", "count": 1}}
    # the same findings `lint` lists one by one
    assert sorted(f.rule for f in lint_path(path).findings) == sorted(lint["rules"])


def test_inspect_text_shows_the_counts_and_each_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _flawed(tmp_path)
    code, out = _run(capsys, "inspect", str(path))
    assert code == 0
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Lint:"))
    assert lines[head].startswith("Lint: 1 error(s), 1 warning(s), 1 info")
    assert f"realtime-console lint {path}" in lines[head]
    assert lines[head + 1].split() == ["error", "1", "truncate-beyond-audio"]
    assert lines[head + 2].split() == ["warning", "1", "cancel-not-active"]
    assert lines[head + 3].split() == ["info", "1", "tool-output-not-json"]


def test_a_clean_session_inspects_with_zero_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _clean(tmp_path)
    code, out = _run(capsys, "inspect", str(path), "--json")
    assert code == 0
    assert json.loads(out)["lint"] == {"counts": {"error": 0, "warning": 0, "info": 0}, "rules": {}}
    code, out = _run(capsys, "inspect", str(path))
    assert "Lint: 0 error(s), 0 warning(s), 0 info\n" in out


def test_inspect_starts_without_textual_or_websockets(tmp_path: Path) -> None:
    """The linter's import is cheap: `inspect` loads no UI and no network code."""
    path = _clean(tmp_path)
    probe = ("import sys, runpy; sys.argv = ['console', 'inspect', sys.argv[1]]\n"
             "try:\n    runpy.run_module('console', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('LOADED', ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'websockets'))))")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert "Lint: 0 error(s)" in done.stdout, done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == "LOADED", done.stdout.splitlines()[-1]
