"""MCP servers and approvals in the whole console (Pilot, the real simulator on loopback).

The approval modal shows the MCP server's call with its arguments; approving completes
the call card, denying leaves the declined state on the cards; a function tool marked
"ask before running" asks through the same modal and respects the answer. The
session's recording lints clean.
"""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static

from console.app.screens.approval import ApprovalScreen
from console.app.screens.session_editor import SessionEditorScreen
from console.cli import main
from console.recording.linting import lint_path
from console.tools.mcp import McpServer
from console.tools.registry import ToolSpec
from tests.app.console_harness import connected, events_of, make_app, submit, wait_for


def _card_text(app, kind: str, index: int = -1) -> str:
    items = [i for i in app.session.items() if i["type"] == kind]
    if not items:
        return ""
    card = app.main.query_one("#conversation").card(items[index]["id"])
    return card.render().plain if card is not None else ""


async def test_mcp_approval_approve_and_deny_then_lint_clean(tmp_path: Path) -> None:
    record = tmp_path / "mcp.jsonl"
    app = make_app("--record", str(record), "--instructions", "Be brief.")
    async with app.run_test(size=(140, 45)) as pilot:
        await connected(pilot)
        app.session.client.update_session(modalities=["text"])
        await wait_for(pilot, lambda: len(events_of(app, "session.updated")) >= 2, what="the text-only session")
        app.tools.add_mcp(McpServer("demo", "sim://demo", require_approval="always",
                                    headers={"X-Team": "t0p-secret-team"}, authorization="Bearer s3cret-mcp-token"))
        await wait_for(pilot, lambda: "tools listed" in _card_text(app, "mcp_list_tools"), what="the tools card")
        assert "• add" in _card_text(app, "mcp_list_tools") and "• forecast" in _card_text(app, "mcp_list_tools")
        # The session editor never holds the MCP credentials (they are not session fields).
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionEditorScreen), what="the session editor")
        await pilot.pause(0.2)
        assert "s3cret" not in app.export_screenshot()
        assert "s3cret" not in json.dumps(app.session.client.session_config)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SessionEditorScreen), what="the editor closed")

        await submit(pilot, "Please add 2 and 3")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen) and app.screen,
                                what="the approval modal")
        assert "MCP server demo asks to run add" in str(screen.query_one("#approval-title", Static).render())
        assert json.loads(str(screen.query_one("#approval-arguments", Static).render())) == {"a": 2, "b": 3}
        await pilot.press("a")
        await wait_for(pilot, lambda: "completed" in _card_text(app, "mcp_call"), what="the completed call card")
        call = _card_text(app, "mcp_call")
        assert 'add({"a": 2, "b": 3})' in call and '→ {"sum": 5}' in call and "approved by you" in call
        assert "✓ approved" in _card_text(app, "mcp_approval_request")

        await submit(pilot, "What is the forecast for Paris?")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="the second approval modal")
        await pilot.press("d")
        await wait_for(pilot, lambda: "✗ declined" in _card_text(app, "mcp_approval_request"), what="declined")
        assert "the user declined" in _card_text(app, "mcp_approval_response")
        await wait_for(pilot, lambda: len(events_of(app, "response.done")) >= 4, what="the declined answer")
        assert len([i for i in app.session.items() if i["type"] == "mcp_call"]) == 1
        answers = [e["item"] for e in events_of(app, "conversation.item.create")
                   if e["item"]["type"] == "mcp_approval_response"]
        assert [a["approve"] for a in answers] == [True, False]
        # The MCP credentials reached the server but no log, note or screen of the console.
        logged = json.dumps([app.store.event(i) for i in range(len(app.store))])
        assert "s3cret" not in logged and "t0p-secret" not in logged and "<redacted>" in logged
        assert not [n for n in app.main.query_one("#conversation").notes if n.kind == "drift"]
    text = record.read_text()
    assert "s3cret" not in text and "t0p-secret" not in text
    assert lint_path(record).findings == []
    assert main(["lint", str(record), "--fail-on", "warning"]) == 0


async def test_ask_before_running_asks_and_respects_the_answer() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=(140, 45)) as pilot:
        await connected(pilot)
        app.session.client.update_session(modalities=["text"])
        spec = app.tools.get("get_weather")
        app.tools.replace("get_weather", ToolSpec(spec.definition, spec.kind, dict(spec.config), ask=True))

        await submit(pilot, "get weather in Paris")
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen) and app.screen,
                                what="the approval modal")
        assert "Function tool get_weather asks before running" in str(
            screen.query_one("#approval-title", Static).render())
        assert json.loads(str(screen.query_one("#approval-arguments", Static).render()))["location"] == "Paris"
        await pilot.press("d")
        outputs = lambda: [e["item"]["output"] for e in events_of(app, "conversation.item.create")
                           if e["item"]["type"] == "function_call_output"]
        await wait_for(pilot, lambda: outputs(), what="the declined output")
        assert json.loads(outputs()[0]) == {"error": "declined by user"}

        await submit(pilot, "get weather in Paris")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen), what="the second modal")
        await pilot.press("a")
        await wait_for(pilot, lambda: len(outputs()) == 2, what="the tool's output")
        assert json.loads(outputs()[1])["location"].lower().startswith("paris")
