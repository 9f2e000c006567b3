"""Recording never breaks relaying, and the recorder's proxy fields."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import websockets

from console.proxy import ProxyServer, ProxySession, UpstreamTarget
from console.proxy.recording import _Stamps
from console.recording.format import redact
from console.recording.reader import Recording
from console.recording.writer import SessionRecorder
from console.simulator import Simulator
from tests.proxy.helpers import UPSTREAM_KEY, TapUpstream, read_recording, wait_until


def _target(sim: Simulator) -> UpstreamTarget:
    return UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")


def test_header_extra_and_marks(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with SessionRecorder(path, endpoint="ws://h/v1/realtime", protocol="ga", model="m",
                         header_extra={"source": "proxy", "model": "overridden?", "app": "sk-" + "a" * 20}) as rec:
        rec.record(None, "client", {"type": "response.create"}, marks={"injected": True})
        rec.record(None, "server", {"type": "response.done"})
        header, lines = read_recording(path)
    assert header["source"] == "proxy" and header["model"] == "m"  # extras never replace the format's keys
    assert header["app"] == "[redacted]"
    assert lines[0]["injected"] is True and lines[0]["event"] == {"type": "response.create"}
    assert "injected" not in lines[1]


async def test_a_recording_that_cannot_be_created_does_not_stop_the_session(
        sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    async with ProxyServer(_target(sim), record_dir=blocker) as proxy:
        async with websockets.connect(proxy.url + "?model=gpt-realtime") as app:
            assert json.loads(await app.recv())["type"] == "session.created"
    assert "is not recorded" in caplog.text


async def test_a_recorder_error_stops_the_recording_and_the_relay_goes_on(
        sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    sessions: list[ProxySession] = []
    async with ProxyServer(_target(sim), record_dir=tmp_path) as proxy:
        proxy.on_session_opened.append(sessions.append)
        # max_queue=None: the app stops reading mid-response and must still close promptly.
        async with websockets.connect(proxy.url + "?model=gpt-realtime", max_queue=None) as app:
            assert json.loads(await app.recv())["type"] == "session.created"
            await wait_until(lambda: len(sessions) == 1)
            recording = sessions[0].recording
            assert recording is not None and recording.recorder is not None
            await wait_until(lambda: recording.events_written == 1, what="session.created recorded")
            recording.recorder.finish()  # the file is gone for writing: the next record fails
            with caplog.at_level(logging.ERROR, "console.proxy"):
                await app.send(json.dumps({"type": "session.update", "session": {"type": "realtime"}}))
                assert json.loads(await app.recv())["type"] == "session.updated"  # still relayed
            await app.send(json.dumps({"type": "response.create"}))
            assert json.loads(await app.recv())["type"] == "response.created"
    assert "stopped after 1 events" in caplog.text and recording.error is not None
    assert not recording.active
    _, lines = read_recording(recording.path)
    assert [line["event"]["type"] for line in lines] == ["session.created"]


#: Relayed frames as apps and servers write them: compact or spaced, `type` first or not,
#: over several lines, holding a key, a repeated `type`, non-ASCII and escaped surrogates.
FRAMES = [
    '{"type":"response.output_text.delta","delta":"Once upon a time"}',
    '{ "type" : "session.update" , "session": {"instructions":"caf\\u00e9 — é 🎧"} }',
    '{"event_id":"e1","type":"response.create","response":{"temperature":1.0E0}}',
    '{\n  "type": "response.create"\n}',
    '{"type":"session.update","session":{"client_secret":{"value":"ek_123"}},"note":"sk-' + "a" * 24 + '"}',
    '{"type":"conversation.item.create","type":"response.cancel"}',
    '{"type": "response.output_text.delta", "delta": "\\ud83c\\udfa7 ü\\n"}',
    '{"type":"response.output_audio.delta","delta":"UklGRiQAAABXQVZF"}',
    '{"type":"input_audio_buffer.append","audio":"UklGRiQAAABXQVZF","api_key":"sk-' + "b" * 24 + '"}',
]


def _recorded(path: Path, frames: list[str], *, spliced: bool) -> list[dict[str, Any]]:
    with SessionRecorder(path, endpoint="ws://h/v1/realtime", protocol="ga", model="m", buffered=spliced) as rec:
        frames_in = [("2026-01-01T00:00:00.000Z", "client" if i % 2 else "server", text,
                      {"injected": True} if i == 2 else None) for i, text in enumerate(frames)]
        if spliced:  # one run: spliced lines and serialised ones interleave, in order
            assert rec.record_texts(frames_in) == [json.loads(text) for text in frames]
        else:
            for time_iso, source, text, marks in frames_in:
                rec.record(time_iso, source, json.loads(text), marks=marks)
        # Each line can be read back by number as soon as it is recorded.
        assert [rec.read_event(n)["event"] for n in range(len(frames))] == [redact(json.loads(t)) for t in frames]
    with Recording.open(path) as recording:
        assert not recording.problems and len(recording) == len(frames)
        return [{"type": recording.type_of(n), "source": recording.source_of(n), **recording.record(n).__dict__}
                for n in range(len(recording))]


def test_spliced_frames_read_back_as_the_same_events_as_serialised_ones(tmp_path: Path) -> None:
    spliced = _recorded(tmp_path / "spliced.jsonl", FRAMES, spliced=True)
    serialised = _recorded(tmp_path / "serialised.jsonl", FRAMES, spliced=False)
    assert spliced == serialised  # same events, types, sources, times and marks for every reader
    lines = (tmp_path / "spliced.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    # Frames that can stand in a line as they are, are; the others are serialised (type
    # first, one line, redacted, the last `type` of a repeated key).
    assert lines[0] == '{"time": "2026-01-01T00:00:00.000Z", "source": "server", "event": ' + FRAMES[0] + "}"
    assert FRAMES[1] in lines[1] and FRAMES[6] in lines[6] and FRAMES[7] in lines[7]
    assert lines[2].endswith('"injected": true}') and '"event": {"type": "response.create", "event_id"' in lines[2]
    assert "sk-" not in lines[4] and "ek_123" not in lines[4] and "sk-" not in lines[8]
    assert json.loads(lines[5])["event"] == {"type": "response.cancel"} and lines[5].count('"type"') == 1


def test_frames_that_are_not_events_take_no_line_and_a_long_run_keeps_every_line_start(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    texts: list[str | bytes] = [b'{"type": "x"}', "not json", '{"a": 1}', '["type"]'] + [
        json.dumps({"type": "response.output_text.delta", "delta": f"word {i}"}) for i in range(3000)]
    with SessionRecorder(path, endpoint="ws://h/v1/realtime", protocol="ga", model="m", buffered=True) as rec:
        events = rec.record_texts([(None, "server", text, None) for text in texts])
        assert events[:4] == [None] * 4 and events[4:] == [json.loads(text) for text in texts[4:]]
        assert rec.events_written == 3000  # more than the line-start table held at first
        assert rec.read_event(0)["event"]["delta"] == "word 0"
        assert rec.read_event(2999)["event"]["delta"] == "word 2999"
    _, lines = read_recording(path)
    assert [line["event"]["delta"] for line in lines] == [f"word {i}" for i in range(3000)]


def test_buffered_lines_reach_the_file_on_flush_read_back_and_finish(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    rec = SessionRecorder(path, endpoint="ws://h/v1/realtime", protocol="ga", model="m", buffered=True)
    assert len(path.read_text().splitlines()) == 1  # the header is written at once
    assert rec.record_text(None, "server", FRAMES[0]) == json.loads(FRAMES[0])
    rec.record(None, "client", {"type": "response.create"})
    assert rec.unflushed == 2 and len(path.read_text().splitlines()) == 1
    rec.flush()
    assert rec.unflushed == 0 and len(path.read_text().splitlines()) == 3
    rec.record(None, "client", {"type": "response.cancel"})
    assert rec.read_event(2)["event"] == {"type": "response.cancel"}  # reading back writes first
    rec.record(None, "server", {"type": "response.done"})
    rec.finish()
    _, lines = read_recording(path)
    assert [line["event"]["type"] for line in lines] == [
        "response.output_text.delta", "response.create", "response.cancel", "response.done"]
    assert rec.read_event(3)["event"] == {"type": "response.done"}  # still readable after finish
    rec.close()


async def test_a_burst_of_frames_is_relayed_in_order_and_recorded_completely(tmp_path: Path) -> None:
    # Large frames too: more than the relay queues before writing and waiting for the socket.
    audio = [json.dumps({"type": "response.output_audio.delta", "delta": chr(65 + i % 26) * 40_000}) for i in range(40)]
    greeting: list[str | bytes] = [FRAMES[i % len(FRAMES)] for i in range(300)] + audio + [b"\x00binary", "not json"]
    sent = [json.dumps({"type": "conversation.item.create", "n": i}) for i in range(300)]
    async with TapUpstream(greeting=greeting) as tap, \
            ProxyServer(UpstreamTarget(tap.url, None, "url"), record_dir=tmp_path) as proxy:
        async with websockets.connect(proxy.url + "?model=gpt-realtime", max_size=None, max_queue=None) as app:
            received = [await app.recv() for _ in greeting]
            await asyncio.gather(*(app.send(text) for text in sent))  # one burst, no waiting
            await wait_until(lambda: len(tap.received) == len(sent), what="every client frame upstream")
        await wait_until(lambda: not proxy.sessions)
    assert received == greeting and tap.received == sent
    (path,) = tmp_path.iterdir()
    _, lines = read_recording(path)
    # Redacted as any recorded event is (one frame holds a key).
    assert [line["event"] for line in lines if line["source"] == "server"] == [
        redact(json.loads(f)) for f in greeting[:340]]
    assert [line["event"] for line in lines if line["source"] == "client"] == [json.loads(s) for s in sent]


def test_frame_times_are_written_as_utc_iso_milliseconds() -> None:
    stamps = _Stamps()
    epochs = [0.0, 0.0005, 0.999, 1.0, 59.9995, 1_700_000_000.123, 1_700_000_000.9999, 1_700_000_001.0001,
              951_782_400.001, 4_102_444_799.999] + [1_800_000_000 + i * 0.000_37 for i in range(10_000)]
    for epoch in epochs:  # in order and out of order: a burst reuses its second, a new second is formatted
        ms = int(epoch * 1000)
        expected = datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds")
        assert stamps(epoch) == expected.replace("+00:00", "Z"), epoch
