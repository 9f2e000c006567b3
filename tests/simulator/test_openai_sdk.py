"""The official `openai` SDK's own realtime client completes a text turn and an audio
turn against the simulator: users' apps can be tested offline the same way."""

from __future__ import annotations

import base64

import numpy as np
from openai import AsyncOpenAI

from console.simulator import Simulator, synthesise, transcribe


async def collect(connection, until: str = "response.done") -> list:
    events = []
    async for event in connection:
        events.append(event)
        if event.type == until:
            return events
    raise AssertionError("connection ended early")


async def test_sdk_text_turn() -> None:
    async with Simulator(fast=True, require_key="sk-test") as sim:
        client = AsyncOpenAI(api_key="sk-test", base_url=sim.http_url)  # ws URL derived from base_url
        async with client.realtime.connect(model="gpt-realtime") as connection:
            await connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
            await connection.conversation.item.create(item={
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "count to 3"}]})
            await connection.response.create()
            events = await collect(connection)
        text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
        assert text == "1, 2, 3."
        assert events[-1].response.status == "completed"


async def test_sdk_audio_turn_with_server_vad() -> None:
    async with Simulator(fast=True) as sim:
        client = AsyncOpenAI(api_key="sk-test", base_url=sim.http_url, websocket_base_url=sim.ws_base_url)
        async with client.realtime.connect(model="gpt-realtime") as connection:
            first = await connection.recv()
            assert first.type == "session.created"
            speech = np.concatenate([np.zeros(4800, np.int16), synthesise("good morning"), np.zeros(14400, np.int16)])
            for start in range(0, len(speech), 2400):
                chunk = speech[start:start + 2400].astype("<i2").tobytes()
                await connection.input_audio_buffer.append(audio=base64.b64encode(chunk).decode())
            events = await collect(connection)
        types = [e.type for e in events]
        assert "input_audio_buffer.speech_started" in types and "input_audio_buffer.committed" in types
        audio = np.concatenate([np.frombuffer(base64.b64decode(e.delta), "<i2")
                                for e in events if e.type == "response.output_audio.delta"])
        transcript = "".join(e.delta for e in events if e.type == "response.output_audio_transcript.delta")
        assert transcript.startswith("Hello! This is the realtime-console simulator.")
        assert transcribe(audio, 24000) == transcript
