"""Recording never breaks relaying, and the recorder's proxy fields."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import websockets

from console.proxy import ProxyServer, ProxySession, UpstreamTarget
from console.recording.writer import SessionRecorder
from console.simulator import Simulator
from tests.proxy.helpers import UPSTREAM_KEY, read_recording, wait_until


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
