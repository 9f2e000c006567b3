"""Remote MCP servers the console offers the model (GA sessions only), and approvals.

An `McpServer` is one `{"type": "mcp", "server_label", "server_url", "allowed_tools",
"require_approval", "headers", "authorization"}` tool of the session: the model reaches
the server through OpenAI, so the console only declares it and, when the server asks
(`mcp_approval_request`), lets the user approve or deny the call. The same question is
asked before the console runs one of its own function tools marked "ask before running";
`ApprovalAsk` is that question, whichever side asks it.

Secrets (`authorization`, header values) are never shown: `masked()` is what screens and
notes display.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from console.realtime.mcp import SECRET_MASK
from console.tools.schema import ToolSpecError

LABEL_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
APPROVAL_CHOICES: tuple[str, ...] = ("always", "never")
#: The simulator's built-in demo server (see `console/simulator/mcp.py`).
DEMO_SERVER_URL = "sim://demo"
MASK = SECRET_MASK
#: What the model receives when the user declines to run a function tool.
DECLINED_OUTPUT: dict[str, str] = {"error": "declined by user"}
GA_ONLY = "MCP servers need the GA protocol: this session is beta"


@dataclass(frozen=True)
class ApprovalAsk:
    """A call waiting for the user's yes or no: an MCP server's, or a function tool's."""

    tool: str
    arguments: str  #: JSON text, as the model wrote it
    server_label: str | None = None  #: None: one of the console's own function tools

    @property
    def source(self) -> str:
        return f"MCP server {self.server_label}" if self.server_label else "function tool"


#: What the app provides: show the ask, resolve to True (approve) or False (deny).
ApprovalPrompt = Callable[[ApprovalAsk], Awaitable[bool]]


@dataclass
class McpServer:
    """One remote MCP server of the session."""

    label: str
    url: str
    allowed_tools: list[str] | None = None  #: None: every tool the server lists
    require_approval: str = "always"  #: upstream's default
    headers: dict[str, str] = field(default_factory=dict)
    authorization: str | None = None
    description: str | None = None

    def validate(self) -> McpServer:
        """Check every field; raises ToolSpecError with one line naming the field."""
        if not isinstance(self.label, str) or not LABEL_PATTERN.match(self.label):
            raise ToolSpecError(f"invalid server label {self.label!r}: use 1-64 letters, digits, '_' or '-'")
        if not isinstance(self.url, str) or not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", self.url):
            raise ToolSpecError(f"MCP server {self.label}: the URL must look like https://host/path (or {DEMO_SERVER_URL})")
        if self.allowed_tools is not None and (
            not isinstance(self.allowed_tools, list) or not all(isinstance(n, str) and n for n in self.allowed_tools)
        ):
            raise ToolSpecError(f"MCP server {self.label}: allowed_tools must be a list of tool names")
        if self.require_approval not in APPROVAL_CHOICES:
            raise ToolSpecError(f"MCP server {self.label}: require_approval must be 'always' or 'never'")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()
        ):
            raise ToolSpecError(f"MCP server {self.label}: headers must map names to strings")
        if self.authorization is not None and not isinstance(self.authorization, str):
            raise ToolSpecError(f"MCP server {self.label}: authorization must be a string")
        return self

    def definition(self) -> dict[str, Any]:
        """The tool as `session.update` sends it (secrets included: they go to the API)."""
        out: dict[str, Any] = {"type": "mcp", "server_label": self.label, "server_url": self.url,
                               "require_approval": self.require_approval}
        if self.allowed_tools is not None:
            out["allowed_tools"] = list(self.allowed_tools)
        if self.headers:
            out["headers"] = dict(self.headers)
        if self.authorization:
            out["authorization"] = self.authorization
        if self.description:
            out["server_description"] = self.description
        return out

    def masked(self) -> dict[str, Any]:
        """The definition with the authorization and every header value hidden."""
        out = self.definition()
        if "authorization" in out:
            out["authorization"] = MASK
        if "headers" in out:
            out["headers"] = {key: MASK for key in out["headers"]}
        return out

    def summary(self) -> str:
        """One line for lists: label, URL, tools, approval (never a secret)."""
        tools = "all tools" if self.allowed_tools is None else ", ".join(self.allowed_tools) or "no tools"
        secret = " · auth set" if self.authorization or self.headers else ""
        return f"{self.url} · {tools} · approval {self.require_approval}{secret}"

    @classmethod
    def from_json(cls, entry: Any) -> McpServer:
        """Build a server from a tools-file entry (`{"type": "mcp", ...}`)."""
        if not isinstance(entry, dict):
            raise ToolSpecError("each MCP server must be a JSON object")
        known = {"type", "server_label", "server_url", "allowed_tools", "require_approval", "headers",
                 "authorization", "server_description"}
        unknown = sorted(set(entry) - known)
        if unknown:
            raise ToolSpecError(f"MCP server {entry.get('server_label')}: unknown keys {unknown}")
        allowed = entry.get("allowed_tools")
        if isinstance(allowed, dict):  # the API's filter form
            allowed = allowed.get("tool_names")
        return cls(
            label=entry.get("server_label"),  # type: ignore[arg-type]
            url=entry.get("server_url"),  # type: ignore[arg-type]
            allowed_tools=copy.deepcopy(allowed),
            require_approval=entry.get("require_approval") or "always",
            headers=dict(entry.get("headers") or {}),
            authorization=entry.get("authorization"),
            description=entry.get("server_description"),
        ).validate()


def is_mcp_entry(entry: Any) -> bool:
    return isinstance(entry, dict) and entry.get("type") == "mcp"
