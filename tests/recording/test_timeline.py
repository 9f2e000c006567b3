"""The per-turn timeline of `inspect`: points and spans against the synthetic builder's
clock (exact by construction), percentiles across turns, `--fail-on SPAN>MS`, and a real
session recorded against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from console.cli import main
from console.realtime import RealtimeClient
from console.recording import Recording, SessionRecorder
from console.recording.report import build_report
from console.recording.synthetic import SessionBuilder
from console.recording.timeline import SPANS, nearest_rank, span_name, span_stats
from console.simulator import Simulator
from tests.recording.test_end_to_end import KEY, RATE, tone, wait_for


def created_after(latency_ms: float) -> float:
    """The builder sends `response.created` this many ms after the request (see `response`)."""
    return min(60.0, latency_ms / 2)


def timeline_session(protocol: str) -> tuple[SessionBuilder, dict]:
    """Five turns, one per way a turn starts and ends: VAD speech (playback estimated),
    push-to-talk, a barge-in (truncated), a text message, and WebRTC (output buffer events)."""
    b = SessionBuilder(protocol=protocol)
    f: dict = {}
    b.session()
    b.user_speech(1500, "What's the weather like?")
    f["t1"] = b.speech_end_t
    f["r1"] = b.response(latency_ms=350, audio_ms=800, transcript="It is sunny today.")
    b.manual_commit(1000)
    b.response_create()
    f["r2"] = b.response(latency_ms=500, audio_ms=600, transcript="Sure.")
    b.user_speech(900, "And tomorrow?")
    f["r3"] = b.response(latency_ms=700, audio_ms=2000, cancel_after_deltas=4)
    b.user_speech(800, "Stop.")
    f["r4"] = b.response(latency_ms=250, audio_ms=300, transcript="Okay.")
    b.user_text("Say it in text")
    f["t5"] = b.t
    b.response_create()
    f["r5"] = b.response(latency_ms=90, audio_ms=500, webrtc=True, transcript="Fine then.")
    return b, f


@pytest.fixture(params=["ga", "beta"])
def report(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict, dict, Path]:
    b, facts = timeline_session(request.param)
    path = tmp_path / "timeline.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        return build_report(rec), facts, path


def spans(report: dict, number: int) -> dict:
    return report["turns"][number - 1]["timeline"]["spans_ms"]


def test_vad_turn_spans_are_exact(report: tuple[dict, dict, Path]) -> None:
    rep, f, _ = report
    tl = rep["turns"][0]["timeline"]
    s = tl["spans_ms"]
    # speech_started .. speech_stopped is the speech plus the 200 ms of silence VAD waits for
    assert s["speech_ms"] == 1700.0
    assert s["commit_ms"] == 0.0  # the builder's server commits as it detects the end
    assert s["to_response_ms"] == created_after(350)
    assert s["first_audio_ms"] == 350 - created_after(350)
    assert s["first_text_ms"] == 350 - created_after(350) + 2 * 20  # the transcript lags two deltas
    done_ms = round((f["r1"]["done_t"] - f["t1"]) * 1000, 1)
    assert s["generation_ms"] == pytest.approx(done_ms - created_after(350), abs=0.2)
    assert s["end_to_end_ms"] == 350.0
    # no output buffer events: playback runs from the first delta for the audio received
    assert tl["audio_ms"] == 800.0 and tl["playback_end_source"] == "estimated"
    assert s["playback_ms"] == pytest.approx(350 + 800 - done_ms, abs=0.2)
    points = tl["points_s"]
    assert points["speech_stopped_s"] == pytest.approx(f["t1"], abs=0.001)
    assert points["commit_s"] is None and points["item_create_s"] is None


def test_push_to_talk_turn_measures_from_the_commit(report: tuple[dict, dict, Path]) -> None:
    rep, _, _ = report
    s = spans(rep, 2)
    assert s["speech_ms"] is None  # no VAD, no speech events
    assert s["commit_ms"] == 40.0  # client commit -> server committed
    assert s["to_response_ms"] == created_after(500)  # from the later of committed and response.create
    assert s["first_audio_ms"] == 500 - created_after(500)
    assert s["end_to_end_ms"] == 40 + 500.0
    assert rep["turns"][1]["timeline"]["audio_ms"] == 600.0


def test_barge_in_playback_ends_at_the_truncation(report: tuple[dict, dict, Path]) -> None:
    rep, f, _ = report
    tl = rep["turns"][2]["timeline"]
    assert tl["truncated_at_ms"] == f["r3"]["truncate_ms"] == 200
    assert tl["audio_ms"] == 400.0  # four 100 ms deltas arrived before the barge-in
    assert tl["playback_end_source"] == "truncation"
    assert tl["spans_ms"]["playback_ms"] == 10.0  # the client truncates 10 ms after response.done
    # the barge-in's speech_started is the next turn's start of speech
    assert rep["turns"][3]["timeline"]["points_s"]["speech_started_s"] < tl["points_s"]["playback_end_s"]


def test_text_turn_over_webrtc_uses_the_output_buffer(report: tuple[dict, dict, Path]) -> None:
    rep, _, _ = report
    tl = rep["turns"][4]["timeline"]
    s = tl["spans_ms"]
    assert tl["points_s"]["item_create_s"] is not None and s["speech_ms"] is None and s["commit_ms"] is None
    assert s["to_response_ms"] == created_after(90)
    assert s["first_audio_ms"] == 90 - created_after(90)  # output_audio_buffer.started
    assert s["end_to_end_ms"] == 90 + 30.0  # from the user's message (the server echoes it 30 ms later)
    assert tl["playback_end_source"] == "output_audio_buffer.stopped" and tl["audio_ms"] is None
    # the builder's buffer stops 10 ms before response.done: a span may be negative, never hidden
    assert s["playback_ms"] == -10.0


def test_points_are_in_timeline_order(report: tuple[dict, dict, Path]) -> None:
    rep, _, _ = report
    order = ("speech_started_s", "speech_stopped_s", "committed_s", "response_created_s", "first_audio_s", "done_s")
    for turn in rep["turns"][:4]:
        times = [turn["timeline"]["points_s"][k] for k in order if turn["timeline"]["points_s"][k] is not None]
        assert times == sorted(times) and len(times) >= 4  # push-to-talk has no speech events


def test_percentiles_across_turns(report: tuple[dict, dict, Path]) -> None:
    rep, _, _ = report
    stats = rep["timeline_ms"]
    assert set(stats) == set(SPANS)
    first_audio = sorted(spans(rep, n)["first_audio_ms"] for n in range(1, 6))
    assert stats["first_audio_ms"]["count"] == 5
    assert stats["first_audio_ms"]["p50"] == first_audio[2]
    assert stats["first_audio_ms"]["p90"] == stats["first_audio_ms"]["p99"] == stats["first_audio_ms"]["max"]
    assert stats["first_audio_ms"]["max"] == 700 - created_after(700) and stats["first_audio_ms"]["max_turn"] == 3
    assert stats["speech_ms"]["count"] == 3  # turns 1, 3, 4 spoke under VAD


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert [nearest_rank(values, q) for q in (0.5, 0.9, 0.99, 1.0)] == [50.0, 90.0, 99.0, 100.0]
    rows = [{"spans_ms": {s: None for s in SPANS} | {"first_audio_ms": v}} for v in (300.0, 100.0, 200.0)]
    rows.append({"spans_ms": {s: None for s in SPANS}})
    stats = span_stats(rows)
    assert stats["first_audio_ms"] == {"count": 3, "p50": 200.0, "p90": 300.0, "p99": 300.0, "max": 300.0,
                                       "max_turn": 1}
    assert stats["speech_ms"] == {"count": 0, "p50": None, "p90": None, "p99": None, "max": None, "max_turn": None}
    assert span_name("first_audio") == span_name("FIRST_AUDIO_MS") == "first_audio_ms" and span_name("x") is None


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fail_on_a_span_compares_the_worst_turn(report: tuple[dict, dict, Path],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    rep, _, path = report
    worst = rep["timeline_ms"]["first_audio_ms"]["max"]  # 640 ms, turn 3; the p50 is far lower
    code, _, err = run_cli(capsys, "inspect", str(path), "--fail-on", f"first_audio>{worst - 1:g}")
    assert code == 1 and "fail-on first_audio>" in err and "worst: turn 3" in err
    assert run_cli(capsys, "inspect", str(path), "--fail-on", f"first_audio>{worst:g}")[0] == 0
    assert run_cli(capsys, "inspect", str(path), "--fail-on", f"first_audio_ms > {worst - 1:g} ms")[0] == 1
    code, out, _ = run_cli(capsys, "inspect", str(path), "--json", "--fail-on", "end_to_end>100",
                           "--fail-on", "latency>5000")
    assert code == 1
    assert [r["held"] for r in json.loads(out)["fail_on"]] == [True, False]  # latency>MS keeps its meaning
    code, _, err = run_cli(capsys, "inspect", str(path), "--fail-on", "first_sound>10")
    assert code == 2 and "unknown --fail-on condition" in err and "first_audio" in err and "Traceback" not in err


def test_fail_on_a_span_no_turn_has_holds_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = SessionBuilder()
    b.session(vad=False)
    b.user_text("hi")
    b.response_create()
    b.response(latency_ms=100, text_only=True, transcript="hello")
    path = tmp_path / "text.jsonl"
    b.write(path)
    code, out, _ = run_cli(capsys, "inspect", str(path), "--json", "--fail-on", "speech>0")
    assert code == 0 and json.loads(out)["fail_on"][0]["detail"] == "no turn has speech_ms"


def test_text_report_has_a_timeline_line_per_turn(report: tuple[dict, dict, Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, _, path = report
    code, out, _ = run_cli(capsys, "inspect", str(path))
    assert code == 0
    lines = out.splitlines()
    assert "  turn 1: speech 1.70 s · commit 0 ms · created 60 ms · first text 330 ms · first audio 290 ms" \
        in "\n".join(lines)
    (t3,) = [line for line in lines if line.startswith("  turn 3: ")]
    assert "played 10 ms (truncated at 200 ms of 400 ms)" in t3
    assert any(line.split()[:1] == ["first_audio_ms"] for line in (x.strip() for x in lines))


async def test_real_simulator_session_has_ordered_spans(tmp_path: Path) -> None:
    """A server-VAD turn and a text turn against the simulator, recorded for real."""
    path = tmp_path / "session.jsonl"
    async with Simulator(fast=True, require_key=KEY) as sim:
        client = RealtimeClient(url=sim.url, api_key=KEY, protocol="ga")
        recorder = SessionRecorder(path, endpoint=sim.url, protocol="ga", model="gpt-realtime")
        client.on("realtime.event", recorder.on_realtime_event)
        done: list[dict] = []
        client.on("realtime.event", lambda p: done.append(p["event"]) if p["event"]["type"] == "response.done" else None)
        await client.connect()
        assert await client.wait_for_session_created(5) is not None
        client.update_session(turn_detection={"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                              "silence_duration_ms": 200})
        for block in (np.zeros(RATE // 2, np.int16), tone(800), np.zeros(RATE, np.int16)):
            for chunk in np.array_split(block, max(1, len(block) // 2400)):
                client.append_input_audio(chunk)
        await wait_for(lambda: len(done) == 1)
        client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
        await wait_for(lambda: len(done) == 2)
        await client.disconnect()
        recorder.close()
    with Recording.open(path) as rec:
        rep = build_report(rec)
    speech, text = rep["turns"]
    p = speech["timeline"]["points_s"]
    order = [p[k] for k in ("speech_started_s", "speech_stopped_s", "committed_s", "response_created_s",
                            "first_audio_s", "done_s")]
    assert None not in order and order == sorted(order)
    s = speech["timeline"]["spans_ms"]
    for name in ("speech_ms", "commit_ms", "to_response_ms", "first_text_ms", "first_audio_ms", "generation_ms",
                 "playback_ms", "end_to_end_ms"):
        assert s[name] is not None and s[name] >= 0, name
    assert speech["timeline"]["audio_ms"] > 0
    assert s["end_to_end_ms"] == pytest.approx(s["commit_ms"] + s["to_response_ms"] + s["first_audio_ms"], abs=0.5)
    t = text["timeline"]["spans_ms"]
    assert t["speech_ms"] is None and t["to_response_ms"] >= 0 and t["generation_ms"] >= t["first_audio_ms"] >= 0
    assert rep["timeline_ms"]["generation_ms"]["count"] == 2


def test_playback_ends_at_output_audio_buffer_cleared(tmp_path: Path) -> None:
    """A WebRTC barge-in: the server clears the output buffer; that is where playback ended,
    even though the client truncates the item too."""
    b = SessionBuilder()
    b.session()
    b.user_speech(600, "Tell me a story")
    facts = b.response(latency_ms=200, webrtc=True, cancel_after_deltas=3, transcript="Once upon a time there was")
    b.wait(5)
    b.emit("server", {"type": "output_audio_buffer.cleared", "response_id": facts["response_id"]})
    path = tmp_path / "webrtc.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        rep = build_report(rec)
    tl = rep["turns"][0]["timeline"]
    assert rep["turns"][0]["assistant"]["response_id"] == facts["response_id"]
    assert tl["playback_end_source"] == "output_audio_buffer.cleared"
    assert tl["spans_ms"]["playback_ms"] == 10 + 30 + 5.0  # done, truncate +10, truncated +30, cleared +5
    assert tl["truncated_at_ms"] is not None and tl["audio_ms"] is None
