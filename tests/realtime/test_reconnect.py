"""Reconnect with the conversation restored, end to end against the simulator on loopback.

Each test drives a real `RealtimeClient` over a real WebSocket; faults are injected with
the simulator's own means (its `session_expired` fatal error, a `FaultPlan` closing the
connection after N events, stopping the server, requiring a key) so nothing is mocked.
The server's side of a restore is read from the simulator's conversation state.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from console.realtime import RealtimeClient
from console.simulator import FaultPlan, Simulator
from console.simulator.errors import FatalError
from tests.oracle import validate_client_event
from tests.realtime.helpers import Recorder, until

FAST = {"initial_delay": 0.01, "max_delay": 0.04}
WEATHER_TOOL = {
    "name": "get_weather",
    "description": "weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


async def wait_for(rec: Recorder, name: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
    """Wait until `rec` holds `count` events named `name` (re-checked on every loop turn
    the client's events can change it; bounded by `timeout`)."""
    async with asyncio.timeout(timeout):
        while len(rec[name]) < count:
            await asyncio.sleep(0.005)
    return rec[name]


async def start(sim: Simulator, protocol: str, **kwargs: Any) -> tuple[RealtimeClient, Recorder, list[dict]]:
    client = RealtimeClient(url=sim.url, protocol=protocol, connect_grace=0.05, **kwargs)
    sent: list[dict] = []
    client.realtime.on("client.*", sent.append)
    rec = Recorder(client, "reconnecting", "reconnected", "close", "error", "conversation.updated")
    await client.connect()
    assert await client.wait_for_session_created(5) is not None
    client.update_session(modalities=["text"])
    return client, rec, sent


async def turn(client: RealtimeClient, text: str) -> None:
    before = client.last_response
    client.send_user_message_content([{"type": "input_text", "text": text}])
    await until(client, lambda: client.last_response is not before, timeout=10)


def server_items(sim: Simulator) -> list[tuple[str, str | None, str]]:
    conn = sim.connections[-1]
    return [(i.type, i.role, i.text() if i.type == "message" else (i.call_id or "")) for i in conn.conversation.items()]


def local_items(client: RealtimeClient) -> list[tuple[str, str | None, str]]:
    out = []
    for item in client.conversation.get_items():
        if item["type"] == "message":
            f = item["formatted"]
            out.append((item["type"], item.get("role"), f.get("text") or f.get("transcript") or ""))
        else:
            out.append((item["type"], None, item.get("call_id") or ""))
    return out


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_expiry_restores_the_conversation_in_order(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, rec, sent = await start(sim, protocol, auto_reconnect=True, **FAST)
        await turn(client, "Hello there")
        await turn(client, "count to 3")
        before = client.conversation.get_items()
        old_ids = [i["id"] for i in before]
        expected = local_items(client)
        assert len(before) == 4
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        (done,) = await wait_for(rec, "reconnected")
        assert rec["reconnecting"][0]["reason"] == "session_expired"
        assert rec["reconnecting"][0]["attempt"] == 1 and rec["reconnecting"][0]["interrupted"] == []
        assert rec["close"] == []
        # Locally: the same items, in the same order, now under the new session's ids.
        after = client.conversation.get_items()
        assert [i.get("restored_from") for i in after] == old_ids
        assert [r["restored_from"] for r in done["restored"]] == old_ids
        assert [i["id"] for i in after] == [r["id"] for r in done["restored"]]
        assert done["skipped"] == [] and done["session_id"] == client.session["id"]
        assert local_items(client) == expected
        # On the server: the same conversation, in order, under those ids.
        assert [i.id for i in sim.connections[-1].conversation.items()] == [i["id"] for i in after]
        assert [(t, r) for t, r, _ in server_items(sim)] == [(t, r) for t, r, _ in expected]
        assert [text for _, _, text in server_items(sim)] == [text for _, _, text in expected]
        # The session was re-sent (text only) and new items append after the old ones.
        snapshot = sim.connections[-1].session.snapshot()
        assert (snapshot.get("output_modalities") or snapshot.get("modalities")) == ["text"]
        await turn(client, "Hello again")
        assert len(client.conversation.get_items()) == 6
        assert client.conversation.get_items()[4]["formatted"]["text"] == "Hello again"
        assert len(sim.connections[-1].conversation.items()) == 6
        creates = [e for e in sent if e["type"] == "conversation.item.create" and e.get("previous_item_id")]
        assert creates[0]["previous_item_id"] == "root"
        assert [e["previous_item_id"] for e in creates[1:]] == [e["item"]["id"] for e in creates[:-1]]
        await client.disconnect()
        assert [e for e in rec["error"] if e["error"].get("code") != "session_expired"] == []
        for event in sent:
            validate_client_event(event, protocol)


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_drop_mid_response_reports_it_interrupted(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, protocol, auto_reconnect=True, **FAST)
        await turn(client, "Hello there")
        sim.connections[0].set_faults(FaultPlan(close_after_events=12))
        client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
        (done,) = await wait_for(rec, "reconnected")
        (first, *_) = rec["reconnecting"]
        assert first["reason"] == "simulated fault"
        assert len(first["interrupted"]) == 1
        cut = client.conversation.get_item(next(r["id"] for r in done["restored"] if r["restored_from"] == first["interrupted"][0]))
        assert cut is not None and cut["status"] == "incomplete" and cut["role"] == "assistant"
        assert cut["formatted"]["text"]  # what arrived before the drop is kept and restored
        assert any(u["item"] is cut and u["delta"] is None for u in rec["conversation.updated"])
        responses = client.conversation.get_responses()
        assert responses[-1]["status"] == "incomplete"
        assert responses[-1]["status_details"]["reason"] == "connection_lost"
        assert server_items(sim)[-1] == ("message", "assistant", cut["formatted"]["text"])
        assert rec["close"] == []
        await client.disconnect()


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_drop_mid_tool_call_runs_the_handler_once_and_restores_its_output(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, rec, sent = await start(sim, protocol, auto_reconnect=True, **FAST)
        release = asyncio.Event()
        calls: list[dict] = []

        async def get_weather(args: dict) -> dict:
            calls.append(args)
            await release.wait()
            return {"forecast": "sunny"}

        client.add_tool(WEATHER_TOOL, get_weather)
        client.on("reconnecting", lambda _payload: release.set())
        client.send_user_message_content([{"type": "input_text", "text": "Please get weather in Paris"}])
        async with asyncio.timeout(10):
            while not calls:
                await asyncio.sleep(0.005)
        await sim.connections[0].close(1011, "dropped mid tool call")
        await wait_for(rec, "reconnected")
        # The output reaches the new session after the restore, and the model answers it.
        await until(client, lambda: any(t == "function_call_output" for t, _, _ in server_items(sim)), timeout=10)
        await until(client, lambda: server_items(sim)[-1][:2] == ("message", "assistant")
                    and client.last_response is not None and client.last_response["status"] == "completed"
                    and client.conversation.get_items()[-1].get("role") == "assistant", timeout=10)
        assert len(calls) == 1
        kinds = [(t, r) for t, r, _ in server_items(sim)]
        assert kinds == [("message", "user"), ("function_call", None), ("function_call_output", None), ("message", "assistant")]
        call_id = server_items(sim)[1][2]
        assert server_items(sim)[2][2] == call_id
        outputs = [e for e in sent if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"]
        assert [o["item"]["output"] for o in outputs] == ['{"forecast": "sunny"}']
        assert [e for e in rec["error"] if e["error"].get("type") == "client_error"] == []
        await client.disconnect()


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_refused_reconnect_closes_after_bounded_attempts(protocol: str) -> None:
    sim = Simulator(fast=True)
    await sim.start()
    client, rec, _ = await start(sim, protocol, auto_reconnect=True, max_retries=3, **FAST)
    await turn(client, "Hello there")
    await sim.stop()
    (closed,) = await wait_for(rec, "close")
    assert [r["attempt"] for r in rec["reconnecting"]] == [1, 2, 3]
    assert all(0 < r["delay"] <= FAST["max_delay"] for r in rec["reconnecting"])
    assert closed["error"] is True
    assert closed["reason"].startswith("reconnect failed after 3 attempt(s): could not connect")
    assert rec["reconnected"] == []
    assert len(client.conversation.get_items()) == 2  # nothing lost locally
    await client.disconnect()
    assert len(rec["close"]) == 1


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_reconnect_refused_for_a_missing_key_stops_at_once(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        _client, rec, _ = await start(sim, protocol, auto_reconnect=True, max_retries=5, **FAST)
        sim.require_key = "sk-key-the-client-lacks"
        await sim.connections[0].close(1011, "dropped")
        (closed,) = await wait_for(rec, "close")
        assert len(rec["reconnecting"]) == 1
        assert "HTTP 401" in closed["reason"] and closed["code"] == 401
        assert "sk-key-the-client-lacks" not in closed["reason"]


async def test_disconnect_never_reconnects() -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, "ga", auto_reconnect=True, **FAST)
        await client.disconnect()
        assert len(rec["close"]) == 1 and rec["close"][0]["error"] is False
        assert rec["reconnecting"] == [] and not client.is_reconnecting()
        assert sim.connections == [] or all(c.ws.state.name != "OPEN" for c in sim.connections)


async def test_disconnect_while_reconnecting_stops_and_closes_once() -> None:
    sim = Simulator(fast=True)
    await sim.start()
    client, rec, _ = await start(sim, "ga", auto_reconnect=True, max_retries=50, initial_delay=0.05, max_delay=0.05)
    await sim.stop()
    await wait_for(rec, "reconnecting")
    await client.disconnect()
    attempts = len(rec["reconnecting"])
    assert not client.is_reconnecting()
    assert [c["reason"] for c in rec["close"]] == ["disconnected while reconnecting"]
    await asyncio.sleep(0)  # any stray attempt would have been scheduled by now
    assert len(rec["reconnecting"]) == attempts


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_default_does_not_reconnect(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, protocol)
        await turn(client, "Hello there")
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        (closed,) = await wait_for(rec, "close")
        assert closed["expired"] is True and closed["reason"]
        assert rec["reconnecting"] == [] and not client.is_connected() and not client.is_reconnecting()
        assert len(client.conversation.get_items()) == 2
        assert "restored_from" not in client.conversation.get_items()[0]


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_user_audio_is_restored_as_audio(protocol: str) -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, protocol, auto_reconnect=True, **FAST)
        tone = (np.sin(2 * np.pi * 300 * np.arange(24000) / 24000) * 6000).astype(np.int16)
        client.append_input_audio(tone)
        client.create_response()
        await until(client, lambda: client.last_response is not None, timeout=10)
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        (done,) = await wait_for(rec, "reconnected")
        assert [r["restored_as"] for r in done["restored"]] == ["audio", "text"]
        user = sim.connections[-1].conversation.items()[0]
        assert user.role == "user" and user.content[0].kind == "input_audio"
        assert user.content[0].audio is not None
        np.testing.assert_array_equal(user.content[0].audio.view(), tone)


async def test_budget_keeps_the_newest_items_and_reports_the_rest() -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, "ga", auto_reconnect=True, restore_budget_tokens=40, **FAST)
        await turn(client, "Hello there")  # the greeting's answer alone is ~40 tokens
        await turn(client, "count to 3")
        old = [i["id"] for i in client.conversation.get_items()]
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        (done,) = await wait_for(rec, "reconnected")
        assert [r["restored_from"] for r in done["restored"]] == old[2:]
        assert [s["id"] for s in done["skipped"]] == old[:2]
        assert {s["reason"] for s in done["skipped"]} == {"over the restore budget"}
        assert [i["id"] for i in client.conversation.get_items()][:2] == old[:2]  # kept locally
        assert [i.text() for i in sim.connections[-1].conversation.items()] == ["count to 3", "1, 2, 3."]
        await client.disconnect()


async def test_disconnect_while_restoring_closes_once() -> None:
    async with Simulator(fast=True) as sim:
        client, rec, _ = await start(sim, "ga", auto_reconnect=True, **FAST)
        await turn(client, "Hello there")
        stopping: list[asyncio.Future[None]] = []

        def stop_on_restore(event: dict) -> None:
            if client.is_reconnecting() and not stopping:
                stopping.append(asyncio.ensure_future(client.disconnect()))

        client.realtime.on("client.conversation.item.create", stop_on_restore)
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        await wait_for(rec, "close")
        await stopping[0]
        assert len(rec["close"]) == 1 and rec["reconnected"] == []
        assert not client.is_reconnecting() and not client.is_connected()
