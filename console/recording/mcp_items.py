"""MCP items (GA remote MCP tools) as the inspect report keeps them and as its turn
lines and the exported transcript show them (pure).

The report keeps a few short fields per MCP item (`mcp_fields`), read from the items the
recording already parses (output items, created items, the client's approval answers):
no extra pass and nothing read per audio event. `mcp_line` is the one-line form that
`inspect` and `export --transcript` print, the way they print a function call:
`demo.add({"a": 2, "b": 3}) → {"sum": 5}`.
"""

from __future__ import annotations

import json
from typing import Any

MCP_ITEM_TYPES = frozenset({"mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response"})
#: Longest argument/output text kept in the report per item (the live session has it whole).
_KEEP = 2_000


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _KEEP else text[:_KEEP] + "…"


def error_text(error: Any) -> str | None:
    """`tool_execution_error: add needs two numbers` from an MCP error object (or text)."""
    if error is None:
        return None
    if isinstance(error, dict):
        kind = error.get("type") or "error"
        code = f" {error['code']}" if error.get("code") is not None else ""
        return f"{kind}{code}: {error.get('message') or ''}".strip().rstrip(":")
    return str(error)


def mcp_fields(item: dict[str, Any]) -> dict[str, Any]:
    """The report's fields for one MCP item: only those the item carries, kept short."""
    kind = item.get("type")
    out: dict[str, Any] = {}
    if isinstance(item.get("server_label"), str):
        out["server_label"] = item["server_label"]
    if kind == "mcp_list_tools":
        tools = item.get("tools")
        if isinstance(tools, list):
            out["tools"] = [str(t.get("name")) for t in tools if isinstance(t, dict)]
    elif kind == "mcp_approval_response":
        out["approval_request_id"] = item.get("approval_request_id")
        out["approve"] = item.get("approve") if isinstance(item.get("approve"), bool) else None
        if item.get("reason") is not None:
            out["reason"] = _text(item.get("reason"))
    else:  # mcp_call, mcp_approval_request
        if item.get("name") is not None:
            out["name"] = str(item["name"])
        if item.get("arguments"):
            out["arguments"] = _text(item["arguments"])
        if kind == "mcp_call":
            if item.get("output") is not None:
                out["output"] = _text(item["output"])
            if item.get("error") is not None:
                out["error"] = error_text(item["error"])
            if item.get("approval_request_id"):
                out["approval_request_id"] = item["approval_request_id"]
    return out


def _short(text: Any, width: int) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def mcp_line(entry: dict[str, Any], width: int = 80) -> tuple[str, str]:
    """(label, text) for one MCP item of the report: `("mcp call", "demo.add({…}) → {…}")`.

    Arguments and outputs are cut to `width` characters each; an error replaces the output.
    """
    kind = entry.get("type")
    server = entry.get("server_label") or "?"
    call = f"{server}.{entry.get('name') or '?'}({_short(entry.get('arguments') or '', width)})"
    if kind == "mcp_list_tools":
        tools = entry.get("tools")
        listed = ", ".join(tools) if tools else "none listed"
        return "mcp tools", f"{server}: {listed}"
    if kind == "mcp_approval_request":
        return "mcp approval asked", call
    if kind == "mcp_approval_response":
        verdict = {True: "approved", False: "declined"}.get(entry.get("approve"), "answered")
        reason = f" ({_short(entry['reason'], width)})" if entry.get("reason") else ""
        return "mcp approval", f"{verdict} {entry.get('approval_request_id') or '?'}{reason}"
    if entry.get("error"):
        return "mcp call", f"{call} failed: {_short(entry['error'], width)}"
    if entry.get("output") is not None:
        return "mcp call", f"{call} → {_short(entry['output'], width)}"
    return "mcp call", call
