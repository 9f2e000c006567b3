"""Every event type the simulator can emit, for both protocols, validated strictly
against the official `openai` models (sim_helpers checks each frame as it arrives)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.simulator.sim_helpers import SimClient, silence

from console.realtime.protocol import SERVER_EVENTS
from console.simulator import Simulator, synthesise

TOOL = {"type": "function", "name": "get_time", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "hours": {"type": "integer", "minimum": 0}}}}

#: Types a WebSocket session of the simulator never sends, and why.
NOT_EMITTED = {
    "conversation.created": "upstream no longer sends it on connect",
    "conversation.item.created": "GA announces items with conversation.item.added/done",
    "conversation.item.input_audio_transcription.failed": "unreadable audio is labelled, not failed",
    "conversation.item.input_audio_transcription.segment": "diarisation is not simulated",
    "input_audio_buffer.dtmf_event_received": "SIP only",
    "output_audio_buffer.started": "WebRTC/SIP only",
    "output_audio_buffer.stopped": "WebRTC/SIP only",
    "transcription_session.updated": "transcription sessions are not simulated",
}


async def drive_everything(client: SimClient) -> None:
    ga = client.protocol == "ga"
    await client.recv()
    if ga:
        session = {"type": "realtime", "tools": [TOOL], "audio": {"input": {"transcription": {"model": "whisper-1"}}}}
    else:
        session = {"tools": [TOOL], "input_audio_transcription": {"model": "whisper-1"}}
    await client.send("session.update", session=session)
    await client.until("session.updated")
    # VAD turn with transcription and a spoken reply.
    await client.append_audio(np.concatenate([silence(400), synthesise("hello there"), silence(700)]))
    done = await client.until("response.done")
    reply_id = done["response"]["output"][0]["id"]
    await client.until("rate_limits.updated")
    # Tool call round trip in text.
    await client.say_text("what time is it in Oslo")
    await client.send("response.create", response={"output_modalities": ["text"]} if ga else {"modalities": ["text"]})
    done = await client.until("response.done")
    call = done["response"]["output"][0]
    await client.send("conversation.item.create", item={"type": "function_call_output", "call_id": call["call_id"],
                                                        "output": json.dumps({"time": "12:00"})})
    await client.send("response.create", response={"output_modalities": ["text"]} if ga else {"modalities": ["text"]})
    await client.until("response.done")
    # Item operations, buffer clear, output audio clear, an error.
    await client.send("conversation.item.truncate", item_id=reply_id, content_index=0, audio_end_ms=100)
    await client.until("conversation.item.truncated")
    await client.send("conversation.item.retrieve", item_id=reply_id)
    await client.until("conversation.item.retrieved")
    await client.send("conversation.item.delete", item_id=reply_id)
    await client.until("conversation.item.deleted")
    await client.send("input_audio_buffer.clear")
    await client.until("input_audio_buffer.cleared")
    await client.send("output_audio_buffer.clear")
    await client.until("output_audio_buffer.cleared")
    await client.send("response.cancel")
    await client.until("error")
    if ga:  # idle timeout: a spoken reply, then silence past idle_timeout_ms
        await client.send("session.update", session={"type": "realtime", "audio": {"input": {
            "turn_detection": {"type": "server_vad", "idle_timeout_ms": 5000}}}})
        await client.say_text("count to 1")
        await client.send("response.create")
        await client.until("response.done")
        await client.append_audio(silence(9000), chunk_ms=100)
        await client.until("input_audio_buffer.timeout_triggered")
        await client.until("response.done")


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_every_emitted_event_type_validates(protocol: str) -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim, protocol) as client:
        await drive_everything(client)
        emitted = set(client.types())
    expected = SERVER_EVENTS[protocol] - set(NOT_EMITTED)
    if protocol == "beta":
        expected |= {"conversation.item.created"}
    expected -= {t for t in expected if t.startswith(("mcp_", "response.mcp_"))}  # MCP tools are not simulated
    assert emitted == expected, (sorted(expected - emitted), sorted(emitted - expected))
