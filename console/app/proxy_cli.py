"""`realtime-console proxy`, with its live view: the proxy's own command, handed the view.

`console.proxy.cli` parses the options and runs the relay (UI-free); this module gives it
the Textual live view (`console.app.proxy_app.run_live`) to show the sessions in, so the
proxy package never imports the app layer. The live view takes the settings file's
keymap and theme, read (and checked) before the proxy starts.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from console.proxy import cli as proxy_cli
from console.proxy.server import ProxyServer
from console.user_config import DEFAULT_THEME, UserSettings

build_parser = proxy_cli.build_parser


def _live_view(settings: UserSettings) -> Callable[[ProxyServer, str], Awaitable[int]]:
    async def live(proxy: ProxyServer, record_dir: str) -> int:
        from console.app.proxy_app import run_live

        return await run_live(proxy, record_dir=record_dir, theme=settings.theme or DEFAULT_THEME,
                              keymap=settings.keymap)

    return live


def run(args: argparse.Namespace) -> int:
    if args.headless:
        return proxy_cli.run(args, live=None)
    from console.app.settings import app_settings

    return proxy_cli.run(args, live=_live_view(app_settings()))
