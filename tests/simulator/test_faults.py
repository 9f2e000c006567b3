"""Fault injection, per server and per connection, deterministic with a seed."""

from __future__ import annotations

import json

import pytest
from tests.simulator.sim_helpers import SimClient
from websockets.exceptions import ConnectionClosed

from console.simulator import FaultPlan, Simulator


async def text_turn(client: SimClient, text: str = "count to 30") -> None:
    await client.text_session()
    await client.say_text(text)
    await client.send("response.create")


async def raw_frames(client: SimClient, until_type: str) -> list[str]:
    frames = []
    while True:
        frame = await client.ws.recv()
        frames.append(frame)
        try:
            if json.loads(frame)["type"] == until_type:
                return frames
        except json.JSONDecodeError:
            continue


async def test_close_after_n_events_with_code() -> None:
    async with Simulator(fast=True, faults=FaultPlan(close_after_events=5, close_code=1011, close_reason="boom")) as sim:
        client = await SimClient.open(sim)
        await text_turn(client)
        with pytest.raises(ConnectionClosed):
            while True:
                await client.recv()
        assert len(client.events) == 5
        assert (client.ws.close_code, client.ws.close_reason) == (1011, "boom")


async def test_per_connection_fault_and_malformed_frame() -> None:
    async with Simulator(fast=True) as sim:
        healthy = await SimClient.open(sim)
        faulty = await SimClient.open(sim)
        await healthy.recv()
        await faulty.recv()
        sim.connections[1].set_faults(FaultPlan(malformed_after_events=2))  # counted from now: after item.added
        await faulty.text_session()
        await faulty.say_text("hi")
        frames = await raw_frames(faulty, "conversation.item.done")
        broken = [f for f in frames if not f.endswith("}")]
        assert len(broken) == 1
        with pytest.raises(json.JSONDecodeError):
            json.loads(broken[0])
        await text_turn(healthy, "hi")
        await healthy.until("response.done")  # the other connection is untouched
        await healthy.close()
        await faulty.close()


def deltas(frames: list[str]) -> list[str]:
    events = [json.loads(f) for f in frames]
    return [e["delta"] for e in events if e["type"] == "response.output_text.delta"]


@pytest.mark.parametrize("plan_kwargs", [{"duplicate_delta_rate": 0.5}, {"reorder_delta_rate": 0.5}])
async def test_duplicate_and_reorder_are_deterministic(plan_kwargs: dict) -> None:
    runs = []
    for _ in range(2):
        async with Simulator(fast=True, faults=FaultPlan(seed=7, **plan_kwargs)) as sim:
            client = await SimClient.open(sim)
            await text_turn(client)
            runs.append(deltas(await raw_frames(client, "response.done")))
            await client.close()
    expected = [f"{' ' if i > 1 else ''}{i}{'.' if i == 30 else ','}" for i in range(1, 31)]
    assert runs[0] == runs[1]  # same seed, same faults
    assert runs[0] != expected
    assert sorted(set(runs[0])) == sorted(expected)
    if "duplicate_delta_rate" in plan_kwargs:
        assert len(runs[0]) > len(expected)
    else:
        assert len(runs[0]) == len(expected)


async def test_delay_events_of_a_type() -> None:
    import time

    async with Simulator(fast=True, faults=FaultPlan(delay_s=0.2, delay_types=frozenset({"response.done"}))) as sim:
        client = await SimClient.open(sim)
        await text_turn(client, "hi")
        await client.until("response.output_item.done")
        started = time.monotonic()
        await client.until("response.done")
        assert time.monotonic() - started >= 0.15
        await client.close()
