"""Every client-error path: an `error` event in the API's shape, linked to the client's
event, with upstream's code; the connection stays open and nothing is applied."""

from __future__ import annotations

import pytest
from tests.simulator.sim_helpers import SimClient

from console.simulator import Simulator


@pytest.fixture
async def client():
    async with Simulator(fast=True) as sim, await SimClient.open(sim) as c:
        await c.recv()
        c.sim = sim  # type: ignore[attr-defined]
        yield c


async def expect_error(client: SimClient, event_type: str, code: str | None, param: str | None = None,
                       **fields) -> dict:
    event_id = await client.send(event_type, **fields)
    error = await client.error()
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code, error
    assert error["event_id"] == event_id
    if param is not None:
        assert error["param"] == param, error
    assert error["message"]
    return error


async def still_alive(client: SimClient) -> None:
    await client.send("input_audio_buffer.clear")
    await client.until("input_audio_buffer.cleared")


async def test_frames_that_are_not_events(client: SimClient) -> None:
    await client.send_raw("{not json")
    error = await client.error()
    assert error["code"] == "invalid_json" and error["event_id"] is None
    await client.send_raw(b"\x00\x01binary")
    assert (await client.error())["code"] == "invalid_event"
    await client.send_raw('["a list"]')
    assert (await client.error())["code"] == "invalid_type"
    await client.send_raw('{"event_id": "x"}')
    error = await client.error()
    assert error["code"] == "missing_required_parameter" and error["event_id"] == "x"
    await still_alive(client)


@pytest.mark.parametrize("event_type, code, param, fields", [
    ("no.such.event", "invalid_value", "type", {}),
    ("transcription_session.update", "invalid_value", "type", {"session": {}}),  # beta-only type on GA
    ("response.create", "unknown_parameter", "bogus", {"bogus": 1}),
    ("conversation.item.delete", "missing_required_parameter", "item_id", {}),
    ("conversation.item.delete", "invalid_type", "item_id", {"item_id": 7}),
    ("conversation.item.delete", "invalid_value", "item_id", {"item_id": "nope"}),
    ("conversation.item.retrieve", "invalid_value", "item_id", {"item_id": "nope"}),
    ("conversation.item.truncate", "integer_below_min_value", "audio_end_ms",
     {"item_id": "x", "content_index": 0, "audio_end_ms": -5}),
    ("conversation.item.truncate", "invalid_value", "item_id", {"item_id": "x", "content_index": 0, "audio_end_ms": 5}),
    ("conversation.item.create", "missing_required_parameter", "item.type", {"item": {}}),
    ("conversation.item.create", "invalid_value", "item.role", {"item": {"type": "message", "role": "robot", "content": []}}),
    ("conversation.item.create", "invalid_value", "item.content[0].type",
     {"item": {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "beta name"}]}}),
    ("conversation.item.create", "unknown_parameter", "item.colour",
     {"item": {"type": "message", "role": "user", "content": [], "colour": "red"}}),
    ("conversation.item.create", "invalid_value", "previous_item_id",
     {"previous_item_id": "missing", "item": {"type": "message", "role": "user", "content": []}}),
    ("conversation.item.create", "invalid_value", "item.content[0].audio",
     {"item": {"type": "message", "role": "user", "content": [{"type": "input_audio", "audio": "AAA"}]}}),
    ("input_audio_buffer.append", "missing_required_parameter", "audio", {}),
    ("input_audio_buffer.append", "invalid_value", "audio", {"audio": "AAA"}),  # 2 bytes + 1: odd PCM16
    ("input_audio_buffer.commit", "input_audio_buffer_commit_empty", None, {}),
    ("response.cancel", "response_cancel_not_active", None, {}),
    ("output_audio_buffer.clear", None, None, {}),
    ("response.create", "invalid_value", "response.conversation", {"response": {"conversation": "other"}}),
    ("response.create", "unknown_parameter", "response.modalities", {"response": {"modalities": ["text"]}}),
    ("response.create", "invalid_value", "response.input[0].id",
     {"response": {"input": [{"type": "item_reference", "id": "gone"}]}}),
    ("session.update", "missing_required_parameter", "session", {}),
    ("session.update", "missing_required_parameter", "session.type", {"session": {"instructions": "x"}}),
    ("session.update", "unknown_parameter", "session.voice", {"session": {"type": "realtime", "voice": "alloy"}}),
    ("session.update", "invalid_value", "session.audio.output.voice",
     {"session": {"type": "realtime", "audio": {"output": {"voice": "robot"}}}}),
    ("session.update", "invalid_value", "session.audio.input.format.rate",
     {"session": {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}}}),
    ("session.update", "invalid_value", "session.audio.input.format.type",
     {"session": {"type": "realtime", "audio": {"input": {"format": {"type": "audio/mp3"}}}}}),
    ("session.update", "invalid_value", "session.audio.input.turn_detection.type",
     {"session": {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "none"}}}}}),
    ("session.update", "decimal_above_max_value", "session.audio.input.turn_detection.threshold",
     {"session": {"type": "realtime", "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 2}}}}}),
    ("session.update", "invalid_value", "session.output_modalities",
     {"session": {"type": "realtime", "output_modalities": ["text", "audio"]}}),
    ("session.update", "missing_required_parameter", "session.tools[0].name",
     {"session": {"type": "realtime", "tools": [{"type": "function"}]}}),
    ("session.update", "invalid_value", "session.tools[1].name",
     {"session": {"type": "realtime", "tools": [{"type": "function", "name": "a"}, {"type": "function", "name": "a"}]}}),
    ("session.update", "invalid_type", "session.instructions", {"session": {"type": "realtime", "instructions": 5}}),
    ("session.update", "integer_below_min_value", "session.max_output_tokens",
     {"session": {"type": "realtime", "max_output_tokens": 0}}),
])
async def test_ga_error_paths(client: SimClient, event_type: str, code: str | None, param: str | None, fields: dict) -> None:
    before = client.sim.connections[0].session.snapshot()  # type: ignore[attr-defined]
    await expect_error(client, event_type, code, param, **fields)
    assert client.sim.connections[0].session.snapshot() == before  # type: ignore[attr-defined]
    await still_alive(client)


async def test_beta_session_errors_and_beta_only_event() -> None:
    async with Simulator(fast=True) as sim, await SimClient.open(sim, "beta") as client:
        await client.recv()
        await expect_error(client, "session.update", "invalid_value", "session.input_audio_format",
                           session={"input_audio_format": "mp3"})
        await expect_error(client, "session.update", "decimal_below_min_value", "session.temperature",
                           session={"temperature": 0.1})
        await expect_error(client, "session.update", "unknown_parameter", "session.output_modalities",
                           session={"output_modalities": ["text"]})
        await expect_error(client, "transcription_session.update", None, "type", session={})
        await expect_error(client, "response.create", "unknown_parameter", "response.output_modalities",
                           response={"output_modalities": ["text"]})
        await still_alive(client)


async def test_second_response_while_active_is_refused() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        error = await expect_error(client, "response.create", "conversation_already_has_active_response")
        assert created["response"]["id"] in error["message"]
        await expect_error(client, "response.cancel", "response_cancel_not_active", response_id="resp_other")
        await client.send("response.cancel", response_id=created["response"]["id"])
        assert (await client.until("response.done"))["response"]["status"] == "cancelled"


async def test_commit_under_100ms_is_empty(client: SimClient) -> None:
    from tests.simulator.sim_helpers import silence

    await client.send("session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}})
    await client.append_audio(silence(90))
    error = await expect_error(client, "input_audio_buffer.commit", "input_audio_buffer_commit_empty")
    assert "90.00ms" in error["message"]
    await client.append_audio(silence(20))
    await client.send("input_audio_buffer.commit")
    await client.until("input_audio_buffer.committed")


async def test_truncating_a_user_item_is_an_error(client: SimClient) -> None:
    await client.say_text("hi")
    item = (await client.until("conversation.item.added"))["item"]
    await expect_error(client, "conversation.item.truncate", "invalid_value", "item_id",
                       item_id=item["id"], content_index=0, audio_end_ms=0)
