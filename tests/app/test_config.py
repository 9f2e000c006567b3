"""Option parsing and resolution: where the console connects, with which key, which session.

Bad options and bad files must give exactly one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from console.cli import UsageError, main
from console.config import DEFAULT_SERVER_VAD, build_config, load_session_file, load_tools
from console.launch import build_parser

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


def test_session_file_flat_ga_and_event_shapes(tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"instructions": "be brief", "voice": "marin", "turn_detection": {"type": "server_vad"}}))
    assert load_session_file(str(flat))["voice"] == "marin"
    ga = tmp_path / "ga.json"
    ga.write_text(json.dumps({"type": "realtime", "output_modalities": ["text"], "audio": {"output": {"voice": "cedar"}}}))
    assert load_session_file(str(ga)) == {"modalities": ["text"], "voice": "cedar"}
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"type": "session.update", "session": {"instructions": "hi"}}))
    assert load_session_file(str(event)) == {"instructions": "hi"}
    c = cfg("--session", str(flat), "--instructions", "override", "--ptt")
    assert c.session["instructions"] == "override" and c.session["turn_detection"] is None
    assert c.turn_mode == "ptt"
    assert cfg("--session", str(flat)).turn_mode == "vad"


def test_vad_flag_sets_documented_defaults() -> None:
    c = cfg("--vad", "--voice", "ash")
    assert c.turn_mode == "vad" and c.session["turn_detection"] == DEFAULT_SERVER_VAD
    assert c.session["voice"] == "ash"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"instrucions": "typo"}', "unknown session field 'instrucions'"),
        ('{"voice": "robot"}', "unknown voice"),
    ],
)
def test_bad_session_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=message):
        load_session_file(str(path))


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
    assert proc.stderr.count("\n") == 1 and "not valid JSON" in proc.stderr
    assert proc.stdout == ""
