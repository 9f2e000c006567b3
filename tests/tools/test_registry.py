"""Pure tests of console.tools.registry: validation, handlers of every kind, files and the registry."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from console.tools.registry import (
    GET_WEATHER,
    SET_MEMORY,
    Memory,
    ToolRegistry,
    ToolSpec,
    ToolSpecError,
    demo_specs,
    get_weather,
    resolve_callable,
    validate_definition,
    validate_name,
    validate_parameters,
)

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _sample_module_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(HERE))


class RecordingClient:
    """A stand-in for the two client methods the registry calls, recording them in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.handlers: dict[str, Any] = {}

    def add_tool(self, definition: dict[str, Any], handler: Any) -> None:
        self.calls.append(("add", definition["name"]))
        self.handlers[definition["name"]] = handler

    def remove_tool(self, name: str) -> None:
        self.calls.append(("remove", name))
        del self.handlers[name]


@pytest.mark.parametrize("name", ["get_weather", "a", "A-b_9", "x" * 64])
def test_valid_names(name: str) -> None:
    assert validate_name(name) == name


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "dot.name", None, 3])
def test_invalid_names(name: Any) -> None:
    with pytest.raises(ToolSpecError, match="invalid tool name"):
        validate_name(name)


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ([], "must be a JSON object"),
        ({"properties": {}}, '"type": "object"'),
        ({"type": "object"}, '"properties"'),
        ({"type": "object", "properties": {"a": "string"}}, "property 'a' must be a schema"),
        ({"type": "object", "properties": {"a": {"type": "str"}}}, "unknown type 'str'"),
        ({"type": "object", "properties": {}, "required": ["a"]}, "not in \"properties\""),
        ({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "nope"}}}}, "unknown type"),
    ],
)
def test_invalid_parameters(schema: Any, message: str) -> None:
    with pytest.raises(ToolSpecError, match=message.replace("(", r"\(")):
        validate_parameters(schema)


def test_definitions_are_normalised() -> None:
    out = validate_definition({"name": "x", "parameters": {"type": "object", "properties": {}}})
    assert out == {"type": "function", "name": "x", "description": "",
                   "parameters": {"type": "object", "properties": {}}}
    assert validate_definition(GET_WEATHER) == GET_WEATHER
    with pytest.raises(ToolSpecError, match="unknown key 'handler_x'"):
        validate_definition({**SET_MEMORY, "handler_x": 1})
    with pytest.raises(ToolSpecError, match="only function tools"):
        validate_definition({**SET_MEMORY, "type": "mcp"})


def test_weather_table_is_deterministic_and_unknown_cities_say_no_data() -> None:
    assert get_weather({"location": "Paris"}) == get_weather({"location": "paris "})
    paris = get_weather({"location": "Paris"})
    assert paris["temperature"] == 14.5 and paris["conditions"] == "partly cloudy"
    assert get_weather({"location": "Paris", "unit": "fahrenheit"})["temperature"] == 58.1
    unknown = get_weather({"location": "Atlantis"})
    assert unknown["error"] == "no data" and "Atlantis" in unknown["message"]


def test_memory_notifies_and_unsubscribes() -> None:
    memory = Memory()
    seen: list[tuple[str, Any]] = []
    unsubscribe = memory.subscribe(lambda k, v: seen.append((k, v)))
    memory.set("name", "Ada")
    unsubscribe()
    memory.set("city", "Paris")
    assert seen == [("name", "Ada")]
    assert memory.snapshot() == {"name": "Ada", "city": "Paris"}


def test_resolve_callable_errors_are_one_line() -> None:
    assert resolve_callable("tests.tools.sample_tool_module:lookup_order")({"order_id": 7})["order"] == 7
    for target, message in [
        ("no_such_module_xyz:f", "cannot import module 'no_such_module_xyz'"),
        ("tests.tools.sample_tool_module:nope", "has no attribute 'nope'"),
        ("tests.tools.sample_tool_module:NOT_CALLABLE", "is not callable"),
        ("tests.tools.sample_tool_module", "module:function"),
    ]:
        with pytest.raises(ToolSpecError, match=message) as info:
            resolve_callable(target)
        assert "\n" not in str(info.value)


async def test_every_handler_kind() -> None:
    answers: list[tuple[str, dict[str, Any]]] = []

    async def prompt(name: str, args: dict[str, Any]) -> Any:
        answers.append((name, args))
        return {"typed": "by hand"}

    registry = ToolRegistry(demo_specs(), manual_prompt=prompt)
    registry.add(ToolSpec({"name": "fixed_one", "parameters": {"type": "object", "properties": {}}},
                          "fixed", {"reply": {"answer": 42}}))
    registry.add(ToolSpec({"name": "lookup_order", "parameters": {"type": "object", "properties": {}}},
                          "python", {"target": "tests.tools.sample_tool_module:lookup_order"}))
    registry.add(ToolSpec({"name": "ask_me", "parameters": {"type": "object", "properties": {}}}, "manual"))
    client = RecordingClient()
    registry.install(client)
    assert [c for c in client.calls] == [("add", n) for n in
                                         ("get_weather", "set_memory", "fixed_one", "lookup_order", "ask_me")]
    h = client.handlers
    assert (await h["get_weather"]({"location": "Tokyo"}))["conditions"] == "clear"
    assert await h["set_memory"]({"key": "name", "value": "Ada"}) == {"ok": True}
    assert registry.memory.snapshot() == {"name": "Ada"}
    with pytest.raises(ToolSpecError, match="needs a \"key\""):
        await h["set_memory"]({"value": "x"})
    first = await h["fixed_one"]({})
    first["answer"] = 0  # a caller mutating the reply must not change the next one
    assert await h["fixed_one"]({}) == {"answer": 42}
    assert await h["lookup_order"]({"order_id": "A1"}) == {"order": "A1", "status": "shipped"}
    assert await h["ask_me"]({"q": 1}) == {"typed": "by hand"}
    assert answers == [("ask_me", {"q": 1})]


async def test_manual_without_prompt_raises_a_clear_error() -> None:
    registry = ToolRegistry([ToolSpec({"name": "m", "parameters": {"type": "object", "properties": {}}})])
    with pytest.raises(ToolSpecError, match="no prompt"):
        await registry.handler_for(registry.specs()[0])({})


def test_edits_are_mirrored_on_an_installed_client() -> None:
    registry = ToolRegistry(demo_specs())
    client = RecordingClient()
    registry.install(client)
    registry.install(client)  # installing twice on one client adds nothing twice
    assert client.calls == [("add", "get_weather"), ("add", "set_memory")]
    client.calls.clear()
    renamed = ToolSpec({**GET_WEATHER, "name": "weather"}, "demo", {"demo": "get_weather"})
    registry.replace("get_weather", renamed)
    assert registry.names() == ["weather", "set_memory"]
    registry.remove("set_memory")
    assert client.calls == [("remove", "get_weather"), ("add", "weather"), ("remove", "set_memory")]
    with pytest.raises(ToolSpecError, match="already exists"):
        registry.add(ToolSpec(dict(GET_WEATHER, name="weather"), "demo", {"demo": "get_weather"}))
    with pytest.raises(ToolSpecError, match="no tool named"):
        registry.remove("nope")
    with pytest.raises(ToolSpecError, match="no built-in demo"):
        registry.add(ToolSpec(dict(GET_WEATHER, name="other"), "demo"))


def test_tools_file_round_trip(tmp_path: Path) -> None:
    registry = ToolRegistry(demo_specs())
    registry.add(ToolSpec({"name": "fixed_one", "description": "d",
                           "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}},
                          "fixed", {"reply": [1, "two"]}))
    registry.add(ToolSpec({"name": "lookup_order", "parameters": {"type": "object", "properties": {}}},
                          "python", {"target": "tests.tools.sample_tool_module:lookup_order"}))
    path = registry.save_file(tmp_path / "tools.json")
    again = ToolRegistry()
    again.load(str(path))
    assert [s.to_json() for s in again.specs()] == [s.to_json() for s in registry.specs()]


def test_tools_file_defaults_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"tools": [{"name": "get_weather", "parameters": GET_WEATHER["parameters"]},
                                          {"name": "other", "parameters": {"type": "object", "properties": {}}}]}))
    registry = ToolRegistry()
    registry.load_file(path)
    assert [(s.name, s.kind) for s in registry.specs()] == [("get_weather", "demo"), ("other", "manual")]

    cases = {
        "{not json": "invalid JSON at line 1",
        '{"a": 1}': "expected a list",
        '[{"name": "bad name"}]': "invalid tool name",
        '[{"name": "x", "handler": {"kind": "telepathy"}}]': "unknown handler kind",
        '[{"name": "x", "handler": {"kind": "python", "target": "nope_mod:f"}}]': "cannot import module",
        '[{"name": "x", "handler": {"kind": "fixed"}}]': 'needs a "reply"',
        '[{"name": "x"}, {"name": "x"}]': "defined twice",
    }
    for text, message in cases.items():
        path.write_text(text)
        fresh = ToolRegistry()
        with pytest.raises(ToolSpecError, match=message) as info:
            fresh.load_file(path)
        assert str(path) in str(info.value) and "\n" not in str(info.value)
        assert len(fresh) == 0  # nothing half-loaded
    with pytest.raises(ToolSpecError, match="cannot read tools file"):
        ToolRegistry().load_file(tmp_path / "missing.json")


async def test_load_attr() -> None:
    registry = ToolRegistry()
    registry.load("tests.tools.sample_tool_module:TOOLS")
    registry.load_attr("tests.tools.sample_tool_module:make_tools")
    assert registry.names() == ["add_numbers", "add_again"]
    handler = registry.handler_for(registry.get("add_numbers"))  # type: ignore[arg-type]
    assert await handler({"a": 2, "b": 3}) == {"sum": 5}
    for target, message in [("tests.tools.sample_tool_module:NOT_CALLABLE", "must be a list"),
                            ("tests.tools.sample_tool_module:nope", "no attribute"),
                            ("nope_mod_xyz:TOOLS", "cannot import module")]:
        with pytest.raises(ToolSpecError, match=message):
            ToolRegistry().load_attr(target)


async def test_async_python_handler_failure_propagates() -> None:
    registry = ToolRegistry([ToolSpec({"name": "f", "parameters": {"type": "object", "properties": {}}},
                                      "python", {"target": "tests.tools.sample_tool_module:failing"})])
    with pytest.raises(RuntimeError, match="warehouse"):
        await registry.handler_for(registry.specs()[0])({})
    await asyncio.sleep(0)
