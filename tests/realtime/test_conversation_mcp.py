"""`RealtimeConversation` on MCP events, fed upstream-shaped GA events directly (no I/O)."""

from __future__ import annotations

import pytest

from console.realtime.conversation import ConversationError, RealtimeConversation
from console.realtime.mcp import SECRET_MASK, mask_mcp_secrets


def _added(item: dict) -> dict:
    return {"type": "conversation.item.added", "event_id": "e", "item": item}


def _done(item: dict) -> dict:
    return {"type": "conversation.item.done", "event_id": "e", "item": item}


LISTING = {"id": "mcpl_1", "type": "mcp_list_tools", "server_label": "demo", "tools": []}
TOOLS = [{"name": "add", "input_schema": {"type": "object"}, "description": "Adds."}]


def test_listing_events_in_any_order_end_listed_once() -> None:
    conversation = RealtimeConversation()
    # A listing event before its item changes nothing (and raises nothing).
    assert conversation.apply_event({"type": "mcp_list_tools.in_progress", "item_id": "mcpl_1"}).item is None
    change = conversation.apply_event(_added(LISTING))
    assert change.appended and not change.completed
    item = change.item
    assert item["formatted"]["mcp"]["state"] == "listing" and item["status"] == "in_progress"
    assert conversation.apply_event({"type": "mcp_list_tools.completed", "item_id": "mcp_x"}).item is None
    assert conversation.apply_event({"type": "mcp_list_tools.completed", "item_id": "mcpl_1"}).item is item
    change = conversation.apply_event(_done({**LISTING, "tools": TOOLS}))
    assert change.completed and item["formatted"]["mcp"]["tools"] == TOOLS
    assert item["formatted"]["mcp"]["state"] == "listed"


def test_a_failed_listing_is_settled_as_failed() -> None:
    conversation = RealtimeConversation()
    item = conversation.apply_event(_added(LISTING)).item
    conversation.apply_event({"type": "mcp_list_tools.failed", "item_id": "mcpl_1"})
    assert conversation.apply_event(_done(LISTING)).completed
    assert item["formatted"]["mcp"]["state"] == "failed"


def _call_events(error: dict | None = None) -> list[dict]:
    call = {"id": "mcp_1", "type": "mcp_call", "server_label": "demo", "name": "add", "arguments": ""}
    final = {**call, "arguments": '{"a": 1, "b": 2}', "output": None if error else '{"sum": 3}', "error": error}
    ids = {"item_id": "mcp_1", "output_index": 0, "response_id": "resp_1"}
    return [
        {"type": "response.created", "response": {"id": "resp_1", "output": []}},
        {"type": "response.output_item.added", "response_id": "resp_1", "output_index": 0, "item": call},
        _added(call),
        {"type": "response.mcp_call_arguments.delta", "delta": '{"a": 1, ', **ids},
        {"type": "response.mcp_call_arguments.delta", "delta": '"b": 2}', **ids},
        {"type": "response.mcp_call_arguments.done", "arguments": '{"a": 1, "b": 2}', **ids},
        {"type": "response.mcp_call.in_progress", "item_id": "mcp_1", "output_index": 0},
        {"type": "response.mcp_call.failed" if error else "response.mcp_call.completed", "item_id": "mcp_1",
         "output_index": 0},
        _done(final),
        {"type": "response.output_item.done", "response_id": "resp_1", "output_index": 0, "item": final},
    ]


@pytest.mark.parametrize("error", [None, {"type": "tool_execution_error", "message": "boom"}])
def test_a_call_streams_arguments_and_is_completed_once_by_output_item_done(error: dict | None) -> None:
    conversation = RealtimeConversation()
    changes = [conversation.apply_event(event) for event in _call_events(error)]
    item = conversation.get_item("mcp_1")
    assert [c.delta for c in changes if c.delta] == [{"arguments": '{"a": 1, '}, {"arguments": '"b": 2}'}]
    assert [i for i, c in enumerate(changes) if c.completed] == [len(changes) - 1]
    mcp = item["formatted"]["mcp"]
    assert mcp["arguments"] == '{"a": 1, "b": 2}'
    assert (mcp["state"], mcp["output"], mcp["error"]) == (
        ("failed", None, error) if error else ("completed", '{"sum": 3}', None))


def test_an_answer_settles_its_request() -> None:
    conversation = RealtimeConversation()
    request = {"id": "mcpr_1", "type": "mcp_approval_request", "server_label": "demo", "name": "add",
               "arguments": "{}"}
    change = conversation.apply_event(_added(request))
    assert change.completed and change.item["formatted"]["mcp"]["state"] == "awaiting"
    answer = {"id": "mcpa_1", "type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": False,
              "reason": "no"}
    change = conversation.apply_event(_added(answer))
    assert change.item["formatted"]["mcp"]["state"] == "declined"
    assert conversation.get_item("mcpr_1")["formatted"]["mcp"]["state"] == "declined"


def test_mcp_events_naming_another_item_kind_are_refused_unchanged() -> None:
    conversation = RealtimeConversation()
    conversation.apply_event(_added({"id": "m1", "type": "message", "role": "user", "content": []}))
    with pytest.raises(ConversationError, match="not an MCP item"):
        conversation.apply_event({"type": "response.mcp_call_arguments.delta", "item_id": "m1", "delta": "x"})
    assert "arguments" not in conversation.get_item("m1")


def test_secrets_are_masked_for_listeners_only_when_present() -> None:
    plain = {"type": "session.update", "session": {"tools": [{"type": "function", "name": "f"}]}}
    assert mask_mcp_secrets(plain) is plain
    tool = {"type": "mcp", "server_label": "s", "authorization": "Bearer x", "headers": {"K": "v"}}
    event = {"type": "session.update", "session": {"type": "realtime", "tools": [tool]}}
    masked = mask_mcp_secrets(event)
    assert masked["session"]["tools"][0]["authorization"] == SECRET_MASK
    assert masked["session"]["tools"][0]["headers"] == {"K": SECRET_MASK}
    assert event["session"]["tools"][0]["authorization"] == "Bearer x"  # the wire's copy is untouched
