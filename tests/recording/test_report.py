"""The inspect report on hand-built realistic recordings, both protocols; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.recording import Recording
from console.recording.prices import PriceTable, load_prices
from console.recording.report import build_report
from console.recording.synthetic import SessionBuilder, default_usage


def session(protocol: str) -> tuple[SessionBuilder, dict]:
    """Four turns: VAD speech, a barge-in (cancel + truncate), a text turn, a tool call."""
    b = SessionBuilder(protocol=protocol)
    facts: dict = {}
    b.session()
    b.user_speech(1500, "What's the weather like?")
    facts["t1_from"] = b.speech_end_t
    facts["r1"] = b.response(latency_ms=350, audio_ms=800, transcript="It is sunny today.", delta_gap_ms=20)
    b.user_speech(900, "And tomorrow?")
    facts["t2_from"] = b.speech_end_t
    facts["r2"] = b.response(latency_ms=700, audio_ms=2000, cancel_after_deltas=4, client_cancels=True,
                             usage=default_usage(text_in=10, audio_in=0, cached_text=0, cached_audio=0, text_out=5, audio_out=5))
    b.user_speech(800, "Stop. Use text.")  # finishes the barge-in
    facts["t3_from"] = b.speech_end_t
    facts["r3"] = b.response(latency_ms=250, transcript="Okay.", audio_ms=300)
    b.user_text("Look up Paris")
    b.response_create()
    facts["t4_from"] = b.t
    facts["r4"] = b.response(latency_ms=200, function_call=("get_weather", '{"city": "Paris"}'))
    b.function_output(facts["r4"]["call_id"], '{"temp": 21}')
    b.response_create()
    facts["t5_from"] = b.t
    facts["r5"] = b.response(latency_ms=150, text_only=True, transcript="21 degrees in Paris")
    b.emit("client", {"type": "response.cancel", "event_id": "evt_late"})
    b.error("response_cancel_not_active", "There is no active response", caused_by="evt_late")
    return b, facts


@pytest.fixture(params=["ga", "beta"])
def recorded(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path, dict]:
    b, facts = session(request.param)
    path = tmp_path / f"{request.param}.jsonl"
    b.write(path)
    return request.param, path, facts


def test_report_numbers(recorded: tuple[str, Path, dict]) -> None:
    protocol, path, facts = recorded
    with Recording.open(path) as rec:
        report = build_report(rec)
    assert report["format"]["protocol"] == protocol
    assert report["format"]["model"] == "gpt-realtime"
    assert report["events"]["total"] == sum(report["events"]["by_source"].values())
    delta = "response.output_audio.delta" if protocol == "ga" else "response.audio.delta"
    assert report["events"]["by_type"]["server"][delta] == 8 + 4 + 3
    turns = report["turns"]
    assert [t["trigger"] for t in turns] == ["speech", "speech", "speech", "item.create", "item.create"]
    t1, t2, t3, t4, t5 = turns
    # who spoke and what
    assert t1["user"]["transcript"] == "What's the weather like?" and t1["user"]["speech_ms"] == 1500
    assert t1["assistant"]["items"][0]["transcript"] == "It is sunny today."
    assert t3["user"]["transcript"] == "Stop. Use text."
    assert t4["user"] == {**t4["user"], "kind": "text", "text": "Look up Paris"}
    call = t4["assistant"]["items"][0]
    assert (call["type"], call["name"], call["arguments"]) == ("function_call", "get_weather", '{"city": "Paris"}')
    assert t5["user"]["kind"] == "function_call_output" and t5["user"]["text"] == '{"temp": 21}'
    assert t5["assistant"]["items"][0]["text"] == "21 degrees in Paris"
    # latency, measured from speech_stopped / response.create
    assert t1["latency"]["from"] == "speech_stopped"
    assert t1["latency"]["first_audio_ms"] == pytest.approx(350, abs=1)
    assert t1["latency"]["first_text_ms"] == pytest.approx(350 + 2 * 20, abs=1)
    assert t1["latency"]["done_ms"] == pytest.approx((facts["r1"]["done_t"] - facts["t1_from"]) * 1000, abs=1)
    assert t2["latency"]["first_audio_ms"] == pytest.approx(700, abs=1)
    assert t4["latency"]["from"] == "response.create"
    assert t5["latency"]["first_text_ms"] == pytest.approx(150, abs=1)
    assert t5["latency"]["first_audio_ms"] is None
    assert report["latency_ms"]["first_audio"]["count"] == 3
    assert report["latency_ms"]["first_audio"]["max"] == pytest.approx(700, abs=1)
    # interruptions and truncations
    assert t2["interrupted"] and t2["assistant"]["status"] == "cancelled"
    assert t2["assistant"]["status_reason"] == "turn_detected"
    assert [i["kind"] for i in report["interruptions"]] == ["speech_started"]
    trunc = report["truncations"]
    assert len(trunc) == 1 and trunc[0]["item_id"] == facts["r2"]["item_id"]
    assert trunc[0]["audio_end_ms"] == facts["r2"]["truncate_ms"]
    assert trunc[0]["requested_by_client"] and trunc[0]["confirmed_by_server"] and trunc[0]["turn"] == 2
    assert report["responses"] == {"total": 5, "completed": 4, "cancelled": 1, "failed": 0, "incomplete": 0}
    # errors link back to the client event that caused them
    (err,) = report["errors"]
    assert err["code"] == "response_cancel_not_active" and err["caused_by_type"] == "response.cancel"
    # usage: four default blocks and one small one
    u = report["usage"]
    assert u["responses_with_usage"] == 5
    assert u["input"]["text"] == 4 * 100 + 10 and u["input"]["audio"] == 4 * 50
    assert u["input"]["cached_text"] == 160 and u["input"]["cached_audio"] == 40
    assert u["output"] == {"total": 4 * 100 + 10, "text": 85, "audio": 325}
    cost = report["cost"]
    expected = ((410 - 160) * 4 + 160 * 0.4 + (200 - 40) * 32 + 40 * 0.4 + 85 * 16 + 325 * 64) / 1e6
    assert cost["total"] == pytest.approx(expected) and cost["priced_as"] == "gpt-realtime"
    assert cost["prices_date"]


def test_webrtc_and_old_model_recordings_still_inspect(tmp_path: Path) -> None:
    """No audio deltas (audio went over the media track), a server-side truncation, and
    fields older models do not send (`usage` on transcriptions and responses)."""
    b = SessionBuilder(model="gpt-4o-realtime-preview-2024-12-17")
    b.session()
    b.user_speech(1000, "hi", transcript_usage=False)
    from_t = b.speech_end_t
    facts = b.response(latency_ms=420, webrtc=True, usage={})
    b.emit("server", {"type": "conversation.item.truncated", "item_id": facts["item_id"], "content_index": 0,
                      "audio_end_ms": 1200})
    path = tmp_path / "webrtc.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        report = build_report(rec)
    (turn,) = report["turns"]
    assert turn["latency"]["first_audio_source"] == "output_audio_buffer.started"
    assert turn["latency"]["first_audio_ms"] == pytest.approx(420, abs=1)
    assert turn["user"]["transcript"] == "hi"
    assert report["truncations"][0]["requested_by_client"] is False
    assert report["usage"]["responses_with_usage"] == 0
    assert report["cost"]["priced_as"] == "gpt-4o-realtime-preview" and report["cost"]["total"] == 0
    assert from_t < facts["done_t"]


def test_price_override_file(tmp_path: Path) -> None:
    prices = tmp_path / "p.json"
    prices.write_text(json.dumps({"date": "2027-01-01", "models": {
        "gpt-realtime": {"audio_output": 1.0}, "my-model": {k: 1.0 for k in PriceTable().models["gpt-realtime"]}}}))
    table = load_prices(prices)
    assert table.date == "2027-01-01"
    assert table.models["gpt-realtime"]["audio_output"] == 1.0
    assert table.models["gpt-realtime"]["text_input"] == 4.0
    assert table.lookup("gpt-realtime-mini-2025-10-06")[0] == "gpt-realtime-mini"
    assert table.lookup("my-model")[0] == "my-model"
    assert table.lookup("gpt-realtimer") is None
    assert table.lookup("gpt-realtime-2.1-mini")[0] == "gpt-realtime-2.1-mini"  # never as gpt-realtime
    assert table.lookup("gpt-realtime-9-nano") is None


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_document_and_fail_on(recorded: tuple[str, Path, dict], capsys: pytest.CaptureFixture[str]) -> None:
    _, path, _ = recorded
    code, out, err = run_cli(capsys, "inspect", str(path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"report_version", "file", "format", "duration_s", "events", "turns", "latency_ms",
                        "timeline_ms", "responses", "interruptions", "truncations", "errors", "usage", "cost", "lint",
                        "fail_on", "files"}
    assert doc["files"] == [str(path)]
    assert set(doc["turns"][0]) == {"number", "start_event", "start_s", "trigger", "user", "assistant",
                                    "latency", "timeline", "interrupted", "cost"}
    code, out, err = run_cli(capsys, "inspect", str(path), "--fail-on", "error")
    assert code == 1 and "fail-on error" in err and "response_cancel_not_active" in err
    assert run_cli(capsys, "inspect", str(path), "--fail-on", "cancelled")[0] == 1
    assert run_cli(capsys, "inspect", str(path), "--fail-on", "latency>800")[0] == 0
    code, out, _ = run_cli(capsys, "inspect", str(path), "--fail-on", "latency>600", "--json")
    assert code == 1
    assert json.loads(out)["fail_on"][0]["held"] is True


def test_cli_text_report(recorded: tuple[str, Path, dict], capsys: pytest.CaptureFixture[str]) -> None:
    _, path, _ = recorded
    code, out, _ = run_cli(capsys, "inspect", str(path))
    assert code == 0
    assert "Turns (5)" in out and "user: What's the weather like?" in out
    assert "call: get_weather" in out and "[interrupted]" in out
    assert "Estimated cost: $" in out and "prices of" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--fail-on", "slow"], "unknown --fail-on condition"),
        (["--prices", "/nonexistent.json"], "cannot read price file"),
    ],
)
def test_cli_usage_errors(recorded: tuple[str, Path, dict], capsys: pytest.CaptureFixture[str],
                          argv: list[str], message: str) -> None:
    _, path, _ = recorded
    code, _, err = run_cli(capsys, "inspect", str(path), *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_cli_not_a_log_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello\nworld\n")
    code, out, err = run_cli(capsys, "inspect", str(bogus))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is not a realtime-console recording" in err
    assert run_cli(capsys, "inspect", str(tmp_path / "missing.jsonl"))[0] == 2
    assert run_cli(capsys, "inspect", str(tmp_path))[0] == 2


def test_cli_warns_about_a_cut_last_line(recorded: tuple[str, Path, dict], capsys: pytest.CaptureFixture[str]) -> None:
    _, path, _ = recorded
    with path.open("ab") as f:
        f.write(b'{"time": "2026-11-24T15:50:00Z", "source": "ser')
    code, out, err = run_cli(capsys, "inspect", str(path), "--json")
    assert code == 0 and "warning: the last line is cut off" in err
    assert json.loads(out)["format"]["truncated_last_line"] is True


def test_damaged_middle_line_is_skipped_with_a_warning(recorded: tuple[str, Path, dict],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A line whose start looks right (so the indexer's fast path takes it) but whose rest
    is damaged: inspect reports it and carries on."""
    _, path, _ = recorded
    lines = path.read_bytes().splitlines(keepends=True)
    victim = next(i for i, line in enumerate(lines) if b'"type": "response.output_audio_transcript.done"' in line
                  or b'"type": "response.audio_transcript.done"' in line)
    lines[victim] = lines[victim][:120] + b"\n"
    path.write_bytes(b"".join(lines))
    code, out, err = run_cli(capsys, "inspect", str(path), "--json")
    assert code == 0 and "warning: 1 damaged event line(s) skipped" in err
    assert json.loads(out)["turns"][0]["assistant"]["items"][0]["transcript"] == "It is sunny today."
    with Recording.open(path) as rec:
        with pytest.raises(ValueError, match=f"event {victim - 1} .* is damaged"):
            rec.event(victim - 1)
    assert run_cli(capsys, "export", str(path), "--wav", str(path.parent / "w"))[0] == 0


def test_a_response_that_never_finished_does_not_capture_later_turns(tmp_path: Path) -> None:
    """A response.done lost (e.g. the connection dropped and the client reconnected): the
    unfinished response must not swallow later audio deltas or count as interrupted."""
    b = SessionBuilder()
    b.session()
    b.user_speech(500, "first")
    b.emit("server", {"type": "response.created", "response": {"id": "resp_lost", "status": "in_progress", "output": []}})
    b.wait(100)
    b.emit("server", {"type": "response.created", "response": {"id": "resp_next", "status": "in_progress",
                                                                 "output": []}})
    b.user_speech(400, "second")  # speech while two responses never finished
    from_t = b.speech_end_t
    facts = b.response(latency_ms=250, audio_ms=300)
    path = tmp_path / "lost.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        report = build_report(rec)
    t1, t_next, t2 = report["turns"]
    assert t1["assistant"]["response_id"] == "resp_lost" and t1["assistant"]["status"] is None
    assert t1["latency"]["first_audio_ms"] is None and not t1["interrupted"]
    assert t_next["trigger"] == "server" and t_next["interrupted"]  # the one still running
    assert t2["latency"]["first_audio_ms"] == pytest.approx(250, abs=1)
    assert [i["response_id"] for i in report["interruptions"]] == ["resp_next"]
    assert facts["done_t"] > from_t
