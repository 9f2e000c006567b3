"""The remappable bindings: every `Binding` id each app of the tool can meet.

The settings file's `[keymap]` table maps these ids to keys (Textual's `App.set_keymap`,
applied by `KeyedApp` in the console, replay, proxy, attach and the sessions browser);
an id that no app has is almost certainly a typo, so `launch.run` rejects it with one
line before the TUI starts instead of silently ignoring it. The README's key table is
generated from `binding_rows()` too, so it cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding


def console_binding_classes() -> list[type[Any]]:
    """The app, screens and widgets of the console itself."""
    from console.app.app import RealtimeConsoleApp
    from console.app.keyed_app import KeyedApp
    from console.app.screens.approval import ApprovalScreen
    from console.app.screens.diagnostics import DiagnosticsScreen
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

    return [KeyedApp, RealtimeConsoleApp, MainScreen, EventLog, ConversationView, InputLine, TypePicker,
            SessionEditorScreen, ToolEditorScreen, ManualToolOutputScreen, ApprovalScreen, UnsavedChangesScreen,
            DiagnosticsScreen, EventDetailScreen, HelpScreen, TurnsScreen]


def replay_binding_classes() -> list[type[Any]]:
    """`realtime-console replay` (the log, conversation and detail are the console's)."""
    from console.app.keyed_app import KeyedApp
    from console.app.screens.event_detail_screen import EventDetailScreen
    from console.app.screens.help import HelpScreen
    from console.app.screens.replay import ReplayApp, ReplayScreen
    from console.app.screens.replay_seek import SeekPrompt
    from console.app.screens.turns import TurnsScreen
    from widgets.conversation_view import ConversationView
    from widgets.event_log import EventLog
    from widgets.type_picker import TypePicker

    return [KeyedApp, ReplayApp, ReplayScreen, SeekPrompt, EventLog, ConversationView, TypePicker,
            EventDetailScreen, HelpScreen, TurnsScreen]


def proxy_binding_classes() -> list[type[Any]]:
    """`realtime-console proxy`'s live view."""
    from console.app.keyed_app import KeyedApp
    from console.app.proxy_app import ProxyConsoleApp
    from console.app.screens.event_detail_screen import EventDetailScreen
    from console.app.screens.help import HelpScreen
    from console.app.screens.proxy_main import ProxyMainScreen
    from widgets.conversation_view import ConversationView
    from widgets.event_log import EventLog
    from widgets.input_line import InputLine
    from widgets.type_picker import TypePicker

    return [KeyedApp, ProxyConsoleApp, ProxyMainScreen, EventLog, ConversationView, InputLine, TypePicker,
            EventDetailScreen, HelpScreen]


def attach_binding_classes() -> list[type[Any]]:
    """`realtime-console attach`'s live view."""
    from console.app.attach_app import AttachConsoleApp
    from console.app.keyed_app import KeyedApp
    from console.app.screens.attach_main import AttachScreen
    from console.app.screens.event_detail_screen import EventDetailScreen
    from console.app.screens.help import HelpScreen
    from widgets.conversation_view import ConversationView
    from widgets.event_log import EventLog
    from widgets.input_line import InputLine
    from widgets.type_picker import TypePicker

    return [KeyedApp, AttachConsoleApp, AttachScreen, EventLog, ConversationView, InputLine, TypePicker,
            EventDetailScreen, HelpScreen]


def sessions_binding_classes() -> list[type[Any]]:
    """`realtime-console sessions` (its replay is the replay's)."""
    from console.app.keyed_app import KeyedApp
    from console.app.screens.sessions import SessionsScreen
    from widgets.summary_table import SummaryTable

    # `SessionsApp` declares no bindings of its own (its module also runs the command,
    # which reads the settings: listing it here would make an import loop).
    return [KeyedApp, SessionsScreen, SummaryTable, *replay_binding_classes()]


#: Every app the tool runs, by the command that starts it, and the classes of its bindings.
#: One settings file serves them all: an id applies wherever its binding is.
APPS: dict[str, Callable[[], list[type[Any]]]] = {
    "console": console_binding_classes,
    "replay": replay_binding_classes,
    "proxy": proxy_binding_classes,
    "attach": attach_binding_classes,
    "sessions": sessions_binding_classes,
}


def own_bindings(cls: type[Any]) -> list[Binding]:
    """The `Binding`s a class declares itself (not those it inherits)."""
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def app_binding_rows(app: str) -> list[tuple[str, str, str]]:
    """(id, default key, description) of every binding with an id in one app (`APPS`)."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for cls in APPS[app]():
        for binding in own_bindings(cls):
            if binding.id and binding.id not in seen:
                seen.add(binding.id)
                rows.append((binding.id, binding.key, binding.tooltip or binding.description or binding.action))
    return rows


def binding_rows() -> list[tuple[str, str, str]]:
    """(id, default key, description) of every binding of every app, each id once (the
    console's first, then each other app's new ones)."""
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for app in APPS:
        for row in app_binding_rows(app):
            if row[0] not in seen:
                seen.add(row[0])
                rows.append(row)
    return rows


def apps_of(binding_id: str) -> list[str]:
    """The apps (`APPS` keys) in which `binding_id` is a binding."""
    return [app for app in APPS if any(row[0] == binding_id for row in app_binding_rows(app))]


def binding_ids() -> set[str]:
    """Every id the settings file's `[keymap]` may name."""
    return {row[0] for row in binding_rows()}


def unknown_ids(keymap: dict[str, str]) -> list[str]:
    """The ids in `keymap` that name no binding of any app, in the file's order."""
    known = binding_ids()
    return [binding_id for binding_id in keymap if binding_id not in known]
