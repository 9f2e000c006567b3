"""`AttachedSession` against simulated calls on loopback: rebuild, steering, refusals, the key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from console.session.attached import AttachedSession, AttachError, sideband_url
from console.simulator import Simulator

TIMEOUT = 10.0


async def until(condition: Callable[[], bool], what: str) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)
    try:
        await asyncio.wait_for(poll(), TIMEOUT)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def test_sideband_url_sets_call_id_and_drops_model() -> None:
    assert sideband_url("wss://api.openai.com/v1/realtime", "rtc_1") == "wss://api.openai.com/v1/realtime?call_id=rtc_1"
    assert sideband_url("ws://h/v1/realtime?model=x&a=b", "rtc_2") == "ws://h/v1/realtime?a=b&call_id=rtc_2"


async def test_attached_session_rebuilds_the_calls_conversation_and_steers_it() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url)
        await session.connect()
        reader = asyncio.ensure_future(session.run())
        await session.wait_attached()
        assert session.kind == "attach" and session.steerable
        await sim.call_say(call_id, "hello", wait=True)
        await until(lambda: session.stats.responses == 1, "the response")
        items = session.items()
        assert [i["role"] for i in items] == ["user", "assistant"]
        assert items[0]["formatted"]["transcript"] == "hello"
        assert items[1]["formatted"]["transcript"]
        sent = await session.send({"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}})
        assert sent["event_id"]
        await until(lambda: sim.call(call_id).connection.session.settings.instructions == "Be brief.", "the update")
        await until(lambda: session.store.event_type(len(session.store) - 1) == "session.updated", "session.updated")
        await sim.hang_up(call_id)
        await asyncio.wait_for(reader, TIMEOUT)
        assert not session.steerable and "1000" in session.ended
        with pytest.raises(AttachError):
            await session.send({"type": "response.create"})


async def test_unknown_call_is_a_clear_attach_error() -> None:
    async with Simulator(fast=True) as sim:
        session = AttachedSession("rtc_missing", sim.url)
        with pytest.raises(AttachError) as caught:
            await session.connect()
        assert "HTTP 404" in str(caught.value) and "no live call" in str(caught.value)
        assert session.stats.connection == "failed"


async def test_a_wrong_key_is_refused_without_showing_it() -> None:
    async with Simulator(fast=True, require_key="sk-good") as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url, headers={"Authorization": "Bearer sk-bad-secret"},
                                  redact=lambda t: t.replace("sk-bad-secret", "[redacted]"))
        with pytest.raises(AttachError) as caught:
            await session.connect()
        assert "HTTP 401" in str(caught.value) and "sk-bad-secret" not in str(caught.value)
        good = AttachedSession(call_id, sim.url, headers={"Authorization": "Bearer sk-good"})
        await good.connect()
        await good.close()
