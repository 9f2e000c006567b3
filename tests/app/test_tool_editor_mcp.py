"""The tool editor's MCP servers (Pilot, a live GA client on the simulator) and its beta notice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, OptionList, Select, Static

from console.app.screens.tool_editor import ToolEditorScreen
from console.realtime import RealtimeClient
from console.simulator.server import Simulator
from console.tools.mcp import MASK
from console.tools.registry import ToolRegistry, demo_specs
from tests.app.console_harness import wait_for
from tests.app.test_tool_editor import EditorApp, click


async def _client(sim: Simulator, protocol: str) -> RealtimeClient:
    realtime = RealtimeClient(url=sim.url, protocol=protocol)
    await realtime.connect()
    await realtime.wait_for_session_created(timeout=5)
    return realtime


@pytest.fixture
async def ga_client() -> AsyncIterator[RealtimeClient]:
    async with Simulator(fast=True) as sim:
        realtime = await _client(sim, "ga")
        yield realtime
        await realtime.disconnect()


def _mcp_tools(client: RealtimeClient) -> list[dict]:
    return [t for t in (client.session or {}).get("tools", []) if t.get("type") == "mcp"]


async def test_the_editor_saves_an_mcp_server_live_and_to_the_tools_file(ga_client: RealtimeClient,
                                                                         tmp_path: Path) -> None:
    registry = ToolRegistry(demo_specs())
    registry.install(ga_client)
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ToolEditorScreen)
        screen.query_one("#tool-entry", Select).value = "mcp"
        await wait_for(pilot, lambda: screen.entry == "mcp", what="the MCP form")
        assert not screen.query_one("#tool-row-name").display and screen.query_one("#tool-row-mcp-url").display
        screen.query_one("#tool-mcp-label", Input).value = "bad label!"
        await click(pilot, "#tool-save")
        assert "invalid server label" in str(screen.query_one("#tool-mcp-label-error", Static).render())
        assert registry.mcp_servers() == []
        screen.query_one("#tool-mcp-label", Input).value = "demo"
        screen.query_one("#tool-mcp-allowed", Input).value = "add"
        screen.query_one("#tool-mcp-approval", Select).value = "never"
        screen.query_one("#tool-mcp-auth", Input).value = "Bearer s3cret-token"
        await click(pilot, "#tool-save")
        await wait_for(pilot, lambda: bool(registry.mcp_servers()), what="the saved server")
        server = registry.mcp_servers()[0]
        assert (server.label, server.url, server.allowed_tools, server.require_approval) == \
            ("demo", "sim://demo", ["add"], "never")
        assert server.authorization == "Bearer s3cret-token"
        status = str(screen.query_one("#tool-status", Static).render())
        assert "added MCP server demo" in status and "s3cret" not in status
        assert screen.query_one("#tool-mcp-auth", Input).value == ""  # never left on screen
        options = screen.query_one("#tool-list", OptionList)
        assert str(options.get_option_at_index(options.option_count - 1).prompt) == "demo  [mcp]"
        # Live: the server applied it (its echo hides the secret) and listed the allowed tool.
        await wait_for(pilot, lambda: _mcp_tools(ga_client), what="the session's MCP tool")
        assert _mcp_tools(ga_client)[0]["authorization"] != "Bearer s3cret-token"
        listed = lambda: [i for i in ga_client.conversation.get_items() if i["type"] == "mcp_list_tools"]  # noqa: E731
        await wait_for(pilot, lambda: listed() and listed()[-1]["status"] == "completed", what="the listing")
        assert [t["name"] for t in listed()[-1]["formatted"]["mcp"]["tools"]] == ["add"]
        assert "s3cret" not in app.export_screenshot()
        # An edit keeps the authorization when the password box is left empty.
        screen.query_one("#tool-mcp-allowed", Input).value = ""
        await click(pilot, "#tool-save")
        await wait_for(pilot, lambda: registry.mcp_servers()[0].allowed_tools is None, what="the edit")
        assert registry.mcp_servers()[0].authorization == "Bearer s3cret-token"
        assert registry.mcp_servers()[0].masked()["authorization"] == MASK
        # Saved with the tools: a --tools file holds the server too.
        path = registry.save_file(tmp_path / "tools.json")
        again = ToolRegistry()
        again.load_file(path)
        assert [s.definition() for s in again.mcp_servers()] == [s.definition() for s in registry.mcp_servers()]


async def test_ask_before_running_is_saved_with_the_tool(ga_client: RealtimeClient) -> None:
    registry = ToolRegistry(demo_specs())
    registry.install(ga_client)
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        assert screen.editing == "get_weather"
        screen.query_one("#tool-ask", Checkbox).value = True
        assert screen.has_unsaved_changes()
        await click(pilot, "#tool-save")
        await wait_for(pilot, lambda: registry.get("get_weather").ask, what="the saved flag")
        assert registry.get("get_weather").to_json()["handler"]["ask"] is True


async def test_beta_sessions_say_mcp_is_ga_only() -> None:
    async with Simulator(fast=True) as sim:
        beta = await _client(sim, "beta")
        registry = ToolRegistry(demo_specs())
        registry.install(beta)
        app = EditorApp(registry)
        async with app.run_test(size=(120, 50)) as pilot:
            screen = app.screen
            screen.query_one("#tool-entry", Select).value = "mcp"
            await wait_for(pilot, lambda: screen.entry == "mcp", what="the MCP form")
            note = screen.query_one("#tool-mcp-note", Static)
            assert note.display and "GA protocol" in str(note.render())
            screen.query_one("#tool-mcp-label", Input).value = "demo"
            await click(pilot, "#tool-save")
            status = str(screen.query_one("#tool-status", Static).render())
            assert "not saved: MCP servers need the GA protocol: this session is beta" in status
            assert registry.mcp_servers() == []
        await beta.disconnect()
