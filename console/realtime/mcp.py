"""MCP secrets: the `authorization` and header values of GA `mcp` tools, kept out of logs.

A session's MCP tools carry credentials for the remote server. They must reach the API,
but nothing that logs or shows events may hold them: the client hands `realtime.event`
listeners (event logs, recorders, UIs) a copy with those values replaced by
`SECRET_MASK`, while the wire gets the real event. The simulator echoes MCP tools masked
the same way, so a client comparing what it sent with what was applied sees no
difference where there is none.
"""

from __future__ import annotations

from typing import Any

SECRET_MASK = "<redacted>"


def masked_mcp_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An MCP tool with its authorization and every header value replaced (a copy)."""
    out = dict(tool)
    if out.get("authorization") is not None:
        out["authorization"] = SECRET_MASK
    if isinstance(out.get("headers"), dict):
        out["headers"] = {key: SECRET_MASK for key in out["headers"]}
    return out


def _has_secret(tool: Any) -> bool:
    return (isinstance(tool, dict) and tool.get("type") == "mcp"
            and (tool.get("authorization") is not None or bool(tool.get("headers"))))


def mask_tools(tools: Any) -> Any:
    """A tool list with every MCP tool's secrets masked (the same list when it has none)."""
    if not isinstance(tools, list) or not any(_has_secret(t) for t in tools):
        return tools
    return [masked_mcp_tool(t) if _has_secret(t) else t for t in tools]


def mask_mcp_secrets(event: dict[str, Any]) -> dict[str, Any]:
    """`event` with the MCP secrets of its session (`session.update`) or response
    (`response.create`) masked; the very same dict when there are none (the common case)."""
    key = {"session.update": "session", "response.create": "response",
           "session.created": "session", "session.updated": "session"}.get(str(event.get("type")))
    holder = event.get(key) if key else None
    if not isinstance(holder, dict):
        return event
    tools = mask_tools(holder.get("tools"))
    if tools is holder.get("tools"):
        return event
    return {**event, key: {**holder, "tools": tools}}  # type: ignore[dict-item]
