"""MCP servers and "ask before running" in the `ToolRegistry` (no UI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.tools.mcp import DECLINED_OUTPUT, MASK, ApprovalAsk, McpServer
from console.tools.registry import ToolRegistry, ToolSpec, ToolSpecError, demo_specs


def test_an_mcp_server_definition_and_its_masked_view() -> None:
    server = McpServer("demo", "sim://demo", ["add"], "never", {"X-Key": "abc"}, "Bearer xyz")
    assert server.definition() == {"type": "mcp", "server_label": "demo", "server_url": "sim://demo",
                                   "require_approval": "never", "allowed_tools": ["add"],
                                   "headers": {"X-Key": "abc"}, "authorization": "Bearer xyz"}
    masked = server.masked()
    assert masked["authorization"] == MASK and masked["headers"] == {"X-Key": MASK}
    assert "xyz" not in server.summary() and "abc" not in server.summary()


@pytest.mark.parametrize(("entry", "message"), [
    ({"type": "mcp", "server_label": "a b", "server_url": "sim://demo"}, "invalid server label"),
    ({"type": "mcp", "server_label": "demo", "server_url": "nowhere"}, "URL must look like"),
    ({"type": "mcp", "server_label": "demo", "server_url": "sim://demo", "require_approval": "sometimes"},
     "require_approval"),
    ({"type": "mcp", "server_label": "demo", "server_url": "sim://demo", "colour": "red"}, "unknown keys"),
])
def test_bad_mcp_entries_in_a_tools_file_are_one_line_each(tmp_path: Path, entry: dict, message: str) -> None:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps([entry]))
    registry = ToolRegistry()
    with pytest.raises(ToolSpecError, match=message):
        registry.load_file(path)
    assert registry.mcp_servers() == []


def test_a_tools_file_round_trips_servers_and_the_ask_flag(tmp_path: Path) -> None:
    registry = ToolRegistry(demo_specs())
    spec = registry.get("get_weather")
    registry.replace("get_weather", ToolSpec(spec.definition, "demo", {}, ask=True))
    registry.add_mcp(McpServer("demo", "sim://demo", allowed_tools={"tool_names": ["add"]}["tool_names"]))
    path = registry.save_file(tmp_path / "tools.json")
    again = ToolRegistry()
    again.load_file(path)
    assert again.get("get_weather").ask and not again.get("set_memory").ask
    assert again.mcp_servers()[0].allowed_tools == ["add"]
    with pytest.raises(ToolSpecError, match="defined twice"):
        again.load_file(path)


async def test_ask_before_running_declines_or_runs() -> None:
    asked: list[ApprovalAsk] = []
    answer = False

    async def prompt(ask: ApprovalAsk) -> bool:
        asked.append(ask)
        return answer

    registry = ToolRegistry(demo_specs(), approval_prompt=prompt)
    spec = registry.get("get_weather")
    asking = ToolSpec(spec.definition, "demo", {}, ask=True)
    handler = registry.handler_for(asking)
    assert await handler({"location": "Paris"}) == DECLINED_OUTPUT
    assert asked[0].tool == "get_weather" and json.loads(asked[0].arguments) == {"location": "Paris"}
    assert asked[0].server_label is None and asked[0].source == "function tool"
    answer = True
    assert (await handler({"location": "Paris"}))["location"].startswith("Paris")
