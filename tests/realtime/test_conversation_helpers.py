"""Event builders shared by the conversation tests (no tests here): one spelling, both protocols.

Importable as a plain module thanks to this folder's conftest (importlib import mode)."""

from __future__ import annotations

from typing import Any

import numpy as np

from console.realtime import protocol
from console.realtime.audio import encode_base64

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
