"""ToolRunner on its own: what it sends for sync, async, failing and unknown tools.

(The client tests run the same paths over a real WebSocket; these pin the runner's
contract with its host: outputs, one respond per response, failures reported.)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from console.realtime.api import NotConnectedError
from console.realtime.tool_runner import ToolRunner


class Host:
    """Records what the runner sends, reports and asks for."""

    def __init__(self, tools: dict[str, Any], connected: bool = True) -> None:
        self.tools = {name: {"definition": {"name": name}, "handler": fn} for name, fn in tools.items()}
        self.connected = connected
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[dict[str, Any]] = []
        self.responses = 0
        self.tasks: set[asyncio.Future[Any]] = set()
        self.runner = ToolRunner(lambda: self.tools, self.send, self.errors.append, self.respond, self.tasks.add)

    def send(self, event_type: str, data: dict[str, Any]) -> None:
        if not self.connected:
            raise NotConnectedError("not connected")
        self.sent.append((event_type, data))

    def respond(self) -> None:
        self.responses += 1

    def outputs(self) -> dict[str, Any]:
        return {d["item"]["call_id"]: json.loads(d["item"]["output"]) for _, d in self.sent}


def call(call_id: str, name: str, arguments: str = "{}") -> dict[str, Any]:
    return {"id": f"item_{call_id}", "formatted": {"tool": {"name": name, "call_id": call_id, "arguments": arguments}}}


async def settle(host: Host) -> None:
    while not all(t.done() for t in host.tasks):
        await asyncio.sleep(0)


async def test_outputs_of_all_calls_then_one_response() -> None:
    async def slow(args: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(0.01)
        return {"sum": args["a"] + args["b"]}

    def broken(_args: dict[str, Any]) -> None:
        raise RuntimeError("no weather today")

    host = Host({"add": slow, "nothing": lambda _a: None, "weather": broken})
    event = {"response_id": "resp_1"}
    host.runner.call_completed(event, call("c1", "add", '{"a": 2, "b": 3}'))
    host.runner.call_completed(event, call("c2", "nothing"))
    host.runner.call_completed(event, call("c3", "weather"))
    host.runner.call_completed(event, call("c1", "add", '{"a": 2, "b": 3}'))  # the same call again: runs once
    host.runner.call_completed(event, call("c4", "unknown"))  # no handler: left to the application
    host.runner.response_done("resp_1")
    await settle(host)
    await settle(host)
    assert host.outputs() == {"c1": {"sum": 5}, "c2": None, "c3": {"error": "no weather today"}}
    assert [t for t, _ in host.sent] == ["conversation.item.create"] * 3
    assert host.responses == 1


async def test_disconnected_output_is_reported_and_no_response_follows() -> None:
    host = Host({"add": lambda a: 1}, connected=False)
    host.runner.call_completed({"response_id": "resp_1"}, call("c1", "add", "not json"))
    host.runner.response_done("resp_1")
    await settle(host)
    await settle(host)
    assert host.sent == [] and host.responses == 0
    assert host.errors[0]["error"]["type"] == "client_error" and "not sent" in host.errors[0]["error"]["message"]


async def test_cancel_stops_running_tools_before_their_output() -> None:
    gate = asyncio.Event()

    async def waits(_args: dict[str, Any]) -> str:
        await gate.wait()
        return "late"

    host = Host({"wait": waits})
    host.runner.call_completed({"response_id": "resp_1"}, call("c1", "wait"))
    await asyncio.sleep(0)
    host.runner.reset()
    gate.set()
    await settle(host)
    host.runner.response_done("resp_1")  # its tasks were dropped: nothing to answer
    await settle(host)
    assert host.sent == [] and host.responses == 0
    host.runner.call_completed({"response_id": "resp_2"}, call("c1", "wait"))  # reset forgot c1: runs again
    await settle(host)
    assert host.outputs() == {"c1": "late"}
