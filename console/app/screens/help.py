"""The help screen (F1): the keys in force where the user is, and the slash commands.

Every app of the tool opens it (`console.app.keyed_app.KeyedApp`). It is generated, not
written: the rows come from the bindings active on the screen the user was looking at,
with the focused pane's first (after the settings file's keymap is applied), so a
remapped key shows as the key that actually works. Esc closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


@dataclass(frozen=True)
class HelpRow:
    """One key of the help: where it applies, the key as shown, what it does."""

    scope: str
    key: str
    description: str


def help_rows(screen: Any) -> list[HelpRow]:
    """The bindings in force on `screen` (focused widget, then screen, then app).

    `Screen.active_bindings` already walks the focus chain and applies the app's keymap;
    bindings hidden by `check_action` are left out, disabled ones kept (their key is still
    taken). The namespace a binding comes from names the scope.
    """
    app = screen.app
    rows: list[HelpRow] = []
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        node = active.node
        if node is app:
            scope = "app"
        elif node is screen:
            scope = "screen"
        else:
            scope = node.id or type(node).__name__
        description = binding.tooltip or binding.description or binding.action
        rows.append(HelpRow(scope, app.get_key_display(Binding(key, binding.action)), description))
    order = {"app": 2, "screen": 1}
    rows.sort(key=lambda r: (order.get(r.scope, 0), r.scope, r.key))
    return rows


def help_markup(rows: list[HelpRow], extra: tuple[str, str] | None = None) -> str:
    """The help as plain text (also what the tests read); `extra` is a (title, text)
    section below the keys (the console's slash commands), if the app has one."""
    width = max((len(r.key) for r in rows), default=0)
    lines: list[str] = []
    scope = None
    for row in rows:
        if row.scope != scope:
            scope = row.scope
            lines += ["", f"{scope}:"] if lines else [f"{scope}:"]
        lines.append(f"  {row.key:<{width}}  {row.description}")
    if extra is not None:
        title, text = extra
        lines += ["", f"{title}:", *("  " + line for line in text.splitlines())]
    return "\n".join(lines)


class HelpScreen(ModalScreen[None]):
    """Keys and slash commands; Esc (or F1 again) closes."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,f1", "close", "Close", id="help.close", tooltip="Close the help"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.text, id="help-text", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
