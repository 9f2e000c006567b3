"""A tool call end to end for every handler kind: simulator -> client -> registry handler -> output.

The simulator calls a tool when the user's text names it (or a rule maps a phrase to it);
the real RealtimeClient runs the handler the ToolRegistry installed and sends the output;
the simulator then answers with that output. Manual tools are answered through the modal,
set_memory shows up in the memory pane.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from console.realtime import RealtimeClient
from console.app.screens.manual_tool_output import DECLINED, ManualToolOutputScreen, make_manual_prompt
from console.simulator.server import Simulator
from console.tools.registry import ToolRegistry, ToolSpec, demo_specs, get_weather
from widgets.memory_pane import MemoryPane

HERE = Path(__file__).parent
EMPTY = {"type": "object", "properties": {}}


class ToolsApp(App[None]):
    """A minimal host: a memory pane, and the manual-tool modal when a manual tool runs."""

    def __init__(self, registry: ToolRegistry) -> None:
        super().__init__()
        self.registry = registry
        registry.manual_prompt = make_manual_prompt(self)

    def compose(self) -> ComposeResult:
        yield MemoryPane(self.registry.memory, id="memory")


def make_registry() -> ToolRegistry:
    registry = ToolRegistry(demo_specs())
    registry.add(ToolSpec({"name": "shipping_quote", "parameters": EMPTY}, "fixed",
                          {"reply": {"price": 12.5, "currency": "EUR"}}))
    registry.add(ToolSpec({"name": "add_numbers", "parameters": {
        "type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}},
        "python", {"target": "tests.tools.sample_tool_module:add_numbers"}))
    registry.add(ToolSpec({"name": "ask_human", "description": "Ask the human operator",
                           "parameters": {"type": "object", "properties": {"question": {"type": "string"}}}},
                          "manual"))
    return registry


@pytest.fixture
async def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RealtimeClient]:
    monkeypatch.syspath_prepend(str(HERE))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"phrase": "my name is ada", "tool": "set_memory",
                                  "arguments": {"key": "name", "value": "Ada"}}]))
    async with Simulator(fast=True, rules_file=rules) as sim:
        realtime = RealtimeClient(url=sim.url, api_key="sk-test", protocol="ga")
        realtime.update_session(modalities=["text"])
        await realtime.connect()
        await realtime.wait_for_session_created(timeout=5)
        yield realtime
        await realtime.disconnect()


async def wait_until(pilot: Pilot[Any], condition: Callable[[], Any], timeout: float = 8.0) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := condition()):
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)
    return result


def outputs(client: RealtimeClient) -> list[dict[str, Any]]:
    return [i for i in client.conversation.get_items() if i.get("type") == "function_call_output"]


def calls(client: RealtimeClient) -> list[dict[str, Any]]:
    return [i for i in client.conversation.get_items() if i.get("type") == "function_call"]


def last_assistant_text(client: RealtimeClient) -> str:
    items = [i for i in client.conversation.get_items() if i.get("role") == "assistant"]
    return items[-1]["formatted"]["text"] if items else ""


async def say(pilot: Pilot[Any], client: RealtimeClient, text: str) -> dict[str, Any]:
    """Send a user message and wait for the tool's output and the model's answer to it."""
    before = len(outputs(client))
    client.send_user_message_content([{"type": "input_text", "text": text}])
    await wait_until(pilot, lambda: len(outputs(client)) > before)
    output = outputs(client)[-1]
    await wait_until(pilot, lambda: "returned" in last_assistant_text(client))
    return output


async def test_every_handler_kind_end_to_end(client: RealtimeClient) -> None:
    registry = make_registry()
    registry.install(client)
    app = ToolsApp(registry)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = app.query_one("#memory", MemoryPane)
        assert "empty" in str(pane.render())

        out = await say(pilot, client, "What is the weather in Tokyo?")
        assert calls(client)[-1]["name"] == "get_weather"
        assert json.loads(out["output"]) == get_weather({"location": "Tokyo"})
        assert "clear" in last_assistant_text(client)

        out = await say(pilot, client, "Hi, my name is Ada")
        assert json.loads(out["output"]) == {"ok": True}
        assert registry.memory.snapshot() == {"name": "Ada"}
        assert "name" in str(pane.render()) and "Ada" in str(pane.render())

        out = await say(pilot, client, "I need a shipping quote")
        assert json.loads(out["output"]) == {"price": 12.5, "currency": "EUR"}

        out = await say(pilot, client, "please add numbers 4 and 4")
        assert json.loads(out["output"]) == {"sum": 8.0}

        client.send_user_message_content([{"type": "input_text", "text": "ask human what to do"}])
        modal = await wait_until(pilot, lambda: isinstance(app.screen, ManualToolOutputScreen) and app.screen)
        assert modal.tool_name == "ask_human" and "question" in modal.arguments
        area = modal.query_one("#manual-output", TextArea)
        area.text = "{not json"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "invalid JSON" in str(modal.query_one("#manual-error", Static).render())
        assert isinstance(app.screen, ManualToolOutputScreen)  # still asking
        area.text = '{"answer": "ship it"}'
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: json.loads(outputs(client)[-1]["output"]) == {"answer": "ship it"})
        await wait_until(pilot, lambda: "ship it" in last_assistant_text(client))
        assert not isinstance(app.screen, ManualToolOutputScreen)

        client.send_user_message_content([{"type": "input_text", "text": "ask human again"}])
        await wait_until(pilot, lambda: isinstance(app.screen, ManualToolOutputScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: json.loads(outputs(client)[-1]["output"]) == DECLINED)


async def test_failing_python_handler_reaches_the_model_as_an_error(client: RealtimeClient) -> None:
    registry = ToolRegistry([ToolSpec({"name": "open_warehouse", "parameters": EMPTY}, "python",
                                      {"target": "tests.tools.sample_tool_module:failing"})])
    registry.install(client)
    app = ToolsApp(registry)
    async with app.run_test(size=(100, 30)) as pilot:
        out = await say(pilot, client, "open warehouse now")
        assert json.loads(out["output"]) == {"error": "the warehouse is closed"}
