"""Simulated calls: `POST /v1/realtime/calls` and sideband WebSockets by `?call_id=`.

Every server event a sideband receives is validated against the official models
(`SimClient`), like any other simulator connection's.
"""

from __future__ import annotations

import asyncio
import http.client

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.simulator import Simulator
from tests.simulator.sim_helpers import SimClient

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


def post(sim: Simulator, path: str, body: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """A plain HTTP request (the SDK's and a browser's way to start a call)."""
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    try:
        connection.request("POST", path, body=body.encode(), headers={"Content-Type": "application/sdp", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


async def sideband(sim: Simulator, call_id: str) -> SimClient:
    client = SimClient(await websockets.connect(f"{sim.url}?call_id={call_id}", max_size=None, max_queue=None), "ga")
    assert (await client.recv())["type"] == "session.created"
    return client


async def test_calls_endpoint_answers_201_with_an_sdp_answer_and_location() -> None:
    async with Simulator(fast=True) as sim:
        status, headers, body = await asyncio.to_thread(post, sim, "/v1/realtime/calls", OFFER)
        assert status == 201
        assert headers["Content-Type"] == "application/sdp"
        assert body.startswith(b"v=0\r\n") and b"m=audio" in body
        prefix = "/v1/realtime/calls/"
        assert headers["Location"].startswith(prefix)
        call_id = headers["Location"][len(prefix):]
        assert call_id.startswith("rtc_")
        async with await sideband(sim, call_id):  # the call exists server-side without media
            assert sim.call(call_id).sidebands == 1


async def test_calls_endpoint_refuses_an_empty_offer_and_other_paths() -> None:
    async with Simulator(fast=True) as sim:
        status, _, body = await asyncio.to_thread(post, sim, "/v1/realtime/calls", "")
        assert status == 400 and b"SDP offer" in body
        status, _, _ = await asyncio.to_thread(post, sim, "/v1/realtime", OFFER)
        assert status == 405


async def test_calls_endpoint_needs_the_key_when_one_is_required() -> None:
    async with Simulator(fast=True, require_key="sk-call-secret") as sim:
        status, _, body = await asyncio.to_thread(post, sim, "/v1/realtime/calls", OFFER,
                                                  {"Authorization": "Bearer sk-wrong"})
        assert status == 401 and b"sk-wrong" not in body
        status, _, _ = await asyncio.to_thread(post, sim, "/v1/realtime/calls", OFFER,
                                               {"Authorization": "Bearer sk-call-secret"})
        assert status == 201


async def test_unknown_call_id_is_a_404_with_an_error_body() -> None:
    async with Simulator(fast=True) as sim:
        with pytest.raises(InvalidStatus) as caught:
            await websockets.connect(f"{sim.url}?call_id=rtc_unknown")
        response = caught.value.response
        assert response.status_code == 404
        assert b'"call_not_found"' in response.body and b"rtc_unknown" in response.body


async def test_sideband_sees_the_callers_turn_and_the_response() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        async with await sideband(sim, call_id) as client:
            await sim.call_say(call_id, "hello there")
            transcript = await client.until("conversation.item.input_audio_transcription.completed")
            assert transcript["transcript"] == "hello there"
            done = await client.until("response.done")
            assert done["response"]["status"] == "completed"
            types = client.types()
            assert types.index("input_audio_buffer.committed") < types.index("response.created")


async def test_a_client_event_on_the_sideband_acts_on_the_call() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        async with await sideband(sim, call_id) as client:
            await client.send("session.update", session={"type": "realtime", "instructions": "Be brief."})
            updated = await client.until("session.updated")
            assert updated["session"]["instructions"] == "Be brief."
            assert sim.call(call_id).connection.session.settings.instructions == "Be brief."
            await client.send("conversation.item.create", item={
                "type": "message", "role": "user", "content": [{"type": "input_text", "text": "count to 3"}]})
            await client.send("response.create")
            done = await client.until("response.done")
            assert done["response"]["status"] == "completed"
            assert len(sim.call(call_id).connection.conversation) == 2


async def test_two_sidebands_both_see_the_calls_events() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        async with await sideband(sim, call_id) as first, await sideband(sim, call_id) as second:
            await sim.call_say(call_id, "hi")
            one = await first.until("response.done")
            two = await second.until("response.done")
            assert one["response"]["id"] == two["response"]["id"]
            assert [t for t in first.types() if t != "session.created"] == \
                [t for t in second.types() if t != "session.created"]


async def test_hanging_up_closes_every_sideband_and_forgets_the_call() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        client = await sideband(sim, call_id)
        await sim.hang_up(call_id)
        with pytest.raises(ConnectionClosed):
            while True:
                await client.recv()
        assert client.ws.close_code == 1000
        with pytest.raises(InvalidStatus):
            await websockets.connect(f"{sim.url}?call_id={call_id}")
