"""Event builders and state snapshots shared by the conversation tests (no tests here):
one spelling, both protocols."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from console.realtime import protocol
from console.realtime.audio import encode_base64
from console.realtime.conversation import RealtimeConversation

PROTOCOLS = ("beta", "ga")


def ev(proto: str, beta_type: str, **fields: Any) -> dict[str, Any]:
    """A server event named as `proto` names it (GA renames applied), with an event_id."""
    event_type = protocol.BETA_TO_GA.get(beta_type, beta_type) if proto == "ga" else beta_type
    return {"event_id": protocol.new_event_id(), "type": event_type, **fields}


def user_audio_item(item_id: str = "item_user") -> dict[str, Any]:
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_audio", "transcript": None}],
    }


def user_text_item(item_id: str = "item_text", text: str = "hello") -> dict[str, Any]:
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "message",
        "role": "user",
        "status": "completed",
        "content": [{"type": "input_text", "text": text}],
    }


def assistant_item(item_id: str = "item_asst", status: str = "in_progress") -> dict[str, Any]:
    return {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant", "status": status, "content": []}


def function_call_item(item_id: str = "item_fc", **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "object": "realtime.item",
        "type": "function_call",
        "status": "in_progress",
        "name": "get_weather",
        "call_id": "call_1",
        **extra,
    }


def tone(n: int, seed: int = 0) -> np.ndarray:
    """Deterministic int16 'audio' with every sample distinct enough to check slicing."""
    return (np.arange(n, dtype=np.int64) * 7 + seed).astype(np.int16)


def audio_b64(samples: np.ndarray, codec: str = "pcm16") -> str:
    return encode_base64(samples, codec)


def snapshot(conv: RealtimeConversation) -> list:
    """Everything observable, copied (numpy audio as lists) so a later change shows."""
    items = []
    for item in conv.get_items():
        copied = {k: copy.deepcopy(v) for k, v in item.items() if k != "formatted"}
        copied["formatted"] = {
            k: (v.tolist() if isinstance(v, np.ndarray) else copy.deepcopy(v)) for k, v in item["formatted"].items()
        }
        items.append(copied)
    return [items, copy.deepcopy(conv.get_responses())]


def started_assistant(conv: RealtimeConversation, proto: str = "ga", item_id: str = "item_asst") -> dict:
    conv.process_event(ev(proto, "response.created", response={"id": "resp_1", "status": "in_progress", "output": []}))
    conv.process_event(ev(proto, "response.output_item.added", response_id="resp_1", output_index=0,
                          item=assistant_item(item_id)))
    item, _ = conv.process_event(ev(proto, "conversation.item.created", item=assistant_item(item_id)))
    conv.process_event(ev(proto, "response.content_part.added", response_id="resp_1", item_id=item_id,
                          output_index=0, content_index=0, part={"type": "audio", "transcript": ""}))
    return item


def audio_delta(proto: str, b64: str, item_id: str = "item_asst") -> dict:
    return ev(proto, "response.audio.delta", response_id="resp_1", item_id=item_id, output_index=0,
              content_index=0, delta=b64)
