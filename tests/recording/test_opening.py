"""Every command that opens a recording says the same one line for each way it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.cli import UsageError
from console.recording.opening import open_recording

ROOT = Path(__file__).resolve().parents[2]


def _cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    not_a_recording = tmp_path / "notes.txt"
    not_a_recording.write_text("hello\n", encoding="utf-8")
    unreadable = tmp_path / "locked.jsonl"
    unreadable.write_text("{}\n", encoding="utf-8")
    unreadable.chmod(0)
    return {
        "missing": (tmp_path / "missing.jsonl", "missing.jsonl: no such file"),
        "directory": (tmp_path, "is a directory, not a recording"),
        "not a recording": (not_a_recording, "is not a realtime-console recording or event log"),
        "unreadable": (unreadable, "cannot read"),
    }


@pytest.mark.parametrize("index", [True, False])
def test_each_failure_is_one_usage_error(tmp_path: Path, index: bool) -> None:
    for name, (path, expected) in _cases(tmp_path).items():
        if name == "unreadable" and _root():
            continue  # root reads any file
        with pytest.raises(UsageError) as caught:
            open_recording(str(path), follow=True, index=index)
        assert expected in str(caught.value), name


def test_inspect_lint_and_export_say_the_same_line(tmp_path: Path) -> None:
    path, expected = _cases(tmp_path)["not a recording"]
    out = str(tmp_path / "transcript.md")
    for command in (["inspect", str(path)], ["lint", str(path)], ["export", str(path), "--transcript", out]):
        done = subprocess.run([sys.executable, "-m", "console", *command], check=False, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode != 0, command
        assert expected in done.stderr, (command, done.stderr)
        assert "Traceback" not in done.stderr, command


def _root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
