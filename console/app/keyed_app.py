"""The base of every app the tool runs: the settings file's keymap, and F1 help.

The console, the replay, the proxy's live view, attach and the sessions browser all
derive from `KeyedApp`, so the `[keymap]` of the settings file applies in each of them
through one path (`App.set_keymap` at construction, before any screen binds a key), and
F1 (or `?` outside text fields) opens the same generated help screen everywhere,
listing the keys in force after remapping. An app that has more to say under the keys
(the console's slash commands, the proxy's steering commands) overrides `help_extra`.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import App
from textual.binding import Binding


class KeyedApp(App[int]):
    """An app of the tool: remappable keys (`keymap`) and the F1 help screen."""

    BINDINGS = [
        Binding("f1", "show_help", "Help", id="app.help", show=False,
                tooltip="Keys in force here (after remapping) and what else there is to type"),
        # `?` opens the help too, except while a text field has focus (see `check_action`).
        Binding("question_mark", "show_help_unless_typing", "Help", id="app.help_question", show=False,
                tooltip="Keys in force here (not while typing)"),
    ]

    def __init__(self, *, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        #: Binding id -> key(s), from the settings file (`console.user_config`).
        self.user_keymap: dict[str, str] = dict(keymap or {})
        self.set_keymap(self.user_keymap)

    def help_extra(self) -> tuple[str, str] | None:
        """(title, text) shown below the keys in the help, or None for nothing more."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_help_unless_typing":
            from textual.widgets import Input, TextArea

            return not isinstance(self.focused, (Input, TextArea))
        return super().check_action(action, parameters)

    def action_show_help(self) -> None:
        """Push the help screen for the keys in force where the user is now."""
        from console.app.screens.help import HelpScreen, help_markup, help_rows

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(help_markup(help_rows(self.screen), self.help_extra())))

    def action_show_help_unless_typing(self) -> None:
        self.action_show_help()
