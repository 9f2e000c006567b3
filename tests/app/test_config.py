"""Option parsing and resolution: where the console connects, with which key, which session.

Bad options and bad files must give exactly one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from console.cli import UsageError, main
from console.config import DEFAULT_SERVER_VAD, build_config, load_tools
from console.app.launch import build_parser
from console.session.editable import SessionFileError, load_preset

KEY = "sk-test-SECRET-0123456789"


def cfg(*argv: str):
    return build_config(build_parser("realtime-console").parse_args(list(argv)))


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "MY_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_no_key_runs_offline_on_the_simulator() -> None:
    c = cfg()
    assert c.offline and c.url is None
    assert c.endpoint_label == "offline: local simulator"
    assert c.model == "gpt-realtime" and c.protocol == "ga" and c.turn_mode == "ptt"


def test_openai_key_connects_upstream_and_is_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    c = cfg("--model", "gpt-realtime-mini")
    assert not c.offline and c.url == "wss://api.openai.com/v1/realtime"
    assert c.api_key == KEY and c.key_source == "OPENAI_API_KEY"
    assert KEY not in repr(c) and KEY not in c.endpoint_label
    assert c.redact(f"failed with {KEY}") == "failed with [redacted]"


def test_api_key_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", KEY)
    c = cfg("--api-key-env", "MY_KEY")
    assert c.api_key == KEY and c.key_source == "MY_KEY"
    with pytest.raises(UsageError, match="MY_OTHER"):
        cfg("--api-key-env", "MY_OTHER")


def test_url_without_key_connects_unauthenticated() -> None:
    c = cfg("--url", "ws://127.0.0.1:9/v1/realtime?x=1", "--protocol", "beta")
    assert not c.offline and c.api_key is None and c.protocol == "beta"
    assert c.endpoint_label == "ws://127.0.0.1:9/v1/realtime"


def test_azure_urls_and_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    c = cfg("--azure-endpoint", "https://res.openai.azure.com", "--azure-deployment", "dep")
    assert c.url == "wss://res.openai.azure.com/openai/v1/realtime?model=dep"
    assert c.client_kwargs()["azure_api_key"] == KEY and c.azure and c.model == "dep"
    assert KEY not in repr(c)
    c = cfg("--azure-endpoint", "res.openai.azure.com", "--azure-deployment", "dep", "--api-version", "2024-10-01-preview")
    assert c.url == "wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=dep"


def test_azure_mistakes(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="AZURE_OPENAI_API_KEY"):
        cfg("--azure-endpoint", "https://r.openai.azure.com", "--azure-deployment", "d")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    with pytest.raises(UsageError, match="--azure-deployment"):
        cfg("--azure-endpoint", "https://r.openai.azure.com")
    with pytest.raises(UsageError, match="need --azure-endpoint"):
        cfg("--api-version", "2024")


def session_of(path: Path) -> dict:
    """The session `--session path` gives, less the transcription the console adds by default."""
    return {k: v for k, v in cfg("--session", str(path)).session.items() if k != "input_audio_transcription"}


def test_session_file_flat_ga_and_event_shapes(tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"instructions": "be brief", "voice": "marin", "turn_detection": {"type": "server_vad"}}))
    assert session_of(flat)["voice"] == "marin"
    ga = tmp_path / "ga.json"
    ga.write_text(json.dumps({"type": "realtime", "output_modalities": ["text"], "audio": {"output": {"voice": "cedar"}}}))
    assert session_of(ga) == {"modalities": ["text"], "voice": "cedar"}
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"type": "session.update", "event_id": "e1", "session": {"instructions": "hi"}}))
    assert session_of(event) == {"instructions": "hi"}
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"session": {"instructions": "hi"}}))
    assert session_of(wrapped) == {"instructions": "hi"}
    c = cfg("--session", str(flat), "--instructions", "override", "--ptt")
    assert c.session["instructions"] == "override" and c.session["turn_detection"] is None
    assert c.turn_mode == "ptt"
    assert cfg("--session", str(flat)).turn_mode == "vad"


def test_a_saved_server_session_loads_as_a_preset(tmp_path: Path) -> None:
    """A GA `session.created` dump: server-only and unedited GA keys are dropped, the GA-only
    fields (noise reduction, speed) are kept and checked."""
    created = {
        "type": "session.created", "event_id": "event_1",
        "session": {
            "type": "realtime", "object": "realtime.session", "id": "sess_1", "model": "gpt-realtime",
            "expires_at": 1767229200, "output_modalities": ["audio"], "instructions": "hi",
            "tracing": None, "prompt": None, "include": None, "truncation": "auto",
            "tools": [], "tool_choice": "auto", "max_output_tokens": "inf",
            "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": None,
                                "noise_reduction": {"type": "near_field"}, "turn_detection": None},
                      "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.2}},
        },
    }
    path = tmp_path / "created.json"
    path.write_text(json.dumps(created))
    session = cfg("--session", str(path)).session
    assert session["voice"] == "marin" and session["speed"] == 1.2
    assert session["input_audio_noise_reduction"] == {"type": "near_field"}
    assert session["input_audio_format"] == "pcm16" and session["max_response_output_tokens"] == "inf"
    assert not {"id", "model", "expires_at", "tracing", "prompt", "include", "truncation", "object"} & set(session)


def test_tool_choice_may_name_a_tool_from_the_file_or_from_tools(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"tool_choice": "get_weather"}))
    assert cfg("--session", str(path)).session["tool_choice"] == "get_weather"  # a demo tool
    path.write_text(json.dumps({"tool_choice": "lookup", "tools": [
        {"type": "function", "name": "lookup", "description": "d", "parameters": {"type": "object", "properties": {}}}]}))
    assert cfg("--session", str(path)).session["tool_choice"] == "lookup"
    path.write_text(json.dumps({"tool_choice": "get_wether"}))
    with pytest.raises(UsageError, match="tool_choice: tool choice names 'get_wether', which is not a defined tool"):
        cfg("--session", str(path))


def test_recording_is_on_by_default_under_the_xdg_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    record = cfg().record
    assert record is not None and record.parent == tmp_path / "realtime-console" / "sessions"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d_gpt-realtime_sim\.jsonl", record.name)
    assert not record.parent.exists()  # created (0700) by the recorder when the session starts
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert cfg("--model", "gpt-realtime-mini").record.name.endswith("_gpt-realtime-mini_openai.jsonl")
    assert cfg("--url", "ws://127.0.0.1:9/v1/realtime").record.name.endswith("_127.0.0.1.jsonl")
    assert KEY not in str(cfg().record)
    assert cfg("--no-record").record is None


def test_record_path_option(tmp_path: Path) -> None:
    target = tmp_path / "s.jsonl"
    assert cfg("--record", str(target)).record == target
    in_dir = cfg("--record", str(tmp_path)).record  # a directory: a default-named file in it
    assert in_dir is not None and in_dir.parent == tmp_path and in_dir.name.endswith("_gpt-realtime_sim.jsonl")
    in_dir.write_text("taken")
    again = cfg("--record", str(tmp_path)).record
    assert again != in_dir and again.parent == tmp_path  # never an existing file


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing" / "s.jsonl", "directory .*missing does not exist"),
        (lambda d: d / "missing" / "", "no such directory"),
        (lambda d: (d / "file").write_text("x") and d / "file" / "s.jsonl", "file is not a directory"),
        (lambda d: (d / "old.jsonl").write_text("{}") and d / "old.jsonl", "already exists"),
    ],
)
def test_record_path_mistakes_stop_before_the_tui(tmp_path: Path, make, message: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = make(tmp_path)
    text = str(path) + ("/" if str(path).endswith("missing") else "")
    with pytest.raises(UsageError, match=message):
        cfg("--record", text)
    assert main(["--record", text]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("realtime-console: error: --record ")


def test_record_and_no_record_exclude_each_other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--record", str(tmp_path / "s.jsonl"), "--no-record"])
    assert exited.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_vad_flag_sets_documented_defaults() -> None:
    c = cfg("--vad", "--voice", "ash")
    assert c.turn_mode == "vad" and c.session["turn_detection"] == DEFAULT_SERVER_VAD
    assert c.session["voice"] == "ash"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1, column 2"),
        ("[1, 2]", "must be a JSON object of session fields, not an array"),
        ('{"instrucions": "typo"}', "instrucions: unknown session field 'instrucions'"),
        ('{"voice": "robot"}', "voice: unknown voice 'robot'"),
        ('{"temperature": 5}', "temperature: temperature must be between 0.6 and 1.2"),
        ('{"turn_detection": {"type": "server_vad", "threshold": 7}}', "VAD threshold must be a number from 0.0 to 1.0"),
        ('{"modalities": ["video"]}', "unknown modality 'video'"),
        ('{"speed": 9}', "speed must be a number from 0.25 to 1.5"),
        ('{"type": "session.update", "session": {"max_response_output_tokens": 0}}', "max output tokens must be between"),
    ],
)
def test_bad_session_files_get_the_editors_checks_and_messages(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(UsageError) as raised:
        cfg("--session", str(path))
    text = str(raised.value)
    assert message in text and str(path) in text and "\n" not in text
    with pytest.raises(SessionFileError) as editor:  # what the session editor says of the same file
        load_preset(path, tool_names=["get_weather", "set_memory"])
    assert text == f"--session {editor.value}"


def test_unreadable_session_files(tmp_path: Path) -> None:
    binary = tmp_path / "s.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UsageError, match="not UTF-8 text"):
        cfg("--session", str(binary))
    with pytest.raises(UsageError, match="cannot read session file .*: Is a directory"):
        cfg("--session", str(tmp_path))
    with pytest.raises(UsageError, match="cannot read session file .*No such file"):
        cfg("--session", str(tmp_path / "absent.json"))


def test_tools_default_to_the_demo_tools_and_load_files_and_modules(tmp_path: Path) -> None:
    assert cfg().tools.names() == ["get_weather", "set_memory"]
    path = tmp_path / "tools.json"
    path.write_text(json.dumps({"tools": [{"name": "lookup", "parameters": {"type": "object", "properties": {}},
                                           "handler": {"kind": "fixed", "reply": {"ok": True}}}]}))
    assert cfg("--tools", str(path)).tools.names() == ["lookup"]
    for spec, message in [
        ("no_such_module_xyz:attr", "cannot import"),
        ("json:nope", "no attribute"),
        (str(tmp_path / "missing.json"), "cannot read"),
    ]:
        with pytest.raises(UsageError, match=message):
            load_tools(spec)
    dup = tmp_path / "dup.json"
    dup.write_text(json.dumps([{"name": "a"}, {"name": "a"}]))
    with pytest.raises(UsageError, match="defined twice"):
        load_tools(str(dup))


def test_input_wav_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "a.wav"
    with wave.open(str(good), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24000)
        w.writeframes(np.zeros(2400, dtype="<i2").tobytes())
    assert cfg("--input-wav", str(good)).input_wav == good
    bad = tmp_path / "b.wav"
    bad.write_text("RIFF nonsense")
    with pytest.raises(UsageError, match="not a readable WAV"):
        cfg("--input-wav", str(bad))


def test_devices_by_index_or_name() -> None:
    c = cfg("--input-device", "3", "--output-device", "USB Audio", "--no-audio")
    assert c.input_device == 3 and c.output_device == "USB Audio" and c.no_audio


@pytest.mark.parametrize(
    "argv",
    [
        ["--protocol", "v2"],
        ["--vad", "--ptt"],
        ["--voice", "robot"],
        ["--session", "/nonexistent/session.json"],
        ["--tools", "nope_module_xyz:tools"],
        ["--url", "ftp://example.com"],
        ["--bogus-option"],
        ["--input-wav", "/nonexistent.wav"],
    ],
)
def test_bad_options_give_one_line_and_status_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own errors exit from inside parse_args
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("realtime-console: error:") for line in lines)
    assert "Traceback" not in err


def test_bad_option_in_a_real_process_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text("{oops")
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--session", str(bad)],
        capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "invalid JSON at line 1" in proc.stderr
    assert proc.stdout == ""
