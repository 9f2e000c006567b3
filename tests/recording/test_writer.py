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
    with SessionRecorder(path, endpoint="wss://res.openai.azure.com/openai/realtime?api-key=azsecret&deployment=d",
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


def test_bad_events_become_marker_lines_and_recording_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    rec = SessionRecorder(path, endpoint="ws://x", protocol="ga", model="m")
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    bad = [
        ("browser", {"type": "x"}),  # unknown source
        ("client", {"no": "type"}),  # no type
        ("server", {"type": ["a", "list"]}),  # a type JSON holds but no event has
        ("server", {"type": "x", "blob": b"bytes"}),  # not JSON at all
        ("server", {"type": "x", "deep": deep}),  # nesting json.dumps cannot walk
        ("server", "not a dict"),
    ]
    for source, event in bad:
        rec.record("2026-11-24T10:00:00.000Z", source, event)  # type: ignore[arg-type]
    rec.record("2026-11-24T10:00:01.000Z", "server", {"type": "response.done", "event_id": "e9"})
    assert rec.events_written == len(bad) + 1 and rec.events_unrecorded == len(bad)
    markers = lines(path)[1:-1]
    assert all(set(m) == {"time", "source", "unrecorded"} and m["unrecorded"]["reason"] for m in markers)
    assert markers[0]["unrecorded"]["type"] == "x" and markers[0]["source"] == "server"
    assert "TypeError" in markers[3]["unrecorded"]["reason"]
    # Line numbers stay aligned with the caller's count: the last event reads back as itself.
    assert rec.read_event(len(bad))["event"]["event_id"] == "e9"
    with pytest.raises(ValueError):
        rec.read_event(0)  # a marker is not an event record
    rec.close()
    rec.close()
    with pytest.raises(RecorderClosedError):
        rec.record(None, "client", {"type": "x"})
    with Recording.open(path) as reader:  # readers report the markers as bad lines, with their numbers
        assert len(reader) == 1 and reader.type_of(0) == "response.done"
        assert [p.line for p in reader.problems] == list(range(2, 2 + len(bad)))
        assert "could not serialise" in reader.problems[0].reason


def test_lone_surrogates_are_recorded_losslessly_and_text_stays_readable(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    deltas = ["caf\u00e9 ", "\ud83d", "\ude00", " done \U0001F600"]
    with SessionRecorder(path, endpoint="ws://x", protocol="ga", model="m") as rec:
        for i, delta in enumerate(deltas):
            rec.record(None, "server", {"type": "response.output_text.delta", "event_id": f"e{i}", "delta": delta})
        assert rec.events_unrecorded == 0
        assert [rec.read_event(i)["event"]["delta"] for i in range(len(deltas))] == deltas
    raw = path.read_bytes()
    assert "café".encode() in raw and "😀".encode() in raw  # readable where UTF-8 can say it
    assert b"\\ud83d" in raw and b"\\ude00" in raw  # escaped only where it cannot
    with Recording.open(path) as reader:
        assert [reader.event(i)["delta"] for i in range(len(deltas))] == deltas


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


def test_every_recording_name_comes_from_one_rule(tmp_path: Path) -> None:
    """The console's `--record DIR` and the proxy name files as the default path does."""
    from console.config import record_path
    from console.proxy.recording import recording_path
    from console.recording.paths import new_recording_path

    now = datetime(2026, 11, 24, 15, 46, 2, tzinfo=timezone.utc)
    taken = new_recording_path(tmp_path, model="gpt-realtime", backend="sim", now=now)
    taken.write_text("", encoding="utf-8")
    assert new_recording_path(tmp_path, model="gpt-realtime", backend="sim", now=now).name == \
        "2026-11-24T15-46-02_gpt-realtime_sim-2.jsonl"
    assert recording_path(tmp_path, model="gpt realtime", session_id=3, now=now).name == \
        "2026-11-24T15-46-02_gpt-realtime_proxy-3.jsonl"
    chosen = record_path(str(tmp_path), disabled=False, model="gpt-realtime", backend="openai")
    assert chosen is not None and chosen.parent == tmp_path and chosen.name.endswith("_gpt-realtime_openai.jsonl")


def test_every_directory_the_recorder_creates_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    old = os.umask(0o022)  # the usual umask, under which plain mkdir gives 0755
    try:
        SessionRecorder(default_path(), endpoint="ws://x", protocol="ga", model="m").close()
    finally:
        os.umask(old)
    for directory in (state, state / "realtime-console", state / "realtime-console" / "sessions"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_existing_parent_directories_are_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    SessionRecorder(shared / "realtime-console" / "sessions" / "s.jsonl", endpoint="ws://x",
                    protocol="ga", model="m").close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE((shared / "realtime-console").stat().st_mode) == 0o700


def test_mcp_tool_credentials_are_redacted_in_updates_and_echoes(tmp_path: Path) -> None:
    tool = {"type": "mcp", "server_label": "s", "server_url": "https://mcp.example/x",
            "authorization": "Bearer tok-secret", "headers": {"X-Key": "hdr-secret", "X-Two": "hdr-two"}}
    events = [("client", {"type": "session.update", "session": {"type": "realtime", "tools": [tool]}}),
              ("server", {"type": "session.updated", "session": {"tools": [tool]}}),
              ("server", {"type": "session.created", "session": {"tools": [tool]}}),
              ("client", {"type": "response.create", "response": {"tools": [tool]}})]
    path = tmp_path / "mcp.jsonl"
    with SessionRecorder(path, endpoint="wss://x", protocol="ga", model="m") as rec:
        for source, event in events:
            rec.record(None, source, event)
        text = json.dumps(events[1][1])
        rec.record_text(None, "server", text)  # a relayed frame (the proxy's path)
    written = path.read_text()
    assert "tok-secret" not in written and "hdr-secret" not in written and "hdr-two" not in written
    assert written.count('"X-Key": "[redacted]"') == 5 and "https://mcp.example/x" in written
    assert tool["headers"]["X-Key"] == "hdr-secret"  # the caller's event is untouched
    # Headers of anything but an MCP tool are left alone (they are not credentials there).
    assert redact({"type": "other", "headers": {"a": "b"}}) == {"type": "other", "headers": {"a": "b"}}
