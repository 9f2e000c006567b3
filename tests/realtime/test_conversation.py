"""RealtimeConversation: every row of the reference table, in beta and GA spelling."""

from __future__ import annotations

import numpy as np
import pytest

from console.realtime.conversation import RealtimeConversation
from tests.realtime.conversation_helpers import (
    PROTOCOLS,
    assistant_item,
    audio_b64,
    ev,
    function_call_item,
    tone,
    user_audio_item,
    user_text_item,
)

pytestmark = pytest.mark.parametrize("proto", PROTOCOLS)


def assistant_with_parts(conv: RealtimeConversation, proto: str, item_id: str = "item_asst") -> dict:
    """An assistant item with an audio part (0) and a text part (1), as a response builds it."""
    conv.process_event(ev(proto, "response.created", response={"id": "resp_1", "status": "in_progress", "output": []}))
    conv.process_event(
        ev(proto, "response.output_item.added", response_id="resp_1", output_index=0, item=assistant_item(item_id))
    )
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=assistant_item(item_id)))
    for index, part in enumerate(({"type": "audio", "transcript": ""}, {"type": "text", "text": ""})):
        conv.process_event(
            ev(proto, "response.content_part.added", response_id="resp_1", item_id=item_id,
               output_index=0, content_index=index, part=part)
        )
    return item


def test_item_created_user_text_is_completed_with_formatted(proto: str) -> None:
    conv = RealtimeConversation()
    change = conv.apply_event(ev(proto, "conversation.item.created", item=user_text_item(text="hi there")))
    item, delta = change.item, change.delta
    assert delta is None
    assert item is conv.get_item("item_text")
    assert conv.get_items() == [item]
    assert item["status"] == "completed"
    assert item["formatted"]["text"] == "hi there"
    assert item["formatted"]["transcript"] == ""
    assert item["formatted"]["audio"].dtype == np.int16 and len(item["formatted"]["audio"]) == 0
    assert change.appended and change.completed
    assert not hasattr(conv, "last_item_is_new")  # results are returned, not left on the object


def test_item_created_text_concatenates_text_parts_only(proto: str) -> None:
    conv = RealtimeConversation()
    item = user_text_item()
    item["content"] = [
        {"type": "input_text", "text": "a"},
        {"type": "input_audio", "transcript": "ignored"},
        {"type": "text", "text": "b"},
    ]
    stored, _ = conv.process_event(ev(proto, "conversation.item.created", item=item))
    assert stored["formatted"]["text"] == "ab"


def test_item_created_assistant_in_progress(proto: str) -> None:
    conv = RealtimeConversation()
    change = conv.apply_event(ev(proto, "conversation.item.created", item=assistant_item()))
    assert change.item["status"] == "in_progress"
    assert change.appended and not change.completed
    duplicate = conv.apply_event(ev(proto, "conversation.item.created", item=assistant_item()))
    assert duplicate.item is change.item and not duplicate.appended


def test_item_created_function_call_gets_tool(proto: str) -> None:
    conv = RealtimeConversation()
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=function_call_item(arguments="")))
    assert item["status"] == "in_progress"
    assert item["formatted"]["tool"] == {"type": "function", "name": "get_weather", "call_id": "call_1", "arguments": ""}


def test_item_created_function_call_output_completed(proto: str) -> None:
    conv = RealtimeConversation()
    out = {"id": "item_out", "type": "function_call_output", "call_id": "call_1", "output": '{"t": 21}'}
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=out))
    assert item["status"] == "completed"
    assert item["formatted"]["output"] == '{"t": 21}'


def test_item_created_takes_queued_speech(proto: str) -> None:
    conv = RealtimeConversation()
    audio = tone(24_000)
    conv.process_event(ev(proto, "input_audio_buffer.speech_started", item_id="item_user", audio_start_ms=100))
    assert conv.process_event(
        ev(proto, "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=600), audio
    ) == (None, None)
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    np.testing.assert_array_equal(item["formatted"]["audio"], audio[2400:14400])


def test_item_truncated_cuts_audio_and_transcript(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    samples = tone(4800)
    conv.process_event(ev(proto, "response.audio.delta", response_id="resp_1", item_id="item_asst",
                          output_index=0, content_index=0, delta=audio_b64(samples)))
    conv.process_event(ev(proto, "response.audio_transcript.delta", response_id="resp_1", item_id="item_asst",
                          output_index=0, content_index=0, delta="Hello"))
    item, delta = conv.process_event(
        ev(proto, "conversation.item.truncated", item_id="item_asst", content_index=0, audio_end_ms=150)
    )
    assert delta is None
    assert item["formatted"]["transcript"] == ""
    assert item["content"][0]["transcript"] == ""
    np.testing.assert_array_equal(item["formatted"]["audio"], samples[:3600])


def test_item_deleted_removes_it(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "conversation.item.created", item=user_text_item("a")))
    conv.process_event(ev(proto, "conversation.item.created", item=user_text_item("b")))
    conv.process_event(ev(proto, "conversation.item.created", item=user_text_item("c")))
    item, delta = conv.process_event(ev(proto, "conversation.item.deleted", item_id="a"))
    assert item["id"] == "a" and delta is None
    assert conv.get_item("a") is None
    # An item after others is removed too, and only it.
    item, _ = conv.process_event(ev(proto, "conversation.item.deleted", item_id="c"))
    assert item["id"] == "c"
    assert [i["id"] for i in conv.get_items()] == ["b"]


def test_input_transcription_completed_sets_transcript(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    item, delta = conv.process_event(
        ev(proto, "conversation.item.input_audio_transcription.completed", item_id="item_user",
           content_index=0, transcript="hi", usage={"type": "duration", "seconds": 1})
    )
    assert delta == {"transcript": "hi"}
    assert item["formatted"]["transcript"] == "hi"
    assert item["content"][0]["transcript"] == "hi"


def test_input_transcription_empty_shows_single_space_and_delta_is_the_servers(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    item, delta = conv.process_event(
        ev(proto, "conversation.item.input_audio_transcription.completed", item_id="item_user",
           content_index=0, transcript="")
    )
    assert delta == {"transcript": ""}
    assert item["formatted"]["transcript"] == " "
    assert item["content"][0]["transcript"] == ""


def test_speech_started_and_stopped_return_nothing(proto: str) -> None:
    conv = RealtimeConversation()
    assert conv.process_event(
        ev(proto, "input_audio_buffer.speech_started", item_id="x", audio_start_ms=0)
    ) == (None, None)
    assert conv.process_event(ev(proto, "input_audio_buffer.speech_stopped", item_id="x", audio_end_ms=10)) == (
        None,
        None,
    )
    assert conv.get_items() == []


def test_speech_stopped_without_started_gives_empty_audio(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "input_audio_buffer.speech_stopped", item_id="item_user", audio_end_ms=500), tone(24_000))
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item()))
    assert len(item["formatted"]["audio"]) == 0


def test_response_created_remembered_once(proto: str) -> None:
    conv = RealtimeConversation()
    assert conv.process_event(ev(proto, "response.created", response={"id": "r", "status": "in_progress", "output": []})) == (None, None)
    conv.process_event(ev(proto, "response.created", response={"id": "r", "status": "completed", "output": []}))
    assert [r["id"] for r in conv.get_responses()] == ["r"]
    assert conv.get_response("r")["status"] == "in_progress"


def test_output_item_added_pushes_item_id(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "response.created", response={"id": "r", "output": []}))
    assert conv.process_event(
        ev(proto, "response.output_item.added", response_id="r", output_index=0, item=assistant_item("i"))
    ) == (None, None)
    assert conv.get_response("r")["output"] == ["i"]


def test_output_item_done_sets_status(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    change = conv.apply_event(
        ev(proto, "response.output_item.done", response_id="resp_1", output_index=0,
           item=assistant_item(status="completed"))
    )
    assert change.delta is None and change.item["status"] == "completed"
    assert change.completed and not change.appended


def test_content_part_added_appends_part(proto: str) -> None:
    conv = RealtimeConversation()
    item = assistant_with_parts(conv, proto)
    assert [p["type"] for p in item["content"]] == ["audio", "text"]


def test_audio_transcript_delta(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    for piece in ("Hel", "lo"):
        item, delta = conv.process_event(
            ev(proto, "response.audio_transcript.delta", response_id="resp_1", item_id="item_asst",
               output_index=0, content_index=0, delta=piece)
        )
        assert delta == {"transcript": piece}
    assert item["formatted"]["transcript"] == "Hello"
    assert item["content"][0]["transcript"] == "Hello"


def test_audio_delta_appends_samples(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    a, b = tone(2400, 1), tone(1200, 5)
    item, delta = conv.process_event(ev(proto, "response.audio.delta", response_id="resp_1", item_id="item_asst",
                                        output_index=0, content_index=0, delta=audio_b64(a)))
    np.testing.assert_array_equal(delta["audio"], a)
    item, delta = conv.process_event(ev(proto, "response.audio.delta", response_id="resp_1", item_id="item_asst",
                                        output_index=0, content_index=0, delta=audio_b64(b)))
    np.testing.assert_array_equal(delta["audio"], b)
    assert item["formatted"]["audio"].dtype == np.int16
    np.testing.assert_array_equal(item["formatted"]["audio"], np.concatenate([a, b]))


def test_text_delta(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    for piece in ("Good ", "day"):
        item, delta = conv.process_event(ev(proto, "response.text.delta", response_id="resp_1", item_id="item_asst",
                                            output_index=0, content_index=1, delta=piece))
        assert delta == {"text": piece}
    assert item["formatted"]["text"] == "Good day"
    assert item["content"][1]["text"] == "Good day"


def test_function_call_arguments_delta(proto: str) -> None:
    conv = RealtimeConversation()
    conv.process_event(ev(proto, "conversation.item.created", item=function_call_item(arguments="")))
    for piece in ('{"city":', ' "Oslo"}'):
        item, delta = conv.process_event(ev(proto, "response.function_call_arguments.delta", response_id="r",
                                            item_id="item_fc", output_index=0, call_id="call_1", delta=piece))
        assert delta == {"arguments": piece}
    assert item["arguments"] == '{"city": "Oslo"}'
    assert item["formatted"]["tool"]["arguments"] == '{"city": "Oslo"}'


def test_clear_forgets_everything(proto: str) -> None:
    conv = RealtimeConversation()
    assistant_with_parts(conv, proto)
    conv.process_event(ev(proto, "input_audio_buffer.speech_started", item_id="q", audio_start_ms=0))
    conv.queue_input_audio(tone(10))
    conv.clear()
    assert conv.get_items() == [] and conv.get_responses() == []
    conv.process_event(ev(proto, "input_audio_buffer.committed", item_id="q"))
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=user_audio_item("q")))
    assert len(item["formatted"]["audio"]) == 0


def test_unknown_types_and_events_without_event_id_pass(proto: str) -> None:
    conv = RealtimeConversation()
    assert conv.process_event({"type": "input_audio_buffer.dtmf_event_received", "event": "5", "received_at": 1}) == (
        None,
        None,
    )
    assert conv.process_event({"type": "some.future.event", "x": 1}) == (None, None)
    item, _ = conv.process_event({"type": ev(proto, "conversation.item.created")["type"], "item": user_text_item()})
    assert item["id"] == "item_text"
