"""RealtimeClient flows over real WebSockets on loopback, in both protocols."""

from __future__ import annotations

import asyncio
import io
import wave

import numpy as np
import pytest
from tests.realtime.helpers import Recorder, connected, until
from tests.oracle import validate_client_event
from tests.realtime.responder import TurnResponder
from tests.realtime.scripted_server import ScriptedServer, sid

from console.realtime import NotConnectedError, RealtimeClient

PROTOCOLS = ["ga", "beta"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_text_turn_event_counts_and_item_lifecycle(protocol: str) -> None:
    responder = TurnResponder(protocol, [{"text": "I am fine thanks"}])
    async with ScriptedServer(protocol=protocol, responder=responder, echo_session=False) as server:
        client = RealtimeClient(url=server.url, api_key="sk-test", protocol=protocol)
        rec = Recorder(client, "realtime.event", "conversation.item.appended", "conversation.item.completed", "error")
        await client.connect()
        await client.wait_for_session_created(3)
        assert [(e["source"], e["event"]["type"]) for e in rec["realtime.event"]] == [
            ("client", "session.update"),
            ("server", "session.created"),
        ]
        assert isinstance(rec["realtime.event"][0]["time"], str) and "T" in rec["realtime.event"][0]["time"]
        client.send_user_message_content([{"type": "input_text", "text": "How are you?"}])
        assert len(rec["realtime.event"]) == 4
        states: list[str] = []
        client.on("conversation.item.appended", lambda e: states.append(f'{e["item"]["role"]}:{e["item"]["status"]}'))
        await until(client, lambda: len(rec["conversation.item.completed"]) == 2)
        assert states == ["user:completed", "assistant:in_progress"]
        user, assistant = client.conversation.get_items()
        done = rec["conversation.item.completed"][1]["item"]
        assert done is assistant and done["status"] == "completed"
        assert done["formatted"]["text"].strip() == "I am fine thanks"
        assert [e["item"]["id"] for e in rec["conversation.item.appended"]] == [user["id"], assistant["id"]]
        assert [e["item"]["id"] for e in rec["conversation.item.completed"]] == [user["id"], assistant["id"]]
        await until(client, lambda: client.last_usage is not None)
        assert client.last_usage == {"total_tokens": 30, "input_tokens": 10, "output_tokens": 20}
        assert client.last_response is not None and client.last_response["status"] == "completed"
        assert client.conversation.get_response(client.last_response["id"])["status"] == "completed"
        assert rec["error"] == []
        await client.disconnect()
    for event in server.received:
        validate_client_event(event, protocol)


def _wav_bytes(samples: np.ndarray, rate: int = 24000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_audio_turn_from_wav(protocol: str, tmp_path) -> None:
    t = np.arange(24000) / 24000
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    path = tmp_path / "question.wav"
    path.write_bytes(_wav_bytes(tone))
    with wave.open(str(path), "rb") as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    reply_audio = (np.sin(2 * np.pi * 220 * np.arange(36000) / 24000) * 4000).astype(np.int16)
    async with connected(protocol, [{"audio": reply_audio, "text": "hi there"}]) as (client, server, _):
        for chunk in np.array_split(samples, 10):
            assert client.append_input_audio(chunk)
        assert not client.append_input_audio(np.zeros(0, dtype=np.int16))
        client.create_response()
        await until(client, lambda: client.last_response is not None)
        user, assistant = client.conversation.get_items()
        assert user["role"] == "user" and user["status"] == "completed"
        np.testing.assert_array_equal(user["formatted"]["audio"], samples)
        assert assistant["role"] == "assistant" and assistant["status"] == "completed"
        np.testing.assert_array_equal(assistant["formatted"]["audio"], reply_audio)
        assert assistant["formatted"]["transcript"] == "hi there"
        assert len(client.input_audio_buffer) == 0
        types = server.types()
        assert types.count("input_audio_buffer.append") == 10
        assert types[-2:] == ["input_audio_buffer.commit", "response.create"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_tools_sync_async_raising_none_one_response(protocol: str) -> None:
    calls = [
        {"name": "add", "arguments": '{"a": 2, "b": 3}'},
        {"name": "slow_echo", "arguments": '{"text": "hey"}'},
        {"name": "broken", "arguments": "{}"},
        {"name": "nothing", "arguments": "{}"},
        {"name": "add", "arguments": '{"a": 1, "b": 1}', "status": "incomplete"},
    ]
    async with connected(protocol, [{"calls": calls}, {"text": "done"}]) as (client, server, _):
        seen_args: list[dict] = []

        def add(args: dict) -> dict:
            seen_args.append(args)
            return {"sum": args["a"] + args["b"]}

        async def slow_echo(args: dict) -> str:
            await asyncio.sleep(0.05)
            return args["text"]

        def broken(args: dict) -> None:
            raise RuntimeError("tool exploded")

        client.add_tool({"name": "add", "description": "adds", "parameters": {"type": "object", "properties": {}}}, add)
        client.add_tool({"name": "slow_echo", "parameters": {"type": "object", "properties": {}}}, slow_echo)
        client.add_tool({"name": "broken", "parameters": {"type": "object", "properties": {}}}, broken)
        client.add_tool({"name": "nothing", "parameters": {"type": "object", "properties": {}}}, lambda args: None)
        with pytest.raises(ValueError, match="already added"):
            client.add_tool({"name": "add"}, add)
        with pytest.raises(TypeError):
            client.add_tool({"name": "x"}, "not callable")  # type: ignore[arg-type]
        client.send_user_message_content([{"type": "input_text", "text": "compute"}])
        await server.wait_for(lambda r: [e["type"] for e in r].count("response.create") == 2, timeout=5)
        await asyncio.sleep(0.05)
        outputs = [e["item"] for e in server.received if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output"]
        assert sorted(o["output"] for o in outputs) == sorted(['{"sum": 5}', '"hey"', '{"error": "tool exploded"}', "null"])
        assert seen_args == [{"a": 2, "b": 3}]  # the incomplete call never ran
        types = server.types()
        last_output = max(i for i, e in enumerate(server.received) if e["type"] == "conversation.item.create" and e["item"]["type"] == "function_call_output")
        assert types.count("response.create") == 2 and types.index("response.create", types.index("response.create") + 1) > last_output
        session_updates = [e for e in server.received if e["type"] == "session.update"]
        assert [t["name"] for t in session_updates[-1]["session"]["tools"]] == ["add", "slow_echo", "broken", "nothing"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_interruption_and_truncation(protocol: str) -> None:
    reply_audio = np.full(24000, 1000, dtype=np.int16)
    async with connected(protocol, [{"audio": reply_audio, "text": "long answer"}]) as (client, server, _):
        rec = Recorder(client, "conversation.interrupted", "conversation.updated", "error")
        client.send_user_message_content([{"type": "input_text", "text": "talk"}])
        await until(client, lambda: client.last_response is not None)
        assistant = client.conversation.get_items()[1]
        assert len(assistant["formatted"]["audio"]) == 24000
        waiter = asyncio.create_task(client.wait_for_next("conversation.interrupted", 3))
        await server.send({"type": "input_audio_buffer.speech_started", "event_id": "e1", "audio_start_ms": 100, "item_id": "item_next"})
        assert (await waiter)["event"]["type"] == "input_audio_buffer.speech_started"
        before = len(server.received)
        with pytest.raises(ValueError, match="not an assistant message"):
            client.cancel_response(client.conversation.get_items()[0]["id"], 100)
        with pytest.raises(KeyError):
            client.cancel_response("item_unknown", 100)
        assert len(server.received) == before  # nothing sent before the checks
        truncated = asyncio.create_task(client.realtime.wait_for_next("server.conversation.item.truncated", 3))
        client.cancel_response(assistant["id"], 12000)
        await truncated
        cancel, truncate = server.received[before:before + 2]
        assert cancel["type"] == "response.cancel"
        assert truncate["type"] == "conversation.item.truncate"
        assert (truncate["item_id"], truncate["content_index"], truncate["audio_end_ms"]) == (assistant["id"], 0, 500)
        assert len(assistant["formatted"]["audio"]) == 12000
        assert rec["conversation.updated"][-1]["item"] is assistant
        # Clamped to the audio actually received (now 12000 samples = 500 ms).
        client.cancel_response(assistant["id"], 10**9)
        await server.wait_for(lambda r: len(r) >= before + 4)
        assert server.received[before + 3]["audio_end_ms"] == 500
        client.cancel_response()
        await server.wait_for(lambda r: r[-1]["type"] == "response.cancel")


async def test_server_vad_input_buffer_is_bounded_and_slices_speech() -> None:
    rng = np.random.default_rng(1)
    audio = rng.integers(-3000, 3000, size=24000 * 60, dtype=np.int16)
    async with connected("ga") as (client, server, _):
        client.update_session(turn_detection={"type": "server_vad"})
        assert client.get_turn_detection_type() == "server_vad"
        sent = 0
        peak = 0
        for chunk in np.array_split(audio[: 24000 * 40], 400):
            client.append_input_audio(chunk)
            sent += len(chunk)
            peak = max(peak, len(client.input_audio_buffer))
        assert peak <= 24000 * 20
        assert client.input_audio_offset + len(client.input_audio_buffer) == sent
        # Speech from 38.0 s to 39.5 s of the session, reported by the server.
        await server.send({"type": "input_audio_buffer.speech_started", "event_id": "e1", "audio_start_ms": 38000, "item_id": "item_u1"})
        await server.send({"type": "input_audio_buffer.speech_stopped", "event_id": "e2", "audio_end_ms": 39500, "item_id": "item_u1"})
        await server.send({"type": "input_audio_buffer.committed", "event_id": "e3", "previous_item_id": None, "item_id": "item_u1"})
        await server.send({"type": "conversation.item.added", "event_id": "e4", "item": {"id": "item_u1", "type": "message", "role": "user", "status": "completed", "content": [{"type": "input_audio"}]}})
        item = await client.wait_for_next_item(3)
        np.testing.assert_array_equal(item["formatted"]["audio"], audio[38000 * 24 : 39500 * 24])
        assert client.input_audio_offset >= 39500 * 24 - 24000  # audio before speech end is dropped
        assert not any(e["type"] == "input_audio_buffer.commit" for e in server.received)


async def test_input_audio_formats_float_bytes_and_g711() -> None:
    async with connected("ga", session_config={"input_audio_format": "g711_ulaw", "output_audio_format": "g711_ulaw"}) as (client, server, _):
        content = [{"type": "input_audio", "audio": np.linspace(-1, 1, 800, dtype=np.float32)}]
        client.send_user_message_content(content)
        assert isinstance(content[0]["audio"], np.ndarray)  # caller's content untouched
        client.append_input_audio(np.zeros(160, dtype=np.int16).tobytes())
        await server.wait_for_types("input_audio_buffer.append")
        import base64

        create = next(e for e in server.received if e["type"] == "conversation.item.create")
        assert len(base64.b64decode(create["item"]["content"][0]["audio"])) == 800  # one byte per G.711 sample
        append = next(e for e in server.received if e["type"] == "input_audio_buffer.append")
        assert len(base64.b64decode(append["audio"])) == 160
        session = next(e for e in server.received if e["type"] == "session.update")["session"]
        assert session["audio"]["input"]["format"] == {"type": "audio/pcmu"}


async def test_update_session_fields_tools_and_translation() -> None:
    async with connected("ga") as (client, server, _):
        manual = {"name": "lookup", "description": "d", "parameters": {"type": "object", "properties": {}}}
        client.update_session(tools=[manual], instructions="be brief", voice="marin", temperature=0.6,
                              turn_detection={"type": "none"}, input_audio_transcription={"model": "whisper-1"},
                              max_response_output_tokens="inf")
        client.add_tool({"name": "clock", "parameters": {"type": "object", "properties": {}}}, lambda a: "noon")
        client.update_session(instructions="be briefer")
        with pytest.raises(ValueError, match="both"):
            client.add_tool({"name": "lookup"}, lambda a: None)
        client.remove_tool("clock")
        with pytest.raises(KeyError):
            client.remove_tool("clock")
        await server.wait_for(lambda r: [e["type"] for e in r].count("session.update") == 5)
        updates = [e["session"] for e in server.received if e["type"] == "session.update"]
        first = updates[1]
        assert first["type"] == "realtime" and "temperature" not in first
        assert first["audio"]["input"]["turn_detection"] is None
        assert first["audio"]["input"]["transcription"] == {"model": "whisper-1"}
        assert first["audio"]["output"]["voice"] == "marin" and first["max_output_tokens"] == "inf"
        assert [t["name"] for t in updates[2]["tools"]] == ["lookup", "clock"]
        assert [t["name"] for t in updates[3]["tools"]] == ["lookup", "clock"] and updates[3]["instructions"] == "be briefer"
        assert [t["name"] for t in updates[4]["tools"]] == ["lookup"]
        await until(client, lambda: client.session is not None and client.session["tools"] == updates[4]["tools"])
        assert client.session["instructions"] == "be briefer"


async def test_beta_session_is_flat_with_temperature() -> None:
    async with connected("beta") as (client, server, _):
        client.update_session(turn_detection={"type": "server_vad", "threshold": 0.5})
        await server.wait_for(lambda r: [e["type"] for e in r].count("session.update") == 2)
        session = [e for e in server.received if e["type"] == "session.update"][-1]["session"]
        assert session["temperature"] == 0.8 and session["voice"] == "verse"
        assert session["turn_detection"]["type"] == "server_vad"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_bad_server_input_gives_errors_and_loses_nothing(protocol: str) -> None:
    async with connected(protocol, [{"text": "still here"}]) as (client, server, _):
        rec = Recorder(client, "error", "realtime.event")
        delta = "response.audio.delta" if protocol == "beta" else "response.output_audio.delta"
        bad = [
            {"type": delta, "event_id": "b1", "response_id": "r", "item_id": "item_nope", "output_index": 0, "content_index": 0, "delta": "AAAA"},
            {"type": "conversation.item.truncated", "event_id": "b2", "item_id": "item_nope", "content_index": 0, "audio_end_ms": 5},
            {"type": "conversation.item.deleted", "event_id": "b3"},
            {"type": "response.created", "event_id": "b4"},
            {"type": "brand.new.event", "event_id": "b5", "stuff": [1, 2]},
        ]
        await server.send(*bad, "{{{", '{"no": "type"}')
        client.send_user_message_content([{"type": "input_text", "text": "are you ok?"}])
        await until(client, lambda: client.last_response is not None)
        final = client.conversation.get_items()[-1]
        assert final["formatted"]["text"].strip() == "still here"
        server_events = [e["event"] for e in rec["realtime.event"] if e["source"] == "server"]
        assert server_events[:5] == bad  # every event reached realtime.event, unchanged
        codes = [e["error"]["code"] for e in rec["error"]]
        assert codes == ["client_conversation_error"] * 4 + ["invalid_json", "invalid_event"]
        assert rec["error"][0]["event"] == bad[0] and "item_nope" in rec["error"][0]["error"]["message"]
        assert "missing" in rec["error"][2]["error"]["message"]
        assert client.is_connected()


async def test_server_error_event_reaches_error_and_closed_socket() -> None:
    async with connected("ga") as (client, server, _):
        rec = Recorder(client, "error", "close")
        client.cancel_response()
        await client.wait_for_next("error", 3)
        assert rec["error"][0]["error"]["code"] == "response_cancel_not_active"
        await server.close_clients(1011, "server went away")
        await client.wait_for_next("close", 3) if not rec["close"] else None
        assert rec["close"] == [{"error": True, "code": 1011, "reason": "server went away", "expired": False}]
        assert not client.is_connected()
        with pytest.raises(NotConnectedError):
            client.send_user_message_content([{"type": "input_text", "text": "hello?"}])
        with pytest.raises(NotConnectedError):
            await client.wait_for_session_created(0.1)
        assert client.update_session(instructions="offline edit")  # stored, not sent
        assert client.session_config["instructions"] == "offline edit"


async def test_handler_failures_do_not_break_the_client() -> None:
    async with connected("ga", [{"text": "ok"}]) as (client, server, _):
        errors: list[dict] = []
        client.on("error", errors.append)
        client.on("realtime.event", lambda e: 1 / 0)

        async def bad_async(event: dict) -> None:
            raise RuntimeError("async handler broke")

        client.on("conversation.updated", bad_async)
        client.send_user_message_content([{"type": "input_text", "text": "hi"}])
        await until(client, lambda: client.last_response is not None)
        item = client.conversation.get_items()[-1]
        assert item["formatted"]["text"].strip() == "ok"
        await client.drain_tasks()
        assert any("ZeroDivisionError" in e["error"]["message"] for e in errors)
        assert any("async handler broke" in e["error"]["message"] for e in errors)


async def test_reconnect_resets_input_audio_and_reset_restores_config() -> None:
    async with connected("ga", session_config={"instructions": "start"}) as (client, server, _):
        client.update_session(turn_detection={"type": "server_vad"})
        client.append_input_audio(np.ones(4800, dtype=np.int16))
        await client.disconnect()
        await client.connect()
        assert len(client.input_audio_buffer) == 0 and client.input_audio_offset == 0
        assert client.get_turn_detection_type() == "server_vad"
        seen: list[dict] = []
        client.on("realtime.event", seen.append)
        task = client.reset()
        assert task is not None
        await task
        assert client.session_config["instructions"] == "start" and client.get_turn_detection_type() is None
        assert not client.is_connected() and client.tools == {}
        await client.connect()
        assert await client.wait_for_session_created(3) is not None
        assert seen == []  # handlers were dropped by reset


async def test_not_connected_errors() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime")
    with pytest.raises(NotConnectedError):
        client.create_response()
    with pytest.raises(NotConnectedError):
        await client.wait_for_session_created()
    assert await client.wait_for_next_item(0.01) is None
    assert await client.wait_for_next_completed_item(0.01) is None
    with pytest.raises(Exception, match="could not connect"):
        await client.connect()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_logged_events_never_change_after_the_fact(protocol: str) -> None:
    import copy

    async with connected(protocol, [{"text": "one two three"}]) as (client, server, _):
        logged: list[tuple[dict, dict]] = []
        client.on("realtime.event", lambda e: logged.append((e["event"], copy.deepcopy(e["event"]))))
        client.send_user_message_content([{"type": "input_text", "text": "count"}])
        await until(client, lambda: client.last_response is not None)
        assert any(e["type"] == "response.content_part.added" for e, _ in logged)
        for event, snapshot in logged:
            assert event == snapshot, event["type"]


async def test_flat_noise_reduction_and_speed_reach_their_ga_places() -> None:
    async with connected("ga") as (client, server, _):
        client.update_session(input_audio_noise_reduction={"type": "near_field"}, speed=1.2)
        await server.wait_for(lambda r: [e["type"] for e in r].count("session.update") == 2)
        session = [e for e in server.received if e["type"] == "session.update"][-1]["session"]
        assert session["audio"]["input"]["noise_reduction"] == {"type": "near_field"}
        assert session["audio"]["output"]["speed"] == 1.2


async def test_views_unknown_session_keys_and_double_connect() -> None:
    import base64

    from console.realtime import RealtimeError

    async with connected("ga") as (client, server, _):
        big = np.arange(1000, dtype=np.int16)
        client.append_input_audio(big[100:200])  # a view: only its own samples are sent
        client.update_session(tracing="auto")  # not a flat field: passed through, not dropped
        await server.wait_for_types("input_audio_buffer.append")
        await server.wait_for(lambda r: [e["type"] for e in r].count("session.update") == 2)
        append = next(e for e in server.received if e["type"] == "input_audio_buffer.append")
        np.testing.assert_array_equal(np.frombuffer(base64.b64decode(append["audio"]), "<i2"), big[100:200])
        assert [e for e in server.received if e["type"] == "session.update"][-1]["session"]["tracing"] == "auto"
        with pytest.raises(RealtimeError, match="already connected"):
            await client.connect()


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_chained_waits_see_items_of_one_burst_and_can_interrupt(protocol: str) -> None:
    """The server writes the user's item and the start of the answer in one socket write
    (as upstream does); waiting for the user's item, then the assistant's, then the
    completed user item must see all three, and the interruption flow must run."""
    turn = TurnResponder(protocol)
    reply = {"audio": np.full(9600, 500, dtype=np.int16), "text": "hello"}

    async def burst(event: dict, server: ScriptedServer) -> None:
        if event["type"] != "conversation.item.create":
            return
        user = {**event["item"], "id": sid("item"), "object": "realtime.item", "status": "completed"}
        started = []
        for answer in turn.response_events(reply):
            if answer["type"].endswith("audio.done"):
                break  # the answer is still streaming
            started.append(answer)
        await server.send_burst(*turn.item_events(user), *started)

    async with ScriptedServer(protocol=protocol, responder=burst) as server:
        client = RealtimeClient(url=server.url, api_key="sk-test", protocol=protocol)
        await client.connect()
        assert await client.wait_for_session_created(3) is not None
        client.send_user_message_content([{"type": "input_text", "text": "Hi"}])
        user = await client.wait_for_next_item(timeout=3)
        assert user is not None and user["role"] == "user"
        assistant = await client.wait_for_next_item(timeout=3)
        assert assistant is not None and assistant["role"] == "assistant"
        completed = await client.wait_for_next_completed_item(timeout=3)
        assert completed is user
        assert len(assistant["formatted"]["audio"]) == 9600
        client.cancel_response(assistant["id"], 2400)
        await server.wait_for_types("response.cancel", "conversation.item.truncate")
        truncate = server.received[-1]
        assert (truncate["item_id"], truncate["audio_end_ms"]) == (assistant["id"], 100)
        await client.disconnect()
    for event in server.received:
        validate_client_event(event, protocol)


async def test_speech_started_with_unusable_milliseconds_still_interrupts() -> None:
    """`audio_start_ms: 1e999` (inf) is reported, the user's speech still interrupts, and a
    session whose `audio.input` / `audio.output` are not objects breaks nothing."""
    async with connected("ga") as (client, server, _):
        rec = Recorder(client, "conversation.interrupted", "error", "realtime.event")
        await server.send('{"type": "input_audio_buffer.speech_started", "event_id": "e1", "item_id": "i", "audio_start_ms": 1e999}')
        await server.send({"type": "session.updated", "event_id": "e2", "session": {"type": "realtime", "audio": {"input": 5, "output": 7}}})
        await server.send({"type": "test.marker", "event_id": "e3"})
        await until(client, lambda: any(e["event"]["type"] == "test.marker" for e in rec["realtime.event"]))
        assert [e["error"]["code"] for e in rec["error"]] == ["client_conversation_error"]
        assert "audio_start_ms" in rec["error"][0]["error"]["message"]
        assert [e["event"]["event_id"] for e in rec["conversation.interrupted"]] == ["e1"]
