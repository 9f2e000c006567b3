"""MCP tools (GA) end to end: `RealtimeClient` against the simulator's demo MCP server.

Real WebSockets on loopback: the simulator lists the demo server's tools, calls them,
asks for approval when configured and fails where the URL injects a failure; the
client's conversation must show each step, and every event either side sends must
match the official `openai` models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.recording.linting import lint_path
from console.realtime import RealtimeClient
from console.recording import SessionRecorder
from console.simulator import Simulator
from tests.oracle import validate_client_event, validate_server_event
from tests.realtime.helpers import until


def _server(url: str = "sim://demo", **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "demo", "server_url": url, **extra}


class _Session:
    """A GA client on a fast simulator, with every event of both sides kept."""

    def __init__(self, client: RealtimeClient) -> None:
        self.client = client
        self.sent: list[dict[str, Any]] = []
        self.received: list[dict[str, Any]] = []
        self.completed: list[dict[str, Any]] = []
        client.realtime.on("client.*", self.sent.append)
        client.realtime.on("server.*", self.received.append)
        client.on("conversation.item.completed", lambda payload: self.completed.append(payload["item"]))

    def items(self, kind: str) -> list[dict[str, Any]]:
        return [i for i in self.client.conversation.get_items() if i["type"] == kind]

    def responses_done(self) -> int:
        return sum(e["type"] == "response.done" for e in self.received)

    async def say(self, text: str, responses: int) -> None:
        self.client.send_user_message_content([{"type": "input_text", "text": text}])
        await until(self.client, lambda: self.responses_done() >= responses, timeout=10)

    def check_conformance(self) -> None:
        for event in self.sent:
            validate_client_event(event, "ga")
        for event in self.received:
            validate_server_event(event, "ga")
        errors = [e for e in self.received if e["type"] == "error"]
        assert errors == []


async def _connect(sim: Simulator, recorder: SessionRecorder | None = None, **server: Any) -> _Session:
    client = RealtimeClient(url=sim.url, protocol="ga")
    session = _Session(client)
    if recorder is not None:
        client.on("realtime.event", recorder.on_realtime_event)
    await client.connect()
    await client.wait_for_session_created(5)
    client.update_session(modalities=["text"], tools=[_server(**server)])
    await until(client, lambda: bool(session.items("mcp_list_tools"))
                and session.items("mcp_list_tools")[0]["status"] == "completed", timeout=10)
    return session


async def test_tools_are_listed_and_called_without_approval() -> None:
    async with Simulator(fast=True) as sim:
        s = await _connect(sim, require_approval="never")
        listing = s.items("mcp_list_tools")[0]
        assert listing["formatted"]["mcp"]["state"] == "listed"
        assert [t["name"] for t in listing["formatted"]["mcp"]["tools"]] == ["add", "forecast"]
        assert listing in s.completed
        await s.say("Please add 2 and 3", responses=1)
        call = s.items("mcp_call")[0]
        mcp = call["formatted"]["mcp"]
        assert (mcp["server_label"], mcp["name"], mcp["state"]) == ("demo", "add", "completed")
        assert json.loads(mcp["arguments"]) == {"a": 2, "b": 3}
        assert json.loads(mcp["output"]) == {"sum": 5}
        assert call["status"] == "completed" and call in s.completed
        # The arguments streamed in deltas, and the assistant said what came back.
        assert sum(e["type"] == "response.mcp_call_arguments.delta" for e in s.received) > 1
        assert '"sum": 5' in s.client.conversation.get_items()[-1]["formatted"]["text"]
        # No response.create after the call: the server goes on by itself.
        assert sum(e["type"] == "response.create" for e in s.sent) == 1
        await s.client.disconnect()
        s.check_conformance()


async def test_allowed_tools_limit_the_listing() -> None:
    async with Simulator(fast=True) as sim:
        s = await _connect(sim, allowed_tools=["forecast"])
        assert [t["name"] for t in s.items("mcp_list_tools")[0]["formatted"]["mcp"]["tools"]] == ["forecast"]
        await s.client.disconnect()
        s.check_conformance()


@pytest.mark.parametrize("approve", [True, False])
async def test_approval_request_answered(approve: bool, tmp_path: Path) -> None:
    path = tmp_path / "approval.jsonl"
    async with Simulator(fast=True) as sim:
        recorder = SessionRecorder(path, endpoint=sim.url, protocol="ga", model="gpt-realtime")
        s = await _connect(sim, recorder, require_approval="always")
        await s.say("What is the forecast for Tokyo?", responses=1)
        request = s.items("mcp_approval_request")[0]
        assert request["formatted"]["mcp"]["state"] == "awaiting" and request in s.completed
        assert json.loads(request["arguments"])["city"] == "Tokyo"
        assert s.items("mcp_call") == []
        answer_id = s.client.approve_mcp(request["id"], approve, reason="test")
        await until(s.client, lambda: s.responses_done() >= 2, timeout=10)
        answer = s.client.conversation.get_item(answer_id)
        assert answer is not None and answer["formatted"]["mcp"]["state"] == ("approved" if approve else "declined")
        assert request["formatted"]["mcp"]["state"] == ("approved" if approve else "declined")
        last_text = s.client.conversation.get_items()[-1]["formatted"]["text"]
        if approve:
            call = s.items("mcp_call")[0]
            assert call["approval_request_id"] == request["id"]
            assert json.loads(call["formatted"]["mcp"]["output"])["city"] == "Tokyo"
        else:
            assert s.items("mcp_call") == [] and "declined" in last_text
        await s.client.disconnect()
        recorder.close()
        s.check_conformance()
    assert lint_path(path).findings == []


async def test_injected_call_failure_and_listing_failure(tmp_path: Path) -> None:
    path = tmp_path / "failures.jsonl"
    async with Simulator(fast=True) as sim:
        recorder = SessionRecorder(path, endpoint=sim.url, protocol="ga", model="gpt-realtime")
        s = await _connect(sim, recorder, url="sim://demo?fail=add", require_approval="never")
        await s.say("add 1 and 1", responses=1)
        call = s.items("mcp_call")[0]
        assert call["formatted"]["mcp"]["state"] == "failed"
        assert call["formatted"]["mcp"]["error"]["type"] == "tool_execution_error"
        assert any(e["type"] == "response.mcp_call.failed" for e in s.received)
        s.client.update_session(tools=[_server("https://example.com/mcp", server_label="remote")])
        await until(s.client, lambda: len(s.items("mcp_list_tools")) == 2
                    and s.items("mcp_list_tools")[1]["status"] == "completed", timeout=10)
        failed = s.items("mcp_list_tools")[1]["formatted"]["mcp"]
        assert (failed["server_label"], failed["state"], failed["tools"]) == ("remote", "failed", [])
        await s.client.disconnect()
        recorder.close()
        s.check_conformance()
    # Failed calls and listings are the server's news, not protocol mistakes: the session lints clean.
    assert "response.mcp_call.failed" in path.read_text()
    assert lint_path(path).findings == []


async def test_beta_sessions_refuse_mcp() -> None:
    async with Simulator(fast=True) as sim:
        client = RealtimeClient(url=sim.url, protocol="beta")
        await client.connect()
        await client.wait_for_session_created(5)
        with pytest.raises(ValueError, match="GA"):
            client.approve_mcp("mcpr_x", True)
        errors: list[dict[str, Any]] = []
        client.on("error", errors.append)
        client.update_session(tools=[_server()])
        await until(client, lambda: bool(errors), timeout=10)
        assert errors[0]["error"]["param"] == "session.tools[0].type"
        await client.disconnect()


async def test_set_mcp_tools_sends_credentials_on_the_wire_only() -> None:
    async with Simulator(fast=True) as sim:
        client = RealtimeClient(url=sim.url, protocol="ga")
        s = _Session(client)
        logged: list[dict[str, Any]] = []
        client.on("realtime.event", lambda payload: logged.append(payload["event"]))
        await client.connect()
        await client.wait_for_session_created(5)
        client.update_session(modalities=["text"], tools=[])
        client.set_mcp_tools([_server(require_approval="never", authorization="Bearer wire-only-token",
                                      headers={"X-Key": "wire-only-header"})])
        await until(client, lambda: bool(s.items("mcp_list_tools"))
                    and s.items("mcp_list_tools")[0]["status"] == "completed", timeout=10)
        wire = json.dumps(s.sent)
        assert "wire-only-token" in wire and "wire-only-header" in wire
        shown = json.dumps(logged) + json.dumps(client.session_payload()) + json.dumps(client.session_config)
        assert "wire-only" not in shown and "<redacted>" in json.dumps(logged)
        # Later updates keep the servers (they are not session_config fields).
        client.update_session(instructions="Be brief.")
        await until(client, lambda: sum(e["type"] == "session.updated" for e in s.received) >= 4, timeout=10)
        assert [t["type"] for t in s.sent[-1]["session"]["tools"]] == ["mcp"]
        await s.say("add 4 and 5", responses=1)
        assert json.loads(s.items("mcp_call")[0]["formatted"]["mcp"]["output"]) == {"sum": 9}
        await client.disconnect()
        s.check_conformance()
