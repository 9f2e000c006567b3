"""The MCP part of `RealtimeConversation` (GA only): items and events of remote MCP tools.

GA sessions may use remote MCP servers. Their items (`mcp_list_tools`, `mcp_call`,
`mcp_approval_request`, `mcp_approval_response`) join the conversation like any other;
each gets `item["formatted"]["mcp"]`, one summary a UI can show without knowing the
events: `{"kind", "server_label", "name", "arguments", "output", "error", "tools",
"approval_request_id", "approve", "reason", "state"}`. `state` says where it stands:

- `mcp_list_tools`: `listing` → `listed` | `failed`;
- `mcp_call`: `arguments` (streaming) → `calling` → `completed` | `failed`;
- `mcp_approval_request`: `awaiting` → `approved` | `declined` (set when the
  `mcp_approval_response` naming it arrives);
- `mcp_approval_response`: `approved` | `declined`.

An item reaches status `completed` when it is settled (listed or failed, called or
failed, answered), so the client's `conversation.item.completed` fires once for it.
The processors here take the conversation as their first argument and are registered
in `conversation._PROCESSORS` like its own methods; they raise `ConversationError`
before changing anything.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from .conversation_items import (
    NOTHING,
    Change,
    ConversationError,
    Item,
    missing_field,
    require_fields,
)


class RealtimeConversation(Protocol):
    """What these processors use of the conversation (which imports this module)."""

    def get_item(self, item_id: str) -> Item | None: ...

    def get_out_of_band_item(self, item_id: str) -> Item | None: ...

    def _find(self, event: dict[str, Any], key: str = "item_id") -> tuple[Item, bool]: ...

MCP_ITEM_TYPES = frozenset({"mcp_list_tools", "mcp_call", "mcp_approval_request", "mcp_approval_response"})

#: Where each kind of MCP item starts when it is first stored.
_FIRST_STATE = {"mcp_list_tools": "listing", "mcp_call": "arguments", "mcp_approval_request": "awaiting"}
#: States still waiting for events; an item in any other state is `completed` (an approval
#: request is complete when it arrives: its answer is an item of its own).
_OPEN = frozenset({"listing", "arguments", "calling"})


def is_mcp_item(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("type"), str) and item["type"] in MCP_ITEM_TYPES


def _answer_state(approve: Any) -> str:
    return "approved" if approve is True else "declined"


def refresh(item: Item) -> None:
    """(Re)build `formatted.mcp` from the item's fields, keeping the state events set."""
    kind = item["type"]
    current = item["formatted"].get("mcp") or {}
    state = current.get("state") or _FIRST_STATE.get(kind, "")
    if kind == "mcp_approval_response":
        state = _answer_state(item.get("approve"))
    elif kind == "mcp_call" and item.get("error") is not None:
        state = "failed"
    elif kind == "mcp_call" and item.get("output") is not None:
        state = "completed"
    elif kind == "mcp_list_tools" and item.get("tools") and state == "listing":
        state = "listed"
    arguments = item.get("arguments")
    item["formatted"]["mcp"] = {
        "kind": kind,
        "server_label": item.get("server_label"),
        "name": item.get("name"),
        "arguments": arguments if isinstance(arguments, str) else "",
        "output": item.get("output"),
        "error": item.get("error"),
        "tools": item.get("tools") if isinstance(item.get("tools"), list) else [],
        "approval_request_id": item.get("approval_request_id"),
        "approve": item.get("approve"),
        "reason": item.get("reason"),
        "state": state,
    }
    if kind == "mcp_call" and not isinstance(arguments, str):
        item["arguments"] = ""
    item["status"] = "in_progress" if state in _OPEN else "completed"


def merge_final(item: Item, incoming: Item) -> None:
    """`response.output_item.done`'s copy of an MCP item: take its final fields."""
    final = {key: copy.deepcopy(incoming[key]) for key in ("output", "error", "tools", "arguments", "approve", "reason")
             if incoming.get(key) is not None}  # copied before any change, never aliased
    item.update(final)
    refresh(item)


def stored(conversation: RealtimeConversation, item: Item) -> None:
    """A new MCP item was stored: its summary, and an answer marks the request it answers."""
    refresh(item)
    if item["type"] == "mcp_approval_response":
        request = conversation.get_item(str(item.get("approval_request_id")))
        if request is not None and request.get("type") == "mcp_approval_request":
            request["formatted"]["mcp"]["state"] = _answer_state(item.get("approve"))


def _item(conversation: RealtimeConversation, event: dict[str, Any]) -> tuple[Item, bool]:
    item, in_conversation = conversation._find(event)
    if not is_mcp_item(item):
        raise ConversationError(f"{event.get('type')}: item {item['id']!r} is a {item.get('type')}, not an MCP item")
    return item, in_conversation


def _set_state(conversation: RealtimeConversation, event: dict[str, Any], _audio: Any, _offset: int, *,
               state: str, wait_for_item: bool = False) -> Change:
    """A state event (`mcp_list_tools.completed`, `response.mcp_call.failed`, ...): the
    item moves to `state`.

    With `wait_for_item` (the listing events), an event for an item not seen yet changes
    nothing: the item's own `conversation.item.done` carries the tools, so nothing is lost
    by waiting for it. A call's events name an item that must exist.
    """
    require_fields(event, "item_id")
    if wait_for_item and conversation.get_item(event["item_id"]) is None \
            and conversation.get_out_of_band_item(event["item_id"]) is None:
        return NOTHING
    item, in_conversation = _item(conversation, event)
    item["formatted"]["mcp"]["state"] = state
    item["status"] = "in_progress" if state in _OPEN else "completed"
    return Change(item, None) if in_conversation else NOTHING


#: Each state event: the state it sets, and whether it waits for an item not seen yet.
_STATE_EVENTS = {
    "mcp_list_tools.in_progress": ("listing", True),
    "mcp_list_tools.completed": ("listed", True),
    "mcp_list_tools.failed": ("failed", True),
    "response.mcp_call.in_progress": ("calling", False),
    "response.mcp_call.completed": ("completed", False),
    "response.mcp_call.failed": ("failed", False),
}


def arguments_delta(conversation: RealtimeConversation, event: dict[str, Any], _a: Any, _o: int) -> Change:
    delta = event.get("delta")
    if not isinstance(delta, str):
        raise missing_field(event, "delta")
    item, in_conversation = _item(conversation, event)
    current = item.get("arguments")
    item["arguments"] = (current if isinstance(current, str) else "") + delta
    item["formatted"]["mcp"]["arguments"] = item["arguments"]
    return Change(item, {"arguments": delta}) if in_conversation else NOTHING


def arguments_done(conversation: RealtimeConversation, event: dict[str, Any], _a: Any, _o: int) -> Change:
    final = event.get("arguments")
    if not isinstance(final, str):
        raise missing_field(event, "arguments")
    item, in_conversation = _item(conversation, event)
    if item.get("arguments") == final:
        return NOTHING
    item["arguments"] = final  # the final arguments are the truth, whatever the deltas said
    item["formatted"]["mcp"]["arguments"] = final
    return Change(item, None) if in_conversation else NOTHING


#: Canonical event type -> processor (merged into `conversation._PROCESSORS`).
PROCESSORS: dict[str, Callable[[Any, dict[str, Any], Any, int], Change]] = {
    **{event_type: partial(_set_state, state=state, wait_for_item=wait)
       for event_type, (state, wait) in _STATE_EVENTS.items()},
    "response.mcp_call_arguments.delta": arguments_delta,
    "response.mcp_call_arguments.done": arguments_done,
}
