"""The simulator's own failures stay in-band, and long sessions stay small."""

from __future__ import annotations

import numpy as np
import pytest
from tests.simulator.sim_helpers import SimClient, silence

from console.simulator import Simulator, synthesise
from console.simulator import voice as voice_module


def _broken(*args, **kwargs):
    raise RuntimeError("synthetic voice exploded")


async def test_a_simulator_bug_fails_the_response_in_band(monkeypatch: pytest.MonkeyPatch) -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("hi")
        monkeypatch.setattr(voice_module, "synthesise_marked", _broken)
        await client.send("response.create")
        done = await client.until("response.done")
        assert done["response"]["status"] == "failed"
        assert "exploded" in done["response"]["status_details"]["error"]["message"]
        monkeypatch.undo()
        await client.send("response.create")  # not stuck with an "active" response
        assert (await client.until("response.done"))["response"]["status"] == "completed"


async def test_idle_input_is_bounded_in_vad_mode() -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim) as client:
        await client.recv()
        conn = sim.connections[0]
        await client.append_audio(silence(5000), chunk_ms=100)
        await client.send("conversation.item.retrieve", item_id="none")  # events are handled in order:
        await client.error()  # once this is answered, every append before it was processed
        assert conn.total_input == 5 * 24000 and len(conn.input) == 24000  # only the last second is kept
        await client.append_audio(np.concatenate([silence(3000), synthesise("ok"), silence(700)]), chunk_ms=100)
        started = await client.until("input_audio_buffer.speech_started")
        assert started["audio_start_ms"] == 5000 + 3000 - 300
        done = await client.until("response.done")
        assert done["response"]["output"][0]["content"][0]["transcript"] == "You said: ok"
