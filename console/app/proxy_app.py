"""`realtime-console proxy` with its live view: the proxy runs inside a Textual app.

The proxy's relay loops and the app share one asyncio event loop, so the proxy's hooks
and frame listeners (which feed each `ProxiedSession`) run between screen updates and no
lock is needed. The caller starts the proxy (a port already in use is a usage error on
the terminal, before the screen takes it over) and closes it after the app exits; the
app only watches and steers. Log lines of the proxy (an upstream that did not open, a
recording that stopped) become notifications instead of text over the screen.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Mapping

from textual.app import App

from console.app.keyed_app import KeyedApp
from console.app.screens.proxy_main import STEER_HELP, ProxyMainScreen
from console.proxy.handshake import scrub
from console.proxy.server import ProxyServer
from console.session.proxied import ProxiedSessions

PROXY_LOGGER = "console.proxy"


class _NotifyHandler(logging.Handler):
    """Shows the proxy's log records as notifications (warnings and errors stand out)."""

    def __init__(self, app: App[int]) -> None:
        super().__init__(logging.INFO)
        self.app = app

    def emit(self, record: logging.LogRecord) -> None:
        try:
            severity = "error" if record.levelno >= logging.ERROR else "warning" if record.levelno >= logging.WARNING \
                else "information"
            self.app.notify(record.getMessage(), severity=severity, markup=False)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a log line must never take the proxy down
            self.handleError(record)


class ProxyConsoleApp(KeyedApp):
    """The live view over a started `ProxyServer`."""

    TITLE = "realtime-console proxy"

    def __init__(self, proxy: ProxyServer, *, record_dir: str | None = None,
                 redact: Callable[[str], str] | None = None, theme: str = "textual-dark",
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(keymap=keymap)
        self.proxy = proxy
        self.sessions = ProxiedSessions(proxy, redact=redact)
        recordings = f"; recordings in {record_dir}" if record_dir else ""
        token = "; apps must present --token" if proxy.policy.token else ""
        self.listening = (f"proxy on {proxy.url}?model=…  →  upstream {proxy.target.label}{recordings}{token}"
                          "   (ctrl+q quits and closes every session)")
        self._theme_name = theme
        self._handler = _NotifyHandler(self)

    async def on_mount(self) -> None:
        self.theme = self._theme_name
        logging.getLogger(PROXY_LOGGER).addHandler(self._handler)
        await self.push_screen(ProxyMainScreen(self.sessions, listening=self.listening))

    def on_unmount(self) -> None:
        logging.getLogger(PROXY_LOGGER).removeHandler(self._handler)
        self.sessions.detach()

    def help_extra(self) -> tuple[str, str] | None:
        return "the input line", STEER_HELP

    @property
    def main(self) -> ProxyMainScreen:
        screen = self.screen
        assert isinstance(screen, ProxyMainScreen)
        return screen


async def run_live(proxy: ProxyServer, *, record_dir: str | None = None, theme: str = "textual-dark",
                   keymap: Mapping[str, str] | None = None) -> int:
    """Run the live view until the user quits (or SIGTERM); the caller closes the proxy."""
    app = ProxyConsoleApp(proxy, record_dir=record_dir, redact=_redactor(proxy), theme=theme, keymap=keymap)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, app.exit)
    try:
        await app.run_async()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    return 0


def _redactor(proxy: ProxyServer) -> Callable[[str], str]:
    """Keeps the upstream key (and the proxy's token) off the screen."""
    secrets = tuple(s for s in (*proxy.target.secrets, proxy.policy.token or "") if s)
    return lambda text: scrub(text, secrets)
