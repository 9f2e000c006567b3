"""End-to-end: RealtimeClient against the project's Realtime simulator (fast mode).

The simulator checks every client event strictly and answers like upstream, so these
tests cover what the scripted peer cannot: real VAD-free audio turns, tool calls chosen
by the server, upstream's fatal refusals and session expiry.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from tests.realtime.helpers import Recorder, until
from tests.oracle import validate_client_event

from console.realtime import RealtimeClient, RealtimeConnectionError
from console.simulator import Simulator

KEY = "sk-sim-key-123456"


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_text_and_tool_turns_against_simulator(protocol: str) -> None:
    async with Simulator(fast=True, require_key=KEY) as sim:
        client = RealtimeClient(url=sim.url, api_key=KEY, protocol=protocol)
        sent: list[dict] = []
        client.realtime.on("client.*", sent.append)
        rec = Recorder(client, "error", "conversation.item.completed")
        await client.connect()
        assert await client.wait_for_session_created(5) is not None
        client.update_session(modalities=["text"])
        calls: list[dict] = []

        async def get_weather(args: dict) -> dict:
            calls.append(args)
            return {"forecast": "sunny"}

        client.add_tool(
            {"name": "get_weather", "description": "weather for a city",
             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
            get_weather,
        )
        client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
        await until(client, lambda: client.last_response is not None, timeout=10)
        assistant = client.conversation.get_items()[-1]
        assert assistant["role"] == "assistant" and assistant["status"] == "completed"
        assert assistant["formatted"]["text"] or assistant["formatted"]["transcript"]
        first = client.last_response
        client.send_user_message_content([{"type": "input_text", "text": "Please get weather in Paris"}])
        await until(client, lambda: client.last_response is not first and calls and
                    sum(e["type"] == "response.create" for e in sent) == 3, timeout=10)
        assert calls and isinstance(calls[0], dict)
        await until(client, lambda: len([i for i in client.conversation.get_items() if i["type"] == "function_call_output"]) == 1, timeout=10)
        await client.disconnect()
        assert [e for e in rec["error"] if e["error"].get("type") != "client_error"] == []
        for event in sent:
            validate_client_event(event, protocol)
        outputs = [e["item"] for e in sent if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"]
        assert [o["output"] for o in outputs] == ['{"forecast": "sunny"}']


async def test_audio_turn_against_simulator() -> None:
    async with Simulator(fast=True) as sim:
        client = RealtimeClient(url=sim.url, protocol="ga")
        await client.connect()
        await client.wait_for_session_created(5)
        tone = (np.sin(2 * np.pi * 300 * np.arange(24000) / 24000) * 6000).astype(np.int16)
        client.append_input_audio(tone)
        client.create_response()
        await until(client, lambda: client.last_response is not None, timeout=10)
        user = next(i for i in client.conversation.get_items() if i.get("role") == "user")
        np.testing.assert_array_equal(user["formatted"]["audio"], tone)
        assistant = client.conversation.get_items()[-1]
        assert assistant["role"] == "assistant" and len(assistant["formatted"]["audio"]) > 0
        await client.disconnect()


async def test_fatal_refusals_from_simulator() -> None:
    async with Simulator(fast=True, refuse_beta=True) as sim:
        with pytest.raises(RealtimeConnectionError, match="use the GA protocol") as info:
            await RealtimeClient(url=sim.url, protocol="beta").connect()
        assert info.value.code == "beta_api_shape_disabled" and info.value.close_code == 4000
    async with Simulator(fast=True, require_key=KEY, auth_failure="close") as sim:
        with pytest.raises(RealtimeConnectionError, match="authentication failed") as info:
            await RealtimeClient(url=sim.url, api_key="sk-wrong").connect()
        assert info.value.code == "invalid_api_key" and info.value.close_code == 3000
        assert "sk-wrong" not in str(info.value)
    async with Simulator(fast=True, require_key=KEY) as sim:
        with pytest.raises(RealtimeConnectionError, match="HTTP 401"):
            await RealtimeClient(url=sim.url, api_key="sk-wrong").connect()


async def test_session_expiry_is_surfaced() -> None:
    async with Simulator(fast=True, session_duration_s=0.3) as sim:
        client = RealtimeClient(url=sim.url)
        rec = Recorder(client, "error", "close")
        await client.connect()
        closed = await client.wait_for_next("close", 5)
        assert closed is not None and closed["expired"] is True
        assert any(e["error"].get("code") == "session_expired" for e in rec["error"])
        assert not client.is_connected()
        await asyncio.sleep(0)


async def test_interruption_truncates_on_the_simulator() -> None:
    async with Simulator(fast=True) as sim:
        client = RealtimeClient(url=sim.url)
        sent: list[dict] = []
        client.realtime.on("client.*", sent.append)
        await client.connect()
        await client.wait_for_session_created(5)
        client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
        await until(client, lambda: client.last_response is not None, timeout=10)
        assistant = client.conversation.get_items()[-1]
        received = len(assistant["formatted"]["audio"])
        assert received > 24000
        truncated = asyncio.create_task(client.realtime.wait_for_next("server.conversation.item.truncated", 5))
        client.cancel_response(assistant["id"], 24000 + 12)  # 1000.5 ms played
        assert (await truncated)["audio_end_ms"] == 1000
        assert len(assistant["formatted"]["audio"]) == 24000
        assert assistant["formatted"]["transcript"] == ""
        await client.disconnect()
        for event in sent:
            validate_client_event(event, "ga")
