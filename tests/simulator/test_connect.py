"""Connection-level behaviour: the upgrade, keys, models, protocol choice, fatal closes,
session expiry and pings."""

from __future__ import annotations

import asyncio

import pytest
import websockets
from tests.simulator.sim_helpers import SimClient
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.simulator import Simulator


async def closed_with(client: SimClient) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed):
        while True:
            await client.recv()
    assert client.ws.close_code is not None
    return client.ws.close_code, client.ws.close_reason or ""


async def test_missing_or_wrong_key_gets_http_401_without_echoing_it() -> None:
    async with Simulator(require_key="sk-right") as sim:
        for headers in ({}, {"Authorization": "Bearer sk-wrong-secret"}):
            with pytest.raises(InvalidStatus) as caught:
                await SimClient.open(sim, headers=headers)
            response = caught.value.response
            assert response.status_code == 401
            assert b"invalid_api_key" in response.body and b"sk-wrong-secret" not in response.body
        async with await SimClient.open(sim, headers={"Authorization": "Bearer sk-right"}) as client:
            assert (await client.recv())["type"] == "session.created"
        async with await SimClient.open(sim, headers={"api-key": "sk-right"}) as client:  # Azure style
            assert (await client.recv())["type"] == "session.created"


async def test_browser_subprotocol_key_and_beta_marker() -> None:
    async with Simulator(require_key="sk-right") as sim:
        client = SimClient(await websockets.connect(
            sim.url + "?model=gpt-realtime",
            subprotocols=["realtime", "openai-insecure-api-key.sk-right", "openai-beta.realtime-v1"]), "beta")
        async with client:
            assert client.ws.subprotocol == "realtime"
            created = await client.recv()
            assert "modalities" in created["session"]  # the beta (flat) shape


async def test_bad_key_after_upgrade_mode_closes_3000() -> None:
    async with Simulator(require_key="sk-right", auth_failure="close") as sim:
        client = await SimClient.open(sim, headers={"Authorization": "Bearer sk-wrong"})
        error = await client.error()
        assert error["code"] == "invalid_api_key" and "sk-wrong" not in error["message"]
        assert await closed_with(client) == (3000, "invalid_request_error.invalid_api_key")


@pytest.mark.parametrize("model, code", [(None, "missing_model"), ("gpt-4o", "invalid_model")])
async def test_bad_model_closes_4000(model: str | None, code: str) -> None:
    async with Simulator() as sim:
        client = await SimClient.open(sim, model=model)
        assert (await client.error())["code"] == code
        assert await closed_with(client) == (4000, f"invalid_request_error.{code}")


async def test_refused_beta_shape() -> None:
    async with Simulator(refuse_beta=True) as sim:
        client = await SimClient.open(sim, "beta")
        assert (await client.error())["code"] == "beta_api_shape_disabled"
        assert await closed_with(client) == (4000, "invalid_request_error.beta_api_shape_disabled")
        async with await SimClient.open(sim, "ga") as ga:
            assert (await ga.recv())["session"]["type"] == "realtime"


async def test_unknown_path_is_404() -> None:
    async with Simulator() as sim:
        with pytest.raises(InvalidStatus) as caught:
            await websockets.connect(f"ws://127.0.0.1:{sim.port}/v1/chat")
        assert caught.value.response.status_code == 404


async def test_forced_protocol_ignores_the_header() -> None:
    async with Simulator(protocol="beta") as sim, await SimClient.open(sim, "beta") as client:
        client.protocol = "beta"
        created = await client.recv()
        assert created["session"]["voice"] == "alloy" and "type" not in created["session"]
    async with Simulator(protocol="ga") as sim:
        client = await SimClient.open(sim, "beta")
        client.protocol = "ga"
        async with client:
            assert (await client.recv())["session"]["type"] == "realtime"


async def test_azure_style_paths_and_deployment() -> None:
    async with Simulator() as sim:
        url = f"ws://127.0.0.1:{sim.port}/openai/realtime?api-version=2025-04-01-preview&deployment=gpt-realtime"
        async with websockets.connect(url) as ws:
            assert b"session.created" in (await ws.recv()).encode()


async def test_session_expires() -> None:
    async with Simulator(session_duration_s=0.3) as sim:
        client = await SimClient.open(sim)
        created = await client.recv()
        assert created["session"]["expires_at"] >= int(__import__("time").time())
        error = await client.error()
        assert error["code"] == "session_expired"
        code, reason = await closed_with(client)
        assert reason == "invalid_request_error.session_expired"


async def test_server_pings() -> None:
    async with Simulator(ping_interval=0.05) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await asyncio.sleep(0.3)
        conn = sim.connections[0]
        assert conn.ws.latency > 0  # a ping went out and the client's pong came back


async def test_connections_are_listed_and_forgotten() -> None:
    async with Simulator() as sim:
        a = await SimClient.open(sim)
        b = await SimClient.open(sim, "beta")
        await a.recv()
        await b.recv()
        assert [c.protocol for c in sim.connections] == ["ga", "beta"]
        await a.close()
        await b.close()
        for _ in range(50):
            if not sim.connections:
                break
            await asyncio.sleep(0.01)
        assert sim.connections == []
