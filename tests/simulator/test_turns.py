"""Conversation turns against the simulator over real loopback WebSockets, both protocols."""

from __future__ import annotations

import json

import numpy as np
import pytest
from tests.simulator.sim_helpers import SimClient, silence

from console.realtime.audio import DeltaDecoder, decode, base64_to_bytes
from console.simulator import Simulator, synthesise, transcribe

WEATHER_TOOL = {
    "type": "function", "name": "get_weather", "description": "Weather for a place",
    "parameters": {"type": "object", "properties": {
        "location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["location"]},
}


@pytest.fixture
async def sim():
    async with Simulator(fast=True) as simulator:
        yield simulator


def text_of(protocol: str) -> str:
    return "response.output_text.delta" if protocol == "ga" else "response.text.delta"


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_text_turn(sim: Simulator, protocol: str) -> None:
    async with await SimClient.open(sim, protocol) as client:
        created = await client.recv()
        assert created["type"] == "session.created"
        await client.text_session()
        await client.say_text("please count to 4")
        await client.send("response.create")
        done = await client.until("response.done")
        deltas = "".join(e["delta"] for e in client.events if e["type"] == text_of(protocol))
        assert deltas == "1, 2, 3, 4."
        response = done["response"]
        assert response["status"] == "completed"
        assert response["output"][0]["content"][0]["text"] == "1, 2, 3, 4."
        assert response["usage"]["output_tokens"] > 0 and "cached_tokens" in response["usage"]["input_token_details"]
        await client.until("rate_limits.updated")
        if protocol == "ga":
            assert all("obfuscation" in e for e in client.events if e["type"].endswith(".delta"))
            assert "conversation.item.done" in client.types()
        else:
            assert "conversation.item.created" in client.types()


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_audio_turn_speaks_its_transcript(sim: Simulator, protocol: str) -> None:
    async with await SimClient.open(sim, protocol) as client:
        await client.recv()
        await client.say_text("hello simulator")
        await client.send("response.create")
        await client.until("response.done")
        audio_type = "response.output_audio.delta" if protocol == "ga" else "response.audio.delta"
        transcript_type = "response.output_audio_transcript.delta" if protocol == "ga" else "response.audio_transcript.delta"
        decoder = DeltaDecoder("pcm16")
        audio = np.concatenate([decoder.feed(e["delta"]) for e in client.events if e["type"] == audio_type])
        transcript = "".join(e["delta"] for e in client.events if e["type"] == transcript_type)
        assert transcript.startswith("Hello! This is the realtime-console simulator.")
        assert transcribe(audio, 24000) == transcript  # the audio really says the transcript
        types = client.types()
        # GA ordering from protocol.md: part added, interleaved deltas, .done events, item done, response done.
        assert types.index("response.content_part.added") < types.index(audio_type)
        assert types.index(transcript_type) < types.index(audio_type)
        assert types.index("response.output_item.done") < types.index("response.done")


async def test_tool_call_round_trip(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"],
                                                      "tools": [WEATHER_TOOL]})
        await client.until("session.updated")
        await client.say_text("What is the weather in Paris?")
        await client.send("response.create")
        done = await client.until("response.done")
        call = done["response"]["output"][0]
        assert call["type"] == "function_call" and call["name"] == "get_weather"
        arguments = json.loads(call["arguments"])
        assert arguments == {"location": "Paris", "unit": "celsius"}
        streamed = "".join(e["delta"] for e in client.events if e["type"] == "response.function_call_arguments.delta")
        assert streamed == call["arguments"]
        args_done = next(e for e in client.events if e["type"] == "response.function_call_arguments.done")
        assert args_done["name"] == "get_weather" and args_done["call_id"] == call["call_id"]
        await client.send("conversation.item.create", item={
            "type": "function_call_output", "call_id": call["call_id"], "output": json.dumps({"temperature_c": 21})})
        await client.send("response.create")
        done = await client.until("response.done")
        answer = done["response"]["output"][0]["content"][0]["text"]
        assert answer.startswith("(simulator) called get_weather(") and "temperature_c 21" in answer


async def test_rules_file_maps_phrases(tmp_path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([
        {"phrase": "umbrella", "tool": "get_weather", "arguments": {"location": "London"}},
        {"phrase": "ping", "reply": "pong"},
    ]))
    async with Simulator(fast=True, rules_file=rules) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"],
                                                      "tools": [WEATHER_TOOL]})
        await client.say_text("Do I need an umbrella?")
        await client.send("response.create")
        done = await client.until("response.done")
        assert json.loads(done["response"]["output"][0]["arguments"]) == {"location": "London"}
        await client.until("rate_limits.updated")
        await client.say_text("ping")
        await client.send("response.create")
        done = await client.until("response.done")
        assert done["response"]["output"][0]["content"][0]["text"] == "pong"


@pytest.mark.parametrize("codec, chunk_ms", [("pcm16", 20), ("pcm16", 100), ("g711_ulaw", 40), ("g711_alaw", 60)])
async def test_vad_turn_from_synthesised_audio(sim: Simulator, codec: str, chunk_ms: int) -> None:
    rate = 24000 if codec == "pcm16" else 8000
    async with await SimClient.open(sim) as client:
        await client.recv()
        fmt = {"type": "audio/pcm", "rate": 24000} if codec == "pcm16" else {
            "type": "audio/pcmu" if codec == "g711_ulaw" else "audio/pcma"}
        await client.send("session.update", session={"type": "realtime", "audio": {
            "input": {"format": fmt, "transcription": {"model": "whisper-1"}}, "output": {"format": fmt}}})
        await client.until("session.updated")
        speech = synthesise("what is the weather in Paris", rate)
        lead, tail = 1000, 800
        await client.append_audio(np.concatenate([silence(lead, rate), speech, silence(tail, rate)]),
                                  codec, chunk_ms, rate)
        started = await client.until("input_audio_buffer.speech_started")
        stopped = await client.until("input_audio_buffer.speech_stopped")
        committed = await client.until("input_audio_buffer.committed")
        speech_ms = len(speech) * 1000 // rate
        # audio_start_ms counts from the session's first input sample and includes the 300 ms prefix padding.
        assert lead - 300 - 10 <= started["audio_start_ms"] <= lead - 300 + 10
        # audio_end_ms: the end of speech plus the 500 ms silence duration.
        assert lead + speech_ms + 500 - 10 <= stopped["audio_end_ms"] <= lead + speech_ms + 500 + 20
        assert started["item_id"] == stopped["item_id"] == committed["item_id"]
        transcription = await client.until("conversation.item.input_audio_transcription.completed")
        assert transcription["transcript"] == "what is the weather in Paris"
        done = await client.until("response.done")  # create_response is on by default
        assert done["response"]["status"] == "completed"
        await client.until("rate_limits.updated")
        audio_type = "response.output_audio.delta"
        audio = np.concatenate([decode(base64_to_bytes(e["delta"]), codec) for e in client.events if e["type"] == audio_type])
        assert transcribe(audio, rate) == "You said: what is the weather in Paris"
        types = client.types()
        order = ["input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
                 "input_audio_buffer.committed", "conversation.item.added", "conversation.item.done",
                 "response.created", "response.output_item.added", "response.content_part.added",
                 "response.output_audio.done", "response.output_item.done", "response.done", "rate_limits.updated"]
        positions = [types.index(t) for t in order]
        assert positions == sorted(positions)


async def test_second_vad_turn_counts_from_first_sample(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        first = synthesise("hi", 24000)
        await client.append_audio(np.concatenate([silence(500), first, silence(700)]))
        await client.until("response.done")
        second_at = 500 + len(first) // 24 + 700 + 400
        await client.append_audio(np.concatenate([silence(400), synthesise("count to 2"), silence(700)]))
        started = await client.until("input_audio_buffer.speech_started")
        assert second_at - 300 - 10 <= started["audio_start_ms"] <= second_at - 300 + 10


async def test_manual_commit_turn(sim: Simulator) -> None:
    async with await SimClient.open(sim, "beta") as client:
        await client.recv()
        await client.send("session.update", session={"turn_detection": None, "modalities": ["text"]})
        await client.until("session.updated")
        await client.append_audio(synthesise("tell me about Rome"))
        await client.send("input_audio_buffer.commit")
        committed = await client.until("input_audio_buffer.committed")
        created = await client.until("conversation.item.created")
        assert created["item"]["id"] == committed["item_id"] and created["item"]["content"][0]["type"] == "input_audio"
        await client.send("response.create")
        done = await client.until("response.done")
        assert done["response"]["output"][0]["content"][0]["text"] == "You said: tell me about Rome"
        assert "input_audio_buffer.speech_started" not in client.types()


async def test_unreadable_audio_is_labelled_honestly(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "output_modalities": ["text"], "audio": {
            "input": {"turn_detection": None, "transcription": {"model": "whisper-1"}}}})
        noise = (np.random.default_rng(1).normal(0, 3000, 33600)).astype(np.int16)  # 1.4 s
        await client.append_audio(noise)
        await client.send("input_audio_buffer.commit")
        transcription = await client.until("conversation.item.input_audio_transcription.completed")
        assert transcription["transcript"] == "[1.4 s of audio]"
        await client.send("response.create")
        done = await client.until("response.done")
        assert "[1.4 s of audio]" in done["response"]["output"][0]["content"][0]["text"]


async def test_interruption_cancel_then_truncate() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim) as client:  # real-time pacing
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "audio": {"input": {"turn_detection": None}}})
        await client.say_text("tell me a long story")
        await client.send("response.create")
        first = await client.until("response.output_audio.delta")
        for _ in range(3):
            await client.until("response.output_audio.delta")
        await client.send("response.cancel")
        done = await client.until("response.done")
        assert done["response"]["status"] == "cancelled"
        assert done["response"]["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
        item = done["response"]["output"][0]
        assert item["status"] == "incomplete"
        deltas = [e for e in client.events if e["type"] == "response.output_audio.delta"]
        sent_ms = sum(len(base64_to_bytes(e["delta"])) // 2 for e in deltas) * 1000 // 24000
        assert 400 <= sent_ms < 3000  # stopped mid-stream: the story is ~40 s long
        await client.send("conversation.item.truncate", item_id=first["item_id"], content_index=0, audio_end_ms=250)
        truncated = await client.until("conversation.item.truncated")
        assert truncated["audio_end_ms"] == 250
        await client.send("conversation.item.retrieve", item_id=first["item_id"])
        retrieved = await client.until("conversation.item.retrieved")
        part = retrieved["item"]["content"][0]
        assert len(base64_to_bytes(part["audio"])) == 250 * 24 * 2 and part["transcript"] == ""
        bad = await client.send("conversation.item.truncate", item_id=first["item_id"], content_index=0, audio_end_ms=5000)
        error = await client.error()
        assert error["code"] == "invalid_value" and error["param"] == "audio_end_ms" and error["event_id"] == bad


async def test_barge_in_cancels_with_turn_detected() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        await client.until("response.output_audio.delta")
        await client.append_audio(synthesise("stop"), chunk_ms=100)
        await client.until("input_audio_buffer.speech_started")
        done = await client.until("response.done")
        assert done["response"]["status_details"]["reason"] == "turn_detected"


async def test_items_create_after_previous_delete_retrieve(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        for item_id in ("item_a", "item_c"):
            await client.send("conversation.item.create", item={
                "id": item_id, "type": "message", "role": "user", "content": [{"type": "input_text", "text": item_id}]})
            await client.until("conversation.item.done")
        await client.send("conversation.item.create", previous_item_id="item_a", item={
            "id": "item_b", "type": "message", "role": "system", "content": [{"type": "input_text", "text": "b"}]})
        added = await client.until("conversation.item.added")
        assert added["previous_item_id"] == "item_a"
        await client.send("conversation.item.create", previous_item_id="root", item={
            "id": "item_0", "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "0"}]})
        assert (await client.until("conversation.item.added"))["previous_item_id"] is None
        await client.send("conversation.item.delete", item_id="item_c")
        assert (await client.until("conversation.item.deleted"))["item_id"] == "item_c"
        await client.send("conversation.item.retrieve", item_id="item_b")
        retrieved = await client.until("conversation.item.retrieved")
        assert retrieved["item"]["content"] == [{"type": "input_text", "text": "b"}]
        conn = sim.connections[0]
        assert [i.id for i in conn.conversation.items()] == ["item_0", "item_a", "item_b"]


async def test_out_of_band_response_with_overrides(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("hello")
        await client.send("response.create", response={
            "conversation": "none", "output_modalities": ["text"], "metadata": {"purpose": "title"},
            "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "count to 2"}]}]})
        done = await client.until("response.done")
        assert done["response"]["conversation_id"] is None and done["response"]["metadata"] == {"purpose": "title"}
        assert done["response"]["output"][0]["content"][0]["text"] == "1, 2."
        assert client.types().count("conversation.item.added") == 1  # only the user's item
        assert len(sim.connections[0].conversation) == 1


async def test_max_output_tokens_makes_response_incomplete(sim: Simulator) -> None:
    async with await SimClient.open(sim) as client:
        await client.recv()
        await client.text_session()
        await client.say_text("tell me a long story")
        await client.send("response.create", response={"max_output_tokens": 5})
        done = await client.until("response.done")
        assert done["response"]["status"] == "incomplete"
        assert done["response"]["status_details"]["reason"] == "max_output_tokens"


async def test_output_audio_buffer_clear_stops_audio() -> None:
    async with Simulator(fast=False) as sim, await SimClient.open(sim) as client:
        await client.recv()
        await client.say_text("tell me a long story")
        await client.send("response.create")
        created = await client.until("response.created")
        await client.until("response.output_audio.delta")
        await client.send("output_audio_buffer.clear")
        done = await client.until("response.done")
        assert done["response"]["status"] == "cancelled"
        cleared = await client.until("output_audio_buffer.cleared")
        assert cleared["response_id"] == created["response"]["id"]


async def test_beta_g711_turn_and_format_switch_keeps_the_vad_clock(sim: Simulator) -> None:
    async with await SimClient.open(sim, "beta") as client:
        await client.recv()
        await client.append_audio(silence(1000))  # 1 s at 24 kHz before switching to 8 kHz G.711
        await client.send("session.update", session={"input_audio_format": "g711_alaw",
                                                     "output_audio_format": "g711_ulaw", "modalities": ["text", "audio"]})
        await client.until("session.updated")
        speech = np.concatenate([silence(500, 8000), synthesise("count to 2", 8000), silence(700, 8000)])
        await client.append_audio(speech, "g711_alaw", 50, 8000)
        started = await client.until("input_audio_buffer.speech_started")
        assert 1000 + 500 - 300 - 10 <= started["audio_start_ms"] <= 1000 + 500 - 300 + 10
        done = await client.until("response.done")
        audio = np.concatenate([decode(base64_to_bytes(e["delta"]), "g711_ulaw")
                                for e in client.events if e["type"] == "response.audio.delta"])
        assert transcribe(audio, 8000) == "1, 2."
        assert done["response"]["output_audio_format"] == "g711_ulaw"


async def test_real_time_input_transcription_arrives_after_the_response_starts() -> None:
    async with Simulator() as sim, await SimClient.open(sim) as client:  # real-time mode
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "audio": {
            "input": {"transcription": {"model": "whisper-1"}}}})
        await client.append_audio(np.concatenate([silence(300), synthesise("hi"), silence(600)]), chunk_ms=100)
        transcription = await client.until("conversation.item.input_audio_transcription.completed")
        assert transcription["transcript"] == "hi"
        types = client.types()
        assert types.index("response.created") < types.index("conversation.item.input_audio_transcription.completed")


async def test_created_assistant_audio_uses_the_output_codec_for_truncation(sim: Simulator) -> None:
    from console.realtime.audio import encode_base64

    async with await SimClient.open(sim) as client:
        await client.recv()
        await client.send("session.update", session={"type": "realtime", "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000}}, "output": {"format": {"type": "audio/pcmu"}}}})
        speech = synthesise("ok then", 8000)
        await client.send("conversation.item.create", item={"id": "item_said", "type": "message", "role": "assistant",
                                                            "content": [{"type": "output_audio",
                                                                         "audio": encode_base64(speech, "g711_ulaw")}]})
        await client.until("conversation.item.done")
        length_ms = len(speech) // 8
        await client.send("conversation.item.truncate", item_id="item_said", content_index=0, audio_end_ms=length_ms + 1)
        assert (await client.error())["param"] == "audio_end_ms"
        await client.send("conversation.item.truncate", item_id="item_said", content_index=0, audio_end_ms=50)
        await client.until("conversation.item.truncated")
        await client.send("conversation.item.retrieve", item_id="item_said")
        retrieved = await client.until("conversation.item.retrieved")
        assert len(base64_to_bytes(retrieved["item"]["content"][0]["audio"])) == 400  # 8 bytes per ms of G.711
