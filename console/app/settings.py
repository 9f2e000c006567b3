"""The settings file as the apps take it: checked for what only Textual can judge.

`console.user_config` reads the file and checks its shape without the UI; this module
checks the theme names and keymap ids against Textual and the apps' bindings, for the
console (`launch`) and the other apps (replay, proxy, attach, the sessions browser),
whose commands call `app_settings()` before drawing anything.
"""

from __future__ import annotations

from typing import Any

from console.user_config import UserSettings, load_settings


def check_settings(args: Any, settings: UserSettings) -> None:
    """What only Textual can judge: theme names and the keymap's binding ids.

    `console.user_config` checks the file's shape without the UI; a theme or binding id
    that does not exist is as much a typo as an unknown key, so it stops the start-up
    with one line naming it.
    """
    from textual.theme import BUILTIN_THEMES

    from console.app.keymap import unknown_ids
    from console.cli import UsageError

    themes = ", ".join(sorted(BUILTIN_THEMES))
    flag = getattr(args, "theme", None)
    if flag is not None and flag not in BUILTIN_THEMES:
        raise UsageError(f"--theme {flag!r} is not a theme (one of {themes})")
    if settings.theme is not None and settings.theme not in BUILTIN_THEMES:
        raise UsageError(f"config file {settings.path}: 'theme' {settings.theme!r} is not a theme (one of {themes})")
    if unknown := unknown_ids(settings.keymap):
        raise UsageError(f"config file {settings.path}: 'keymap.{unknown[0]}' is not a binding id of realtime-console "
                         "(F1 in any of its screens, or the README's key table, lists them)")


def app_settings() -> UserSettings:
    """The settings file, checked, for an app other than the console (replay, proxy,
    attach, sessions): they take its keymap and theme; a bad file stops them before
    the screen is drawn, as it stops the console."""
    settings = load_settings()
    check_settings(None, settings)
    return settings
