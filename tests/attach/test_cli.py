"""`realtime-console attach` as a user runs it: a subprocess, headless, on the simulator's demo call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.attach.cli import AttachUsageError, build_parser, resolve

ROOT = Path(__file__).resolve().parents[2]


def test_headless_simulator_demo_records_the_call(tmp_path: Path) -> None:
    path = tmp_path / "call.jsonl"
    result = subprocess.run([sys.executable, "-m", "console", "attach", "--simulator", "--headless", "--record",
                             str(path)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
                            env={**os.environ, "OPENAI_API_KEY": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("attached to call rtc_") and "ended" in lines[1]
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in path.read_text().splitlines()]
    header = records[0]
    assert header["source"] == "attach" and header["call_id"] in lines[0]
    types = [r["event"]["type"] for r in records[1:]]
    assert types[0] == "session.created"
    assert types.count("response.done") == 2  # the demo caller's two turns
    assert "conversation.item.input_audio_transcription.completed" in types


def test_unknown_call_fails_with_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "console", "attach", "rtc_x", "--url", "ws://127.0.0.1:9/v1/realtime",
                             "--headless", "--no-record"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("realtime-console attach: cannot reach") and "Traceback" not in result.stderr


@pytest.mark.parametrize("argv, message", [
    ([], "CALL_ID is required"),
    (["rtc_1"], "set OPENAI_API_KEY"),
    (["rtc_1", "--url", "http://x"], "ws:// or wss://"),
    (["rtc_1", "--simulator"], "give neither CALL_ID"),
])
def test_bad_options_are_usage_errors(argv: list[str], message: str) -> None:
    with pytest.raises(AttachUsageError, match=message):
        resolve(build_parser("attach").parse_args(argv), {})


def test_key_goes_in_the_header_only() -> None:
    target = resolve(build_parser("attach").parse_args(["rtc_1"]), {"OPENAI_API_KEY": "sk-live"})
    assert target.headers == {"Authorization": "Bearer sk-live"} and "sk-live" not in target.url
