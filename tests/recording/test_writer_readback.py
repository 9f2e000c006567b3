"""SessionRecorder.read_event: each event line read back exactly, cheaply, and safely."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from console.recording import SessionRecorder


def _audio(n: int) -> str:
    return base64.b64encode(os.urandom(n)).decode("ascii")


def test_read_event_returns_each_line_as_written(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
    payloads = [_audio(4800 + i) for i in range(5)]
    for i, p in enumerate(payloads):
        rec.record(None, "client", {"type": "input_audio_buffer.append", "event_id": f"e{i}", "audio": p})
        rec.record(None, "server", {"type": "response.output_audio.delta", "item_id": "it", "delta": p[::-1]})
    for i, p in enumerate(payloads):
        sent = rec.read_event(2 * i)
        assert sent["source"] == "client" and sent["event"]["audio"] == p
        assert sent["event"]["event_id"] == f"e{i}"
        got = rec.read_event(2 * i + 1)
        assert got["source"] == "server" and got["event"]["delta"] == p[::-1]
    with pytest.raises(IndexError):
        rec.read_event(10)
    with pytest.raises(IndexError):
        rec.read_event(-1)
    rec.close()


def test_offsets_grow_past_the_initial_capacity(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
    for i in range(3000):
        rec.record(None, "server", {"type": "response.output_text.delta", "delta": f"w{i}"})
    assert [rec.read_event(i)["event"]["delta"] for i in (0, 1023, 1024, 2047, 2999)] == [
        "w0", "w1023", "w1024", "w2047", "w2999"]
    # 8 bytes per event for the offsets (amortised doubling: at most twice that).
    assert rec._line_starts.nbytes <= 16 * 3001
    rec.close()


def test_finished_recording_stays_readable_even_after_the_file_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    rec = SessionRecorder(path, endpoint="ws://x", protocol="ga", model="m")
    payload = _audio(960)
    rec.record(None, "client", {"type": "input_audio_buffer.append", "audio": payload})
    rec.finish()
    assert rec.closed and rec.readable
    path.unlink()
    assert rec.read_event(0)["event"]["audio"] == payload
    rec.close()
    assert not rec.readable
    with pytest.raises(OSError, match="closed"):
        rec.read_event(0)


def test_a_failed_partial_write_does_not_shift_later_lines(tmp_path: Path) -> None:
    rec = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
    rec.record(None, "client", {"type": "response.create"})
    real_write = os.write
    calls = {"n": 0}

    def flaky(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:7]))  # half a line reaches the disk...
        raise OSError(28, "No space left on device")  # ...then the disk is full

    os_write, os.write = os.write, flaky
    try:
        with pytest.raises(OSError):
            rec.record(None, "server", {"type": "response.created", "response": {"id": "r"}})
    finally:
        os.write = os_write
    assert rec.events_written == 1
    rec.record(None, "server", {"type": "response.done", "response": {"id": "r"}})
    assert rec.read_event(0)["event"]["type"] == "response.create"
    assert rec.read_event(1)["event"]["type"] == "response.done"
    rec.close()


def test_readback_refuses_a_line_that_is_not_the_logged_event(tmp_path: Path) -> None:
    from console.session.event_store import EventStore
    from console.recording.readback import RecordingReadback

    store = EventStore()
    readback = RecordingReadback(store)
    store.payload_reader = readback.payload
    rec = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
    a, b = _audio(480), _audio(480)
    rec.record(None, "client", {"type": "input_audio_buffer.append", "event_id": "e1", "audio": a})
    rec.record(None, "client", {"type": "input_audio_buffer.append", "event_id": "e2", "audio": b})
    store.append("client", {"type": "input_audio_buffer.append", "event_id": "e2", "audio": b})
    readback.recorded(0, rec, 0)  # wrongly aligned: store #0 is line 1, not line 0
    assert store.payload(0) is None  # not somebody else's audio
    assert store.full_event(0)["audio"].startswith("<base64 audio")
    readback.close()
