"""export: per-item WAVs rebuilt through RealtimeConversation, Markdown, filtered events."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from console.cli import main
from console.recording import Recording
from console.recording.rebuild import ConversationRebuilder
from console.recording.synthetic import SessionBuilder, tone

RATE = 24_000


def wav_samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


@pytest.fixture(params=["ga", "beta"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict]:
    b = SessionBuilder(protocol=request.param)
    facts: dict = {}
    b.session()
    facts["u1"] = b.user_speech(1500, "Hello")
    facts["r1"] = b.response(audio_ms=1000, transcript="Hi, how are you?")
    facts["u2"] = b.user_speech(1000, "Tell me a story")
    facts["r2"] = b.response(audio_ms=3000, cancel_after_deltas=6)  # played 300 ms
    facts["u3"] = b.user_speech(700, "Shorter please")
    facts["r3"] = b.response(audio_ms=500, transcript="Once.")
    path = tmp_path / f"{request.param}.jsonl"
    b.write(path)
    return path, facts


def test_wavs_per_item_named_by_turn_with_the_audio_the_client_had(session: tuple[Path, dict], tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path, facts = session
    out = tmp_path / "wav"
    assert main(["export", str(path), "--wav", str(out)]) == 0
    assert "6 WAV files" in capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        f"turn01_{facts['u1']}_user.wav", f"turn01_{facts['r1']['item_id']}_assistant.wav",
        f"turn02_{facts['u2']}_user.wav", f"turn02_{facts['r2']['item_id']}_assistant.wav",
        f"turn03_{facts['u3']}_user.wav", f"turn03_{facts['r3']['item_id']}_assistant.wav",
    ])
    user1 = wav_samples(out / f"turn01_{facts['u1']}_user.wav")
    assert len(user1) == 1500 * 24  # sliced by VAD speech_started / speech_stopped
    assert np.array_equal(user1[:2400], tone(100))  # the speech itself, not the silence before it
    assert len(wav_samples(out / f"turn01_{facts['r1']['item_id']}_assistant.wav")) == 1000 * 24
    # the interrupted answer stops where it was truncated
    truncated = wav_samples(out / f"turn02_{facts['r2']['item_id']}_assistant.wav")
    assert len(truncated) == facts["r2"]["truncate_ms"] * 24
    # the barge-in speech runs from its start during the answer to its stop
    assert len(wav_samples(out / f"turn03_{facts['u3']}_user.wav")) == 700 * 24


def test_manual_commit_audio_goes_to_the_committed_item(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session(vad=False)
    item = b.manual_commit(800)
    b.response_create()
    b.response(audio_ms=400)
    path = tmp_path / "ptt.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        rebuilder = ConversationRebuilder(rec)
        rebuilder.advance_to()
        assert rebuilder.errors == []
        user = rebuilder.conversation.get_item(item)
        assert user is not None and len(user["formatted"]["audio"]) == 800 * 24


def test_transcript_markdown(session: tuple[Path, dict], tmp_path: Path) -> None:
    path, _ = session
    md = tmp_path / "t.md"
    assert main(["export", str(path), "--transcript", str(md)]) == 0
    text = md.read_text()
    assert text.startswith("# Session transcript: ")
    assert text.count("## Turn ") == 3
    assert "**User** (1.5 s of speech):\n\n> Hello" in text
    assert "> Hi, how are you?" in text
    assert "*Response cancelled (turn_detected).*" in text and "*Interrupted by the user.*" in text
    assert "latency from speech_stopped: first audio 400 ms" in text


def test_filtered_events_are_a_recording_themselves(session: tuple[Path, dict], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = session
    out = tmp_path / "done.jsonl"
    # the beta name finds GA events and the other way round
    assert main(["export", str(path), "--events", str(out), "--type", "response.done",
                 "--type", "response.audio_transcript.done"]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert "realtime_console_log" in lines[0]
    types = [line["event"]["type"] for line in lines[1:]]
    assert types.count("response.done") == 3
    assert len(types) == 5 and set(types) - {"response.done"} <= {
        "response.audio_transcript.done", "response.output_audio_transcript.done"}
    with Recording.open(out) as again:
        assert len(again) == 5
    capsys.readouterr()
    assert main(["export", str(path), "--events", "-", "--type", "input_audio_buffer.*", "--source", "server"]) == 0
    stdout = capsys.readouterr().out.splitlines()
    assert {json.loads(x)["event"]["type"] for x in stdout[1:]} == {
        "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped", "input_audio_buffer.committed"}


def test_events_export_redacts_foreign_logs(tmp_path: Path) -> None:
    src = tmp_path / "foreign.jsonl"
    src.write_text(json.dumps({"type": "session.created", "event_id": "e", "session": {
        "client_secret": {"value": "ek_abc"}, "instructions": "sk-" + "a" * 40}}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["export", str(src), "--events", str(out)]) == 0
    assert "ek_abc" not in out.read_text() and "a" * 40 not in out.read_text()


@pytest.mark.parametrize("argv, message", [
    ([], "nothing to export"),
    (["--type", "error", "--transcript", "-"], "--type and --source filter --events"),
    (["--transcript", "/nonexistent/dir/t.md"], "cannot write"),
])
def test_export_usage_errors(session: tuple[Path, dict], capsys: pytest.CaptureFixture[str],
                             argv: list[str], message: str) -> None:
    path, _ = session
    assert main(["export", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_export_not_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "x.bin"
    bogus.write_bytes(bytes(range(256)))
    assert main(["export", str(bogus), "--transcript", "-"]) == 2
    assert "is not a realtime-console recording" in capsys.readouterr().err
