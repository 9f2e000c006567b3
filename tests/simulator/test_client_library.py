"""The embedded client library (`console.realtime.RealtimeClient`) end to end against the
simulator over real sockets: text turn, tool-call round trip, VAD turn, interruption
with truncation. Every server event the client receives is also checked by the oracle."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from tests.simulator.sim_helpers import check_server_event, silence

from console.realtime.client import RealtimeClient
from console.simulator import Simulator, synthesise, transcribe


class Recorder:
    """Collects the client's server events and lets a test wait for one."""

    def __init__(self, client: RealtimeClient, protocol: str) -> None:
        self.events: list[dict[str, Any]] = []
        self.protocol = protocol
        self._changed = asyncio.Event()
        client.on("realtime.event", self._on_event)

    def _on_event(self, wrapped: dict[str, Any]) -> None:
        if wrapped["source"] == "server":
            check_server_event(wrapped["event"], self.protocol)
            self.events.append(wrapped["event"])
            self._changed.set()

    async def wait(self, event_type: str, count: int = 1, timeout: float = 10) -> dict[str, Any]:
        async def _wait() -> dict[str, Any]:
            while True:
                matches = [e for e in self.events if e["type"] == event_type]
                if len(matches) >= count:
                    return matches[count - 1]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(_wait(), timeout)


async def connect(sim: Simulator, protocol: str = "ga", **session: Any) -> tuple[RealtimeClient, Recorder]:
    client = RealtimeClient(url=sim.url, api_key="sk-test", protocol=protocol, session_config=session or None)
    recorder = Recorder(client, protocol)
    assert await client.connect()
    await recorder.wait("session.updated")
    return client, recorder


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_text_turn(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, recorder = await connect(sim, protocol, modalities=["text"])
        try:
            client.send_user_message_content([{"type": "input_text", "text": "count to 5"}])
            await recorder.wait("response.done")
            assistant = [i for i in client.conversation.get_items() if i.get("role") == "assistant"]
            assert assistant[-1]["formatted"]["text"] == "1, 2, 3, 4, 5."
            assert assistant[-1]["status"] == "completed"
        finally:
            await client.disconnect()


async def test_tool_call_round_trip() -> None:
    calls: list[dict[str, Any]] = []

    def get_weather(arguments: dict[str, Any]) -> dict[str, Any]:
        calls.append(arguments)
        return {"temperature_c": 18, "sky": "clear"}

    async with Simulator(fast=True) as sim:
        client, recorder = await connect(sim, modalities=["text"])
        try:
            client.add_tool({"name": "get_weather", "description": "weather", "parameters": {
                "type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}},
                get_weather)
            await recorder.wait("session.updated", 2)
            client.send_user_message_content([{"type": "input_text", "text": "What is the weather in Lisbon?"}])
            second = await recorder.wait("response.done", 2)  # the client answers the call and asks again
            assert calls == [{"location": "Lisbon"}]
            answer = second["response"]["output"][0]["content"][0]["text"]
            assert answer.startswith("(simulator) called get_weather(") and "temperature_c 18" in answer
        finally:
            await client.disconnect()


async def test_vad_turn_from_synthesised_audio() -> None:
    async with Simulator(fast=True) as sim:
        client, recorder = await connect(sim, input_audio_transcription={"model": "whisper-1"},
                                         turn_detection={"type": "server_vad", "threshold": 0.5,
                                                         "prefix_padding_ms": 300, "silence_duration_ms": 500})
        try:
            audio = np.concatenate([silence(600), synthesise("book a table for two"), silence(800)])
            for start in range(0, len(audio), 1200):  # 50 ms chunks
                client.append_input_audio(audio[start:start + 1200])
            started = await recorder.wait("input_audio_buffer.speech_started")
            assert started["audio_start_ms"] == 300
            await recorder.wait("response.done")
            await recorder.wait("conversation.item.input_audio_transcription.completed")
            user = next(i for i in client.conversation.get_items() if i.get("role") == "user")
            assert user["formatted"]["transcript"] == "book a table for two"
            assistant = next(i for i in client.conversation.get_items() if i.get("role") == "assistant")
            assert assistant["formatted"]["transcript"] == "You said: book a table for two"
            assert transcribe(np.asarray(assistant["formatted"]["audio"]), 24000) == "You said: book a table for two"
        finally:
            await client.disconnect()


async def test_interruption_with_truncation() -> None:
    async with Simulator(fast=False) as sim:  # real-time pacing, so there is a stream to interrupt
        client, recorder = await connect(sim)
        try:
            client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
            first = await recorder.wait("response.output_audio.delta", 3)
            played = 4800  # the user heard 200 ms
            client.cancel_response(first["item_id"], played)
            done = await recorder.wait("response.done")
            truncated = await recorder.wait("conversation.item.truncated")
            assert done["response"]["status"] == "cancelled"
            assert truncated["audio_end_ms"] == 200
            errors = [e for e in recorder.events if e["type"] == "error"]
            assert errors == []
            assert len(sim.connections[0].conversation.get(first["item_id"]).content[0].audio) == played
        finally:
            await client.disconnect()
