"""RealtimeConversation against every server event type of both protocols (one valid
example each, built from the official models) and against each of them with every field
replaced by a wrong value: only `ConversationError` may come out, and a rejected event
leaves the conversation exactly as it was."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from tests.realtime.examples import examples

from console.realtime.conversation import ConversationError, RealtimeConversation
from tests.realtime.conversation_helpers import audio_b64, tone

BAD_VALUES = (None, -1, 1.5, True, "", [{}], {"id": 1})


def primed() -> RealtimeConversation:
    """A conversation that knows the ids the examples use, with audio and text parts."""
    conv = RealtimeConversation()
    conv.process_event({"type": "response.created", "response": {"id": "response_id_example", "output": []}})
    item = {"id": "item_id_example", "type": "message", "role": "assistant", "status": "in_progress",
            "content": [{"type": "audio", "transcript": "t"}, {"type": "text", "text": "x"}]}
    conv.process_event({"type": "response.output_item.added", "response_id": "response_id_example",
                        "output_index": 0, "item": item})
    conv.process_event({"type": "conversation.item.created", "item": item})
    conv.process_event({"type": "response.audio.delta", "item_id": "item_id_example", "content_index": 0,
                        "delta": audio_b64(tone(100))})
    conv.process_event({"type": "input_audio_buffer.speech_started", "item_id": "item_next", "audio_start_ms": 0})
    conv.process_event({"type": "conversation.item.created", "item": {
        "id": "item_fc", "type": "function_call", "status": "in_progress", "name": "f", "call_id": "c"}})
    return conv


def snapshot(conv: RealtimeConversation) -> list:
    items = []
    for item in conv.get_items():
        copied = {k: copy.deepcopy(v) for k, v in item.items() if k != "formatted"}
        copied["formatted"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else copy.deepcopy(v)) for k, v in item["formatted"].items()
        }
        items.append(copied)
    return [items, copy.deepcopy(conv.get_responses())]


#: Fully populated items and responses, so nested fields get the wrong-value treatment too.
RICH_ITEMS = (
    {"id": "item_id_example", "type": "message", "role": "assistant", "status": "completed",
     "content": [{"type": "audio", "transcript": "t", "audio": audio_b64(tone(10))}, {"type": "text", "text": "x"}]},
    {"id": "item_new", "type": "message", "role": "user", "status": "completed",
     "content": [{"type": "input_audio", "transcript": None}, {"type": "input_text", "text": "x"}]},
    {"id": "item_fc", "type": "function_call", "status": "completed", "name": "f", "call_id": "c", "arguments": "{}"},
    {"id": "item_out", "type": "function_call_output", "call_id": "c", "output": "{}"},
)
RICH_RESPONSE = {"id": "response_id_example", "status": "completed", "output": [RICH_ITEMS[0]],
                 "status_details": {"type": "completed"}, "usage": {"total_tokens": 1}}


def nested_variants(value: dict) -> list[tuple[str, dict]]:
    out = []
    for key in value:
        for bad in BAD_VALUES:
            out.append((f"{key}={bad!r}", {**copy.deepcopy(value), key: bad}))
    return out


def cases(protocol: str) -> list[tuple[str, dict]]:
    out = []
    for event_type, example in sorted(examples("server", protocol).items()):
        out.append((f"{event_type}:valid", example))
        for key in example:
            if key == "type":
                continue
            for bad in BAD_VALUES:
                out.append((f"{event_type}:{key}={bad!r}", {**copy.deepcopy(example), key: bad}))
        if "item" in example:
            for rich in RICH_ITEMS:
                out.append((f"{event_type}:item={rich['id']}", {**copy.deepcopy(example), "item": rich}))
                for name, variant in nested_variants(rich):
                    out.append((f"{event_type}:item.{name}", {**copy.deepcopy(example), "item": variant}))
        if "response" in example:
            for name, variant in [("valid", RICH_RESPONSE), *nested_variants(RICH_RESPONSE)]:
                out.append((f"{event_type}:response.{name}", {**copy.deepcopy(example), "response": variant}))
        if "part" in example:
            for name, variant in nested_variants({"type": "text", "text": "x"}):
                out.append((f"{event_type}:part.{name}", {**copy.deepcopy(example), "part": variant}))
    return out


def follow_up() -> list[dict]:
    """Ordinary traffic for every rich item, run after each case to expose latent damage."""
    events: list[dict] = []
    for item_id in (item["id"] for item in RICH_ITEMS):
        common = {"response_id": "response_id_example", "item_id": item_id, "output_index": 0}
        events += [
            {"type": "response.content_part.added", **common, "content_index": 2, "part": {"type": "text", "text": ""}},
            {"type": "response.text.delta", **common, "content_index": 2, "delta": "more"},
            {"type": "response.audio_transcript.delta", **common, "content_index": 0, "delta": "more"},
            {"type": "response.audio.delta", **common, "content_index": 0, "delta": audio_b64(tone(10))},
            {"type": "response.function_call_arguments.delta", **common, "call_id": "c", "delta": "x"},
            {"type": "conversation.item.input_audio_transcription.delta", "item_id": item_id, "delta": "d"},
            {"type": "conversation.item.input_audio_transcription.completed", "item_id": item_id,
             "content_index": 0, "transcript": "done"},
            {"type": "conversation.item.truncated", "item_id": item_id, "content_index": 0, "audio_end_ms": 0},
            {"type": "response.output_item.done", **common, "item": {"id": item_id, "status": "completed"}},
            {"type": "conversation.item.done", "item": {"id": item_id, "type": "message", "status": "completed"}},
            {"type": "response.done", "response": {"id": "response_id_example", "status": "completed"}},
            {"type": "conversation.item.deleted", "item_id": item_id},
        ]
    return events


FOLLOW_UP = follow_up()


@pytest.mark.parametrize("protocol", ["beta", "ga"])
def test_every_event_type_with_wrong_fields_raises_only_conversation_error(protocol: str) -> None:
    """Each case runs on an empty conversation and on a primed one (then ordinary traffic
    follows, to expose damage that only shows later)."""
    failures = []
    applied = rejected = 0
    for name, event in cases(protocol):
        for start in (RealtimeConversation, primed):
            conv = start()
            before = snapshot(conv)
            try:
                conv.process_event(copy.deepcopy(event), tone(48_000))
                applied += 1
            except ConversationError:
                rejected += 1
                if snapshot(conv) != before:
                    failures.append(f"{name}: state changed although rejected")
                continue  # unchanged state: the follow-up would prove nothing new
            except Exception as exc:  # noqa: BLE001 - collecting every escape is the point
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
                continue
            for later in FOLLOW_UP:
                try:
                    conv.process_event(later)
                except ConversationError:
                    pass
                except Exception as exc:  # noqa: BLE001
                    failures.append(f"{name} then {later['type']}: {type(exc).__name__}: {exc}")
    assert failures == []
    assert applied and rejected


@pytest.mark.parametrize("protocol", ["beta", "ga"])
def test_valid_examples_never_mutate_the_event(protocol: str) -> None:
    for event_type, example in examples("server", protocol).items():
        event = copy.deepcopy(example)
        conv = primed()
        try:
            conv.process_event(event)
        except ConversationError:
            pass
        assert event == example, event_type


def _user_item(content: list) -> dict:
    return {"id": "item_u", "type": "message", "role": "user", "status": "completed", "content": content}


@pytest.mark.parametrize("bad_type", [["text"], {"t": 1}])
def test_content_part_whose_type_is_not_a_string_matches_no_kind(bad_type: object) -> None:
    conv = RealtimeConversation()
    item, _ = conv.process_event({"type": "conversation.item.created",
                                  "item": _user_item([{"type": bad_type, "text": "x"}, {"type": "input_text", "text": "ok"}])})
    assert item["formatted"]["text"] == "ok"
    retrieved, _ = conv.process_event({"type": "conversation.item.retrieved",
                                       "item": _user_item([{"type": bad_type, "audio": "AAAA"}])})
    assert len(retrieved["formatted"]["audio"]) == 0


def test_delta_onto_a_part_whose_text_is_not_a_string_replaces_it() -> None:
    conv = RealtimeConversation()
    conv.process_event({"type": "conversation.item.created", "item": {
        "id": "a", "type": "message", "role": "assistant", "status": "in_progress",
        "content": [{"type": "text", "text": 5}, {"type": "audio", "transcript": ["x"]}]}})
    item, delta = conv.process_event({"type": "response.text.delta", "item_id": "a", "content_index": 0, "delta": "hi"})
    assert delta == {"text": "hi"} and item["content"][0]["text"] == "hi" and item["formatted"]["text"] == "hi"
    item, _ = conv.process_event({"type": "response.audio_transcript.delta", "item_id": "a", "content_index": 1, "delta": "yo"})
    assert item["content"][1]["transcript"] == "yo" and item["formatted"]["transcript"] == "yo"


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
@pytest.mark.parametrize("event", [
    {"type": "input_audio_buffer.speech_started", "item_id": "u", "audio_start_ms": None},
    {"type": "input_audio_buffer.speech_stopped", "item_id": "u", "audio_end_ms": None},
    {"type": "input_audio_buffer.timeout_triggered", "item_id": "u", "audio_start_ms": 0, "audio_end_ms": None},
    {"type": "conversation.item.truncated", "item_id": "a", "content_index": 0, "audio_end_ms": None},
])
def test_non_finite_milliseconds_are_rejected_without_change(event: dict, value: float) -> None:
    conv = primed()
    conv.process_event({"type": "conversation.item.created", "item": {
        "id": "a", "type": "message", "role": "assistant", "status": "in_progress", "content": [{"type": "audio"}]}})
    conv.process_event({"type": "response.audio.delta", "item_id": "a", "content_index": 0, "delta": audio_b64(tone(480))})
    event = {k: (value if v is None else v) for k, v in event.items()}
    before = snapshot(conv)
    with pytest.raises(ConversationError, match="milliseconds expected"):
        conv.process_event(event, tone(48_000))
    assert snapshot(conv) == before


def test_item_recreated_with_another_type_then_output_item_done() -> None:
    conv = RealtimeConversation()
    conv.process_event({"type": "response.created", "response": {"id": "r", "output": []}})
    message = {"id": "x", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    conv.process_event({"type": "response.output_item.added", "response_id": "r", "output_index": 0, "item": message})
    conv.process_event({"type": "conversation.item.created", "item": message})
    call = {"id": "x", "type": "function_call", "status": "in_progress", "name": "f", "call_id": "c"}
    conv.process_event({"type": "conversation.item.created", "item": call})
    item, _ = conv.process_event({"type": "response.output_item.done", "response_id": "r", "output_index": 0,
                                  "item": {**call, "status": "completed", "arguments": "{}"}})
    assert item["type"] == "function_call" and item["arguments"] == "{}" and item["status"] == "completed"


def test_values_nested_too_deeply_to_copy_are_rejected_without_change() -> None:
    nested: object = "x"
    for _ in range(5000):
        nested = [nested]
    conv = primed()
    before = snapshot(conv)
    for event in (
        {"type": "conversation.item.created", "item": {"id": "item_id_example", "type": "message", "status": "completed", "x": nested}},
        {"type": "response.done", "response": {"id": "response_id_example", "status": "completed", "usage": nested}},
        {"type": "response.output_item.added", "response_id": "new_resp", "output_index": 0, "item": {"id": "n", "x": nested}},
        {"type": "response.content_part.added", "item_id": "item_fc", "output_index": 0, "part": {"type": "text", "x": nested}},
    ):
        with pytest.raises(ConversationError):
            conv.process_event(event)
        assert snapshot(conv) == before, event["type"]
