"""The shapes of MCP tools and items the simulator checks (GA only), and how it echoes them.

Apart from `mcp.py` (the emulation) because the session and item checks need them, and
the emulation needs the session: one way only.
"""

from __future__ import annotations

from typing import Any

from console.realtime.mcp import masked_mcp_tool

from .errors import ApiError
from .schema import ANY_OBJECT, BOOLEAN, STRING, ListOf, Nullable, OneOf, enum, obj

_TOOL_FILTER = obj((), tool_names=ListOf(STRING), read_only=BOOLEAN)
MCP_TOOL = obj(
    ("type", "server_label"),
    type=enum("mcp"),
    server_label=STRING,
    server_url=STRING,
    server_description=STRING,
    allowed_tools=Nullable(OneOf(((lambda v: isinstance(v, list), ListOf(STRING)),
                                  (lambda v: isinstance(v, dict), _TOOL_FILTER)), "a list of tool names or a filter")),
    require_approval=Nullable(OneOf(((lambda v: isinstance(v, str), enum("always", "never")),
                                     (lambda v: isinstance(v, dict), obj((), always=_TOOL_FILTER, never=_TOOL_FILTER))),
                                    "'always', 'never' or a filter")),
    authorization=STRING,
    headers=Nullable(ANY_OBJECT),
    connector_id=STRING,
)


def is_mcp(tool: Any) -> bool:
    return isinstance(tool, dict) and tool.get("type") == "mcp"


def function_tools(tools: Any) -> tuple[dict[str, Any], ...]:
    """The function tools of a tool list (what the function-call responder may pick)."""
    return tuple(t for t in tools or () if isinstance(t, dict) and not is_mcp(t))


def check_unique_labels(tools: list[Any], path: str) -> None:
    labels = [t.get("server_label") for t in tools if is_mcp(t)]
    for index, tool in enumerate(tools):
        if is_mcp(tool) and labels.count(tool.get("server_label")) > 1:
            raise ApiError("invalid_value", f"Duplicate MCP server_label '{tool['server_label']}'.",
                           f"{path}[{index}].server_label")


def masked_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An MCP tool as the session echoes it: the authorization and header values hidden
    (with the client library's own mask, so its applied-versus-sent check finds no drift)."""
    return masked_mcp_tool(tool)


APPROVAL_RESPONSE = obj(("type", "approval_request_id", "approve"), type=STRING, id=STRING,
                        approval_request_id=STRING, approve=BOOLEAN, reason=Nullable(STRING))
