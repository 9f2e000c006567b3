"""What an MCP item's card says (GA remote MCP tools), as Rich text (pure).

Kept apart from `conversation_render` so the MCP cards read on their own: listed tools,
a call with its server, tool, arguments and output or error, an approval request and
its answer. Every card reads `item["formatted"]["mcp"]`, the summary the client
library's conversation keeps (`console/realtime/conversation_mcp.py`).
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

MCP_ITEM_TYPES = frozenset({"mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response"})
_MAX = 2_000

#: state -> (what the card says, style)
_STATES: dict[str, tuple[str, str]] = {
    "listing": ("listing tools…", "yellow"),
    "listed": ("tools listed", "dim green"),
    "arguments": ("writing arguments…", "yellow"),
    "calling": ("calling…", "yellow"),
    "completed": ("completed", "dim green"),
    "failed": ("failed", "bold red"),
    "awaiting": ("awaiting approval", "bold yellow"),
    "approved": ("✓ approved", "bold green"),
    "declined": ("✗ declined", "bold red"),
}
_TITLES = {"mcp_list_tools": "mcp tools", "mcp_call": "mcp call", "mcp_approval_request": "mcp approval",
           "mcp_approval_response": "mcp answer"}


def is_mcp_item(item: dict[str, Any]) -> bool:
    kind = item.get("type")
    return isinstance(kind, str) and kind in MCP_ITEM_TYPES


def _summary(item: dict[str, Any]) -> dict[str, Any]:
    mcp = (item.get("formatted") or {}).get("mcp")
    return mcp if isinstance(mcp, dict) else {}


def _clip(text: str) -> str:
    return text if len(text) <= _MAX else text[:_MAX] + f"… ({len(text) - _MAX} more characters)"


def _call(name: Any, arguments: Any, open_: bool = False) -> str:
    return f"{name or '?'}({_clip(str(arguments or ''))}{'▌' if open_ else ')'}"


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        kind = error.get("type") or "error"
        code = f" {error['code']}" if error.get("code") is not None else ""
        return f"{kind}{code}: {error.get('message') or ''}".strip()
    return str(error)


def render_mcp_item(item: dict[str, Any]) -> Text:
    """The card of one MCP item: a header line (kind, server, state, id), then its body."""
    mcp = _summary(item)
    kind = str(item.get("type"))
    state = str(mcp.get("state") or "")
    said, style = _STATES.get(state, (state, "dim"))
    out = Text()
    out.append(_TITLES.get(kind, kind), style="bold magenta")
    if mcp.get("server_label"):
        out.append(f"  {mcp['server_label']}", style="bold")
    if said:
        out.append(f"  {said}", style=style)
    out.append(f"  {item.get('id', '')}", style="dim italic")
    body = Text()
    if kind == "mcp_list_tools":
        tools = mcp.get("tools") or []
        if state == "failed":
            body.append("✖ the server's tools could not be listed", style="bold red")
        for tool in tools:
            if body:
                body.append("\n")
            body.append(f"• {tool.get('name')}", style="bold")
            if tool.get("description"):
                body.append(f" — {tool['description']}", style="dim")
        if not tools and state == "listed":
            body.append("(the server lists no tools)", style="dim")
    elif kind == "mcp_call":
        body.append(_call(mcp.get("name"), mcp.get("arguments"), state == "arguments"))
        if mcp.get("output") is not None:
            output = mcp["output"]
            body.append("\n→ ", style="bold")
            body.append(_clip(output if isinstance(output, str) else json.dumps(output)))
        if mcp.get("error") is not None:
            body.append("\n✖ " + _clip(_error_text(mcp["error"])), style="bold red")
        if mcp.get("approval_request_id"):
            body.append(f"\napproved by you (request {mcp['approval_request_id']})", style="dim")
    elif kind == "mcp_approval_request":
        body.append(f"{mcp.get('server_label')} asks to run ", style="dim")
        body.append(_call(mcp.get("name"), mcp.get("arguments")))
    elif kind == "mcp_approval_response":
        body.append("the user " + ("approved" if state == "approved" else "declined") + " request ", style="dim")
        body.append(str(mcp.get("approval_request_id") or "?"))
        if mcp.get("reason"):
            body.append(f": {mcp['reason']}", style="italic")
    if body:
        out.append("\n")
        out.append_text(body)
    return out


def mcp_item_text(item: dict[str, Any]) -> str:
    """The plain text of an MCP item, for copying."""
    mcp = _summary(item)
    kind = item.get("type")
    if kind == "mcp_list_tools":
        return "\n".join(str(t.get("name")) for t in mcp.get("tools") or [])
    if kind == "mcp_approval_response":
        return str(mcp.get("state") or "")
    text = _call(mcp.get("name"), mcp.get("arguments"))
    if mcp.get("output") is not None:
        text += f"\n{mcp['output']}"
    if mcp.get("error") is not None:
        text += f"\n{_error_text(mcp['error'])}"
    return text
