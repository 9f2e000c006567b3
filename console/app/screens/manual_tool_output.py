"""The modal that asks the user for a tool's output when a "manual" tool is called.

Manual tools let a developer play the tool themselves: the model's call is shown with
its arguments and the user types the JSON the tool should return. `make_manual_prompt`
turns an App into the `ManualPrompt` hook `ToolRegistry` awaits, so the library's tool
runner simply waits until the user answers (other events keep flowing meanwhile).
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
from textual.widgets import Button, Label, Static, TextArea

from console.app.screens.editor_commands import EditorCommands, PaletteCommand
from console.tools.registry import ManualPrompt

#: What the model receives when the user declines to answer.
DECLINED: dict[str, str] = {"error": "the user declined to provide an output"}


class ManualToolOutputScreen(ModalScreen[Any]):
    """Show a function call and dismiss with the output the user typed (parsed JSON)."""

    CSS_PATH = Path(__file__).with_name("editors.tcss")
    COMMANDS = {EditorCommands}
    BINDINGS = [
        Binding("ctrl+s", "send", "Send output", id="manual_tool.send", tooltip="Send the JSON as the tool's output"),
        # priority: the output TextArea would otherwise take escape to release focus.
        Binding("escape", "decline", "Decline", id="manual_tool.decline", priority=True,
                tooltip="Answer the model with an error instead"),
    ]

    def __init__(self, tool_name: str, arguments: dict[str, Any], *, name: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.tool_name = tool_name
        self.arguments = arguments

    def compose(self) -> ComposeResult:
        with Vertical(id="manual-dialog"):
            yield Static(f"The model called {self.tool_name}: you are the tool", id="manual-title", markup=False)
            yield Static(json.dumps(self.arguments, indent=2, ensure_ascii=False), id="manual-arguments",
                         markup=False)
            yield Label("Output to send (JSON):")
            yield TextArea('{"result": ""}', id="manual-output", soft_wrap=True, tab_behavior="indent")
            yield Static("", id="manual-error", classes="field-error")
            with Horizontal(id="manual-actions"):
                yield Button("Send", id="manual-send", variant="primary", tooltip="ctrl+s")
                yield Button("Decline", id="manual-decline", variant="error", tooltip="escape")

    def on_mount(self) -> None:
        self.query_one("#manual-output", TextArea).focus()

    def action_send(self) -> None:
        """Parse the typed JSON; on a syntax error say where and keep the modal open."""
        text = self.query_one("#manual-output", TextArea).text
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.query_one("#manual-error", Static).update(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg} "
                '(plain text must be quoted, e.g. "sunny")')
            return
        self.dismiss(value)

    def action_decline(self) -> None:
        self.dismiss(dict(DECLINED))

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers on this modal."""
        return [
            (f"Tool output: send to {self.tool_name}", "Send the typed JSON as the output", self.action_send),
            (f"Tool output: decline {self.tool_name}", "Answer the model with an error", self.action_decline),
        ]

    @on(Button.Pressed, "#manual-send")
    def _send_pressed(self) -> None:
        self.action_send()

    @on(Button.Pressed, "#manual-decline")
    def _decline_pressed(self) -> None:
        self.action_decline()


def make_manual_prompt(app: App[Any]) -> ManualPrompt:
    """The `ToolRegistry.manual_prompt` hook for `app`: push the modal, await the answer.

    Must be awaited on the app's event loop (where the client runs its tools).
    """

    async def prompt(tool_name: str, arguments: dict[str, Any]) -> Any:
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        def done(result: Any) -> None:
            if not answer.done():
                answer.set_result(result)

        # Through the app's message queue: the tool runs in the client's task, which may
        # lack the app's context (Textual needs it to build a screen).
        app.call_later(lambda: app.push_screen(ManualToolOutputScreen(tool_name, arguments), callback=done))
        return await answer

    return prompt
