"""Pure parts of the session bridge: the drift comparison of a local and a server item."""

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


def test_bridge_notes_what_the_server_applied_differently_and_batches_flushes() -> None:
    from console.session.event_store import EventStore
    from console.app.messages import BridgeFlushed
    from console.app.bridge import SessionBridge
    from tests.app.console_harness import FakeClock, make_config

    posted: list = []
    bridge = SessionBridge(make_config(), EventStore(), posted.append, clock=FakeClock())
    sent = {"type": "realtime", "instructions": "Be brief.", "audio": {"output": {"voice": "ash"}}}
    applied = {"type": "realtime", "id": "sess_1", "instructions": "Be brief.", "audio": {"output": {"voice": "alloy"}}}
    bridge._on_realtime_event({"source": "client", "event": {"type": "session.update", "event_id": "e1", "session": sent}})
    bridge._on_realtime_event({"source": "server", "event": {"type": "session.updated", "event_id": "e2", "session": applied}})
    assert posted == []  # nothing reaches the UI until the flush
    flushed = bridge.flush()
    assert isinstance(flushed, BridgeFlushed) and posted == [flushed]
    assert flushed.new_events == 2 and flushed.stats_changed
    (note,) = flushed.notes
    assert note.kind == "drift" and "voice: sent 'ash', applied 'alloy'" in note.text and note.event_index == 1
    assert bridge.flush() is None  # nothing new: no message
