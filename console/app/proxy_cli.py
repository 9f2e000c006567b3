"""`realtime-console proxy`, with its live view: the proxy's own command, handed the view.

`console.proxy.cli` parses the options and runs the relay (UI-free); this module gives it
the Textual live view (`console.app.proxy_app.run_live`) to show the sessions in, so the
proxy package never imports the app layer.
"""

from __future__ import annotations

import argparse

from console.proxy import cli as proxy_cli
from console.proxy.server import ProxyServer

build_parser = proxy_cli.build_parser


async def _live_view(proxy: ProxyServer, record_dir: str) -> int:
    from console.app.proxy_app import run_live

    return await run_live(proxy, record_dir=record_dir)


def run(args: argparse.Namespace) -> int:
    return proxy_cli.run(args, live=_live_view)
