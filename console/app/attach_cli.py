"""`realtime-console attach`, with its live view: the attach command, handed the view.

`console.attach.cli` parses the options and runs the sideband (UI-free); this module gives
it the Textual live view (`console.app.attach_app.run_live`), so the attach package never
imports the app layer. The live view takes the settings file's keymap and theme, read
(and checked) before the sideband opens.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from console.attach import cli as attach_cli
from console.attach.cli import AttachTarget
from console.session.attached import AttachedSession
from console.user_config import DEFAULT_THEME, UserSettings

build_parser = attach_cli.build_parser


def _live_view(settings: UserSettings) -> Callable[[AttachedSession, AttachTarget], Awaitable[int]]:
    async def live(session: AttachedSession, target: AttachTarget) -> int:
        from console.app.attach_app import run_live

        return await run_live(session, target, theme=settings.theme or DEFAULT_THEME, keymap=settings.keymap)

    return live


def run(args: argparse.Namespace) -> int:
    if args.headless:
        return attach_cli.run(args, live=None)
    from console.app.settings import app_settings

    return attach_cli.run(args, live=_live_view(app_settings()))
