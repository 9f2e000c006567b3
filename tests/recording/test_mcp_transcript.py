"""MCP items in `inspect` and `export --transcript`: a real GA session against the
simulator's demo MCP server (listing, a call that needs approval, a failing call) is
recorded, and both show each step compactly, like function calls, never "(no text)"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from console.realtime import RealtimeClient
from console.recording import SessionRecorder
from console.simulator import Simulator
from tests.realtime.helpers import until


def _server(url: str, **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "demo", "server_url": url, **extra}


async def _record(path: Path) -> None:
    async with Simulator(fast=True) as sim:
        client = RealtimeClient(url=sim.url, protocol="ga")
        recorder = SessionRecorder(path, endpoint=sim.url, protocol="ga", model="gpt-realtime")
        client.on("realtime.event", recorder.on_realtime_event)
        received: list[dict[str, Any]] = []
        client.realtime.on("server.*", received.append)

        def done() -> int:
            return sum(e["type"] == "response.done" for e in received)

        def items(kind: str) -> list[dict[str, Any]]:
            return [i for i in client.conversation.get_items() if i["type"] == kind]

        await client.connect()
        await client.wait_for_session_created(5)
        client.update_session(modalities=["text"], tools=[_server(
            "sim://demo?fail=add", require_approval={"always": {"tool_names": ["forecast"]}})])
        await until(client, lambda: bool(items("mcp_list_tools")) and items("mcp_list_tools")[0]["status"] == "completed",
                    timeout=10)
        client.send_user_message_content([{"type": "input_text", "text": "What is the forecast for Paris?"}])
        await until(client, lambda: done() >= 1, timeout=10)
        client.approve_mcp(items("mcp_approval_request")[0]["id"], True, reason="looks safe")
        await until(client, lambda: done() >= 2, timeout=10)
        client.send_user_message_content([{"type": "input_text", "text": "add 1 and 2"}])
        await until(client, lambda: done() >= 3, timeout=10)
        await client.disconnect()
        recorder.close()


async def test_inspect_and_transcript_show_mcp_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mcp.jsonl"
    await _record(path)
    capsys.readouterr()
    assert main(["inspect", str(path)]) == 0
    text = capsys.readouterr().out
    turns = text.split("Turns (", 1)[1].split("Latency (ms)", 1)[0]
    assert "mcp tools: demo: add, forecast" in turns
    assert 'mcp approval asked: demo.forecast({"city": "Paris"' in turns
    assert "mcp approval: approved mcpr_" in turns and "(looks safe)" in turns
    assert 'mcp call: demo.forecast({"city": "Paris"' in turns and "→ " in turns and "sunny" in turns
    assert 'mcp call: demo.add({"a": 1, "b": 2}) failed: tool_execution_error' in turns
    assert "(no text)" not in turns and "user: (mcp_approval_response)" not in turns

    out = tmp_path / "t.md"
    assert main(["export", str(path), "--transcript", str(out)]) == 0
    md = out.read_text()
    assert "**MCP tools**: demo: add, forecast" in md
    assert "**MCP approval asked** `demo.forecast`" in md
    assert "**MCP approval**: approved mcpr_" in md
    assert "**MCP call** `demo.forecast`" in md and "Output:" in md and "sunny" in md
    assert "**MCP call** `demo.add`" in md and "*Failed: tool_execution_error: " in md
    assert "(no text)" not in md
    # Each step sits in the turn it happened in: the approval answer opens the turn of the call.
    turn2 = md.split("## Turn 2", 1)[1].split("## Turn 3", 1)[0]
    assert "**MCP approval**: approved" in turn2 and "**MCP call** `demo.forecast`" in turn2
