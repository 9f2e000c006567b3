"""Remote MCP servers, emulated offline (GA sessions only).

A GA session may list `{"type": "mcp", "server_label", "server_url", "allowed_tools",
"require_approval", ...}` tools. The simulator reaches no network, so it serves one
built-in **demo server** at `server_url` `sim://demo` with two deterministic tools:
`add` (`{"a", "b"}` numbers → their sum) and `forecast` (`{"city", "days"}` → a fixed
table). What happens, in upstream's shapes:

- On `session.update` with a new (or changed) MCP tool: a `mcp_list_tools` item
  (`conversation.item.added`), `mcp_list_tools.in_progress`, then `.completed` (or
  `.failed`) and `conversation.item.done` with the tools `allowed_tools` lets through.
- A user message naming one of those tools ("add 2 and 3", "forecast for Paris") is
  answered by a response with an `mcp_call` item: `response.mcp_call_arguments.delta` /
  `.done`, `response.mcp_call.in_progress`, `.completed` or `.failed`, the item done with
  its `output` or `error`, then an assistant message saying what came back.
- When `require_approval` asks for it (upstream's default is `"always"`; `"never"`, or
  `{"always"|"never": {"tool_names": [...]}}` per tool), the response carries an
  `mcp_approval_request` item instead and ends. A `conversation.item.create` of an
  `mcp_approval_response` naming it makes the simulator go on by itself: approved, the
  call runs; declined, the assistant says the call was declined and nothing runs.

Failures are injected through the URL: `sim://demo?fail=list` fails the listing
(`mcp_list_tools.failed`), `sim://demo?fail=add` makes every call of `add` fail with a
`tool_execution_error`; any URL that is not `sim://demo` fails the listing too (an
`http_error`: the simulator is offline).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from typing import Protocol as Interface
from urllib.parse import parse_qs, urlsplit

from console.realtime.protocol import Protocol, new_event_id

from .conversation import Conversation, Item
from .errors import ApiError
from .mcp_schema import APPROVAL_RESPONSE, is_mcp
from .responder import Reply
from .response import ARGUMENT_CHUNK, TEXT_DELTA_PACE_S, ResponseRun, text_tokens
from .session import Session


class McpHost(Interface):
    """What MCP emulation needs from its connection (declared here: the connection imports
    this module, so the dependency goes one way only)."""

    session: Session
    conversation: Conversation

    async def send(self, event: dict[str, Any]) -> None: ...

DEMO_URL = "sim://demo"

DEMO_TOOLS: tuple[dict[str, Any], ...] = (
    {
        "name": "add",
        "description": "Adds two numbers.",
        "input_schema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                         "required": ["a", "b"]},
        "annotations": {"read_only": True},
    },
    {
        "name": "forecast",
        "description": "The weather forecast for a city (a fixed table: no network).",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"},
                                                          "days": {"type": "integer", "minimum": 1, "maximum": 3}},
                         "required": ["city"]},
        "annotations": {"read_only": True},
    },
)
_FORECAST = {"paris": ("sunny", 21), "london": ("rain", 14), "berlin": ("cloudy", 16), "tokyo": ("clear", 24)}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CITY = re.compile(r"\b(?:in|for|at|of)\s+([A-Z][\w'-]*)")

# --- items --------------------------------------------------------------------------


@dataclass
class McpItem(Item):
    """An MCP item in the simulator's conversation (rendered in the `openai` models' shape)."""

    server_label: str = ""
    tools: list[dict[str, Any]] = field(default_factory=list)
    approval_request_id: str | None = None
    approve: bool | None = None
    reason: str | None = None
    error: dict[str, Any] | None = None

    def text(self) -> str:
        return ""

    def render(self, protocol: Protocol, *, with_audio: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "mcp_list_tools":
            out.update(server_label=self.server_label, tools=[dict(t) for t in self.tools])
        elif self.type == "mcp_approval_request":
            out.update(server_label=self.server_label, name=self.name, arguments=self.arguments or "")
        elif self.type == "mcp_approval_response":
            out.update(approval_request_id=self.approval_request_id, approve=bool(self.approve))
            if self.reason is not None:
                out["reason"] = self.reason
        else:  # mcp_call
            out.update(server_label=self.server_label, name=self.name, arguments=self.arguments or "",
                       approval_request_id=self.approval_request_id, output=self.output, error=self.error)
        return out


# --- the demo server ----------------------------------------------------------------


class McpToolError(Exception):
    """A tool call failed (becomes the call's `tool_execution_error`)."""


def _run_demo(name: str, arguments: dict[str, Any]) -> str:
    if name == "add":
        a, b = arguments.get("a"), arguments.get("b")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b)):
            raise McpToolError("add needs two numbers a and b")
        total = a + b  # type: ignore[operator]
        return json.dumps({"sum": int(total) if float(total).is_integer() else total})
    city = str(arguments.get("city") or "")
    sky, high = _FORECAST.get(city.lower(), ("fog", 12))
    days = int(arguments.get("days") or 1)
    return json.dumps({"city": city, "days": [{"day": d + 1, "sky": sky, "high_c": high - d} for d in range(days)]})


def _demo_arguments(name: str, text: str) -> dict[str, Any]:
    if name == "add":
        numbers = [float(n) for n in _NUMBER.findall(text)] + [0.0, 0.0]
        return {"a": _num(numbers[0]), "b": _num(numbers[1])}
    match = _CITY.search(text)
    days = next((int(n) for n in _NUMBER.findall(text) if n.isdigit() and 1 <= int(n) <= 3), 1)
    return {"city": match.group(1) if match else "Paris", "days": days}


def _num(value: float) -> int | float:
    return int(value) if value.is_integer() else value


@dataclass
class Server:
    """One MCP tool of the session, as the simulator reached it."""

    config: dict[str, Any]
    tools: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None  #: why the listing failed

    @property
    def label(self) -> str:
        return str(self.config.get("server_label"))

    def _fails(self) -> list[str]:
        query = parse_qs(urlsplit(str(self.config.get("server_url") or "")).query)
        return [name for value in query.get("fail", []) for name in value.split(",")]

    def list_tools(self) -> None:
        url = str(self.config.get("server_url") or "")
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != DEMO_URL:
            self.failure = f"cannot reach {url or 'a server without server_url'}: the simulator serves only {DEMO_URL}"
            return
        if "list" in self._fails():
            self.failure = "listing tools failed (injected by ?fail=list)"
            return
        allowed = self.config.get("allowed_tools")
        names = allowed if isinstance(allowed, list) else (allowed or {}).get("tool_names")
        self.tools = [dict(t) for t in DEMO_TOOLS if names is None or t["name"] in names]

    def needs_approval(self, tool: str) -> bool:
        rule = self.config.get("require_approval")
        if rule is None or rule == "always":
            return True
        if rule == "never":
            return False
        if tool in ((rule.get("never") or {}).get("tool_names") or ()):
            return False
        return tool in ((rule.get("always") or {}).get("tool_names") or ())

    def call(self, tool: str, arguments: str) -> str:
        if tool in self._fails():
            raise McpToolError(f"{tool} failed (injected by ?fail={tool})")
        try:
            parsed = json.loads(arguments or "{}")
        except json.JSONDecodeError:
            raise McpToolError("the arguments are not JSON") from None
        return _run_demo(tool, parsed if isinstance(parsed, dict) else {})


@dataclass(frozen=True)
class Plan:
    """What an MCP-driven response does: ask for approval, run a call, or say it was declined."""

    kind: str  # "approval" | "call" | "declined"
    server: Server
    tool: str
    arguments: str
    approval_request_id: str | None = None


# --- per-connection state -------------------------------------------------------------


class McpState:
    """The MCP servers of one connection, their pending approvals, and what responses do."""

    def __init__(self) -> None:
        self.servers: dict[str, Server] = {}
        self.pending: dict[str, Plan] = {}

    async def session_updated(self, conn: McpHost) -> None:
        """List the tools of every MCP server the update added or changed."""
        configs = {str(t["server_label"]): t for t in conn.session.settings.tools if is_mcp(t)}
        for label in list(self.servers):
            if label not in configs:
                del self.servers[label]
        for label, config in configs.items():
            known = self.servers.get(label)
            if known is not None and known.config == config:
                continue
            server = self.servers[label] = Server(dict(config))
            await self._list(conn, server)

    async def _list(self, conn: McpHost, server: Server) -> None:
        item = McpItem(id=new_event_id("mcpl_"), type="mcp_list_tools", server_label=server.label)
        previous = conn.conversation.insert(item)
        await conn.send({"type": "conversation.item.added", "event_id": new_event_id(),
                         "previous_item_id": previous, "item": item.render("ga")})
        await conn.send({"type": "mcp_list_tools.in_progress", "event_id": new_event_id(), "item_id": item.id})
        server.list_tools()
        if server.failure is not None:
            await conn.send({"type": "mcp_list_tools.failed", "event_id": new_event_id(), "item_id": item.id})
        else:
            item.tools = [dict(t) for t in server.tools]
            await conn.send({"type": "mcp_list_tools.completed", "event_id": new_event_id(), "item_id": item.id})
        await conn.send({"type": "conversation.item.done", "event_id": new_event_id(),
                         "previous_item_id": previous, "item": item.render("ga")})

    # --- approvals ----------------------------------------------------------------

    def parse_response_item(self, raw: dict[str, Any]) -> McpItem:
        """Check a client's `mcp_approval_response` item: it must answer a pending request."""
        APPROVAL_RESPONSE(raw, "item")
        request_id = raw["approval_request_id"]
        if request_id not in self.pending:
            raise ApiError("invalid_value", f"No pending MCP approval request with id '{request_id}'.",
                           "item.approval_request_id")
        return McpItem(id=raw.get("id") or new_event_id("mcpr_"), type="mcp_approval_response",
                       approval_request_id=request_id, approve=raw["approve"], reason=raw.get("reason"))

    # --- responses ----------------------------------------------------------------

    def plan(self, items: list[Item]) -> Plan | None:
        """What the next response does about MCP, from the latest turn (None: nothing)."""
        latest = next((i for i in reversed(items) if (i.type == "message" and i.role == "user")
                       or i.type in ("function_call_output", "mcp_approval_response")), None)
        if latest is None:
            return None
        if isinstance(latest, McpItem) and latest.type == "mcp_approval_response":
            asked = self.pending.pop(str(latest.approval_request_id), None)
            if asked is None:
                return None
            return Plan("call" if latest.approve else "declined", asked.server, asked.tool, asked.arguments,
                        asked.approval_request_id)
        if latest.type != "message":
            return None
        text = latest.text()
        for server in self.servers.values():
            for tool in server.tools:
                if re.search(rf"\b{re.escape(tool['name'])}\b", text, re.IGNORECASE):
                    arguments = json.dumps(_demo_arguments(tool["name"], text))
                    kind = "approval" if server.needs_approval(tool["name"]) else "call"
                    return Plan(kind, server, tool["name"], arguments)
        return None

    def streamer(self, plan: Plan) -> Callable[[ResponseRun], Awaitable[None]]:
        """The coroutine a `ResponseRun` awaits instead of its usual output."""

        async def stream(run: ResponseRun) -> None:
            if plan.kind == "approval":
                await self._ask(run, plan)
            elif plan.kind == "declined":
                await self._say(run, f"(simulator) The call of {plan.tool} on {plan.server.label} was declined, "
                                     "so I did not run it.")
            else:
                await self._call(run, plan)

        return stream

    async def _ask(self, run: ResponseRun, plan: Plan) -> None:
        item = McpItem(id=new_event_id("mcpr_"), type="mcp_approval_request", server_label=plan.server.label,
                       name=plan.tool, arguments=plan.arguments)
        await run._add_item(item)
        self.pending[item.id] = Plan("call", plan.server, plan.tool, plan.arguments, item.id)
        await run._finish_item(item, "completed")

    async def _call(self, run: ResponseRun, plan: Plan) -> None:
        item = McpItem(id=new_event_id("mcp_"), type="mcp_call", server_label=plan.server.label, name=plan.tool,
                       arguments="", approval_request_id=plan.approval_request_id)
        output_index = await run._add_item(item)
        ids = {"item_id": item.id, "output_index": output_index}
        started = time.monotonic()
        for index in range(0, len(plan.arguments), ARGUMENT_CHUNK):
            chunk = plan.arguments[index:index + ARGUMENT_CHUNK]
            item.arguments = (item.arguments or "") + chunk
            await run._delta("response.mcp_call_arguments.delta", delta=chunk, **ids)
            await run._pace(started + TEXT_DELTA_PACE_S * (index // ARGUMENT_CHUNK + 1))
        run.usage.output_text += text_tokens(plan.arguments)
        await run._send({"type": "response.mcp_call_arguments.done", "event_id": new_event_id(),
                         "response_id": run.id, "arguments": plan.arguments, **ids})
        await run._send({"type": "response.mcp_call.in_progress", "event_id": new_event_id(), **ids})
        try:
            item.output = plan.server.call(plan.tool, plan.arguments)
        except McpToolError as exc:
            item.error = {"type": "tool_execution_error", "message": str(exc)}
        event = "response.mcp_call.failed" if item.error else "response.mcp_call.completed"
        await run._send({"type": event, "event_id": new_event_id(), **ids})
        await run._finish_item(item, "completed")
        if item.error:
            said = f"(simulator) {plan.tool} on {plan.server.label} failed: {item.error['message']}."
        else:
            said = f"(simulator) {plan.tool} on {plan.server.label} returned {item.output}."
        await self._say(run, said)

    async def _say(self, run: ResponseRun, text: str) -> None:
        run.reply = Reply(text)
        await run._message()
