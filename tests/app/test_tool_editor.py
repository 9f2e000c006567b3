"""The tool editor driven by Pilot: add, edit, remove with validation, mirrored on a live client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static, TextArea

from console.realtime import RealtimeClient
from console.app.screens.tool_editor import ToolEditorScreen
from console.app.screens.unsaved_changes import UnsavedChangesScreen
from console.simulator.server import Simulator
from console.tools.registry import ToolRegistry, demo_specs
from tests.app.console_harness import palette_lists, wait_for
from tests.app.screen_helpers import screen_lines

HERE = Path(__file__).parent


class EditorApp(App[None]):
    def __init__(self, registry: ToolRegistry) -> None:
        super().__init__()
        self.registry = registry
        self.changes: list[list[str]] = []

    def on_mount(self) -> None:
        self.push_screen(ToolEditorScreen(self.registry))

    def on_tool_editor_screen_tools_changed(self, message: ToolEditorScreen.ToolsChanged) -> None:
        self.changes.append(message.names)


async def click(pilot: Pilot[Any], selector: str) -> None:
    """Click a button once it can be pressed again: Textual ignores clicks during the
    0.2 s press animation (`-active`), which a loaded machine can stretch."""
    button = pilot.app.screen.query_one(selector)
    await wait_for(pilot, lambda: not button.has_class("-active"), what=f"{selector} pressable")
    await pilot.click(selector)


@pytest.fixture
async def client(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RealtimeClient]:
    monkeypatch.syspath_prepend(str(HERE))
    async with Simulator(fast=True) as sim:
        realtime = RealtimeClient(url=sim.url, api_key="sk-test", protocol="ga")
        await realtime.connect()
        await realtime.wait_for_session_created(timeout=5)
        yield realtime
        await realtime.disconnect()


def error_text(screen: ToolEditorScreen, field: str) -> str:
    widget = screen.query_one(f"#tool-{field}-error", Static)
    return str(widget.render()) if widget.display else ""


async def server_tool_names(client: RealtimeClient, pilot: Any, expected: list[str]) -> list[str]:
    """The tool names of the session the server last applied, once they match `expected`."""
    def names() -> list[str]:
        return [t["name"] for t in (client.session or {}).get("tools", [])]

    try:
        await wait_for(pilot, lambda: names() == expected, what=f"the server's tools to be {expected}")
    except AssertionError:
        pass  # the caller's assertion shows what the server has instead
    return names()


async def test_add_edit_remove_with_validation(client: RealtimeClient) -> None:
    registry = ToolRegistry(demo_specs())
    registry.install(client)
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ToolEditorScreen)
        assert screen.editing == "get_weather"
        assert screen.query_one("#tool-list", OptionList).option_count == 2

        await pilot.press("ctrl+n")
        name = screen.query_one("#tool-name", Input)
        params = screen.query_one("#tool-parameters", TextArea)
        await pilot.press(*"bad name!")
        params.text = '{"type": "object", "properties": {'
        screen.query_one("#tool-kind", Select).value = "python"
        await pilot.pause()
        screen.query_one("#tool-target", Input).value = "tests.tools.sample_tool_module:NOT_CALLABLE"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "invalid tool name" in error_text(screen, "name")
        assert "invalid JSON at line 1" in error_text(screen, "parameters")
        assert "is not callable" in error_text(screen, "target")
        assert registry.names() == ["get_weather", "set_memory"]  # nothing changed

        name.value = "get_weather"  # taken
        params.text = json.dumps({"type": "object"})
        screen.query_one("#tool-target", Input).value = "tests.tools.sample_tool_module:lookup_order"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert '"properties"' in error_text(screen, "parameters")
        assert error_text(screen, "target") == ""

        params.text = json.dumps({"type": "object", "properties": {"order_id": {"type": "string"}}})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already exists" in error_text(screen, "name")

        name.value = "lookup_order"
        await click(pilot, "#tool-save")
        await pilot.pause()
        assert registry.names() == ["get_weather", "set_memory", "lookup_order"]
        assert registry.get("lookup_order").kind == "python"  # type: ignore[union-attr]
        assert "lookup_order" in client.tools
        assert await server_tool_names(client, pilot, registry.names()) == registry.names()

        # Edit: rename and switch to a fixed reply; a bad reply is refused first.
        name.value = "order_status"
        screen.query_one("#tool-kind", Select).value = "fixed"
        await pilot.pause()
        screen.query_one("#tool-reply", TextArea).text = "{'single': 'quotes'}"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "reply: invalid JSON" in error_text(screen, "reply")
        screen.query_one("#tool-reply", TextArea).text = '{"status": "shipped"}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert registry.names() == ["get_weather", "set_memory", "order_status"]
        assert registry.get("order_status").config == {"reply": {"status": "shipped"}}  # type: ignore[union-attr]
        assert "lookup_order" not in client.tools and "order_status" in client.tools
        assert await server_tool_names(client, pilot, registry.names()) == registry.names()

        # Choosing another tool in the list loads it; removing it updates the client.
        screen.query_one("#tool-list", OptionList).highlighted = 1
        await pilot.pause()
        assert screen.editing == "set_memory"
        assert screen.query_one("#tool-kind", Select).value == "demo"
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert registry.names() == ["get_weather", "order_status"]
        assert "set_memory" not in client.tools
        assert await server_tool_names(client, pilot, registry.names()) == registry.names()
        assert app.changes[-1] == ["get_weather", "order_status"]

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ToolEditorScreen)


async def test_a_tool_clashing_with_session_tools_is_refused_cleanly(client: RealtimeClient) -> None:
    client.update_session(tools=[{"type": "function", "name": "lookup_order",
                                  "parameters": {"type": "object", "properties": {}}}])
    registry = ToolRegistry()
    registry.install(client)
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        screen.query_one("#tool-name", Input).value = "lookup_order"
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = screen.query_one("#tool-status", Static)
        assert "not saved" in str(status.render()) and status.has_class("-error")
        assert len(registry) == 0 and "lookup_order" not in client.tools
    await asyncio.sleep(0)


async def test_actions_are_in_the_command_palette() -> None:
    registry = ToolRegistry(demo_specs())  # no client: the palette only drives the screen
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ToolEditorScreen) and screen.editing == "get_weather"
        titles = [title for title, _, _ in screen.palette_commands()]
        assert "Tools: remove tool" in titles
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: palette_lists(app, "") is not None, what="the palette's commands listed")
        await pilot.press(*"remove tool")

        def first_hit() -> str:
            lists = app.screen.query(OptionList)
            if not lists or not lists.last().option_count:
                return ""
            return str(lists.last().get_option_at_index(0).prompt)

        # the palette searches asynchronously
        await wait_for(pilot, lambda: "remove tool" in first_hit(), what="the command found")
        assert "Tools: remove tool" in first_hit()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "get_weather" not in registry.names(), what="the tool removed")
        assert registry.names() == ["set_memory"]


async def test_tools_file_save_and_load_from_the_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))
    path = tmp_path / "tools.json"
    registry = ToolRegistry(demo_specs())
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        screen.query_one("#tools-path", Input).value = str(path)
        await click(pilot, "#tools-save")
        await pilot.pause()
        assert [t["name"] for t in json.loads(path.read_text())] == ["get_weather", "set_memory"]

        await click(pilot, "#tools-load")  # the same names again: refused, nothing added
        await pilot.pause()
        status = screen.query_one("#tool-status", Static)
        assert "already exists" in str(status.render()) and status.has_class("-error")
        assert registry.names() == ["get_weather", "set_memory"]

        other = tmp_path / "more.json"
        other.write_text(json.dumps([{"name": "lookup_order", "parameters": {"type": "object", "properties": {}},
                                      "handler": {"kind": "python", "target": "tests.tools.sample_tool_module:lookup_order"}}]))
        screen.query_one("#tools-path", Input).value = str(other)
        await click(pilot, "#tools-load")
        await pilot.pause()
        assert registry.names() == ["get_weather", "set_memory", "lookup_order"]
        assert screen.editing == "lookup_order"
        assert screen.query_one("#tool-target", Input).value == "tests.tools.sample_tool_module:lookup_order"


async def test_browsing_the_list_keeps_unsaved_edits() -> None:
    registry = ToolRegistry(demo_specs())
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        tool_list = screen.query_one("#tool-list", OptionList)
        tool_list.highlighted = 1  # clean form: browsing loads the tool
        await pilot.pause()
        assert screen.editing == "set_memory" and not screen.has_unsaved_changes()
        screen.query_one("#tool-description", TextArea).text = "Remember things, carefully."
        tool_list.highlighted = 0
        await pilot.pause()
        assert screen.editing == "set_memory"  # not thrown away
        assert screen.query_one("#tool-description", TextArea).text == "Remember things, carefully."
        assert "unsaved changes to set_memory" in str(screen.query_one("#tool-status", Static).render())
        tool_list.focus()
        await pilot.press("enter")  # an explicit choice discards them
        await pilot.pause()
        assert screen.editing == "get_weather"
        assert registry.get("set_memory").definition["description"] != "Remember things, carefully."  # type: ignore[union-attr]


# --- leaving the editor: Tab never traps, Esc never silently drops edits ---------------------


async def test_tab_leaves_the_json_text_areas() -> None:
    app = EditorApp(ToolRegistry(demo_specs()))
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        for selector in ("#tool-parameters", "#tool-description"):
            area = screen.query_one(selector, TextArea)
            area.focus()
            await wait_for(pilot, lambda: "tab Next field" in screen_lines(app)[-1], what="the footer hint")
            text = area.text
            await pilot.press("tab")
            await wait_for(pilot, lambda: screen.focused is not area, what=f"focus to leave {selector}")
            assert area.text == text
            await pilot.press("shift+tab")
            await wait_for(pilot, lambda: screen.focused is area, what=f"focus back in {selector}")
            assert area.text == text


async def ask_to_leave(pilot: Pilot[Any], what: str) -> None:
    """Press esc in the editor and wait for the unsaved-changes question, read off the screen."""
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, UnsavedChangesScreen), what="the question")
    await wait_for(pilot, lambda: any(f"Unsaved changes to {what}" in line for line in screen_lines(pilot.app)),
                   what="the question on screen")


async def test_esc_asks_before_dropping_a_tool_edit_and_saves_on_request() -> None:
    registry = ToolRegistry(demo_specs())
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        assert isinstance(screen, ToolEditorScreen)
        parameters = screen.query_one("#tool-parameters", TextArea)
        parameters.focus()
        await pilot.press("end", *"oops")  # the schema is no longer valid JSON
        await ask_to_leave(pilot, "tool get_weather")
        await pilot.press("s")  # save: refused, the problem shown, nothing lost
        await wait_for(pilot, lambda: app.screen is screen, what="back in the editor")
        assert "oops" in parameters.text and error_text(screen, "parameters")
        await ask_to_leave(pilot, "tool get_weather")
        await pilot.press("escape")  # keep editing
        await wait_for(pilot, lambda: app.screen is screen, what="back in the editor")
        assert "oops" in parameters.text

        parameters.focus()
        await pilot.press(*["backspace"] * 4)
        screen.query_one("#tool-description", TextArea).focus()
        await pilot.press(*"Fast ")
        await ask_to_leave(pilot, "tool get_weather")
        await pilot.press("s")  # valid now: saved, and the editor closes
        await wait_for(pilot, lambda: not isinstance(app.screen, (ToolEditorScreen, UnsavedChangesScreen)),
                       what="the editor to close")
        assert registry.get("get_weather").definition["description"].startswith("Fast ")  # type: ignore[union-attr]
        assert app.changes[-1] == ["get_weather", "set_memory"]


async def test_esc_closes_an_untouched_new_tool_at_once_and_discard_is_keyboard_operable() -> None:
    registry = ToolRegistry(demo_specs())
    app = EditorApp(registry)
    async with app.run_test(size=(120, 50)) as pilot:
        screen = app.screen
        await pilot.press("ctrl+n")  # a blank new tool: nothing to lose
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not screen, what="the editor to close")
        assert not isinstance(app.screen, UnsavedChangesScreen)

        screen = ToolEditorScreen(registry)
        await app.push_screen(screen)
        await pilot.press("ctrl+n", *"lookup")  # the name box has focus after ctrl+n
        assert screen.query_one("#tool-name", Input).value == "lookup"
        await ask_to_leave(pilot, "the new tool")
        await pilot.press("shift+tab", "enter")  # from "Keep editing" to "Discard", pressed
        await wait_for(pilot, lambda: app.screen is not screen and not isinstance(app.screen, UnsavedChangesScreen),
                       what="the editor to close")
        assert registry.names() == ["get_weather", "set_memory"]
