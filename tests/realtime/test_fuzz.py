"""Fuzzing with a fixed seed: mutated server events against the conversation and the client.

Valid events (one example of every server event type, built from the official models, plus
a realistic turn sequence whose ids the conversation knows) are mutated: fields given wrong
types, removed, set to huge or non-finite numbers, deeply nested, or to lone surrogates.
`RealtimeConversation.process_event` may only raise `ConversationError`, and then its whole
state (internal tables included) must be as before. Through a connected client on loopback
the receive loop must survive every frame, report problems as `error` events (never as a
failing handler), and still handle a valid event afterwards.
"""

from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

import numpy as np
import pytest
from tests.realtime.conversation_helpers import tone
from tests.realtime.examples import examples
from tests.realtime.helpers import Recorder, until
from tests.realtime.responder import TurnResponder
from tests.realtime.scripted_server import ScriptedServer

from console.realtime import RealtimeClient
from console.realtime.audio import DeltaDecoder, Int16Buffer
from console.realtime.conversation import ConversationError, RealtimeConversation

SEED = 20251202
CASES = 3000
CLIENT_FRAMES = 600


def deep(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


#: Replacement values: wrong types, huge and non-finite numbers, nesting, lone surrogates.
BAD_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 10**30, -(10**30), 1e300, math.inf, -math.inf, math.nan,
    "", "x", "\ud83d", "a\udc00b", [], {}, [None], [1, "a"], {"a": None}, {"type": ["audio"]},
    [{"type": ["text"], "text": 5}], {"id": ["x"]}, deep(40), deep(400), deep(900),
)


def realistic_stream(protocol: str) -> list[dict[str, Any]]:
    """A session's server events: text turn, VAD audio turn with transcription, audio and
    text and function-call responses, truncation, deletion."""
    turn = TurnResponder(protocol)
    events: list[dict[str, Any]] = []
    events += turn.item_events({"id": "item_text", "object": "realtime.item", "type": "message", "role": "user",
                                "status": "completed", "content": [{"type": "input_text", "text": "hi"}]})
    events += turn.response_events({"audio": tone(7200), "text": "hello there"})
    events.append({"type": "input_audio_buffer.speech_started", "event_id": "s1", "item_id": "item_voice", "audio_start_ms": 100})
    events.append({"type": "input_audio_buffer.speech_stopped", "event_id": "s2", "item_id": "item_voice", "audio_end_ms": 900})
    events.append({"type": "input_audio_buffer.committed", "event_id": "s3", "item_id": "item_voice", "previous_item_id": None})
    events += turn.item_events({"id": "item_voice", "object": "realtime.item", "type": "message", "role": "user",
                                "status": "completed", "content": [{"type": "input_audio", "transcript": None}]})
    events.append({"type": "conversation.item.input_audio_transcription.delta", "event_id": "s4", "item_id": "item_voice",
                   "content_index": 0, "delta": "what"})
    events.append({"type": "conversation.item.input_audio_transcription.completed", "event_id": "s5",
                   "item_id": "item_voice", "content_index": 0, "transcript": "what time"})
    events += turn.response_events({"text": "it is noon"})
    events += turn.response_events({"calls": [{"name": "get_time", "arguments": '{"tz": "UTC"}'}]})
    audio_item = next(e["item"]["id"] for e in events if e["type"].endswith("output_item.added"))
    events.append({"type": "conversation.item.truncated", "event_id": "s6", "item_id": audio_item,
                   "content_index": 0, "audio_end_ms": 150})
    events.append({"type": "conversation.item.deleted", "event_id": "s7", "item_id": "item_text"})
    return events


def known_ids(stream: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    items = sorted({e["item"]["id"] for e in stream if isinstance(e.get("item"), dict)} | {"item_voice"})
    responses = sorted({e["response"]["id"] for e in stream if isinstance(e.get("response"), dict)})
    return items, responses


def retarget(event: dict[str, Any], rng: random.Random, items: list[str], responses: list[str]) -> dict[str, Any]:
    """An example event pointed at ids the conversation knows (most of the time)."""
    event = copy.deepcopy(event)
    if "item_id" in event and rng.random() < 0.8:
        event["item_id"] = rng.choice(items)
    if "response_id" in event and rng.random() < 0.8:
        event["response_id"] = rng.choice(responses)
    if isinstance(event.get("item"), dict) and rng.random() < 0.6:
        event["item"]["id"] = rng.choice(items)
    if isinstance(event.get("response"), dict) and rng.random() < 0.6:
        event["response"]["id"] = rng.choice(responses)
    return event


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key/index path inside `value` (not descending into very deep values)."""
    out: list[tuple[Any, ...]] = []
    if len(prefix) > 6:
        return out
    if isinstance(value, dict):
        for key, child in value.items():
            out.append(prefix + (key,))
            out += paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value[:4]):
            out.append(prefix + (index,))
            out += paths(child, prefix + (index,))
    return out


def mutate(event: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One to three random mutations of a deep copy of `event`."""
    event = copy.deepcopy(event)
    for _ in range(rng.randint(1, 3)):
        candidates = paths(event)
        if not candidates:
            break
        path = rng.choice(candidates)
        if path == ("type",) and rng.random() < 0.9:
            continue  # mostly keep the type, so the event reaches its processor
        parent: Any = event
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        roll = rng.random()
        if roll < 0.2 and isinstance(parent, dict):
            del parent[key]
        elif roll < 0.3:
            parent[key] = [parent[key]] if rng.random() < 0.5 else {"v": parent[key]}
        else:
            parent[key] = json.loads(json.dumps(rng.choice(BAD_VALUES)))  # fresh (deepcopy recurses too deep)
    return event


def canonical(value: Any) -> Any:
    """A comparable copy of any state: arrays as bytes, floats by repr (nan == nan)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype), value.tobytes())
    if isinstance(value, Int16Buffer):
        return ("Int16Buffer", value.view().tobytes())
    if isinstance(value, float):
        return ("float", repr(value))
    if isinstance(value, dict):
        return {repr(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(v) for v in value)
    if isinstance(value, DeltaDecoder):
        return ("DeltaDecoder", [canonical(getattr(value, s, None)) for s in DeltaDecoder.__slots__])
    if hasattr(value, "__dict__") and not callable(value):
        return (type(value).__name__, canonical(vars(value)))
    return value


def state(conv: RealtimeConversation) -> Any:
    return canonical({k: v for k, v in vars(conv).items()})


def mutants(protocol: str, count: int, seed: int) -> list[tuple[int, dict[str, Any]]]:
    """`(prefix length, mutated event)` pairs: the event is applied after that many
    events of the realistic stream."""
    rng = random.Random(seed)
    stream = realistic_stream(protocol)
    items, responses = known_ids(stream)
    samples = list(examples("server", protocol).values())
    out = []
    for _ in range(count):
        prefix = rng.randrange(len(stream) + 1)
        if rng.random() < 0.5 and prefix < len(stream):
            source = stream[prefix]
        else:
            source = retarget(rng.choice(samples), rng, items, responses)
        out.append((prefix, mutate(source, rng)))
    return out


@pytest.mark.parametrize("protocol", ["ga", "beta"])
def test_mutated_events_raise_only_conversation_error_and_leave_state_unchanged(protocol: str) -> None:
    stream = realistic_stream(protocol)
    checkpoints = {0: RealtimeConversation()}
    conv = RealtimeConversation()
    for n, event in enumerate(stream, start=1):
        conv.process_event(event, tone(48_000))
        checkpoints[n] = conv.copy()
    failures: list[str] = []
    applied = rejected = 0
    by_prefix: dict[int, list[dict[str, Any]]] = {}
    for prefix, event in mutants(protocol, CASES // 2, SEED):
        by_prefix.setdefault(prefix, []).append(event)
    for prefix, events in sorted(by_prefix.items()):
        conv = checkpoints[prefix].copy()
        before = state(conv)
        for event in events:
            try:
                conv.process_event(event, tone(48_000), 0)
            except ConversationError:
                rejected += 1
                if state(conv) != before:
                    failures.append(f"state changed by rejected {str(event)[:300]}")
                    conv = checkpoints[prefix].copy()
                    before = state(conv)
                continue
            except Exception as exc:  # noqa: BLE001 - collecting every escape is the point
                failures.append(f"{type(exc).__name__}: {exc} from {str(event)[:300]}")
            else:
                applied += 1
            conv = checkpoints[prefix].copy()  # applied (or broken): start again from the checkpoint
            before = state(conv)
    assert failures == [], f"{len(failures)} failures, first: " + "\n".join(failures[:5])
    assert applied > 50 and rejected > 50  # both paths were exercised


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_mutated_frames_through_a_connected_client_keep_the_session_going(protocol: str) -> None:
    rng = random.Random(SEED + 1)
    frames: list[str] = []
    for _, event in mutants(protocol, CLIENT_FRAMES, SEED + 2):
        frames.append(json.dumps(event))
    garbage = ['{"type": ', "[" * 3000 + "]" * 3000, '{"type": "x", "v": ' + "[" * 900 + "]" * 900 + "}",
               '"\\ud83d"', '{"type": "\\ud83d"}', "null", '{"type": ["a"]}']
    for text in garbage:
        frames.insert(rng.randrange(len(frames)), text)
    async with ScriptedServer(protocol=protocol) as server:
        client = RealtimeClient(url=server.url, api_key="sk-test", protocol=protocol)
        rec = Recorder(client, "error", "close", "conversation.item.appended")
        await client.connect()
        assert await client.wait_for_session_created(3) is not None
        for start in range(0, len(frames), 50):
            await server.send_burst(*frames[start:start + 50])
        final = {"id": "item_after_fuzz", "object": "realtime.item", "type": "message", "role": "user",
                 "status": "completed", "content": [{"type": "input_text", "text": "still here"}]}
        await server.send(*TurnResponder(protocol).item_events(final))
        await until(client, lambda: client.conversation.get_item("item_after_fuzz") is not None, timeout=10)
        assert rec["close"] == [] and client.is_connected()
        assert rec["conversation.item.appended"][-1]["item"]["id"] == "item_after_fuzz"
        codes = {e["error"]["code"] for e in rec["error"] if isinstance(e.get("error"), dict) and e["error"].get("type") == "client_error"}
        assert codes and codes <= {"client_conversation_error", "invalid_json", "invalid_event"}, codes
        await client.disconnect()
    assert len(rec["close"]) == 1
