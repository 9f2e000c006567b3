"""RealtimeConversation: each defect of the reference, fixed (one named test per fix), and
the GA-only events."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from console.realtime.audio import encode
from console.realtime.conversation import ConversationError, RealtimeConversation
from tests.realtime.conversation_helpers import (
    PROTOCOLS,
    assistant_item,
    audio_b64,
    audio_delta,
    ev,
    function_call_item,
    snapshot,
    started_assistant,
    tone,
    user_audio_item,
    user_text_item,
)


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_fix_queued_transcript_is_found_when_item_arrives(proto: str) -> None:
    conv = RealtimeConversation()
    assert conv.process_event(
        ev(proto, "conversation.item.input_audio_transcription.completed", item_id="item_user",
           content_index=0, transcript="early words")
    ) == (None, None)
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    assert item["formatted"]["transcript"] == "early words"
    assert item["content"][0]["transcript"] == "early words"


def test_fix_audio_append_is_amortised_not_copied_per_delta() -> None:
    """The reference concatenates per delta (a new array each time); the buffer reallocates
    only when its capacity doubles, and `formatted.audio` is always the current view."""
    conv = RealtimeConversation()
    item = started_assistant(conv)
    chunk = audio_b64(tone(2400))
    bases = set()
    for n in range(1, 301):
        conv.process_event(audio_delta("ga", chunk))
        audio = item["formatted"]["audio"]
        assert len(audio) == 2400 * n
        bases.add(id(audio.base))
    assert len(bases) <= 6  # 65536 -> 720000 samples: a handful of doublings, not 300 copies
    np.testing.assert_array_equal(item["formatted"]["audio"][-2400:], tone(2400))


@pytest.mark.parametrize(
    "event",
    [
        {"type": "conversation.item.truncated", "item_id": "nope", "content_index": 0, "audio_end_ms": 10},
        {"type": "conversation.item.deleted", "item_id": "nope"},
        {"type": "response.output_item.done", "response_id": "resp_1", "item": {"id": "nope", "status": "completed"}},
        {"type": "response.content_part.added", "item_id": "nope", "content_index": 0, "part": {"type": "text"}},
        {"type": "response.output_audio_transcript.delta", "item_id": "nope", "content_index": 0, "delta": "x"},
        {"type": "response.output_audio.delta", "item_id": "nope", "content_index": 0, "delta": "AAAA"},
        {"type": "response.output_text.delta", "item_id": "nope", "content_index": 0, "delta": "x"},
        {"type": "response.function_call_arguments.delta", "item_id": "nope", "delta": "x"},
    ],
    ids=lambda e: e["type"],
)
def test_fix_unknown_item_id_raises_conversation_error_and_keeps_state(event: dict) -> None:
    conv = RealtimeConversation()
    started_assistant(conv)
    before = snapshot(conv)
    with pytest.raises(ConversationError, match="'nope' not found"):
        conv.process_event(dict(event, event_id="evt_1"))
    assert snapshot(conv) == before


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"item_id": "x"}, "missing its 'type'"),
        ({"type": "conversation.item.created"}, "missing required field 'item'"),
        ({"type": "conversation.item.created", "item": {"type": "message"}}, "has no 'id'"),
        ({"type": "conversation.item.truncated", "item_id": "item_asst"}, "'audio_end_ms'"),
        ({"type": "conversation.item.truncated", "item_id": "item_asst", "audio_end_ms": -5}, "bad audio_end_ms"),
        ({"type": "conversation.item.deleted"}, "'item_id'"),
        ({"type": "response.output_audio.delta", "item_id": "item_asst"}, "'delta'"),
        ({"type": "response.output_audio.delta", "item_id": "item_asst", "delta": "A"}, "invalid base64"),
        ({"type": "response.content_part.added", "item_id": "item_asst"}, "'part'"),
        ({"type": "response.created"}, "'response'"),
        ({"type": "response.done", "response": "x"}, "'response'"),
        ({"type": "response.output_item.added", "item": {"id": "z"}}, "'response_id'"),
        ({"type": "input_audio_buffer.speech_started", "item_id": "q"}, "'audio_start_ms'"),
        ({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 5}, "'item_id'"),
        ({"type": "input_audio_buffer.committed"}, "'item_id'"),
        ({"type": "conversation.item.input_audio_transcription.completed", "item_id": "item_asst"}, "'transcript'"),
        ({"type": "conversation.item.input_audio_transcription.failed", "item_id": "item_asst"}, "'error'"),
    ],
)
def test_bad_input_raises_clear_error_and_keeps_state(event: dict, message: str) -> None:
    conv = RealtimeConversation()
    started_assistant(conv)
    before = snapshot(conv)
    with pytest.raises(ConversationError, match=message):
        conv.process_event(event)
    assert snapshot(conv) == before
    with pytest.raises(ConversationError, match="JSON object"):
        conv.process_event(["not", "an", "event"])  # type: ignore[arg-type]


def test_fix_out_of_band_response_is_legal_traffic() -> None:
    """`response.create` with `conversation: "none"`: items never join the conversation."""
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.created", item=user_text_item()))
    oob_item = assistant_item("item_oob")
    events = [
        ev("ga", "response.created", response={"id": "resp_oob", "conversation_id": None, "status": "in_progress",
                                               "output": [], "metadata": {"topic": "classify"}}),
        ev("ga", "response.output_item.added", response_id="resp_oob", output_index=0, item=oob_item),
        ev("ga", "response.content_part.added", response_id="resp_oob", item_id="item_oob", output_index=0,
           content_index=0, part={"type": "text", "text": ""}),
        ev("ga", "response.text.delta", response_id="resp_oob", item_id="item_oob", output_index=0,
           content_index=0, delta="positive"),
        ev("ga", "response.text.done", response_id="resp_oob", item_id="item_oob", output_index=0,
           content_index=0, text="positive"),
        ev("ga", "response.output_item.done", response_id="resp_oob", output_index=0,
           item=dict(oob_item, status="completed", content=[{"type": "output_text", "text": "positive"}])),
        ev("ga", "response.done", response={"id": "resp_oob", "status": "completed", "conversation_id": None,
                                            "output": [dict(oob_item, status="completed")],
                                            "usage": {"total_tokens": 12}}),
    ]
    for event in events:
        assert conv.process_event(event) == (None, None)
    assert [i["id"] for i in conv.get_items()] == ["item_text"]
    side = conv.get_out_of_band_item("item_oob")
    assert side["formatted"]["text"] == "positive" and side["status"] == "completed"
    response = conv.get_response("resp_oob")
    assert response["status"] == "completed" and response["usage"] == {"total_tokens": 12}
    assert response["output"] == ["item_oob"]


def test_fix_output_item_added_for_unknown_response_does_not_throw() -> None:
    conv = RealtimeConversation()
    assert conv.process_event(
        ev("ga", "response.output_item.added", response_id="resp_x", output_index=0, item=assistant_item("i"))
    ) == (None, None)
    assert conv.get_response("resp_x")["output"] == ["i"]


def test_fix_stored_objects_are_copies_and_events_never_change() -> None:
    conv = RealtimeConversation()
    created = ev("ga", "conversation.item.created", item=assistant_item())
    part_event = ev("ga", "response.content_part.added", response_id="r", item_id="item_asst", output_index=0,
                    content_index=0, part={"type": "audio", "transcript": ""})
    originals = copy.deepcopy([created, part_event])
    conv.process_event(created)
    conv.process_event(part_event)
    conv.process_event(ev("ga", "response.audio_transcript.delta", response_id="r", item_id="item_asst",
                          output_index=0, content_index=0, delta="grown"))
    assert [created, part_event] == originals
    assert conv.get_item("item_asst")["content"][0]["transcript"] == "grown"


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_fix_duplicate_item_created_updates_in_place(proto: str) -> None:
    conv = RealtimeConversation()
    first = conv.apply_event(ev(proto, "conversation.item.created", item=user_text_item(text="one")))
    assert first.appended
    second = conv.apply_event(ev(proto, "conversation.item.created", item=user_text_item(text="one")))
    assert second.item is first.item and second.delta is None
    assert not second.appended and not second.completed
    assert len(conv.get_items()) == 1


def test_fix_function_call_without_arguments_gets_empty_string() -> None:
    conv = RealtimeConversation()
    item, _ = conv.process_event(ev("beta", "conversation.item.created", item=function_call_item()))
    assert item["arguments"] == "" and item["formatted"]["tool"]["arguments"] == ""
    item, _ = conv.process_event(ev("beta", "response.function_call_arguments.delta", item_id="item_fc",
                                    response_id="r", output_index=0, call_id="call_1", delta="{}"))
    assert item["arguments"] == "{}"


@pytest.mark.parametrize("role", ["assistant", "system"])
def test_fix_client_created_completed_messages_are_completed(role: str) -> None:
    conv = RealtimeConversation()
    item = {"id": "m", "type": "message", "role": role, "status": "completed",
            "content": [{"type": "text" if role == "assistant" else "input_text", "text": "x"}]}
    change = conv.apply_event(ev("ga", "conversation.item.created", item=item))
    assert change.item["status"] == "completed" and change.completed


def test_fix_odd_trailing_byte_is_carried_to_next_delta() -> None:
    conv = RealtimeConversation()
    item = started_assistant(conv)
    samples = tone(1001, 3)
    raw = encode(samples, "pcm16")
    import base64

    pieces = [raw[:3], raw[3:1000], raw[1000:]]  # odd, odd, even-after-carry
    got = []
    for piece in pieces:
        _, delta = conv.process_event(audio_delta("ga", base64.b64encode(piece).decode()))
        got.append(delta["audio"])
    assert [len(g) for g in got] == [1, 499, 501]
    np.testing.assert_array_equal(np.concatenate(got), samples)
    np.testing.assert_array_equal(item["formatted"]["audio"], samples)


@pytest.mark.parametrize("codec", ["g711_ulaw", "g711_alaw"])
def test_fix_g711_uses_8khz_for_decoding_and_truncation(codec: str) -> None:
    conv = RealtimeConversation(input_codec=codec, output_codec=codec)
    item = started_assistant(conv)
    samples = (np.sin(np.arange(8000) / 9.0) * 12000).astype(np.int16)
    _, delta = conv.process_event(audio_delta("ga", audio_b64(samples, codec)))
    assert len(delta["audio"]) == 8000  # one byte per sample
    assert np.max(np.abs(delta["audio"].astype(np.int32) - samples)) < 800  # G.711 quantisation only
    conv.process_event(ev("ga", "conversation.item.truncated", item_id="item_asst", content_index=0, audio_end_ms=250))
    assert len(item["formatted"]["audio"]) == 2000  # 250 ms at 8 samples per ms, not 24


def test_fix_g711_speech_slicing_uses_8khz() -> None:
    conv = RealtimeConversation()
    conv.set_audio_formats({"type": "audio/pcmu"}, {"type": "audio/pcmu"})  # GA format objects
    audio = tone(16_000)
    conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id="item_user", audio_start_ms=250))
    conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=1500), audio)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], audio[2000:12000])


@pytest.mark.parametrize(
    ("start_ms", "end_ms", "offset", "expected"),
    [
        (1000, 1500, 24_000, (0, 12_000)),  # buffer starts exactly at the speech
        (1000, 1500, 12_000, (12_000, 24_000)),  # buffer starts 500 ms earlier
        (500, 1500, 24_000, (0, 12_000)),  # the start was already dropped: clamped to 0
        (1000, 9000, 24_000, (0, 48_000)),  # the end is past the buffer: clamped to its length
    ],
)
def test_speech_stopped_slices_with_offset_and_clamps(start_ms: int, end_ms: int, offset: int, expected: tuple) -> None:
    conv = RealtimeConversation()
    audio = tone(48_000)
    conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id="item_user", audio_start_ms=start_ms))
    conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=end_ms),
                       audio, offset)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], audio[expected[0]:expected[1]])


def test_speech_audio_is_a_copy_of_the_callers_buffer() -> None:
    conv = RealtimeConversation()
    audio = tone(24_000)
    conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id="item_user", audio_start_ms=0))
    conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=100), audio)
    audio[:] = 0  # the client reuses its buffer
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], tone(2400))


def test_speech_stopped_after_item_gives_item_its_audio() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id="item_user", audio_start_ms=0))
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=100), tone(4800))
    np.testing.assert_array_equal(item["formatted"]["audio"], tone(2400))


def test_fix_manual_audio_goes_to_the_committed_item_not_the_next_user_item() -> None:
    conv = RealtimeConversation()
    samples = tone(4800)
    conv.queue_input_audio(samples)
    # A text message created meanwhile must not take the audio (the reference gives it).
    text_item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_text_item()))
    assert len(text_item["formatted"]["audio"]) == 0
    assert conv.process_event(ev("ga", "input_audio_buffer.committed", item_id="item_user",
                                 previous_item_id="item_text")) == (None, None)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], samples)
    # The queue is consumed: a later commit carries nothing over.
    conv.process_event(ev("ga", "input_audio_buffer.committed", item_id="item_later"))
    later, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item("item_later")))
    assert len(later["formatted"]["audio"]) == 0


def test_committed_for_an_existing_item_attaches_directly() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    conv.queue_input_audio(tone(100).tobytes())  # bytes-like PCM16 is accepted too
    item, delta = conv.process_event(ev("ga", "input_audio_buffer.committed", item_id="item_user"))
    assert delta is None
    np.testing.assert_array_equal(item["formatted"]["audio"], tone(100))


def test_fix_response_done_stores_final_status_and_usage() -> None:
    conv = RealtimeConversation()
    started_assistant(conv)
    done = {"id": "resp_1", "status": "incomplete",
            "status_details": {"type": "incomplete", "reason": "max_output_tokens"},
            "usage": {"total_tokens": 99}, "output": [assistant_item(status="incomplete")]}
    assert conv.process_event(ev("ga", "response.done", response=done)) == (None, None)
    response = conv.get_response("resp_1")
    assert response["status"] == "incomplete"
    assert response["status_details"]["reason"] == "max_output_tokens"
    assert response["usage"] == {"total_tokens": 99}
    assert response["output"] == ["item_asst"]
    done["usage"]["total_tokens"] = 0
    assert response["usage"] == {"total_tokens": 99}  # a copy


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_fix_transcription_failed_marks_the_item(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    error = {"type": "transcription_error", "code": "audio_unintelligible", "message": "could not transcribe"}
    item, delta = conv.process_event(ev(proto, "conversation.item.input_audio_transcription.failed",
                                        item_id="item_user", content_index=0, error=error))
    assert item["formatted"]["transcript_error"] == error
    assert delta == {"transcript_error": error}


def test_transcription_failed_before_item_is_queued() -> None:
    conv = RealtimeConversation()
    error = {"type": "transcription_error", "message": "boom"}
    assert conv.process_event(ev("ga", "conversation.item.input_audio_transcription.failed",
                                 item_id="item_user", content_index=0, error=error)) == (None, None)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    assert item["formatted"]["transcript_error"] == error


def test_transcription_deltas_grow_then_completed_replaces() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    for piece in ("Hi ", "there"):
        item, delta = conv.process_event(ev("ga", "conversation.item.input_audio_transcription.delta",
                                            item_id="item_user", content_index=0, delta=piece))
        assert delta == {"transcript": piece}
    assert item["formatted"]["transcript"] == "Hi there"
    conv.process_event(ev("ga", "conversation.item.input_audio_transcription.completed", item_id="item_user",
                          content_index=0, transcript="Hi there."))
    assert item["formatted"]["transcript"] == "Hi there."


def test_transcription_deltas_before_item_are_queued() -> None:
    conv = RealtimeConversation()
    for piece in ("early ", "bird"):
        assert conv.process_event(ev("ga", "conversation.item.input_audio_transcription.delta",
                                     item_id="item_user", content_index=0, delta=piece)) == (None, None)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    assert item["formatted"]["transcript"] == "early bird"


def test_transcription_segment_is_accepted_and_ignored() -> None:
    conv = RealtimeConversation()
    segment = ev("ga", "conversation.item.input_audio_transcription.segment", id="seg_1", item_id="unknown",
                 content_index=0, start=0.0, end=1.0, speaker="A", text="hi")
    assert conv.process_event(segment) == (None, None)


def test_item_retrieved_returns_server_copy_without_mutating_state() -> None:
    conv = RealtimeConversation()
    item = started_assistant(conv)
    conv.process_event(audio_delta("ga", audio_b64(tone(2400))))
    before = snapshot(conv)
    server_copy = assistant_item(status="completed")
    server_copy["content"] = [{"type": "output_audio", "transcript": "hello", "audio": audio_b64(tone(1200))}]
    retrieved, delta = conv.process_event(ev("ga", "conversation.item.retrieved", item=server_copy))
    assert delta is None
    assert retrieved is not item and retrieved["status"] == "completed"
    assert retrieved["formatted"]["transcript"] == "hello"
    np.testing.assert_array_equal(retrieved["formatted"]["audio"], tone(1200))
    assert snapshot(conv) == before
    assert "formatted" not in server_copy


def test_ga_item_done_updates_known_item_and_keeps_known_transcript() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    conv.process_event(ev("ga", "conversation.item.input_audio_transcription.completed", item_id="item_user",
                          content_index=0, transcript="spoken"))
    item, delta, appended, _ = conv.apply_event(ev("ga", "conversation.item.done", item=user_audio_item()))  # transcript null
    assert delta is None and not appended
    assert item["content"][0]["transcript"] == "spoken"
    assert item["formatted"]["transcript"] == "spoken"
    assert len(conv.get_items()) == 1


def test_ga_item_done_for_unknown_item_creates_it() -> None:
    conv = RealtimeConversation()
    item, _, appended, _ = conv.apply_event(ev("ga", "conversation.item.done", item=user_text_item(text="late")))
    assert appended and item["formatted"]["text"] == "late"
    assert conv.get_items() == [item]


@pytest.mark.parametrize("proto", PROTOCOLS)
def test_done_events_fill_final_text_only_when_missing(proto: str) -> None:
    conv = RealtimeConversation()
    item = started_assistant(conv, proto)
    conv.process_event(ev(proto, "response.content_part.added", response_id="resp_1", item_id="item_asst",
                          output_index=0, content_index=1, part={"type": "text", "text": ""}))
    # No deltas were seen: the .done carries the final values.
    returned, _ = conv.process_event(ev(proto, "response.audio_transcript.done", response_id="resp_1",
                                        item_id="item_asst", output_index=0, content_index=0, transcript="said"))
    assert returned is item and item["formatted"]["transcript"] == "said"
    returned, _ = conv.process_event(ev(proto, "response.text.done", response_id="resp_1", item_id="item_asst",
                                        output_index=0, content_index=1, text="written"))
    assert returned is item and item["content"][1]["text"] == "written"
    # Already complete: nothing to do.
    assert conv.process_event(ev(proto, "response.text.done", response_id="resp_1", item_id="item_asst",
                                 output_index=0, content_index=1, text="written")) == (None, None)
    assert conv.process_event(ev(proto, "response.audio.done", response_id="resp_1", item_id="item_asst",
                                 output_index=0, content_index=0)) == (None, None)


def test_function_call_arguments_done_fills_missing_arguments() -> None:
    conv = RealtimeConversation()
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=function_call_item()))
    returned, _ = conv.process_event(ev("ga", "response.function_call_arguments.done", item_id="item_fc",
                                        response_id="r", output_index=0, call_id="call_1", name="get_weather",
                                        arguments='{"city": "Oslo"}'))
    assert returned is item and item["formatted"]["tool"]["arguments"] == '{"city": "Oslo"}'


@pytest.mark.parametrize("final_status", ["completed", "incomplete"])
def test_response_output_is_reported_completed_once_at_output_item_done(final_status: str) -> None:
    """GA sends item.done (final status) before output_item.done; the client runs tools on
    the latter, so completion is reported there, once, and only for completed calls."""
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "response.created", response={"id": "r", "output": []}))
    conv.process_event(ev("ga", "response.output_item.added", response_id="r", output_index=0,
                          item=function_call_item()))
    conv.process_event(ev("ga", "conversation.item.created", item=function_call_item()))
    done = function_call_item(status=final_status, arguments="{}")
    change = conv.apply_event(ev("ga", "conversation.item.done", item=done))
    assert change.item["status"] == final_status and not change.completed
    change = conv.apply_event(ev("ga", "response.output_item.done", response_id="r", output_index=0, item=done))
    assert change.completed is (final_status == "completed")
    change = conv.apply_event(ev("ga", "response.output_item.done", response_id="r", output_index=0, item=done))
    assert not change.completed  # a repeat reports nothing new


def test_speech_events_with_bad_milliseconds_raise_before_queueing() -> None:
    conv = RealtimeConversation()
    with pytest.raises(ConversationError, match="bad audio_start_ms"):
        conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id="u", audio_start_ms="soon"))
    with pytest.raises(ConversationError, match="bad audio_end_ms"):
        conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id="u", audio_end_ms=-1), tone(10))
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item("u")))
    assert len(item["formatted"]["audio"]) == 0


def test_item_created_with_inline_audio_gets_it_decoded() -> None:
    conv = RealtimeConversation()
    item = user_audio_item()
    item["content"] = [{"type": "input_audio", "audio": audio_b64(tone(480)), "transcript": None}]
    stored, _ = conv.process_event(ev("ga", "conversation.item.created", item=item))
    np.testing.assert_array_equal(stored["formatted"]["audio"], tone(480))
    broken = user_audio_item("item_broken")
    broken["content"] = [{"type": "input_audio", "audio": "A"}]  # undecodable: the item still counts
    stored, _ = conv.process_event(ev("ga", "conversation.item.created", item=broken))
    assert len(stored["formatted"]["audio"]) == 0 and conv.get_item("item_broken") is stored


def test_item_retrieved_with_bad_audio_raises() -> None:
    conv = RealtimeConversation()
    server_copy = user_audio_item()
    server_copy["content"] = [{"type": "input_audio", "audio": "A"}]
    with pytest.raises(ConversationError, match="invalid base64"):
        conv.process_event(ev("ga", "conversation.item.retrieved", item=server_copy))


def test_side_tables_are_bounded() -> None:
    """Speech whose item never arrives and out-of-band items cannot grow without bound."""
    from console.realtime.conversation import MAX_PENDING

    conv = RealtimeConversation()
    for n in range(MAX_PENDING + 50):
        conv.process_event(ev("ga", "input_audio_buffer.speech_started", item_id=f"u{n}", audio_start_ms=0))
        conv.process_event(ev("ga", "input_audio_buffer.speech_stopped", item_id=f"u{n}", audio_end_ms=10),
                           tone(480))
        conv.process_event(ev("ga", "response.output_item.added", response_id=f"r{n}", output_index=0,
                              item=assistant_item(f"oob{n}")))
        conv.process_event(ev("ga", "response.output_audio.delta", response_id=f"r{n}", item_id=f"oob{n}",
                              output_index=0, content_index=0, delta=audio_b64(tone(240))))
    assert conv.get_out_of_band_item("oob0") is None
    assert len(conv.get_out_of_band_item(f"oob{MAX_PENDING + 49}")["formatted"]["audio"]) == 240
    # The newest queued speech is still claimed by its item; the oldest was dropped.
    newest, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item(f"u{MAX_PENDING + 49}")))
    assert len(newest["formatted"]["audio"]) == 240
    oldest, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item("u0")))
    assert len(oldest["formatted"]["audio"]) == 0


def test_transcription_delta_after_queued_completion_does_not_corrupt_it() -> None:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.input_audio_transcription.completed", item_id="item_user",
                          content_index=0, transcript="final"))
    conv.process_event(ev("ga", "conversation.item.input_audio_transcription.delta", item_id="item_user",
                          content_index=0, delta="late"))
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    assert item["formatted"]["transcript"] == "final"


def test_fractional_milliseconds_floor_the_exact_product() -> None:
    """floor(ms * rate / 1000), not floor(ms) * rate / 1000."""
    conv = RealtimeConversation()
    item = started_assistant(conv)
    conv.process_event(audio_delta("ga", audio_b64(tone(4800))))
    conv.process_event(ev("ga", "conversation.item.truncated", item_id="item_asst", content_index=0,
                          audio_end_ms=150.7))
    assert len(item["formatted"]["audio"]) == 3616


def test_ga_timeout_triggered_gives_the_committed_item_its_audio() -> None:
    conv = RealtimeConversation()
    audio = tone(3 * 24_000)
    assert conv.process_event(ev("ga", "input_audio_buffer.timeout_triggered", item_id="item_user",
                                 audio_start_ms=1000, audio_end_ms=3000), audio) == (None, None)
    item, _ = conv.process_event(ev("ga", "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], audio[24_000:72_000])
    with pytest.raises(ConversationError, match="audio_start_ms"):
        conv.process_event(ev("ga", "input_audio_buffer.timeout_triggered", item_id="x", audio_end_ms=5))
