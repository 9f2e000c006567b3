"""Tool rules: tool-output-missing, tool-output-duplicate, tool-output-unknown-call,
tool-output-not-json, tool-call-loop, tool-output-no-response."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .context import Context, text

#: Client silence after a function output that shows the app is waiting for nothing.
SILENCE_S = 10.0
#: Identical calls that make a loop.
LOOP_COUNT = 3


@dataclass
class _Call:
    call_id: str
    name: str
    arguments: str
    event: int
    response_id: str | None
    outputs: list[int] = field(default_factory=list)


@dataclass
class _Output:
    event: int
    time: float
    call_id: str
    answered: bool = False  # a response.create (or a response) followed
    next_client_time: float | None = None


def _normal_arguments(arguments: str) -> str:
    """Arguments compared by meaning: key order and spacing do not make calls differ."""
    try:
        return json.dumps(json.loads(arguments), sort_keys=True, separators=(",", ":"))
    except (ValueError, RecursionError):
        return arguments.strip()


class ToolCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.calls: dict[str, _Call] = {}
        self.dropped: set[str] = set()  # calls of responses that did not complete
        self.repeats: dict[tuple[str, str], list[_Call]] = {}
        self.outputs: list[_Output] = []
        self.waiting: list[_Output] = []  # outputs not yet followed by a response

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if source == "client":
            for out in self.waiting:
                if out.next_client_time is None and out.event != n:
                    out.next_client_time = t
            if ctype == "conversation.item.create":
                item = ev.get("item")
                if isinstance(item, dict) and item.get("type") == "function_call_output":
                    self.output(n, item, t)
            elif ctype == "response.create":
                self.answer()
            return
        if ctype in ("response.output_item.done", "conversation.item.done", "conversation.item.created"):
            item = ev.get("item")
            if isinstance(item, dict) and item.get("type") == "function_call" and item.get("status") == "completed":
                self.call(n, item, text(ev.get("response_id")))
        elif ctype == "response.created":
            self.answer()  # a response started anyway (server VAD): the output is consumed
        elif ctype == "response.done":
            response = ev.get("response")
            if isinstance(response, dict) and response.get("status") != "completed":
                for item in response.get("output") or []:
                    if isinstance(item, dict) and isinstance(item.get("call_id"), str):
                        self.dropped.add(item["call_id"])

    def call(self, n: int, item: dict[str, Any], response_id: str | None) -> None:
        call_id = text(item.get("call_id"))
        if call_id is None or call_id in self.calls:
            return
        call = _Call(call_id, text(item.get("name")) or "?", text(item.get("arguments")) or "", n, response_id)
        self.calls[call_id] = call
        same = self.repeats.setdefault((call.name, _normal_arguments(call.arguments)), [])
        same.append(call)
        if len(same) == LOOP_COUNT:
            self.ctx.emit("tool-call-loop",
                          f"{call.name}({call.arguments[:80]}) called {LOOP_COUNT} times with the same arguments "
                          f"(events {', '.join(str(c.event) for c in same)})",
                          [c.event for c in same], [c.call_id for c in same])

    def output(self, n: int, item: dict[str, Any], t: float) -> None:
        call_id = text(item.get("call_id")) or ""
        out = _Output(n, t, call_id)
        self.outputs.append(out)
        self.waiting.append(out)
        call = self.calls.get(call_id)
        if call is not None:
            if call.outputs:
                self.ctx.emit("tool-output-duplicate",
                              f"second output for call_id {call_id} ({call.name}) at event {n}; the first was "
                              f"at event {call.outputs[0]}", [n, call.outputs[0], call.event], [call_id])
            call.outputs.append(n)
        elif self.ctx.session_started:
            self.ctx.emit("tool-output-unknown-call",
                          f"function output at event {n} for call_id {call_id or '(none)'}, which no function "
                          "call of this session had", [n], [call_id, text(item.get("id"))])
        output = item.get("output")
        if isinstance(output, str):
            try:
                json.loads(output)
            except (ValueError, RecursionError):
                shown = " ".join(output.split())[:60]
                self.ctx.emit("tool-output-not-json",
                              f"function output at event {n} for {call_id} is not JSON: {shown!r}", [n], [call_id])

    def answer(self) -> None:
        for out in self.waiting:
            out.answered = True
        self.waiting.clear()

    def finish(self) -> None:
        for call in self.calls.values():
            if not call.outputs and call.call_id not in self.dropped:
                self.ctx.emit("tool-output-missing",
                              f"function call {call.name} (call_id {call.call_id}, event {call.event}) never got "
                              "a function_call_output", [call.event], [call.call_id, call.response_id])
        end = self.ctx.last_time
        for out in self.waiting:
            gap = (out.next_client_time if out.next_client_time is not None else end) - out.time
            if out.next_client_time is None or gap >= SILENCE_S:
                after = "the end of the recording" if out.next_client_time is None else f"{gap:.0f} s of silence"
                self.ctx.emit("tool-output-no-response",
                              f"function output at event {out.event} (call_id {out.call_id}) was followed by "
                              f"{after} without response.create", [out.event], [out.call_id])
