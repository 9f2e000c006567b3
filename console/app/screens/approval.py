"""The modal that asks the user to approve or deny a tool call before it runs.

Two callers ask the same question: a remote MCP server of a GA session
(`mcp_approval_request`: the answer goes back as `mcp_approval_response`), and one of
the console's own function tools marked "ask before running" (denied, the model gets
`{"error": "declined by user"}`). The screen shows who asks, the tool and its
arguments, and dismisses with True (approve) or False (deny). `make_approval_prompt`
turns an App into the `ToolRegistry.approval_prompt` hook.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.app.screens.editor_commands import EditorCommands, PaletteCommand
from console.tools.mcp import ApprovalAsk, ApprovalPrompt


def pretty_arguments(arguments: str) -> str:
    """The arguments indented when they are JSON, as written otherwise."""
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except (json.JSONDecodeError, TypeError):
        return arguments or "(no arguments)"


class ApprovalScreen(ModalScreen[bool]):
    """Show a call waiting for approval; dismiss with True (approve) or False (deny)."""

    CSS_PATH = Path(__file__).with_name("approval.tcss")
    COMMANDS = {EditorCommands}
    BINDINGS = [
        Binding("a", "approve", "Approve", id="approval.approve", tooltip="Approve the call: it runs"),
        Binding("d,escape", "deny", "Deny", id="approval.deny", tooltip="Deny the call: it does not run"),
    ]

    def __init__(self, ask: ApprovalAsk, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.ask = ask

    def compose(self) -> ComposeResult:
        ask = self.ask
        if ask.server_label:
            title = f"MCP server {ask.server_label} asks to run {ask.tool}"
        else:
            title = f"Function tool {ask.tool} asks before running"
        with Vertical(id="approval-dialog"):
            yield Static(title, id="approval-title", markup=False)
            yield Static("Arguments:", classes="approval-label")
            yield Static(pretty_arguments(ask.arguments), id="approval-arguments", markup=False)
            with Horizontal(id="approval-actions"):
                yield Button("Approve (a)", id="approval-approve", variant="success")
                yield Button("Deny (d)", id="approval-deny", variant="error")

    def on_mount(self) -> None:
        self.query_one("#approval-deny", Button).focus()

    def action_approve(self) -> None:
        self.dismiss(True)

    def action_deny(self) -> None:
        self.dismiss(False)

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers on this modal."""
        return [
            (f"Approval: approve {self.ask.tool}", "Let the call run", self.action_approve),
            (f"Approval: deny {self.ask.tool}", "The call does not run", self.action_deny),
        ]

    @on(Button.Pressed, "#approval-approve")
    def _approve_pressed(self) -> None:
        self.action_approve()

    @on(Button.Pressed, "#approval-deny")
    def _deny_pressed(self) -> None:
        self.action_deny()


def make_approval_prompt(app: App[Any]) -> ApprovalPrompt:
    """The `ToolRegistry.approval_prompt` hook for `app`: push the modal, await the answer.

    Must be awaited on the app's event loop (where the client runs).
    """

    async def prompt(ask: ApprovalAsk) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def done(result: bool | None) -> None:
            if not answer.done():
                answer.set_result(bool(result))

        # Through the app's message queue: the caller may lack the app's context.
        app.call_later(lambda: app.push_screen(ApprovalScreen(ask), callback=done))
        return await answer

    return prompt
