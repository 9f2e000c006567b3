"""The default command, `realtime-console [options]`: parse, resolve, run the TUI.

Only argument parsing and start-up live here (as in Toolong's `cli.py`); everything the
options mean is decided in `console.config`, everything on screen in `console.app.app`.
"""

from __future__ import annotations

import argparse
from typing import Any

from console.realtime.protocol import DEFAULT_MODEL, PROTOCOLS, VOICES
from console.user_config import UserSettings, load_settings


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The console's options. `console.cli` supplies the parser class (one-line errors)."""
    from console.cli import ArgumentParser

    parser = ArgumentParser(
        prog=prog,
        description=(
            "Inspect and debug OpenAI Realtime sessions in the terminal. Without an API key "
            "the console runs offline against the embedded simulator."
        ),
    )
    conn = parser.add_argument_group("connection")
    conn.add_argument("--url", help="Realtime WebSocket URL (default: api.openai.com, or the simulator without a key)")
    conn.add_argument("--model", help=f"model name (default {DEFAULT_MODEL})")
    conn.add_argument("--protocol", choices=PROTOCOLS, help="protocol shape (default ga)")
    conn.add_argument("--api-key-env", metavar="NAME", help="read the API key from this environment variable")
    conn.add_argument("--azure-endpoint", metavar="URL", help="Azure OpenAI resource endpoint (key from AZURE_OPENAI_API_KEY)")
    conn.add_argument("--azure-deployment", metavar="NAME", help="Azure deployment name")
    conn.add_argument("--api-version", metavar="VERSION", help="Azure API version (selects the dated preview URL)")

    sess = parser.add_argument_group("session")
    sess.add_argument("--instructions", help="system instructions for the session")
    sess.add_argument("--voice", metavar="VOICE", help=f"output voice ({', '.join(VOICES)})")
    turn = sess.add_mutually_exclusive_group()
    turn.add_argument("--vad", dest="turn", action="store_const", const="vad", help="server voice activity detection decides turns")
    turn.add_argument("--ptt", dest="turn", action="store_const", const="ptt", help="push-to-talk: a key toggles recording (default)")
    sess.add_argument("--session", metavar="FILE.json", help="session preset to apply on connect")
    sess.add_argument("--tools", metavar="FILE.json|module:attr", help="function tools to offer the model")

    audio = parser.add_argument_group("audio")
    audio.add_argument("--input-device", metavar="DEVICE", help="microphone (index or name; see 'realtime-console devices')")
    audio.add_argument("--output-device", metavar="DEVICE", help="speaker (index or name)")
    audio.add_argument("--no-audio", action="store_true", help="do not open audio devices")
    audio.add_argument("--input-wav", metavar="FILE.wav", help="use a WAV file as the microphone (reproducible voice tests)")

    rec = parser.add_argument_group(
        "recording", "Every session is recorded by default, one JSON Lines file per session under "
        "$XDG_STATE_HOME/realtime-console/sessions (~/.local/state/... when unset).")
    where = rec.add_mutually_exclusive_group()
    where.add_argument("--record", metavar="PATH",
                       help="record to PATH instead (a new .jsonl file, or an existing directory for a default-named file)")
    where.add_argument("--no-record", action="store_true", help="do not record this session")
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme (a Textual theme name; default textual-dark). Picking one in the "
                             "command palette remembers it in the settings file ('realtime-console config --path')")
    parser.add_argument("--no-reconnect", action="store_true",
                        help="do not reconnect by itself when the session expires or the connection drops "
                             "(by default it does, restoring the conversation)")
    return parser


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


def run(args: Any) -> int:
    """Resolve the options and run the TUI; returns the process exit status."""
    from console.config import build_config

    settings = load_settings()
    check_settings(args, settings)
    config = build_config(args, settings)
    # Import sounddevice before Textual takes the terminal: its import briefly redirects
    # the output stream Textual draws on.
    if not config.no_audio:
        try:
            import console.audio  # noqa: F401
        except Exception:  # audio trouble is shown inside the app, never fatal here
            pass
    from console.app.app import RealtimeConsoleApp

    app = RealtimeConsoleApp(config)
    app.run()
    return int(app.return_code or 0)
