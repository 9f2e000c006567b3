"""A scripted Realtime peer for client tests: plays upstream's event order for each turn.

`TurnResponder(protocol)` is a `ScriptedServer` responder: it answers
`conversation.item.create`, `input_audio_buffer.commit`, `response.create`,
`response.cancel`, `conversation.item.truncate` and `conversation.item.delete` the way
upstream orders its events, with the protocol's event
names. `reply` picks what the next responses contain: text, audio, or function calls.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from tests.realtime.scripted_server import ScriptedServer, sid


def pcm16_b64(samples: np.ndarray) -> str:
    return base64.b64encode(np.asarray(samples, dtype="<i2").tobytes()).decode()


class TurnResponder:
    """Answers client events in order; `replies` is consumed one per `response.create`."""

    def __init__(self, protocol: str = "ga", replies: list[dict[str, Any]] | None = None) -> None:
        self.protocol = protocol
        self.replies = list(replies or [])
        self.last_item_id: str | None = None
        self.active_response: str | None = None
        self.audio_items: dict[str, int] = {}

    def _name(self, beta: str, ga: str) -> str:
        return ga if self.protocol == "ga" else beta

    def item_events(self, item: dict[str, Any]) -> list[dict[str, Any]]:
        """`conversation.item.created` (beta) or `.added` + `.done` (GA) for an item."""
        first = {"type": self._name("conversation.item.created", "conversation.item.added"), "event_id": sid(),
                 "previous_item_id": self.last_item_id, "item": item}
        self.last_item_id = item["id"]
        if self.protocol == "beta":
            return [first]
        return [first, {"type": "conversation.item.done", "event_id": sid(), "previous_item_id": first["previous_item_id"], "item": item}]

    async def __call__(self, event: dict[str, Any], server: ScriptedServer) -> None:
        kind = event["type"]
        if kind == "conversation.item.create":
            item = dict(event["item"])
            item.setdefault("id", sid("item"))
            item.setdefault("object", "realtime.item")
            if item.get("type") == "message":
                item["status"] = "completed"
            await server.send(*self.item_events(item))
        elif kind == "input_audio_buffer.commit":
            item_id = sid("item")
            await server.send({"type": "input_audio_buffer.committed", "event_id": sid(), "previous_item_id": self.last_item_id, "item_id": item_id})
            await server.send(*self.item_events({"id": item_id, "object": "realtime.item", "type": "message", "role": "user", "status": "completed",
                                                  "content": [{"type": "input_audio", "transcript": None}]}))
        elif kind == "response.create":
            reply = self.replies.pop(0) if self.replies else {"text": "Hello!"}
            await server.send(*self.response_events(reply))
        elif kind == "response.cancel":
            await server.send({"type": "error", "event_id": sid(), "error": {"type": "invalid_request_error", "code": "response_cancel_not_active",
                                                                           "message": "no active response", "param": None, "event_id": event["event_id"]}})
        elif kind == "conversation.item.truncate":
            await server.send({"type": "conversation.item.truncated", "event_id": sid(), "item_id": event["item_id"],
                               "content_index": event["content_index"], "audio_end_ms": event["audio_end_ms"]})
        elif kind == "conversation.item.delete":
            await server.send({"type": "conversation.item.deleted", "event_id": sid(), "item_id": event["item_id"]})

    def response_events(self, reply: dict[str, Any]) -> list[dict[str, Any]]:
        """The full event sequence of one response (text, audio, or function calls)."""
        rid = sid("resp")
        response = {"id": rid, "object": "realtime.response", "status": "in_progress", "output": []}
        events: list[dict[str, Any]] = [{"type": "response.created", "event_id": sid(), "response": response}]
        outputs = []
        for index, call in enumerate(reply.get("calls", [])):
            outputs.append(self._function_call(events, rid, index, call))
        if "text" in reply or "audio" in reply:
            outputs.append(self._message(events, rid, len(outputs), reply))
        done = {"id": rid, "object": "realtime.response", "status": reply.get("status", "completed"), "output": outputs,
                "usage": {"total_tokens": 30, "input_tokens": 10, "output_tokens": 20}}
        events.append({"type": "response.done", "event_id": sid(), "response": done})
        return events

    def _message(self, events: list[dict[str, Any]], rid: str, index: int, reply: dict[str, Any]) -> dict[str, Any]:
        item_id = sid("item")
        audio = reply.get("audio")
        text = reply.get("text", "")
        shell = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
        events.append({"type": "response.output_item.added", "event_id": sid(), "response_id": rid, "output_index": index, "item": shell})
        events.extend(self.item_events(shell)[:1])
        part_type = "audio" if audio is not None else "text"
        part = {"type": part_type, "transcript": ""} if audio is not None else {"type": "text", "text": ""}
        base = {"response_id": rid, "item_id": item_id, "output_index": index, "content_index": 0}
        events.append({"type": "response.content_part.added", "event_id": sid(), **base, "part": part})
        if audio is not None:
            chunks = np.array_split(np.asarray(audio, dtype=np.int16), max(1, len(audio) // 2400))
            for i, chunk in enumerate(chunks):
                if i < len(text):
                    events.append({"type": self._name("response.audio_transcript.delta", "response.output_audio_transcript.delta"), "event_id": sid(), **base, "delta": text[i]})
                events.append({"type": self._name("response.audio.delta", "response.output_audio.delta"), "event_id": sid(), **base, "delta": pcm16_b64(chunk)})
            events.append({"type": self._name("response.audio.done", "response.output_audio.done"), "event_id": sid(), **base})
            events.append({"type": self._name("response.audio_transcript.done", "response.output_audio_transcript.done"), "event_id": sid(), **base, "transcript": text})
            final_part = {"type": "audio", "transcript": text}
            content = [{"type": self._name("audio", "output_audio"), "transcript": text}]
            self.audio_items[item_id] = len(audio)
        else:
            for word in text.split(" "):
                events.append({"type": self._name("response.text.delta", "response.output_text.delta"), "event_id": sid(), **base, "delta": word + " "})
            events.append({"type": self._name("response.text.done", "response.output_text.done"), "event_id": sid(), **base, "text": text})
            final_part = {"type": "text", "text": text}
            content = [{"type": self._name("text", "output_text"), "text": text}]
        events.append({"type": "response.content_part.done", "event_id": sid(), **base, "part": final_part})
        final = {**shell, "status": reply.get("status", "completed"), "content": content}
        if self.protocol == "ga":
            events.append({"type": "conversation.item.done", "event_id": sid(), "previous_item_id": None, "item": final})
        events.append({"type": "response.output_item.done", "event_id": sid(), "response_id": rid, "output_index": index, "item": final})
        return final

    def _function_call(self, events: list[dict[str, Any]], rid: str, index: int, call: dict[str, Any]) -> dict[str, Any]:
        item_id = sid("item")
        call_id = sid("call")
        shell = {"id": item_id, "object": "realtime.item", "type": "function_call", "status": "in_progress",
                 "name": call["name"], "call_id": call_id, "arguments": ""}
        events.append({"type": "response.output_item.added", "event_id": sid(), "response_id": rid, "output_index": index, "item": shell})
        events.extend(self.item_events(shell)[:1])
        arguments = call.get("arguments", "{}")
        base = {"response_id": rid, "item_id": item_id, "output_index": index, "call_id": call_id}
        for i in range(0, len(arguments), 4):
            events.append({"type": "response.function_call_arguments.delta", "event_id": sid(), **base, "delta": arguments[i:i + 4]})
        events.append({"type": "response.function_call_arguments.done", "event_id": sid(), **base, "arguments": arguments, "name": call["name"]})
        final = {**shell, "status": call.get("status", "completed"), "arguments": arguments}
        if self.protocol == "ga":
            events.append({"type": "conversation.item.done", "event_id": sid(), "previous_item_id": None, "item": final})
        events.append({"type": "response.output_item.done", "event_id": sid(), "response_id": rid, "output_index": index, "item": final})
        return final
