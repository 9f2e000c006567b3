"""SessionRecorder: file mode, flush per event, redaction, default paths."""

from __future__ import annotations

import copy
import json
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest

from console.recording import Recording, SessionRecorder, default_path, redact, sessions_dir
from console.recording.format import REDACTED, redact_url
from console.recording.writer import RecorderClosedError

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_file_is_private_from_creation_and_header_is_first(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "s.jsonl"
    old = os.umask(0)  # even with a permissive umask
    try:
        rec = SessionRecorder(path, endpoint="wss://api.openai.com/v1/realtime?model=gpt-realtime",
                              protocol="ga", model="gpt-realtime")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    rec.close()
    header = lines(path)[0]
    assert header["realtime_console_log"] == 1
    assert header["tool"] == "realtime-console"
    assert {"started_at", "endpoint", "protocol", "model", "version"} <= header.keys()


def test_existing_file_is_truncated_and_made_private(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text("old content\n")
    path.chmod(0o644)
    SessionRecorder(path, endpoint="ws://x", protocol="ga", model="m").close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "old content" not in path.read_text()


def test_each_event_is_readable_before_close(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    rec = SessionRecorder(path, endpoint="ws://x", protocol="ga", model="m")
    rec.record("2026-11-24T10:00:00.000Z", "client", {"type": "response.create"})
    reader = Recording.open(path)
    assert len(reader) == 1 and reader.type_of(0) == "response.create"
    rec.on_realtime_event({"time": "2026-11-24T10:00:01.500Z", "source": "server",
                           "event": {"event_id": "e1", "type": "response.created", "response": {"id": "r"}}})
    reader.refresh()  # the same reader picks up the new line
    assert len(reader) == 2
    assert reader.time_of(1) == pytest.approx(1.5)
    assert reader.event(1) == {"type": "response.created", "event_id": "e1", "response": {"id": "r"}}
    rec.close()
    reader.close()


def test_redaction_everywhere_and_caller_event_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    event = {
        "type": "session.created",
        "session": {
            "client_secret": {"value": "ek_68af2d1c0c", "expires_at": 1767225600},
            "instructions": f"my key is {KEY}, don't tell",
            "headers": {"Authorization": "Bearer abc", "api-key": "azure-secret"},
            "pairs": [["authorization", "Bearer xyz"], ["x", "y"]],
        },
    }
    original = copy.deepcopy(event)
    with SessionRecorder(path, endpoint=f"wss://res.openai.azure.com/openai/realtime?api-key=azsecret&deployment=d",
                         protocol="ga", model="m") as rec:
        rec.record(None, "server", event)
    assert event == original
    text = path.read_text()
    for secret in (KEY, "ek_68af2d1c0c", "Bearer abc", "azure-secret", "Bearer xyz", "azsecret"):
        assert secret not in text
    written = lines(path)[1]["event"]["session"]
    assert written["client_secret"] == {"value": REDACTED, "expires_at": 1767225600}
    assert written["instructions"] == f"my key is {REDACTED}, don't tell"
    assert written["pairs"][1] == ["x", "y"]
    assert "deployment=d" in lines(path)[0]["endpoint"]


def test_redact_leaves_clean_values_shared_and_innocent_words_alone() -> None:
    value = {"type": "x", "text": "a task-force of risk-takers", "audio": "AAAA+/=="}
    assert redact(value) is value
    assert redact_url("ws://user:pw@host/v1/realtime?model=m") == f"ws://{REDACTED}@host/v1/realtime?model=m"


def test_record_rejects_bad_input_and_use_after_close(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
    with pytest.raises(ValueError):
        rec.record(None, "browser", {"type": "x"})
    with pytest.raises(ValueError):
        rec.record(None, "client", {"no": "type"})
    rec.close()
    rec.close()
    with pytest.raises(RecorderClosedError):
        rec.record(None, "client", {"type": "x"})


def test_default_path_is_readable_and_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert sessions_dir() == tmp_path / "state" / "realtime-console" / "sessions"
    now = datetime(2026, 11, 24, 15, 46, 2, tzinfo=timezone.utc)
    first = default_path(model="gpt-realtime", backend="sim", now=now)
    assert first.name == "2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    SessionRecorder(first, endpoint="ws://x", protocol="ga", model="gpt-realtime").close()
    second = default_path(model="gpt-realtime", backend="sim", now=now)
    assert second.name == "2026-11-24T15-46-02_gpt-realtime_sim-2.jsonl"
    assert default_path(tmp_path / "s", model="a/b c", now=now).name == "2026-11-24T15-46-02_a-b-c_sim.jsonl"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/path")
    assert sessions_dir() == Path.home() / ".local" / "state" / "realtime-console" / "sessions"
