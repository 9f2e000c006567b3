"""Turn rules that decide what `inspect` reports: refused `response.create` requests are
errors, not turns; a barge-in after `response.done` (audio still playing) interrupts; the
transcript marks what was not heard."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.cli import main
from console.recording import Recording
from console.recording.export import heard_chars, transcript_markdown, unheard_marked
from console.recording.report import build_report
from console.recording.synthetic import SessionBuilder


def report_of(b: SessionBuilder, path: Path) -> dict:
    b.write(path)
    with Recording.open(path) as rec:
        return build_report(rec)


@pytest.mark.parametrize("named", [True, False])
def test_a_refused_response_create_is_an_error_not_a_turn(tmp_path: Path, named: bool,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    b = SessionBuilder()
    b.session()
    b.user_text("first")
    b.response_create()
    b.response(text_only=True, transcript="one")
    b.wait(1000)
    refused = b.emit("client", {"type": "response.create"})
    b.wait(50)
    b.error("conversation_already_has_active_response", "busy", caused_by=refused["event_id"] if named else None)
    b.wait(293_000)  # the user comes back minutes later
    b.user_text("second")
    b.response_create()
    b.response(latency_ms=300, text_only=True, transcript="two")
    path = tmp_path / "refused.jsonl"
    report = report_of(b, path)
    assert [t["trigger"] for t in report["turns"]] == ["item.create", "item.create"]
    second = report["turns"][1]
    assert second["user"]["text"] == "second" and second["latency"]["done_ms"] < 1000
    (error,) = report["errors"]
    assert error["code"] == "conversation_already_has_active_response"
    with Recording.open(path) as rec:
        assert rec.type_of(error["refused_request"]) == "response.create"
    assert main(["inspect", str(path), "--fail-on", "latency>5000"]) == 0
    capsys.readouterr()


def test_an_error_about_something_else_does_not_refuse_a_response_create(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_text("hello")
    b.response_create()
    b.error("invalid_value", "bad truncate", caused_by=None)  # unnamed, but the response comes
    b.response(text_only=True, transcript="hi")
    report = report_of(b, tmp_path / "other.jsonl")
    assert len(report["turns"]) == 1 and report["turns"][0]["assistant"]["status"] == "completed"
    assert report["errors"][0]["refused_request"] is None


def test_barge_in_after_response_done_while_webrtc_audio_plays(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_speech(600, "tell me a story")
    facts = b.response(webrtc=True, audio_ms=3000, transcript="Once upon a time there was a fox")
    # response.done came with output_audio_buffer.stopped in the builder; a WebRTC server
    # stops the buffer only when playback ends: move it after the barge-in.
    stopped = next(i for i, e in enumerate(b.events) if e[2]["type"] == "output_audio_buffer.stopped")
    del b.events[stopped]
    b.wait(400)
    b.emit("server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": b.input_ms, "item_id": "item_u9"})
    b.emit("server", {"type": "output_audio_buffer.cleared", "response_id": facts["response_id"]})
    b.emit("server", {"type": "conversation.item.truncated", "item_id": facts["item_id"], "content_index": 0,
                      "audio_end_ms": 1200})
    report = report_of(b, tmp_path / "webrtc.jsonl")
    first = report["turns"][0]
    assert first["assistant"]["status"] == "completed" and first["interrupted"] is True
    (interruption,) = report["interruptions"]
    assert interruption["kind"] == "speech_started" and interruption["turn"] == 1


def test_barge_in_after_response_done_with_client_side_playback(tmp_path: Path) -> None:
    """A WebSocket client plays the audio itself: only its truncation tells."""
    b = SessionBuilder()
    b.session()
    b.user_speech(600, "tell me a story")
    facts = b.response(audio_ms=2000, transcript="Once upon a time there was a fox")
    b.wait(300)
    b.user_speech(500, "stop")
    b.emit("client", {"type": "conversation.item.truncate", "item_id": facts["item_id"], "content_index": 0,
                      "audio_end_ms": 500})
    b.response(text_only=True, transcript="ok")
    report = report_of(b, tmp_path / "ws.jsonl")
    assert report["turns"][0]["interrupted"] is True and report["turns"][1]["interrupted"] is False
    (interruption,) = report["interruptions"]
    assert interruption["kind"] == "conversation.item.truncate" and interruption["turn"] == 1
    item = report["turns"][0]["assistant"]["items"][0]
    assert item["heard_ms"] == 500 and item["audio_ms"] == pytest.approx(2000, abs=1)
    text = transcript_markdown(report)
    # A quarter of the audio was played: about a quarter of the words were heard.
    assert "> Once\n>\n> *[not heard after 0.50 s (estimated from the share of audio played): " \
           "upon a time there was a fox]*" in text


def test_unheard_marks() -> None:
    text = "one two three four"
    assert heard_chars(text, 0, 4000) == 0
    assert heard_chars(text, 2000, 4000) == len("one two ")  # back to a word boundary
    assert heard_chars(text, 5000, 4000) == len(text)
    assert heard_chars(text, 1000, None) is None
    assert unheard_marked(text, 0, 4000) == f"*[not heard after 0.00 s: {text}]*"
    assert unheard_marked(text, 0, None) == f"*[not heard after 0.00 s: {text}]*"
    assert "how much of this text was heard is unknown" in unheard_marked(text, 1500, None)
    assert unheard_marked(text, 4000, 4000) == text
