"""Drift: how a local conversation item differs from the server's copy."""

from __future__ import annotations

import base64

import numpy as np

from console.session.drift import compare_items


def local(transcript: str = "Hi there", seconds: float = 1.0, status: str = "completed") -> dict:
    return {"id": "item_1", "type": "message", "role": "assistant", "status": status,
            "content": [{"type": "output_audio", "transcript": transcript}],
            "formatted": {"audio": np.zeros(int(24000 * seconds), np.int16), "text": "", "transcript": transcript}}


def remote(transcript: str = "Hi there", seconds: float = 1.0, status: str = "completed") -> dict:
    audio = base64.b64encode(np.zeros(int(24000 * seconds), "<i2").tobytes()).decode()
    return {"id": "item_1", "type": "message", "role": "assistant", "status": status,
            "content": [{"type": "output_audio", "transcript": transcript, "audio": audio}]}


def test_identical_items_do_not_drift() -> None:
    assert compare_items(local(), remote()) == []


def test_each_kind_of_drift_is_named() -> None:
    assert compare_items(local(), None) == ["missing on the server"]
    assert "part 0 transcript differs" in compare_items(local("Hi"), remote("Hello"))[0]
    assert "status differs" in compare_items(local(status="incomplete"), remote())[0]
    assert "audio length differs" in compare_items(local(seconds=2.0), remote(seconds=1.0))[0]
    assert compare_items(local(seconds=1.02), remote(seconds=1.0)) == []  # within 50 ms
    call_local = {"type": "function_call", "name": "f", "arguments": '{"a": 1}', "call_id": "c"}
    call_remote = {"type": "function_call", "name": "f", "arguments": '{"a": 2}', "call_id": "c"}
    assert compare_items(call_local, call_remote) == ["arguments differs (local '{\"a\": 1}', server '{\"a\": 2}')"]
    assert "content parts" in compare_items(local(), {**remote(), "content": []})[0]
