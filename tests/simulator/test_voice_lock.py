"""Upstream refuses to change the voice once the model has produced audio in the session.

The refusal is an `error` (`invalid_request_error`, `cannot_update_voice`, param
`session.audio.output.voice` in GA / `session.voice` in beta) whose `error.event_id`
echoes the `session.update`; nothing else in that update is applied. Before any audio,
and for text-only replies, the voice may change; re-sending the current voice is no change.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.simulator.sim_helpers import SimClient

from console.simulator import Simulator

PARAM = {"ga": "session.audio.output.voice", "beta": "session.voice"}


def update(protocol: str, voice: str | None = None, instructions: str | None = None) -> dict[str, Any]:
    """A `session.update` payload in the connection's shape."""
    session: dict[str, Any] = {"type": "realtime"} if protocol == "ga" else {}
    if instructions is not None:
        session["instructions"] = instructions
    if voice is not None:
        if protocol == "ga":
            session["audio"] = {"output": {"voice": voice}}
        else:
            session["voice"] = voice
    return session


def voice_of(protocol: str, session: dict[str, Any]) -> str:
    return session["audio"]["output"]["voice"] if protocol == "ga" else session["voice"]


async def spoken_turn(client: SimClient, text: str = "hello") -> None:
    await client.say_text(text)
    await client.send("response.create")
    await client.until("response.done")


@pytest.fixture
async def sim():
    async with Simulator(fast=True) as simulator:
        yield simulator


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_voice_change_refused_after_audio(sim: Simulator, protocol: str) -> None:
    async with await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.send("session.update", session=update(protocol, voice="coral"))  # before audio: allowed
        assert voice_of(protocol, (await client.until("session.updated"))["session"]) == "coral"
        await spoken_turn(client)
        sent = await client.send("session.update", session=update(protocol, voice="ash", instructions="Be brief."))
        error_event = await client.until("error")
        error = error_event["error"]
        assert error["type"] == "invalid_request_error" and error["code"] == "cannot_update_voice"
        assert error["param"] == PARAM[protocol] and error["event_id"] == sent
        assert "voice" in error["message"]
        # The whole update was dropped: the instructions did not change either.
        await client.send("session.update", session=update(protocol))
        session = (await client.until("session.updated"))["session"]
        assert voice_of(protocol, session) == "coral" and session["instructions"] != "Be brief."
        # Later responses still speak with the locked voice.
        await client.say_text("hello again")
        await client.send("response.create")
        response = (await client.until("response.done"))["response"]
        assert (response["audio"]["output"]["voice"] if protocol == "ga" else response["voice"]) == "coral"


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_same_voice_and_other_fields_still_update_after_audio(sim: Simulator, protocol: str) -> None:
    async with await SimClient.open(sim, protocol) as client:
        await client.recv()
        await spoken_turn(client)
        await client.send("session.update", session=update(protocol, voice="alloy", instructions="Be brief."))
        session = (await client.until("session.updated"))["session"]
        assert voice_of(protocol, session) == "alloy" and session["instructions"] == "Be brief."
        assert "error" not in client.types()


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_text_replies_do_not_lock_the_voice(sim: Simulator, protocol: str) -> None:
    async with await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.text_session()
        await spoken_turn(client, "count to 3")
        await client.send("session.update", session=update(protocol, voice="verse"))
        assert voice_of(protocol, (await client.until("session.updated"))["session"]) == "verse"
        assert "error" not in client.types()


async def test_invalid_voice_is_reported_as_invalid_value_first(sim: Simulator) -> None:
    """A voice that does not exist is a plain validation error, locked or not."""
    async with await SimClient.open(sim) as client:
        await client.recv()
        await spoken_turn(client)
        sent = await client.send("session.update", session=update("ga", voice="nobody"))
        error = (await client.until("error"))["error"]
        assert error["code"] == "invalid_value" and error["event_id"] == sent
