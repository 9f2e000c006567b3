"""Function tools the console offers the model, and the handlers that answer them.

A `ToolSpec` pairs a function definition (what the model sees) with a handler kind (how
the console answers): a built-in demo (`get_weather` from a local table, `set_memory`
into a visible `Memory`), a fixed JSON reply, a Python callable loaded from
`module:function`, or manual (the user types the output when the model calls it).
`ToolRegistry` holds the specs, loads them from `--tools FILE.json|module:attr`, and
installs them on a `RealtimeClient` with `add_tool`, keeping the client in step when the
tool editor adds, edits or removes a tool.

Remote MCP servers (`console.tools.mcp.McpServer`, GA only) are kept beside the function
tools and sent as the session's `mcp` tools; when a server asks for approval, or before a
function tool marked `ask` runs, the registry asks `approval_prompt` (approve / deny).

No Textual here: the UI supplies `manual_prompt` and `approval_prompt` and subscribes to
`Memory` changes.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Literal, Protocol

from console.tools.demos import (  # re-exported: console.tools.registry is the public face
    DEMO_DEFINITIONS,
    GET_WEATHER,
    SET_MEMORY,
    WEATHER_TABLE,
    Memory,
    get_weather,
)
from console.tools.mcp import DECLINED_OUTPUT, GA_ONLY, ApprovalAsk, ApprovalPrompt, McpServer, is_mcp_entry
from console.tools.schema import (
    NAME_PATTERN,
    ToolSpecError,
    parse_json_text,
    resolve_callable,
    validate_definition,
    validate_name,
    validate_parameters,
)

__all__ = [
    "DEMO_DEFINITIONS", "GET_WEATHER", "HANDLER_KINDS", "NAME_PATTERN", "SET_MEMORY", "WEATHER_TABLE",
    "HandlerKind", "ManualPrompt", "Memory", "ToolClient", "ToolHandler", "ToolRegistry", "ToolSpec",
    "ToolSpecError", "demo_specs", "get_weather", "parse_json_text", "resolve_callable", "validate_definition",
    "validate_name", "validate_parameters",
]

HandlerKind = Literal["demo", "fixed", "python", "manual"]
HANDLER_KINDS: tuple[str, ...] = ("demo", "fixed", "python", "manual")


#: What the app provides for manual tools: (tool name, arguments) -> the output to send.
ManualPrompt = Callable[[str, dict[str, Any]], Awaitable[Any]]
ToolHandler = Callable[[dict[str, Any]], Awaitable[Any]]


class ToolClient(Protocol):
    """The part of `RealtimeClient` the registry drives."""

    def add_tool(self, definition: dict[str, Any], handler: Callable[..., Any]) -> Any: ...

    def remove_tool(self, name: str) -> Any: ...


class McpClient(Protocol):
    """The part of `RealtimeClient` MCP servers and their approvals need (GA clients)."""

    protocol: str

    def set_mcp_tools(self, definitions: list[dict[str, Any]]) -> Any: ...

    def approve_mcp(self, request_id: str, approve: bool, reason: str | None = None) -> Any: ...

    def on(self, event_name: str, handler: Callable[..., Any]) -> Any: ...


# --- specs and the registry -------------------------------------------------------------------


@dataclass
class ToolSpec:
    """One tool: its definition, its handler kind and that kind's configuration.

    config by kind: demo {"demo": "get_weather" | "set_memory"} (defaults to the tool's
    name); fixed {"reply": <any JSON>}; python {"target": "module:function"}; manual {}.
    `func` holds a callable given directly (from `--tools module:attr`) instead of a target.
    `ask`: ask the user (approve / deny) before the handler runs; denied, the model gets
    `{"error": "declined by user"}`.
    """

    definition: dict[str, Any]
    kind: HandlerKind = "manual"
    config: dict[str, Any] = field(default_factory=dict)
    func: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    ask: bool = False

    @property
    def name(self) -> str:
        return str(self.definition["name"])

    def validate(self) -> "ToolSpec":
        """Normalise the definition and check the handler config; raises ToolSpecError."""
        self.definition = validate_definition(self.definition)
        if self.kind not in HANDLER_KINDS:
            raise ToolSpecError(f"tool {self.name}: unknown handler kind {self.kind!r} ({', '.join(HANDLER_KINDS)})")
        if self.kind == "demo":
            demo = self.config.get("demo", self.name)
            if demo not in DEMO_DEFINITIONS:
                raise ToolSpecError(f"tool {self.name}: no built-in demo {demo!r} (get_weather or set_memory)")
        elif self.kind == "fixed":
            if "reply" not in self.config:
                raise ToolSpecError(f'tool {self.name}: a fixed handler needs a "reply"')
            try:
                json.dumps(self.config["reply"])
            except (TypeError, ValueError):
                raise ToolSpecError(f"tool {self.name}: the fixed reply must be JSON") from None
        elif self.kind == "python" and self.func is None:
            try:
                resolve_callable(self.config.get("target", ""))
            except ToolSpecError as exc:
                raise ToolSpecError(f"tool {self.name}: {exc}") from None
        return self

    def to_json(self) -> dict[str, Any]:
        """The tools-file form: the definition plus a "handler" object."""
        handler: dict[str, Any] = {"kind": self.kind, **copy.deepcopy(self.config)}
        if self.ask:
            handler["ask"] = True
        return {**copy.deepcopy(self.definition), "handler": handler}

    @classmethod
    def from_json(cls, entry: Any) -> "ToolSpec":
        """Build a spec from one tools-file entry (definition + optional "handler")."""
        if not isinstance(entry, dict):
            raise ToolSpecError("each tool must be a JSON object")
        entry = dict(entry)
        handler = entry.pop("handler", None)
        name = entry.get("name")
        ask = False
        if handler is None:
            kind, config = ("demo", {}) if name in DEMO_DEFINITIONS else ("manual", {})
        elif isinstance(handler, dict):
            config = dict(handler)
            kind = config.pop("kind", None)
            ask = config.pop("ask", False)
            if kind is None:
                raise ToolSpecError(f'tool {name}: the handler needs a "kind" ({", ".join(HANDLER_KINDS)})')
            if not isinstance(ask, bool):
                raise ToolSpecError(f'tool {name}: "ask" must be true or false')
        else:
            raise ToolSpecError(f'tool {name}: "handler" must be an object such as {{"kind": "manual"}}')
        return cls(entry, kind, config, ask=ask).validate()


def demo_specs() -> list[ToolSpec]:
    """The React console's two demo tools, answered by built-in handlers."""
    return [ToolSpec(copy.deepcopy(GET_WEATHER), "demo"), ToolSpec(copy.deepcopy(SET_MEMORY), "demo")]


class ToolRegistry:
    """The console's tools: edited by the tool editor, installed on the client.

    Once `install(client)` has run, every `add`, `replace` and `remove` is mirrored on the
    client at once, so an edit takes effect in the live session.
    """

    def __init__(self, specs: Iterable[ToolSpec] = (), *, memory: Memory | None = None,
                 manual_prompt: ManualPrompt | None = None, approval_prompt: ApprovalPrompt | None = None,
                 mcp_servers: Iterable[McpServer] = ()) -> None:
        self.memory: Memory = memory if memory is not None else Memory()
        self.manual_prompt: ManualPrompt | None = manual_prompt
        self.approval_prompt: ApprovalPrompt | None = approval_prompt
        self._specs: dict[str, ToolSpec] = {}
        self._mcp: dict[str, McpServer] = {}
        self._client: ToolClient | None = None
        self._answering: set[asyncio.Future[Any]] = set()
        for spec in specs:
            self.add(spec)
        for server in mcp_servers:
            self.add_mcp(server)

    # -- queries
    def specs(self) -> list[ToolSpec]:
        """All specs, in the order they were added."""
        return list(self._specs.values())

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> ToolSpec | None:
        return self._specs.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __len__(self) -> int:
        return len(self._specs)

    # -- edits
    def add(self, spec: ToolSpec) -> ToolSpec:
        """Validate and add a spec; ToolSpecError if invalid or its name is taken."""
        spec.validate()
        if spec.name in self._specs:
            raise ToolSpecError(f"a tool named {spec.name!r} already exists")
        if self._client is not None:
            self._client_add(spec)
        self._specs[spec.name] = spec
        return spec

    def replace(self, old_name: str, spec: ToolSpec) -> ToolSpec:
        """Swap the tool called `old_name` for `spec` (which may rename it), keeping its place."""
        spec.validate()
        if old_name not in self._specs:
            raise ToolSpecError(f"no tool named {old_name!r}")
        if spec.name != old_name and spec.name in self._specs:
            raise ToolSpecError(f"a tool named {spec.name!r} already exists")
        if self._client is not None:
            old = self._specs[old_name]
            self._client_remove(old_name)
            try:
                self._client_add(spec)
            except ToolSpecError:
                self._client_add(old)  # put the working tool back before reporting
                raise
        self._specs = {(spec.name if k == old_name else k): (spec if k == old_name else v)
                       for k, v in self._specs.items()}
        return spec

    def remove(self, name: str) -> ToolSpec:
        """Remove a tool by name; ToolSpecError if there is none."""
        if name not in self._specs:
            raise ToolSpecError(f"no tool named {name!r}")
        if self._client is not None:
            self._client_remove(name)
        return self._specs.pop(name)

    def _client_add(self, spec: ToolSpec) -> None:
        """Add to the client; its refusal (e.g. a name clash with session tools) becomes ToolSpecError."""
        assert self._client is not None
        try:
            self._client.add_tool(spec.definition, self.handler_for(spec))
        except (ValueError, TypeError, KeyError) as exc:
            raise ToolSpecError(f"the client refused tool {spec.name!r}: {exc}") from None

    def _client_remove(self, name: str) -> None:
        assert self._client is not None
        try:
            self._client.remove_tool(name)
        except (ValueError, KeyError) as exc:
            raise ToolSpecError(f"the client could not remove tool {name!r}: {exc}") from None

    # -- MCP servers (GA only)
    @property
    def protocol(self) -> str | None:
        """The installed client's protocol ("ga" / "beta"), None before `install`."""
        return getattr(self._client, "protocol", None)

    def mcp_servers(self) -> list[McpServer]:
        """The MCP servers, in the order they were added."""
        return list(self._mcp.values())

    def get_mcp(self, label: str) -> McpServer | None:
        return self._mcp.get(label)

    def add_mcp(self, server: McpServer) -> McpServer:
        """Validate and add an MCP server; ToolSpecError if invalid, its label is taken, or
        the installed client speaks beta (MCP is GA only)."""
        server.validate()
        if server.label in self._mcp:
            raise ToolSpecError(f"an MCP server labelled {server.label!r} already exists")
        self._mcp[server.label] = server
        self._sync_mcp(undo=lambda: self._mcp.pop(server.label))
        return server

    def replace_mcp(self, old_label: str, server: McpServer) -> McpServer:
        """Swap the server labelled `old_label` for `server` (which may rename it), in place."""
        server.validate()
        if old_label not in self._mcp:
            raise ToolSpecError(f"no MCP server labelled {old_label!r}")
        if server.label != old_label and server.label in self._mcp:
            raise ToolSpecError(f"an MCP server labelled {server.label!r} already exists")
        before = dict(self._mcp)
        self._mcp = {(server.label if k == old_label else k): (server if k == old_label else v)
                     for k, v in self._mcp.items()}

        def undo() -> None:
            self._mcp = before

        self._sync_mcp(undo)
        return server

    def remove_mcp(self, label: str) -> McpServer:
        if label not in self._mcp:
            raise ToolSpecError(f"no MCP server labelled {label!r}")
        server = self._mcp.pop(label)
        self._sync_mcp(undo=lambda: self._mcp.__setitem__(label, server))
        return server

    def _sync_mcp(self, undo: Callable[[], Any] | None = None) -> None:
        """Hand the client the MCP servers (it updates the session); undo on refusal."""
        client = self._client
        if client is None or not hasattr(client, "set_mcp_tools"):
            return
        mcp_client: McpClient = client  # type: ignore[assignment]
        if mcp_client.protocol != "ga":
            if self._mcp:
                if undo is not None:
                    undo()
                raise ToolSpecError(GA_ONLY)
            return
        if not self._mcp and not getattr(client, "mcp_tools", None):
            return  # nothing to add or remove: no needless session.update
        try:
            mcp_client.set_mcp_tools([s.definition() for s in self._mcp.values()])
        except (ValueError, TypeError) as exc:
            if undo is not None:
                undo()
            raise ToolSpecError(f"the client refused the MCP servers: {exc}") from None

    def _on_item_completed(self, payload: dict[str, Any]) -> None:
        """An MCP server asks for approval: ask the user, then answer the server."""
        item = payload.get("item") or {}
        if item.get("type") != "mcp_approval_request" or self.approval_prompt is None:
            return
        client = self._client
        ask = ApprovalAsk(str(item.get("name")), str(item.get("arguments") or ""), str(item.get("server_label")))
        prompt = self.approval_prompt

        async def answer() -> None:
            approved = await prompt(ask)
            if client is self._client and getattr(client, "is_connected", lambda: True)():
                client.approve_mcp(str(item["id"]), bool(approved))  # type: ignore[union-attr]

        task = asyncio.ensure_future(answer())
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    # -- the client
    def install(self, client: ToolClient) -> None:
        """Add every tool and MCP server to `client`, keep it in step with later edits, and
        answer its MCP approval requests through `approval_prompt` (again: no-op)."""
        if client is self._client:
            return
        self._client = client
        for spec in self._specs.values():
            self._client_add(spec)
        if hasattr(client, "on"):
            client.on("conversation.item.completed", self._on_item_completed)  # type: ignore[attr-defined]
        self._sync_mcp()

    def handler_for(self, spec: ToolSpec) -> ToolHandler:
        """The async handler the client calls with the parsed arguments for this spec
        (asking the user first when the spec says `ask`).

        Exceptions propagate: the client turns them into {"error": message} outputs.
        """
        run = self._handler(spec)
        if not spec.ask:
            return run
        name = spec.name

        async def asking_handler(args: dict[str, Any]) -> Any:
            if self.approval_prompt is None:
                raise ToolSpecError(f"tool {name} asks before running but the console has no prompt for it")
            if not await self.approval_prompt(ApprovalAsk(name, json.dumps(args, ensure_ascii=False))):
                return dict(DECLINED_OUTPUT)
            return await run(args)

        return asking_handler

    def _handler(self, spec: ToolSpec) -> ToolHandler:
        name = spec.name
        if spec.kind == "demo":
            demo = spec.config.get("demo", name)

            async def demo_handler(args: dict[str, Any]) -> Any:
                if demo == "get_weather":
                    return get_weather(args)
                key, value = args.get("key"), args.get("value")
                if not isinstance(key, str) or not key:
                    raise ToolSpecError('set_memory needs a "key"')
                self.memory.set(key, value)
                return {"ok": True}

            return demo_handler
        if spec.kind == "fixed":
            reply = copy.deepcopy(spec.config["reply"])

            async def fixed_handler(args: dict[str, Any]) -> Any:
                return copy.deepcopy(reply)

            return fixed_handler
        if spec.kind == "python":
            func = spec.func or resolve_callable(spec.config["target"])

            async def python_handler(args: dict[str, Any]) -> Any:
                result = func(args)
                if inspect.isawaitable(result):
                    result = await result
                return result

            return python_handler

        async def manual_handler(args: dict[str, Any]) -> Any:
            if self.manual_prompt is None:
                raise ToolSpecError(f"tool {name} is manual but the console has no prompt for it")
            return await self.manual_prompt(name, args)

        return manual_handler

    # -- files
    def load_file(self, path: str | Path) -> list[ToolSpec]:
        """Add the tools of a JSON file: a list of definitions (or {"tools": [...]}).

        Each entry may carry "handler": {"kind": "demo"|"fixed"|"python"|"manual", ...}.
        Without one, `get_weather` / `set_memory` get their demo handler and others are
        manual. All entries are checked before any is added.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ToolSpecError(f"cannot read tools file {path}: {exc.strerror or exc}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ToolSpecError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        if isinstance(data, dict) and "tools" in data:
            data = data["tools"]
        if not isinstance(data, list):
            raise ToolSpecError(f'{path}: expected a list of tool definitions (or {{"tools": [...]}})')
        try:
            specs = [ToolSpec.from_json(entry) for entry in data if not is_mcp_entry(entry)]
            servers = [McpServer.from_json(entry) for entry in data if is_mcp_entry(entry)]
        except ToolSpecError as exc:
            raise ToolSpecError(f"{path}: {exc}") from None
        labels = [s.label for s in servers]
        for label in labels:
            if labels.count(label) > 1 or label in self._mcp:
                raise ToolSpecError(f"{path}: MCP server {label!r} is defined twice")
        added = self._add_all(specs, str(path))
        for server in servers:
            self.add_mcp(server)
        return added

    def load_attr(self, target: str) -> list[ToolSpec]:
        """Add tools from a Python attribute `module:attr`.

        The attribute (or what calling it returns) is a list whose items are
        `(definition, callable)` pairs, dicts {"definition": ..., "handler": callable},
        or definitions with a callable (or handler-config) "handler" key.
        """
        if ":" not in target:
            raise ToolSpecError(f"--tools {target!r}: expected a .json file or module:attr")
        module_name, _, attr = target.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported as one line, never an exit
            raise ToolSpecError(f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}") from None
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise ToolSpecError(f"module {module_name!r} has no attribute {attr!r}")
            obj = getattr(obj, part)
        if callable(obj) and not isinstance(obj, (list, tuple)):
            obj = obj()
        if not isinstance(obj, (list, tuple)):
            raise ToolSpecError(f"{target} must be a list of (definition, handler) pairs")
        specs = [self._spec_from_python(item, target, i) for i, item in enumerate(obj)]
        return self._add_all(specs, target)

    @staticmethod
    def _spec_from_python(item: Any, target: str, index: int) -> ToolSpec:
        where = f"{target}[{index}]"
        try:
            if isinstance(item, (tuple, list)) and len(item) == 2:
                definition, func = item
            elif isinstance(item, dict) and "definition" in item:
                definition, func = item["definition"], item.get("handler")
            elif isinstance(item, dict):
                definition = {k: v for k, v in item.items() if k != "handler"}
                func = item.get("handler")
                if isinstance(func, dict) or func is None:
                    return ToolSpec.from_json(item)
            else:
                raise ToolSpecError("expected a (definition, handler) pair")
            if not callable(func):
                raise ToolSpecError("the handler is not callable")
            return ToolSpec(dict(definition), "python", {"target": f"{getattr(func, '__module__', '?')}:"
                                                          f"{getattr(func, '__qualname__', '?')}"}, func).validate()
        except ToolSpecError as exc:
            raise ToolSpecError(f"{where}: {exc}") from None

    def _add_all(self, specs: list[ToolSpec], source: str) -> list[ToolSpec]:
        names = [s.name for s in specs]
        for name in names:
            if names.count(name) > 1:
                raise ToolSpecError(f"{source}: tool {name!r} is defined twice")
            if name in self._specs:
                raise ToolSpecError(f"{source}: a tool named {name!r} already exists")
        for spec in specs:
            self.add(spec)
        return specs

    def save_file(self, path: str | Path) -> Path:
        """Write every tool (with its handler) as a tools file `load_file` reads back."""
        path = Path(path)
        data = [spec.to_json() for spec in self._specs.values()] + [s.definition() for s in self._mcp.values()]
        try:
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise ToolSpecError(f"cannot write tools file {path}: {exc.strerror or exc}") from None
        return path

    def load(self, source: str) -> list[ToolSpec]:
        """`--tools` semantics: a path ending in .json (or an existing file) or module:attr."""
        if source.endswith(".json") or Path(source).is_file():
            return self.load_file(source)
        return self.load_attr(source)
