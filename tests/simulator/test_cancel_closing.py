"""A cancelled response closes what it opened, as upstream does, in both protocols.

`response.cancel`, `output_audio_buffer.clear` and barge-in stop a response mid-stream;
before `response.done` (status `cancelled`) the simulator must send the `.done` events of
the unfinished part carrying exactly what was streamed so far, `response.content_part.done`,
`conversation.item.done` (GA) and `response.output_item.done` with the item `incomplete`.
Every frame is validated strictly by the oracle as it arrives (`SimClient.recv`).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.simulator.sim_helpers import SimClient

from console.realtime.client import RealtimeClient
from console.simulator import Simulator, synthesise

LONG_ARGUMENT = " ".join(f"word{n}" for n in range(120))  # ~800 characters: ~70 argument deltas
NOTE_TOOL = {"type": "function", "name": "save_note", "parameters": {
    "type": "object", "properties": {"note": {"type": "string"}}, "required": ["note"]}}


def names(protocol: str) -> dict[str, str]:
    """Event types of the streamed part, per protocol."""
    if protocol == "ga":
        return {"audio": "response.output_audio", "transcript": "response.output_audio_transcript",
                "text": "response.output_text"}
    return {"audio": "response.audio", "transcript": "response.audio_transcript", "text": "response.text"}


def response_events(events: list[dict[str, Any]], response_id: str) -> list[dict[str, Any]]:
    """The response's own events, `response.created` to `response.done`, and its items' GA
    `conversation.item.*` (other events, e.g. a barge-in's `speech_started`, interleave)."""
    start = next(i for i, e in enumerate(events)
                 if e["type"] == "response.created" and e["response"]["id"] == response_id)
    end = next(i for i, e in enumerate(events)
               if e["type"] == "response.done" and e["response"]["id"] == response_id)
    output_ids = {item["id"] for item in events[end]["response"]["output"]}
    return [e for e in events[start:end + 1]
            if e.get("response_id") == response_id or e["type"] in ("response.created", "response.done")
            or (e["type"].startswith("conversation.item.") and e.get("item", {}).get("id") in output_ids)]


def assert_closed(events: list[dict[str, Any]], protocol: str, reason: str) -> dict[str, Any]:
    """Check a cancelled response's event stream closes everything it opened; returns `response.done`."""
    done = events[-1]
    assert done["type"] == "response.done"
    response = done["response"]
    assert response["status"] == "cancelled"
    assert response["status_details"] == {"type": "cancelled", "reason": reason}
    types = [e["type"] for e in events]
    added = [e["item"]["id"] for e in events if e["type"] == "response.output_item.added"]
    finished = {e["item"]["id"]: e["item"] for e in events if e["type"] == "response.output_item.done"}
    assert sorted(finished) == sorted(added)
    assert [item["id"] for item in response["output"]] == added
    for item in response["output"]:
        assert item["status"] == "incomplete" and finished[item["id"]]["status"] == "incomplete"
    if protocol == "ga":
        item_done = {e["item"]["id"]: e["item"] for e in events if e["type"] == "conversation.item.done"}
        assert sorted(item_done) == sorted(added) and all(i["status"] == "incomplete" for i in item_done.values())
    parts_added = [(e["item_id"], e["content_index"]) for e in events if e["type"] == "response.content_part.added"]
    parts_done = {(e["item_id"], e["content_index"]): e["part"] for e in events
                  if e["type"] == "response.content_part.done"}
    assert sorted(parts_done) == sorted(parts_added)
    # Closing order: the part's .done events, content_part.done, item.done (GA), output_item.done, response.done.
    if parts_added:
        last_delta = max(i for i, t in enumerate(types) if t.endswith(".delta"))
        closing = types[last_delta + 1:]
        part_dones = [t for t in closing if t.endswith(".done") and t.startswith("response.")
                      and t not in ("response.content_part.done", "response.output_item.done", "response.done")]
        expected = part_dones + ["response.content_part.done"]
        expected += ["conversation.item.done"] if protocol == "ga" else []
        expected += ["response.output_item.done", "response.done"]
        assert closing == expected, closing
        assert part_dones, "the streamed part got no .done event"
    return done


def streamed(events: list[dict[str, Any]], event_type: str) -> str:
    return "".join(e["delta"] for e in events if e["type"] == event_type + ".delta")


def only(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    matches = [e for e in events if e["type"] == event_type]
    assert len(matches) == 1, (event_type, len(matches))
    return matches[0]


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_cancel_mid_audio_closes_part_and_item(protocol: str) -> None:
    n = names(protocol)
    async with Simulator(fast=False) as sim, await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        for _ in range(3):
            await client.until(n["audio"] + ".delta")
        await client.send("response.cancel")
        await client.until("response.done")
        events = response_events(client.events, created["response"]["id"])
        done = assert_closed(events, protocol, "client_cancelled")
        transcript = streamed(events, n["transcript"])
        assert transcript and len(transcript) < 200  # stopped early: the story is ~1,500 characters
        assert only(events, n["transcript"] + ".done")["transcript"] == transcript
        only(events, n["audio"] + ".done")
        assert only(events, "response.content_part.done")["part"] == {"type": "audio", "transcript": transcript}
        item = done["response"]["output"][0]
        assert item["content"][0]["transcript"] == transcript
        assert done["response"]["usage"]["output_token_details"]["audio_tokens"] > 0
        # Nothing of the response follows its response.done (rate limits may).
        await client.until("rate_limits.updated")
        assert client.events[-1]["type"] == "rate_limits.updated"


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_cancel_mid_text_closes_with_text_so_far(protocol: str) -> None:
    n = names(protocol)
    async with Simulator(fast=False) as sim, await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.text_session()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        for _ in range(4):
            await client.until(n["text"] + ".delta")
        await client.send("response.cancel")
        await client.until("response.done")
        events = response_events(client.events, created["response"]["id"])
        done = assert_closed(events, protocol, "client_cancelled")
        text = streamed(events, n["text"])
        assert text.startswith("Chapter 1:") and not text.endswith("The end.")
        assert only(events, n["text"] + ".done")["text"] == text
        assert only(events, "response.content_part.done")["part"] == {"type": "text", "text": text}
        assert done["response"]["output"][0]["content"][0]["text"] == text
        # The conversation keeps the incomplete item with the text that was sent.
        item = sim.connections[0].conversation.get(done["response"]["output"][0]["id"])
        assert item.status == "incomplete" and item.content[0].text == text


async def test_barge_in_closes_with_turn_detected() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        await client.until("response.output_audio.delta")
        await client.append_audio(synthesise("stop"), chunk_ms=100)
        await client.until("response.done")  # the interrupted response's (the new turn's comes later)
        events = response_events(client.events, created["response"]["id"])
        assert_closed(events, "ga", "turn_detected")
        assert client.types().index("input_audio_buffer.speech_started") < client.types().index("response.done")


async def test_output_audio_buffer_clear_closes_then_clears() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim, "beta") as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        await client.until("response.audio.delta")
        await client.send("output_audio_buffer.clear")
        await client.until("output_audio_buffer.cleared")
        events = response_events(client.events, created["response"]["id"])
        assert_closed(events, "beta", "client_cancelled")


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_cancel_mid_arguments_closes_the_call_incomplete(protocol: str) -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim, protocol) as client:
        await client.recv()
        if protocol == "ga":
            await client.send("session.update", session={"type": "realtime", "tools": [NOTE_TOOL],
                                                          "tool_choice": "required"})
        else:
            await client.send("session.update", session={"tools": [NOTE_TOOL], "tool_choice": "required"})
        await client.until("session.updated")
        await client.say_text(LONG_ARGUMENT)
        await client.send("response.create")
        created = await client.until("response.created")
        await client.until("response.function_call_arguments.delta")
        await client.send("response.cancel")
        await client.until("response.done")
        events = response_events(client.events, created["response"]["id"])
        done = assert_closed(events, protocol, "client_cancelled")
        arguments = streamed(events, "response.function_call_arguments")
        assert arguments.startswith('{"note": "w') and len(arguments) < len(LONG_ARGUMENT)
        closing = only(events, "response.function_call_arguments.done")
        assert closing["arguments"] == arguments
        assert events.index(closing) < events.index(only(events, "response.output_item.done"))
        call = done["response"]["output"][0]
        assert call["type"] == "function_call" and call["arguments"] == arguments


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_cancel_right_after_create_sends_a_consistent_stream(protocol: str) -> None:
    """A cancel that may land before anything streamed: whatever was opened is closed."""
    async with Simulator(fast=True) as sim, await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        await client.send("response.cancel")
        created = await client.until("response.created")
        await client.until("response.done")
        events = response_events(client.events, created["response"]["id"])
        done = events[-1]["response"]
        if done["status"] == "cancelled":  # the cancel landed while it streamed (or before)
            assert_closed(events, protocol, "client_cancelled")
        else:  # fast mode can finish the story before the cancel is read
            assert done["status"] == "completed"


async def test_library_keeps_the_incomplete_item_with_its_transcript() -> None:
    """The client library's conversation ends with what the simulator closed the item with."""
    async with Simulator(fast=False) as sim:
        client = RealtimeClient(url=sim.url, api_key="sk-test", protocol="ga")
        received: list[dict[str, Any]] = []
        client.on("realtime.event", lambda wrapped: received.append(wrapped["event"])
                  if wrapped["source"] == "server" else None)
        assert await client.connect()
        try:
            client.send_user_message_content([{"type": "input_text", "text": "tell me a long story"}])
            await wait_for(received, "response.output_audio.delta", 3)
            client.cancel_response()
            done = await wait_for(received, "response.done")
            assert done["response"]["status"] == "cancelled"
            closed = done["response"]["output"][0]
            item = client.conversation.get_item(closed["id"])
            assert item is not None and item["status"] == "incomplete"
            assert closed["content"][0]["transcript"] and item["formatted"]["transcript"] == closed["content"][0]["transcript"]
        finally:
            await client.disconnect()


async def wait_for(events: list[dict[str, Any]], event_type: str, count: int = 1) -> dict[str, Any]:
    """Poll `events` (filled by a client callback) until `count` events of `event_type` arrived."""
    async def poll() -> dict[str, Any]:
        while True:
            matches = [e for e in events if e["type"] == event_type]
            if len(matches) >= count:
                return matches[count - 1]
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(poll(), 10)
