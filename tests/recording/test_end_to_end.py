"""End to end: a real client session against the simulator is recorded by SessionRecorder,
then inspected and exported; the report and the rebuilt conversation match what the live
client had."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.cli import main
from console.realtime import RealtimeClient
from console.recording import Recording, SessionRecorder
from console.recording.rebuild import ConversationRebuilder
from console.recording.report import build_report
from console.simulator import Simulator

KEY = "sk-sim-recording-test-key-0123456789"
RATE = 24_000


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the session")
        await asyncio.sleep(0.01)


def tone(ms: int, amplitude: int = 12000) -> np.ndarray:
    n = ms * RATE // 1000
    return (np.sin(2 * np.pi * 300 * np.arange(n) / RATE) * amplitude).astype(np.int16)


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_recorded_simulator_session_inspects_like_it_ran(protocol: str, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "session.jsonl"
    async with Simulator(fast=True, require_key=KEY) as sim:
        client = RealtimeClient(url=sim.url, api_key=KEY, protocol=protocol)
        recorder = SessionRecorder(path, endpoint=sim.url, protocol=protocol, model="gpt-realtime")
        client.on("realtime.event", recorder.on_realtime_event)
        done: list[dict] = []
        client.on("realtime.event", lambda p: done.append(p["event"]) if p["event"]["type"] == "response.done" else None)
        await client.connect()
        assert await client.wait_for_session_created(5) is not None
        # 1: a text turn
        client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
        await wait_for(lambda: len(done) == 1)
        # 2: a push-to-talk audio turn (manual commit by create_response)
        client.append_input_audio(tone(1000))
        client.create_response()
        await wait_for(lambda: len(done) == 2)
        # 3: a server-VAD turn: silence, speech, silence; the server commits and answers
        client.update_session(turn_detection={"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                              "silence_duration_ms": 200})
        for block in (np.zeros(RATE // 2, np.int16), tone(800), np.zeros(RATE, np.int16)):
            for chunk in np.array_split(block, max(1, len(block) // 2400)):
                client.append_input_audio(chunk)
        await wait_for(lambda: len(done) == 3)
        await asyncio.sleep(0.05)  # let trailing events (rate limits) arrive
        live_items = [
            (i["id"], i.get("role"), i["formatted"]["text"], i["formatted"]["transcript"], len(i["formatted"]["audio"]))
            for i in client.conversation.get_items()
        ]
        await client.disconnect()
        recorder.close()

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KEY not in path.read_text()
    with Recording.open(path) as rec:
        assert rec.warnings() == []
        report = build_report(rec)
        rebuilder = ConversationRebuilder(rec)
        rebuilder.advance_to()
        assert rebuilder.errors == []
        rebuilt = [
            (i["id"], i.get("role"), i["formatted"]["text"], i["formatted"]["transcript"], len(i["formatted"]["audio"]))
            for i in rebuilder.items()
        ]
    assert rebuilt == live_items
    user_audio = [n for (_, role, _, _, n) in live_items if role == "user" and n]
    assert user_audio[0] == RATE  # the committed second of tone
    assert len(user_audio) == 2 and user_audio[1] >= 800 * 24  # the VAD-sliced speech
    assert len(report["turns"]) == 3
    t1, t2, t3 = report["turns"]
    assert t3["trigger"] == "speech" and t3["latency"]["from"] == "speech_stopped"
    assert t3["user"]["speech_ms"] is not None and t3["user"]["speech_ms"] >= 800
    assert t1["user"]["text"] == "Hello there" and t1["trigger"] == "item.create"
    assert t2["trigger"] == "commit" and t2["latency"]["from"] == "commit"
    for turn in (t1, t2, t3):
        assert turn["assistant"]["status"] == "completed"
        assert turn["latency"]["done_ms"] is not None and turn["latency"]["done_ms"] >= 0
    assert report["responses"]["completed"] == 3
    live_output = sum(d["response"]["usage"]["output_tokens"] for d in done if d["response"].get("usage"))
    assert report["usage"]["output"]["total"] == live_output
    assert report["errors"] == []

    # the CLI agrees, and the export writes the user's audio back out
    assert main(["inspect", str(path), "--json", "--fail-on", "error"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["turns"] == report["turns"]
    assert main(["export", str(path), "--wav", str(tmp_path / "wav"), "--transcript", str(tmp_path / "t.md")]) == 0
    wavs = sorted(p.name for p in (tmp_path / "wav").iterdir())
    assert any(name.startswith("turn02_") and name.endswith("_user.wav") for name in wavs)
    assert "Hello there" in (tmp_path / "t.md").read_text()
