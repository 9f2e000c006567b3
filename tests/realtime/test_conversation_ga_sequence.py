"""RealtimeConversation fed a hand-written, realistic GA session (protocol.md "Ordering
(GA)"): a server-VAD voice turn answered with audio, then a tool call and its output.

The test also plays the client's part of the wiring: it counts "appended" and "completed"
the way `RealtimeClient` emits them from `Change.appended` / `Change.completed`, so
each item is appended once and completed once even though GA reports an item several
times (item.added, item.done, output_item.done).
"""

from __future__ import annotations

import base64
from collections import Counter

import numpy as np

from console.realtime.audio import encode
from console.realtime.conversation import RealtimeConversation
from tests.realtime.conversation_helpers import tone

RATE = 24_000


def e(event_type: str, **fields: object) -> dict:
    return {"event_id": f"event_{abs(hash((event_type, repr(sorted(fields.items()))))) % 10**9}",
            "type": event_type, **fields}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def session_events(mic: np.ndarray, reply: np.ndarray) -> list[tuple[dict, bool]]:
    """(event, pass the mic audio?) in the order upstream sends them."""
    user = {"id": "item_u1", "object": "realtime.item", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_audio", "transcript": None}]}
    asst = {"id": "item_a1", "object": "realtime.item", "type": "message", "role": "assistant",
            "status": "in_progress", "content": []}
    asst_done = dict(asst, status="completed",
                     content=[{"type": "output_audio", "transcript": "Sure, let me check."}])
    fc = {"id": "item_f1", "object": "realtime.item", "type": "function_call", "status": "in_progress",
          "name": "get_weather", "call_id": "call_9", "arguments": ""}
    fc_done = dict(fc, status="completed", arguments='{"city":"Oslo"}')
    out = {"id": "item_o1", "object": "realtime.item", "type": "function_call_output", "call_id": "call_9",
           "output": '{"temp": 3}'}
    raw = encode(reply, "pcm16")
    cuts = [0, 4801, 9600, 14401, len(raw)]  # odd-sized deltas, as upstream may send
    resp1 = {"id": "resp_1", "object": "realtime.response", "status": "in_progress", "output": [],
             "conversation_id": "conv_1"}
    resp1_done = dict(resp1, status="completed", output=[asst_done, fc_done],
                      usage={"total_tokens": 321, "input_tokens": 200, "output_tokens": 121})
    r = {"response_id": "resp_1"}
    return [
        (e("session.created", session={"type": "realtime", "id": "sess_1"}), False),
        (e("input_audio_buffer.speech_started", item_id="item_u1", audio_start_ms=500), False),
        (e("input_audio_buffer.speech_stopped", item_id="item_u1", audio_end_ms=1500), True),
        (e("input_audio_buffer.committed", item_id="item_u1", previous_item_id=None), False),
        (e("conversation.item.added", item=user, previous_item_id=None), False),
        (e("conversation.item.done", item=user, previous_item_id=None), False),
        (e("response.created", response=resp1), False),
        (e("response.output_item.added", **r, output_index=0, item=asst), False),
        (e("conversation.item.added", item=asst, previous_item_id="item_u1"), False),
        (e("response.content_part.added", **r, item_id="item_a1", output_index=0, content_index=0,
           part={"type": "audio", "transcript": ""}), False),
        (e("conversation.item.input_audio_transcription.delta", item_id="item_u1", content_index=0,
           delta="What's the "), False),
        (e("response.output_audio_transcript.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta="Sure, ", obfuscation="x1"), False),
        (e("response.output_audio.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta=b64(raw[cuts[0]:cuts[1]])), False),
        (e("response.output_audio.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta=b64(raw[cuts[1]:cuts[2]])), False),
        (e("conversation.item.input_audio_transcription.delta", item_id="item_u1", content_index=0,
           delta="weather?"), False),
        (e("response.output_audio_transcript.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta="let me check."), False),
        (e("response.output_audio.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta=b64(raw[cuts[2]:cuts[3]])), False),
        (e("conversation.item.input_audio_transcription.completed", item_id="item_u1", content_index=0,
           transcript="What's the weather?", usage={"type": "duration", "seconds": 1}), False),
        (e("response.output_audio.delta", **r, item_id="item_a1", output_index=0, content_index=0,
           delta=b64(raw[cuts[3]:cuts[4]])), False),
        (e("response.output_audio.done", **r, item_id="item_a1", output_index=0, content_index=0), False),
        (e("response.output_audio_transcript.done", **r, item_id="item_a1", output_index=0, content_index=0,
           transcript="Sure, let me check."), False),
        (e("response.content_part.done", **r, item_id="item_a1", output_index=0, content_index=0,
           part={"type": "audio", "transcript": "Sure, let me check."}), False),
        (e("conversation.item.done", item=asst_done, previous_item_id="item_u1"), False),
        (e("response.output_item.done", **r, output_index=0, item=asst_done), False),
        (e("response.output_item.added", **r, output_index=1, item=fc), False),
        (e("conversation.item.added", item=fc, previous_item_id="item_a1"), False),
        (e("response.function_call_arguments.delta", **r, item_id="item_f1", output_index=1, call_id="call_9",
           delta='{"city":'), False),
        (e("response.function_call_arguments.delta", **r, item_id="item_f1", output_index=1, call_id="call_9",
           delta='"Oslo"}'), False),
        (e("response.function_call_arguments.done", **r, item_id="item_f1", output_index=1, call_id="call_9",
           name="get_weather", arguments='{"city":"Oslo"}'), False),
        (e("conversation.item.done", item=fc_done, previous_item_id="item_a1"), False),
        (e("response.output_item.done", **r, output_index=1, item=fc_done), False),
        (e("response.done", response=resp1_done), False),
        (e("rate_limits.updated", rate_limits=[{"name": "tokens", "limit": 1, "remaining": 1}]), False),
        ({"type": "input_audio_buffer.dtmf_event_received", "event": "5", "received_at": 1_700_000_000}, False),
        (e("conversation.item.added", item=out, previous_item_id="item_f1"), False),
        (e("conversation.item.done", item=out, previous_item_id="item_f1"), False),
    ]


def test_realistic_ga_session_builds_expected_items() -> None:
    mic = tone(2 * RATE, 11)  # two seconds of microphone audio since the session began
    reply = tone(RATE, 5)  # one second of assistant audio
    conv = RealtimeConversation()
    appended: Counter[str] = Counter()
    completed: Counter[str] = Counter()
    completed_by: dict[str, str] = {}
    updates: Counter[str] = Counter()
    audio_from_deltas = []
    for event, with_mic in session_events(mic, reply):
        change = conv.apply_event(event, mic if with_mic else None)
        item, delta = change.item, change.delta
        if item is not None:
            updates[item["id"]] += 1
            appended[item["id"]] += change.appended
            completed[item["id"]] += change.completed
            if change.completed:
                completed_by[item["id"]] = event["type"]
        if delta and "audio" in delta:
            audio_from_deltas.append(delta["audio"])

    items = {i["id"]: i for i in conv.get_items()}
    assert list(items) == ["item_u1", "item_a1", "item_f1", "item_o1"]
    assert appended == Counter({"item_u1": 1, "item_a1": 1, "item_f1": 1, "item_o1": 1})
    assert completed == Counter({"item_u1": 1, "item_a1": 1, "item_f1": 1, "item_o1": 1})
    # Response outputs complete at output_item.done (where the client runs a finished tool
    # call), although GA's item.done arrives first; the others when they arrive completed.
    assert completed_by == {
        "item_u1": "conversation.item.added",
        "item_a1": "response.output_item.done",
        "item_f1": "response.output_item.done",
        "item_o1": "conversation.item.added",
    }

    user = items["item_u1"]
    assert user["status"] == "completed"
    np.testing.assert_array_equal(user["formatted"]["audio"], mic[12_000:36_000])  # 500..1500 ms
    assert user["formatted"]["transcript"] == "What's the weather?"
    assert user["content"][0]["transcript"] == "What's the weather?"

    asst = items["item_a1"]
    assert asst["status"] == "completed"
    assert asst["content"] == [{"type": "output_audio", "transcript": "Sure, let me check."}]
    assert asst["formatted"]["transcript"] == "Sure, let me check."
    np.testing.assert_array_equal(asst["formatted"]["audio"], reply)
    np.testing.assert_array_equal(np.concatenate(audio_from_deltas), reply)

    fc = items["item_f1"]
    assert fc["status"] == "completed" and fc["arguments"] == '{"city":"Oslo"}'
    assert fc["formatted"]["tool"] == {"type": "function", "name": "get_weather", "call_id": "call_9",
                                       "arguments": '{"city":"Oslo"}'}

    out = items["item_o1"]
    assert out["status"] == "completed" and out["formatted"]["output"] == '{"temp": 3}'

    response = conv.get_response("resp_1")
    assert response["status"] == "completed"
    assert response["output"] == ["item_a1", "item_f1"]
    assert response["usage"]["total_tokens"] == 321


def test_same_session_in_beta_spelling_builds_the_same_items() -> None:
    """The beta protocol sends the same turn under beta names, without `item.done`."""
    from console.realtime.protocol import GA_TO_BETA, SERVER_EVENTS

    mic, reply = tone(2 * RATE, 11), tone(RATE, 5)
    conv = RealtimeConversation()
    completed_by: dict[str, str] = {}
    for event, with_mic in session_events(mic, reply):
        beta_type = GA_TO_BETA.get(event["type"], event["type"])
        if event["type"] == "conversation.item.done" or beta_type not in SERVER_EVENTS["beta"]:
            continue
        change = conv.apply_event({**event, "type": beta_type}, mic if with_mic else None)
        if change.item is not None and change.completed:
            completed_by[change.item["id"]] = beta_type
    items = {i["id"]: i for i in conv.get_items()}
    assert list(items) == ["item_u1", "item_a1", "item_f1", "item_o1"]
    assert completed_by == {
        "item_u1": "conversation.item.created",
        "item_a1": "response.output_item.done",
        "item_f1": "response.output_item.done",
        "item_o1": "conversation.item.created",
    }
    np.testing.assert_array_equal(items["item_u1"]["formatted"]["audio"], mic[12_000:36_000])
    assert items["item_u1"]["formatted"]["transcript"] == "What's the weather?"
    np.testing.assert_array_equal(items["item_a1"]["formatted"]["audio"], reply)
    assert items["item_a1"]["formatted"]["transcript"] == "Sure, let me check."
    assert items["item_a1"]["content"] == [{"type": "audio", "transcript": "Sure, let me check."}]
    assert items["item_f1"]["formatted"]["tool"]["arguments"] == '{"city":"Oslo"}'
    assert conv.get_response("resp_1")["status"] == "completed"
