"""Each rule: a recording that triggers it, and a near-identical one that does not."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from console.lint import RULES
from console.recording.synthetic import tone
from console.realtime.audio import encode_base64

from tests.lint.helpers import lint_built, only, rules_of, started


def raw_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- clean baselines --------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["ga", "beta"])
def test_a_realistic_session_of_every_kind_of_turn_is_clean(protocol: str, tmp_path: Path) -> None:
    b = started(protocol)
    b.user_speech(1200, "hi")
    b.response(audio_ms=1500)
    b.wait(3000)
    b.user_text("weather?")
    call = b.response(function_call=("get_weather", '{"city":"Paris"}'))
    b.function_output(call["call_id"], '{"temp": 20}')
    b.response_create()
    b.response(audio_ms=800)
    b.wait(3000)
    b.manual_commit(500)
    b.response_create()
    b.response(audio_ms=2000, cancel_after_deltas=5, client_cancels=True)
    b.user_speech(700, "stop")
    b.response(audio_ms=600)
    result = lint_built(b, tmp_path)
    assert result.findings == []
    assert result.counts == {"error": 0, "warning": 0, "info": 0}


# --- truncation ---------------------------------------------------------------------------


def _answer_then_truncate(tmp_path: Path, audio_end_ms: int, codec_g711: bool = False):
    b = started()
    b.user_speech(800, "hi")
    facts = b.response(audio_ms=1000)  # 10 deltas of 100 ms
    b.emit("client", {"type": "conversation.item.truncate", "item_id": facts["item_id"], "content_index": 0,
                      "audio_end_ms": audio_end_ms})
    return lint_built(b, tmp_path), facts


def test_truncate_beyond_the_audio_received_is_an_error(tmp_path: Path) -> None:
    result, facts = _answer_then_truncate(tmp_path, 1500)
    f = only(result, "truncate-beyond-audio")
    assert f.severity == "error" and facts["item_id"] in f.ids
    assert "1500 ms" in f.message and "1000 ms" in f.message


def test_truncate_within_the_audio_received_is_fine(tmp_path: Path) -> None:
    result, _ = _answer_then_truncate(tmp_path, 1000)
    assert "truncate-beyond-audio" not in rules_of(result)


def test_truncate_beyond_audio_uses_the_g711_rate(tmp_path: Path) -> None:
    """G.711 is 8 bytes per ms: 800 bytes of delta is 100 ms, not 16 ms as PCM16 would say."""
    b = started()
    b.emit("server", {"type": "session.updated", "session": {"type": "realtime", "audio": {
        "input": {"format": {"type": "audio/pcmu"}}, "output": {"format": {"type": "audio/pcmu"}}}}})
    chunk = raw_b64(b"\x7f" * 800)
    ids = {"response_id": "resp_g", "item_id": "item_g", "output_index": 0, "content_index": 0}
    b.emit("server", {"type": "response.created", "response": {"id": "resp_g", "status": "in_progress"}})
    b.emit("server", {"type": "response.output_item.added", "response_id": "resp_g", "output_index": 0,
                      "item": {"id": "item_g", "type": "message", "role": "assistant"}})
    for _ in range(5):
        b.emit("server", {"type": "response.output_audio.delta", **ids, "delta": chunk})
        b.wait(100)
    b.emit("server", {"type": "response.done", "response": {"id": "resp_g", "status": "completed"}})
    b.emit("client", {"type": "conversation.item.truncate", "item_id": "item_g", "content_index": 0,
                      "audio_end_ms": 450})
    assert "truncate-beyond-audio" not in rules_of(lint_built(b, tmp_path, "ok.jsonl"))
    b.emit("client", {"type": "conversation.item.truncate", "item_id": "item_g", "content_index": 0,
                      "audio_end_ms": 520})
    assert "truncate-beyond-audio" in rules_of(lint_built(b, tmp_path, "bad.jsonl"))


def test_a_barge_in_without_truncation_is_a_warning(tmp_path: Path) -> None:
    b = started()
    b.user_speech(800, "hi")
    facts = b.response(audio_ms=3000)
    b.wait(200)  # the 3 s of audio are still playing
    b.user_speech(600, "wait")
    b.response(audio_ms=500)
    f = only(lint_built(b, tmp_path), "barge-in-not-truncated")
    assert f.severity == "warning" and facts["item_id"] in f.ids


def test_speech_after_the_answer_was_heard_is_no_barge_in(tmp_path: Path) -> None:
    b = started()
    b.user_speech(800, "hi")
    b.response(audio_ms=3000)
    b.wait(3500)  # played out (arrival took ~0.6 s, playback 3 s)
    b.user_speech(600, "next")
    b.response(audio_ms=500)
    assert lint_built(b, tmp_path).findings == []


def test_a_barge_in_truncated_by_the_client_is_fine(tmp_path: Path) -> None:
    b = started()
    b.user_speech(800, "hi")
    b.response(audio_ms=3000, cancel_after_deltas=4)  # barge-in, then the client truncates
    b.user_speech(600, "wait")
    b.response(audio_ms=500)
    assert lint_built(b, tmp_path).findings == []


def test_truncating_an_older_item_is_a_warning(tmp_path: Path) -> None:
    b = started()
    b.user_speech(800, "one")
    first = b.response(audio_ms=500)
    b.wait(2000)
    b.user_speech(800, "two")
    second = b.response(audio_ms=500)
    b.emit("client", {"type": "conversation.item.truncate", "item_id": first["item_id"], "content_index": 0,
                      "audio_end_ms": 200})
    f = only(lint_built(b, tmp_path), "truncate-not-latest")
    assert f.ids[:2] == (first["item_id"], second["item_id"])
    b.emit("client", {"type": "conversation.item.truncate", "item_id": second["item_id"], "content_index": 0,
                      "audio_end_ms": 200})
    assert rules_of(lint_built(b, tmp_path, "2.jsonl")).count("truncate-not-latest") == 1


# --- responses ----------------------------------------------------------------------------


def _active_response(b):
    b.emit("server", {"type": "response.created", "response": {"id": "resp_x", "status": "in_progress"}})


def test_response_create_refused_as_already_active(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    b.wait(100)
    create = b.emit("client", {"type": "response.create"})
    b.error("conversation_already_has_active_response", "Conversation already has an active response",
            caused_by=create["event_id"])
    b.wait(2000)
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": "completed"}})
    result = lint_built(b, tmp_path)
    f = only(result, "response-create-while-active")
    assert "server-error" not in rules_of(result)  # the refusal is explained once
    assert "refused by error event" in f.message and "resp_x" in f.ids


def test_response_create_while_active_from_pairing_alone(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    b.wait(100)
    b.emit("client", {"type": "response.create"})
    b.wait(2000)
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": "completed"}})
    assert "response-create-while-active" in rules_of(lint_built(b, tmp_path))


def test_response_create_racing_the_done_is_fine(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    b.wait(1000)
    b.emit("client", {"type": "response.create"})
    b.wait(20)  # the done was already on its way
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": "completed"}})
    b.emit("server", {"type": "response.created", "response": {"id": "resp_y", "status": "in_progress"}})
    b.emit("server", {"type": "response.done", "response": {"id": "resp_y", "status": "completed"}})
    assert lint_built(b, tmp_path).findings == []


def test_cancel_with_no_active_response(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    b.response(text_only=True)
    cancel = b.emit("client", {"type": "response.cancel"})
    b.error("response_cancel_not_active", "Cancellation failed: no active response found", caused_by=cancel["event_id"])
    result = lint_built(b, tmp_path)
    f = only(result, "cancel-not-active")
    assert f.severity == "warning" and "server-error" not in rules_of(result)


def test_cancel_of_an_active_response_is_fine(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    b.emit("client", {"type": "response.cancel"})
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": "cancelled",
                                                             "status_details": {"type": "cancelled", "reason": "client_cancelled"}}})
    assert lint_built(b, tmp_path).findings == []


@pytest.mark.parametrize("status,rule,reason", [
    ("failed", "response-failed", "server_error"),
    ("incomplete", "response-incomplete", "max_output_tokens"),
])
def test_responses_ending_badly_name_the_reason(status: str, rule: str, reason: str, tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    details = {"type": status, "reason": reason} if status == "incomplete" else \
        {"type": "failed", "error": {"type": "server_error", "code": "server_error", "message": "boom"}}
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": status, "status_details": details}})
    f = only(lint_built(b, tmp_path), rule)
    assert reason in f.message and f.ids == ("resp_x",)


def test_a_response_that_never_ends(tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    _active_response(b)
    f = only(lint_built(b, tmp_path), "response-never-done")
    assert f.ids == ("resp_x",)
    b.emit("server", {"type": "response.done", "response": {"id": "resp_x", "status": "completed"}})
    assert lint_built(b, tmp_path, "2.jsonl").findings == []


# --- tools --------------------------------------------------------------------------------


def _call(b, name: str = "get_weather", args: str = '{"city":"Paris"}') -> str:
    b.user_text("weather?")
    return b.response(function_call=(name, args))["call_id"]


def test_a_call_never_answered(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    f = only(lint_built(b, tmp_path), "tool-output-missing")
    assert call_id in f.ids


def test_a_call_answered_twice(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    b.function_output(call_id, '{"t": 1}')
    b.response_create()
    b.response(text_only=True)
    assert "tool-output-duplicate" not in rules_of(lint_built(b, tmp_path, "1.jsonl"))
    b.function_output(call_id, '{"t": 1}')
    f = only(lint_built(b, tmp_path, "2.jsonl"), "tool-output-duplicate")
    assert f.ids == (call_id,)


def test_output_for_an_unknown_call(tmp_path: Path) -> None:
    b = started()
    b.function_output("call_nope", '{"t": 1}')
    b.response_create()
    b.response(text_only=True)
    assert only(lint_built(b, tmp_path), "tool-output-unknown-call").ids[0] == "call_nope"


def test_output_for_an_unknown_call_is_not_judged_mid_session(tmp_path: Path) -> None:
    """Without session.created, the call may predate the recording."""
    path = tmp_path / "mid.jsonl"
    lines = [{"type": "conversation.item.create", "event_id": "e1",
              "item": {"type": "function_call_output", "call_id": "call_old", "output": "{}"}},
             {"type": "response.create", "event_id": "e2"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    from console.recording.linting import lint_path
    assert lint_path(path).findings == []


def test_output_that_is_not_json_is_info(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    b.function_output(call_id, "sunny, 20 C")
    b.response_create()
    b.response(text_only=True)
    f = only(lint_built(b, tmp_path), "tool-output-not-json")
    assert f.severity == "info" and "sunny" in f.message


def test_the_same_call_three_times_is_a_loop(tmp_path: Path) -> None:
    b = started()
    for i in range(3):
        call_id = _call(b, args='{"city": "Paris"}' if i == 1 else '{"city":"Paris"}')  # spacing differs
        b.function_output(call_id, '{"error": "try again"}')
        b.response_create()
    b.response(text_only=True)
    f = only(lint_built(b, tmp_path, "loop.jsonl"), "tool-call-loop")
    assert len(f.events) == 3


def test_different_arguments_are_no_loop(tmp_path: Path) -> None:
    b = started()
    for city in ("Paris", "Rome", "Oslo"):
        call_id = _call(b, args=json.dumps({"city": city}))
        b.function_output(call_id, '{"t": 1}')
        b.response_create()
    b.response(text_only=True)
    assert lint_built(b, tmp_path).findings == []


def test_output_without_response_create_at_the_end(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    b.function_output(call_id, '{"t": 1}')
    b.wait(30_000)
    b.emit("server", {"type": "rate_limits.updated", "rate_limits": []})
    f = only(lint_built(b, tmp_path), "tool-output-no-response")
    assert "end of the recording" in f.message


def test_output_followed_by_long_silence_then_other_input(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    b.function_output(call_id, '{"t": 1}')
    b.wait(15_000)
    b.user_text("hello?")  # the user gives up waiting; the app never asked for a response
    assert "tool-output-no-response" in rules_of(lint_built(b, tmp_path))


def test_output_consumed_by_a_vad_response_is_fine(tmp_path: Path) -> None:
    b = started()
    call_id = _call(b)
    b.function_output(call_id, '{"t": 1}')
    b.wait(500)
    b.user_speech(600, "and tomorrow?")
    b.response(audio_ms=300)
    assert "tool-output-no-response" not in rules_of(lint_built(b, tmp_path))


# --- audio input --------------------------------------------------------------------------


def test_commit_with_too_little_audio(tmp_path: Path) -> None:
    b = started(vad=False)
    b.append_audio(60)
    commit = b.emit("client", {"type": "input_audio_buffer.commit"})
    b.error("input_audio_buffer_commit_empty", "buffer too small", caused_by=commit["event_id"])
    result = lint_built(b, tmp_path)
    f = only(result, "commit-too-small")
    assert "60 ms" in f.message and "server-error" not in rules_of(result)


def test_commit_right_after_a_vad_commit_is_too_small(tmp_path: Path) -> None:
    b = started()
    b.user_speech(800, "hi")  # the server committed the buffer
    b.emit("client", {"type": "input_audio_buffer.commit"})
    assert "commit-too-small" in rules_of(lint_built(b, tmp_path))


def test_commit_with_enough_audio(tmp_path: Path) -> None:
    b = started(vad=False)
    b.manual_commit(100)
    b.response_create()
    b.response(audio_ms=300)
    assert lint_built(b, tmp_path).findings == []


def test_appends_far_faster_than_real_time(tmp_path: Path) -> None:
    b = started(vad=False)
    chunk = encode_base64(tone(100))
    for _ in range(200):  # 20 s of audio in 2 s: 10x
        b.emit("client", {"type": "input_audio_buffer.append", "audio": chunk})
        b.wait(10)
    b.wait(5000)
    b.emit("client", {"type": "input_audio_buffer.append", "audio": chunk})
    f = only(lint_built(b, tmp_path), "append-too-fast")
    assert f.severity == "warning" and "x real time" in f.message
    factor = float(f.message.split("up to ")[1].split("x")[0])
    assert 6.0 <= factor <= 10.0


def test_a_short_fast_burst_is_fine(tmp_path: Path) -> None:
    """A push-to-talk clip of 2 s sent at once is not a sustained rate."""
    b = started(vad=False)
    chunk = encode_base64(tone(100))
    for _ in range(20):
        b.emit("client", {"type": "input_audio_buffer.append", "audio": chunk})
    b.emit("client", {"type": "input_audio_buffer.commit"})
    assert "append-too-fast" not in rules_of(lint_built(b, tmp_path))


def test_an_odd_byte_count_does_not_fit_pcm16(tmp_path: Path) -> None:
    b = started(vad=False)
    b.emit("client", {"type": "input_audio_buffer.append", "audio": raw_b64(b"\x01\x02\x03")})
    b.emit("client", {"type": "input_audio_buffer.append", "audio": "abc"})
    found = [f for f in lint_built(b, tmp_path).findings if f.rule == "append-bad-size"]
    assert len(found) == 2 and "3 bytes" in found[0].message and "not base64" in found[1].message


def test_an_odd_byte_count_fits_g711(tmp_path: Path) -> None:
    b = started(vad=False)
    b.emit("server", {"type": "session.updated", "session": {"type": "realtime", "audio": {
        "input": {"format": {"type": "audio/pcma"}}, "output": {"format": {"type": "audio/pcma"}}}}})
    b.emit("client", {"type": "input_audio_buffer.append", "audio": raw_b64(b"\x01\x02\x03")})
    assert lint_built(b, tmp_path).findings == []


# --- session ------------------------------------------------------------------------------


def test_beta_fields_in_a_ga_update(tmp_path: Path) -> None:
    b = started("ga")
    b.emit("client", {"type": "session.update", "session": {"type": "realtime", "voice": "marin",
                                                             "modalities": ["audio"], "instructions": "x"}})
    f = only(lint_built(b, tmp_path), "beta-field-in-ga")
    assert "modalities (GA: output_modalities)" in f.message and "voice (GA: audio.output.voice)" in f.message
    assert "instructions" not in f.message


def test_beta_fields_nested_in_a_ga_update_name_their_ga_path(tmp_path: Path) -> None:
    b = started("ga")
    b.emit("client", {"type": "session.update", "session": {"type": "realtime", "temperature": 0.7, "audio": {
        "input": {"format": "pcm16", "input_audio_transcription": {"model": "whisper-1"}},
        "output": {"output_audio_format": {"type": "audio/pcmu"}, "voice": "marin"}}}})
    f = only(lint_built(b, tmp_path), "beta-field-in-ga")
    assert f.severity == "error"
    assert "temperature (not in GA)" in f.message
    assert "audio.input.format 'pcm16' (GA: {\"type\": \"audio/pcm\", \"rate\": 24000})" in f.message
    assert "audio.input.input_audio_transcription (GA: audio.input.transcription)" in f.message
    assert "audio.output.output_audio_format (GA: audio.output.format)" in f.message
    assert "voice (" not in f.message.replace("audio.output.voice", "")  # the GA voice is fine
    assert "unknown-session-field" not in rules_of(lint_built(b, tmp_path, "again.jsonl"))


def test_unknown_nested_fields_in_a_ga_update_are_a_warning(tmp_path: Path) -> None:
    b = started("ga")
    b.emit("client", {"type": "session.update", "session": {"type": "realtime", "audio": {
        "format": {"type": "audio/pcm", "rate": 24000},
        "input": {"sample_rate": 24000, "turn_detection": {"type": "server_vad", "silence_ms": 300}},
        "output": {"voice": "marin", "rate": 24000}}}})
    f = only(lint_built(b, tmp_path), "unknown-session-field")
    assert f.severity == "warning"
    assert "audio.format (GA: audio.input.format or audio.output.format)" in f.message
    assert "audio.input.sample_rate (not in GA)" in f.message
    assert "audio.input.turn_detection.silence_ms (not in GA)" in f.message
    assert "audio.output.rate (GA: audio.input.format.rate or audio.output.format.rate)" in f.message
    assert "beta-field-in-ga" not in rules_of(lint_built(b, tmp_path, "again.jsonl"))


def test_a_full_ga_session_update_is_clean(tmp_path: Path) -> None:
    """Every GA field at its place, free-form objects (tools, a voice object) left alone."""
    b = started("ga")
    b.emit("client", {"type": "session.update", "session": {
        "type": "realtime", "model": "gpt-realtime", "instructions": "Be brief.", "output_modalities": ["audio"],
        "max_output_tokens": "inf", "tool_choice": "auto", "include": ["item.input_audio_transcription.logprobs"],
        "tools": [{"type": "function", "name": "f", "description": "d", "parameters": {"type": "object", "anything": 1}}],
        "tracing": "auto", "truncation": "auto",
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}, "noise_reduction": {"type": "near_field"},
                            "transcription": {"model": "whisper-1", "language": "en", "prompt": "names"},
                            "turn_detection": {"type": "semantic_vad", "eagerness": "low", "create_response": True,
                                               "interrupt_response": True}},
                  "output": {"format": {"type": "audio/pcmu"}, "voice": {"id": "voice_custom"}, "speed": 1.1}}}})
    assert lint_built(b, tmp_path).findings == []


def test_unknown_fields_in_a_beta_session_are_not_judged(tmp_path: Path) -> None:
    b = started("beta")
    b.emit("client", {"type": "session.update", "session": {"voice": "verse", "sample_rate": 24000}})
    assert lint_built(b, tmp_path).findings == []


def test_beta_fields_in_a_beta_session_are_fine(tmp_path: Path) -> None:
    b = started("beta")
    b.emit("client", {"type": "session.update", "session": {"voice": "verse", "modalities": ["text"]}})
    assert lint_built(b, tmp_path).findings == []


def test_a_refused_session_update_names_the_error(tmp_path: Path) -> None:
    b = started()
    update = b.emit("client", {"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"voice": "cedar"}}}})
    b.error("cannot_update_voice", "Cannot update a conversation's voice if assistant audio is present.",
            caused_by=update["event_id"])
    result = lint_built(b, tmp_path)
    f = only(result, "session-update-refused")
    assert "cannot_update_voice" in f.message and "server-error" not in rules_of(result)


def test_long_instructions_are_info(tmp_path: Path) -> None:
    b = started()
    b.emit("client", {"type": "session.update", "session": {"type": "realtime", "instructions": "x" * 8001}})
    assert only(lint_built(b, tmp_path, "long.jsonl"), "instructions-too-long").severity == "info"
    b2 = started()
    b2.emit("client", {"type": "session.update", "session": {"type": "realtime", "instructions": "x" * 8000}})
    assert lint_built(b2, tmp_path, "short.jsonl").findings == []


def test_a_session_that_expired(tmp_path: Path) -> None:
    b = started()
    b.error("session_expired", "Your session hit the maximum duration of 60 minutes.")
    f = only(lint_built(b, tmp_path), "session-expiry")
    assert f.severity == "info"


def test_a_session_that_ended_close_to_expiry(tmp_path: Path) -> None:
    expires = (b := started()).start.timestamp() + 3600
    b.emit("server", {"type": "session.updated", "session": {"type": "realtime", "expires_at": expires}})
    b.wait(58 * 60 * 1000)
    b.user_text("still there?")
    assert "session-expiry" in rules_of(lint_built(b, tmp_path, "near.jsonl"))
    b2 = started()
    b2.emit("server", {"type": "session.updated", "session": {"type": "realtime", "expires_at": expires}})
    b2.wait(10 * 60 * 1000)
    b2.user_text("still there?")
    assert lint_built(b2, tmp_path, "far.jsonl").findings == []


# --- items and errors -----------------------------------------------------------------------


@pytest.mark.parametrize("event", [
    {"type": "conversation.item.delete", "item_id": "item_ghost"},
    {"type": "conversation.item.retrieve", "item_id": "item_ghost"},
    {"type": "conversation.item.truncate", "item_id": "item_ghost", "content_index": 0, "audio_end_ms": 0},
    {"type": "conversation.item.create", "previous_item_id": "item_ghost",
     "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}},
])
def test_references_to_unknown_items(event: dict, tmp_path: Path) -> None:
    b = started()
    b.user_text("hi")
    b.emit("client", event)
    assert "item_ghost" in only(lint_built(b, tmp_path), "unknown-item-id").ids


def test_references_to_known_items_are_fine(tmp_path: Path) -> None:
    b = started()
    item_id = b.user_text("hi")
    b.emit("client", {"type": "conversation.item.retrieve", "item_id": item_id})
    b.emit("client", {"type": "conversation.item.create", "previous_item_id": item_id,
                      "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}})
    b.emit("client", {"type": "conversation.item.delete", "item_id": item_id})
    assert lint_built(b, tmp_path).findings == []


def test_an_unexplained_error_is_reported_with_its_cause(tmp_path: Path) -> None:
    b = started()
    bad = b.emit("client", {"type": "conversation.item.create", "item": {"type": "bogus"}})
    b.error("invalid_value", "Invalid value: 'bogus'", caused_by=bad["event_id"])
    f = only(lint_built(b, tmp_path), "server-error")
    assert "invalid_value" in f.message and "conversation.item.create" in f.message


def test_every_rule_has_a_test_here_or_in_the_live_tests() -> None:
    source = Path(__file__).read_text()
    missing = [r for r in RULES if f'"{r}"' not in source]
    assert missing == []


def test_rules_md_documents_every_rule() -> None:
    import console.lint as pkg
    doc = (Path(pkg.__file__).parent / "RULES.md").read_text()
    assert [r for r in RULES if f"`{r}`" not in doc] == []


def test_truncating_the_talked_over_item_after_the_next_answer_began_is_fine(tmp_path: Path) -> None:
    """Server VAD answers the barge-in at once; the app's truncate of the item it was
    playing arrives after the new answer's first audio, and is still right."""
    b = started()
    b.user_speech(800, "hi")
    first = b.response(audio_ms=3000)
    b.wait(200)
    b.user_speech(600, "wait")
    b.response(audio_ms=500)
    b.emit("client", {"type": "conversation.item.truncate", "item_id": first["item_id"], "content_index": 0,
                      "audio_end_ms": 800})
    assert lint_built(b, tmp_path).findings == []
