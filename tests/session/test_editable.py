"""Pure tests of console.session.editable: field validation, raw JSON, presets, sent-vs-applied diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.realtime.protocol import flat_to_ga_session
from console.session.editable import (
    SessionFileError,
    diff_sessions,
    dump_session,
    load_preset,
    parse_max_tokens,
    parse_number,
    parse_session_json,
    parse_temperature,
    save_preset,
    validate_session,
)

GOOD = {
    "modalities": ["text", "audio"],
    "instructions": "Be brief.",
    "voice": "marin",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": {"model": "whisper-1"},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                       "silence_duration_ms": 200, "create_response": True, "interrupt_response": True},
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": "inf",
}


def test_a_good_session_has_no_errors() -> None:
    assert validate_session(GOOD, tool_names=[]) == {}
    assert validate_session({**GOOD, "turn_detection": None, "input_audio_transcription": None}) == {}
    assert validate_session({"turn_detection": {"type": "none"}}) == {}
    assert validate_session({"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}) == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("voice", "robot", "unknown voice 'robot'"),
        ("modalities", [], "non-empty list"),
        ("modalities", ["video"], "unknown modality 'video'"),
        ("turn_detection", {"type": "magic"}, "unknown turn detection type"),
        ("turn_detection", {"type": "server_vad", "threshold": 2}, "0.0 to 1.0"),
        ("turn_detection", {"type": "server_vad", "silence_duration_ms": -5}, "silence_duration_ms"),
        ("turn_detection", {"type": "semantic_vad", "threshold": 0.5}, "does not take 'threshold'"),
        ("turn_detection", {"type": "semantic_vad", "eagerness": "eager"}, "unknown eagerness"),
        ("input_audio_transcription", {"model": "whisper-9"}, "unknown transcription model"),
        ("temperature", 2.0, "between 0.6 and 1.2"),
        ("temperature", "hot", "must be a number"),
        ("max_response_output_tokens", 0, "between 1 and 4096"),
        ("max_response_output_tokens", 5000, "between 1 and 4096"),
        ("tool_choice", "lookup", "not a defined tool"),
        ("tools", [{"name": "bad name"}], "tool 1: invalid tool name"),
        ("output_audio_format", "mp3", "unknown audio format"),
        ("speed_of_light", 1, "unknown session field"),
    ],
)
def test_each_bad_field_is_named(field: str, value: object, message: str) -> None:
    errors = validate_session({**GOOD, field: value}, tool_names=["get_weather"])
    assert list(errors) == [field]
    assert message in errors[field]


def test_tool_choice_may_name_a_tool_from_the_session_or_the_registry() -> None:
    assert validate_session({"tool_choice": "get_weather"}, tool_names=["get_weather"]) == {}
    assert validate_session({"tool_choice": {"type": "function", "name": "get_weather"}},
                            tool_names=["get_weather"]) == {}
    tools = [{"type": "function", "name": "t", "parameters": {"type": "object", "properties": {}}}]
    assert validate_session({"tools": tools, "tool_choice": "t"}, tool_names=[]) == {}


def test_form_value_parsers() -> None:
    assert parse_temperature(" 0.7 ") == 0.7
    assert parse_max_tokens("INF") == "inf" and parse_max_tokens("256") == 256
    assert parse_number("300", "prefix", low=0, integer=True) == 300
    for call, message in [
        (lambda: parse_temperature("warm"), "must be a number, not 'warm'"),
        (lambda: parse_max_tokens("lots"), 'whole number or "inf"'),
        (lambda: parse_max_tokens("1.5"), 'whole number or "inf"'),
        (lambda: parse_number("-1", "silence", low=0, integer=True), "at least 0"),
        (lambda: parse_number("nan", "threshold", low=0, high=1), "finite"),
    ]:
        with pytest.raises(ValueError, match=message):
            call()


def test_raw_json_accepts_flat_ga_and_whole_events() -> None:
    assert parse_session_json(dump_session(GOOD)) == GOOD
    ga = {"id": "sess_1", "object": "realtime.session", "model": "gpt-realtime", "expires_at": 1,
          **flat_to_ga_session({k: v for k, v in GOOD.items() if k != "temperature"})}
    flat = parse_session_json(json.dumps(ga))
    assert flat["voice"] == "marin" and flat["modalities"] == ["audio"]
    assert "id" not in flat and "model" not in flat and validate_session(flat) == {}
    event = {"type": "session.updated", "event_id": "e", "session": ga}
    assert parse_session_json(json.dumps(event)) == flat
    with pytest.raises(SessionFileError, match="line 2, column 1"):
        parse_session_json('{"voice": "x",\n}')
    with pytest.raises(SessionFileError, match="JSON object"):
        parse_session_json("[1, 2]")


def test_presets_round_trip(tmp_path: Path) -> None:
    path = save_preset(tmp_path / "preset.json", GOOD)
    assert load_preset(path) == GOOD
    ga_file = tmp_path / "ga.json"
    ga_file.write_text(json.dumps(flat_to_ga_session({"voice": "cedar", "turn_detection": None})))
    assert load_preset(ga_file) == {"voice": "cedar", "turn_detection": None}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"voice": "robot"}))
    with pytest.raises(SessionFileError, match=r"bad\.json: voice: unknown voice"):
        load_preset(bad)
    with pytest.raises(SessionFileError, match="cannot read session file"):
        load_preset(tmp_path / "absent.json")
    with pytest.raises(SessionFileError, match="cannot write session file"):
        save_preset(tmp_path / "no" / "dir" / "x.json", GOOD)


def test_diff_marks_what_the_server_changed() -> None:
    sent = {"voice": "marin", "temperature": 0.9, "turn_detection": {"type": "server_vad", "threshold": 0.4},
            "input_audio_transcription": None, "instructions": "hi"}
    applied = flat_to_ga_session({"voice": "alloy", "turn_detection": {"type": "server_vad", "threshold": 0.4,
                                                                       "idle_timeout_ms": None},
                                  "input_audio_transcription": None})
    entries = {e.path: e for e in diff_sessions(sent, applied, protocol="ga")}
    assert entries["voice"].status == "changed" and entries["voice"].applied == "alloy"
    assert entries["temperature"].status == "ignored"
    assert entries["turn_detection.threshold"].status == "same"
    assert entries["turn_detection.idle_timeout_ms"].status == "added"
    assert entries["input_audio_transcription"].status == "same"
    assert entries["instructions"].status == "missing"
    assert {p for p, e in entries.items() if e.is_difference} == {"voice", "instructions"}
    assert {p for p, e in entries.items() if e.is_marked} == {"voice", "temperature", "instructions"}


def test_diff_of_turn_detection_switched_on_or_off() -> None:
    on = {"type": "server_vad", "threshold": 0.5}
    entries = diff_sessions({"turn_detection": {"type": "none"}}, {"turn_detection": on}, protocol="beta")
    assert [(e.path, e.status, e.applied) for e in entries] == [("turn_detection", "changed", on)]
    entries = diff_sessions({"turn_detection": on}, {"turn_detection": None}, protocol="beta")
    assert {e.status for e in entries} == {"changed"} and len(entries) == 2
    # beta keeps temperature, so a dropped temperature is a real difference there
    assert diff_sessions({"temperature": 0.8}, {}, protocol="beta")[0].status == "missing"
