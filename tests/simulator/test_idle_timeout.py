"""GA server VAD `idle_timeout_ms`: timeout_triggered, the silent commit, and the prompt."""

from __future__ import annotations

import numpy as np
from tests.simulator.sim_helpers import SimClient, silence

from console.realtime.audio import base64_to_bytes
from console.simulator import Simulator, synthesise

IDLE_VAD = {"type": "server_vad", "idle_timeout_ms": 5000}


async def reply_then(client: SimClient) -> int:
    """Ask for a spoken reply; return its audio length (ms) as the client would play it."""
    await client.send("session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": IDLE_VAD}}})
    await client.until("session.updated")
    await client.say_text("hi")
    await client.send("response.create")
    done = await client.until("response.done")
    reply_id = done["response"]["output"][0]["id"]
    return sum(len(base64_to_bytes(e["delta"])) for e in client.events
               if e["type"] == "response.output_audio.delta" and e["item_id"] == reply_id) // 48  # 48 bytes per ms


async def test_idle_timeout_prompts_after_silence() -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim) as client:
        await client.recv()
        playback_ms = await reply_then(client)
        await client.append_audio(silence(playback_ms + 5000 + 300), chunk_ms=100)
        triggered = await client.until("input_audio_buffer.timeout_triggered")
        # Counted from the end of the reply's playback, on the input-audio clock.
        assert triggered["audio_start_ms"] == playback_ms
        assert playback_ms + 5000 <= triggered["audio_end_ms"] <= playback_ms + 5000 + 100
        committed = await client.until("input_audio_buffer.committed")
        assert committed["item_id"] == triggered["item_id"]
        done = await client.until("response.done")
        assert done["response"]["output"][0]["content"][0]["transcript"] == \
            "(simulator) I heard only silence. Are you still there?"


async def test_speech_before_the_deadline_disarms_it() -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim) as client:
        await client.recv()
        playback_ms = await reply_then(client)
        speech = np.concatenate([silence(playback_ms + 2000), synthesise("count to 1"), silence(600)])
        await client.append_audio(speech, chunk_ms=100)
        await client.until("response.done")
        await client.append_audio(silence(4000), chunk_ms=100)  # the reply above re-arms; 4 s < 5 s
        await client.send("conversation.item.retrieve", item_id="none")
        await client.error()
        assert "input_audio_buffer.timeout_triggered" not in client.types()


async def test_idle_timeout_is_ga_only_and_bounded() -> None:
    async with Simulator(fast=True) as sim:
        async with await SimClient.open(sim, "beta") as beta:
            await beta.recv()
            await beta.send("session.update", session={"turn_detection": IDLE_VAD})
            error = await beta.error()
            assert error["code"] == "unknown_parameter" and error["param"] == "session.turn_detection.idle_timeout_ms"
        async with await SimClient.open(sim) as ga:
            await ga.recv()
            await ga.send("session.update", session={"type": "realtime", "audio": {
                "input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 100}}}})
            assert (await ga.error())["code"] == "integer_below_min_value"
