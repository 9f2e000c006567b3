"""`realtime-console sessions [DIR] [--no-audio]`: browse a directory of recordings.

Only parses arguments, checks the directory and starts `SessionsApp`, whose one screen
(`screens/sessions.py`) lists every recording with its summary and opens the selected one
in the replay.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

from console.app.keyed_app import KeyedApp
from console.cli import ArgumentParser, UsageError
from console.app.screens.sessions import SessionsScreen
from console.recording.paths import sessions_dir
from console.recording.summary_cache import SummaryCache


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="List every recording of a directory (start, source, model, duration, turns, "
        "interruptions, errors, tokens, cost), sort and filter them, and open one in the replay.",
        epilog="Keys: / filter, s next sort column (or click a header), r reverse, enter replay the "
        "selected recording (q there comes back), q quit. Summaries are cached in "
        "$XDG_CACHE_HOME/realtime-console/summaries.bin.",
    )
    parser.add_argument("directory", nargs="?", help="the recordings directory (default: the console's own)")
    parser.add_argument("--no-audio", action="store_true", help="replay silently (no sound device)")
    return parser


class SessionsApp(KeyedApp):
    """One `SessionsScreen` over a directory."""

    TITLE = "realtime-console sessions"

    def __init__(self, directory: str | Path, cache: SummaryCache, *, audio: bool = True,
                 theme: str = "textual-dark", keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(keymap=keymap)
        self.browser = SessionsScreen(directory, cache, audio=audio)
        self._theme_name = theme

    async def on_mount(self) -> None:
        self.theme = self._theme_name
        await self.push_screen(self.browser)


def run(args: argparse.Namespace) -> int:
    directory = Path(args.directory) if args.directory else sessions_dir()
    if not directory.is_dir():
        what = "does not exist yet (no session recorded)" if not directory.exists() else "is not a directory"
        raise UsageError(f"{directory} {what}")
    audio = not args.no_audio
    if audio:  # before the app draws (see preload_sounddevice)
        from console.audio.availability import preload_sounddevice

        preload_sounddevice()
    from console.app.settings import app_settings
    from console.user_config import DEFAULT_THEME

    settings = app_settings()
    app = SessionsApp(directory, SummaryCache.default(), audio=audio, theme=settings.theme or DEFAULT_THEME,
                      keymap=settings.keymap)
    return int(app.run() or 0)
