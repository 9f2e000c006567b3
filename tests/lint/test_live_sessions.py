"""No false positives: real sessions of the project's client against the simulator, over
real WebSockets on loopback, recorded by the real recorder, lint clean."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.cli import main
from console.recording.linting import lint_path
from console.realtime import RealtimeClient
from console.recording import SessionRecorder
from console.simulator import Simulator

KEY = "sk-sim-lint-test-key-0123456789abcdef"
RATE = 24_000
VAD = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200}


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the session")
        await asyncio.sleep(0.01)


def tone(ms: int) -> np.ndarray:
    n = ms * RATE // 1000
    return (np.sin(2 * np.pi * 300 * np.arange(n) / RATE) * 12000).astype(np.int16)


def speak(client: RealtimeClient, speech_ms: int) -> None:
    """Silence, speech, silence, in 100 ms appends (sent at once: a short clip)."""
    for block in (np.zeros(RATE // 2, np.int16), tone(speech_ms), np.zeros(RATE, np.int16)):
        for chunk in np.array_split(block, max(1, len(block) // 2400)):
            client.append_input_audio(chunk)


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_text_vad_tool_and_interruption_done_right_lint_clean(protocol: str, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "live.jsonl"
    async with Simulator(fast=True, require_key=KEY) as sim:
        client = RealtimeClient(url=sim.url, api_key=KEY, protocol=protocol)
        recorder = SessionRecorder(path, endpoint=sim.url, protocol=protocol, model="gpt-realtime")
        client.on("realtime.event", recorder.on_realtime_event)
        seen: list[str] = []
        client.on("realtime.event", lambda p: seen.append(p["event"]["type"]) if p["source"] == "server" else None)
        done = lambda: seen.count("response.done")  # noqa: E731
        await client.connect()
        assert await client.wait_for_session_created(5) is not None
        # an audio turn with server VAD
        client.update_session(turn_detection=VAD)
        speak(client, 800)
        await wait_for(lambda: done() == 1)
        # a text turn
        client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
        await wait_for(lambda: done() == 2)
        # a tool call: the client runs the tool, sends its output and asks for a response
        client.add_tool({"name": "get_weather", "description": "weather for a city",
                         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
                        lambda args: {"city": args.get("city"), "temp_c": 21})
        client.send_user_message_content([{"type": "input_text", "text": "get weather in Paris please"}])
        await wait_for(lambda: done() == 4)
        # an interruption done right: the user speaks while the answer still plays, and the
        # app truncates the item at what was played
        assistant = [i for i in client.conversation.get_items()
                     if i.get("role") == "assistant" and len(i["formatted"]["audio"])]
        last = assistant[-1]
        speak(client, 600)
        await wait_for(lambda: "input_audio_buffer.speech_started" in seen[seen.index("response.done"):]
                       and seen.count("input_audio_buffer.speech_started") == 2)
        played = len(last["formatted"]["audio"]) // 2
        client.realtime.send("conversation.item.truncate", {"item_id": last["id"], "content_index": 0,
                                                            "audio_end_ms": played * 1000 // RATE})
        await wait_for(lambda: done() == 5 and "conversation.item.truncated" in seen)
        await client.disconnect()
        recorder.close()

    assert "function_call_output" in path.read_text()  # the tool round trip happened
    result = lint_path(path)
    assert [f for f in result.findings if f.severity in ("error", "warning")] == []
    assert main(["lint", str(path), "--fail-on", "warning"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out
    # the same session without the app's truncate is the mistake the rule is there for
    lines = path.read_text().splitlines(keepends=True)
    untruncated = tmp_path / "untruncated.jsonl"
    untruncated.write_text("".join(l for l in lines if '"conversation.item.truncate' not in l))
    assert [f.rule for f in lint_path(untruncated).findings] == ["barge-in-not-truncated"]
