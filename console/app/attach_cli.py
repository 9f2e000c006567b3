"""`realtime-console attach`, with its live view: the attach command, handed the view.

`console.attach.cli` parses the options and runs the sideband (UI-free); this module gives
it the Textual live view (`console.app.attach_app.run_live`), so the attach package never
imports the app layer.
"""

from __future__ import annotations

import argparse

from console.attach import cli as attach_cli
from console.attach.cli import AttachTarget
from console.session.attached import AttachedSession

build_parser = attach_cli.build_parser


async def _live_view(session: AttachedSession, target: AttachTarget) -> int:
    from console.app.attach_app import run_live

    return await run_live(session, target)


def run(args: argparse.Namespace) -> int:
    return attach_cli.run(args, live=_live_view)
