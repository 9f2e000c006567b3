"""A fixed, realistic GA session, replayed into a real `RealtimeClient` without a socket.

Snapshot tests need byte-identical screens, and a live simulator's ids and timing vary,
so the snapshot session is scripted here with fixed ids and fed through the library's own
dispatch path (`client.realtime.dispatch("server.*", ...)`, exactly what a received frame
goes through): the conversation, the bridge, the store and every widget see real events.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

T0 = 1_767_225_600


def _tone(seconds: float, freq: float = 220.0) -> str:
    t = np.arange(int(24_000 * seconds)) / 24_000
    samples = (3000 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    return base64.b64encode(samples.tobytes()).decode("ascii")


SESSION = {
    "type": "realtime", "object": "realtime.session", "id": "sess_SNAPSHOT0000000001", "model": "gpt-realtime",
    "expires_at": T0 + 3600, "output_modalities": ["audio"], "instructions": "You are a helpful assistant.",
    "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": {"model": "whisper-1"},
                        "turn_detection": None},
              "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}},
    "tools": [], "tool_choice": "auto", "max_output_tokens": "inf",
}

USAGE = {"total_tokens": 412, "input_tokens": 287, "output_tokens": 125,
         "input_token_details": {"text_tokens": 187, "audio_tokens": 100, "cached_tokens": 0},
         "output_token_details": {"text_tokens": 25, "audio_tokens": 100}}


def _assistant_turn(n: int, text: str, user_text: str, status: str = "completed") -> list[tuple[str, dict[str, Any]]]:
    user_id, item_id, resp = f"item_user{n:016d}", f"item_asst{n:016d}", f"resp_{n:020d}"
    user = {"id": user_id, "object": "realtime.item", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": user_text}]}
    part = {"type": "audio", "transcript": ""}
    assistant = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant",
                 "status": "in_progress", "content": []}
    out: list[tuple[str, dict[str, Any]]] = [
        ("client", {"event_id": f"evt_c{n}a", "type": "conversation.item.create", "item": user}),
        ("client", {"event_id": f"evt_c{n}b", "type": "response.create"}),
        ("server", {"event_id": f"evt_s{n}01", "type": "conversation.item.added", "previous_item_id": None, "item": user}),
        ("server", {"event_id": f"evt_s{n}02", "type": "conversation.item.done", "previous_item_id": None, "item": user}),
        ("server", {"event_id": f"evt_s{n}03", "type": "response.created",
                    "response": {"id": resp, "object": "realtime.response", "status": "in_progress", "output": []}}),
        ("server", {"event_id": f"evt_s{n}04", "type": "response.output_item.added", "response_id": resp,
                    "output_index": 0, "item": assistant}),
        ("server", {"event_id": f"evt_s{n}05", "type": "conversation.item.added", "item": assistant}),
        ("server", {"event_id": f"evt_s{n}06", "type": "response.content_part.added", "response_id": resp,
                    "item_id": item_id, "output_index": 0, "content_index": 0, "part": part}),
    ]
    words = text.split(" ")
    for i, word in enumerate(words):
        delta = word if i == 0 else " " + word
        common = {"response_id": resp, "item_id": item_id, "output_index": 0, "content_index": 0}
        out.append(("server", {"event_id": f"evt_s{n}t{i}", "type": "response.output_audio_transcript.delta",
                               "delta": delta, **common}))
        out.append(("server", {"event_id": f"evt_s{n}a{i}", "type": "response.output_audio.delta",
                               "delta": _tone(0.1, 180 + 20 * i), **common}))
    if status != "completed":
        out += [
            ("client", {"event_id": f"evt_c{n}x", "type": "response.cancel"}),
            ("client", {"event_id": f"evt_c{n}y", "type": "conversation.item.truncate", "item_id": item_id,
                        "content_index": 0, "audio_end_ms": 250}),
            ("server", {"event_id": f"evt_s{n}80", "type": "conversation.item.truncated", "item_id": item_id,
                        "content_index": 0, "audio_end_ms": 250}),
        ]
    final_status = "completed" if status == "completed" else "incomplete"
    done_item = {**assistant, "status": final_status,
                 "content": [{"type": "output_audio", "transcript": text}]}
    response: dict[str, Any] = {"id": resp, "object": "realtime.response", "status": status,
                                "output": [done_item], "usage": USAGE}
    if status != "completed":
        response["status_details"] = {"type": status, "reason": "client_cancelled"}
    out += [
        ("server", {"event_id": f"evt_s{n}90", "type": "conversation.item.done", "item": done_item}),
        ("server", {"event_id": f"evt_s{n}91", "type": "response.output_item.done", "response_id": resp,
                    "output_index": 0, "item": done_item}),
        ("server", {"event_id": f"evt_s{n}92", "type": "response.done", "response": response}),
        ("server", {"event_id": f"evt_s{n}93", "type": "rate_limits.updated", "rate_limits": [
            {"name": "requests", "limit": 5000, "remaining": 4999 - n, "reset_seconds": 0.012},
            {"name": "tokens", "limit": 400000, "remaining": 399588 - 412 * n, "reset_seconds": 0.061}]}),
    ]
    return out


def script() -> list[tuple[str, dict[str, Any]]]:
    """The whole session: connect, two turns (the second cancelled), one bad client event."""
    events: list[tuple[str, dict[str, Any]]] = [
        ("client", {"event_id": "evt_c0", "type": "session.update", "session": {"type": "realtime", "instructions": "You are a helpful assistant."}}),
        ("server", {"event_id": "evt_s001", "type": "session.created", "session": SESSION}),
        ("server", {"event_id": "evt_s002", "type": "session.updated", "session": SESSION}),
    ]
    events += _assistant_turn(1, "Hello! It is sunny and 21 degrees in Paris today.", "What's the weather in Paris?")
    events += [
        ("client", {"event_id": "evt_bad1", "type": "session.update", "session": {"type": "realtime", "voice": "robot"}}),
        ("server", {"event_id": "evt_s500", "type": "error", "error": {
            "type": "invalid_request_error", "code": "invalid_value",
            "message": "Invalid value: 'robot'. Supported values are: 'alloy', 'ash', 'marin' and 'cedar'.",
            "param": "session.audio.output.voice", "event_id": "evt_bad1"}}),
    ]
    events += _assistant_turn(2, "Once upon a time, in a quiet", "Tell me a long story.", status="cancelled")
    return events


def play(client: Any, events: list[tuple[str, dict[str, Any]]] | None = None) -> None:
    """Feed the script through the client's API dispatch, as received frames would be."""
    for source, event in events if events is not None else script():
        client.realtime.dispatch(f"{source}.{event['type']}", event)
        client.realtime.dispatch(f"{source}.*", event)
