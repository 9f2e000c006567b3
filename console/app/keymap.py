"""The console's remappable bindings: every `Binding` id the console app can meet.

The settings file's `[keymap]` table maps these ids to keys (Textual's `App.set_keymap`);
an id that is not here is almost certainly a typo, so `launch.run` rejects it with one
line before the TUI starts instead of silently ignoring it. The README's key table is
generated from `binding_rows()` too, so it cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding


def console_binding_classes() -> list[type[Any]]:
    """The app, screens and widgets of the console (not replay, proxy or the browser)."""
    from console.app.app import RealtimeConsoleApp
    from console.app.screens.approval import ApprovalScreen
    from console.app.screens.event_detail_screen import EventDetailScreen
    from console.app.screens.help import HelpScreen
    from console.app.screens.main import MainScreen
    from console.app.screens.manual_tool_output import ManualToolOutputScreen
    from console.app.screens.session_editor import SessionEditorScreen
    from console.app.screens.tool_editor import ToolEditorScreen
    from console.app.screens.turns import TurnsScreen
    from console.app.screens.unsaved_changes import UnsavedChangesScreen
    from widgets.conversation_view import ConversationView
    from widgets.event_log import EventLog
    from widgets.input_line import InputLine
    from widgets.type_picker import TypePicker

    return [RealtimeConsoleApp, MainScreen, EventLog, ConversationView, InputLine, TypePicker,
            SessionEditorScreen, ToolEditorScreen, ManualToolOutputScreen, ApprovalScreen,
            UnsavedChangesScreen, EventDetailScreen, HelpScreen, TurnsScreen]


def own_bindings(cls: type[Any]) -> list[Binding]:
    """The `Binding`s a class declares itself (not those it inherits)."""
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def binding_rows() -> list[tuple[str, str, str]]:
    """(id, default key, description) of every console binding that has an id."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for cls in console_binding_classes():
        for binding in own_bindings(cls):
            if binding.id and binding.id not in seen:
                seen.add(binding.id)
                rows.append((binding.id, binding.key, binding.tooltip or binding.description or binding.action))
    return rows


def binding_ids() -> set[str]:
    """Every id the console's `[keymap]` may name."""
    return {row[0] for row in binding_rows()}


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    """The ids in `keymap` that name no console binding, in the file's order."""
    known = binding_ids()
    return [binding_id for binding_id in keymap if binding_id not in known]
