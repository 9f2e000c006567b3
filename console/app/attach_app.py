"""`realtime-console attach` live view: one attached call in the proxy's session panes.

The screen (`AttachScreen`: title, panes, notice line, steering input line) is in
`console.app.screens.attach_main`. The sideband's reader runs in the app's event loop;
the caller opened the sideband and closes it after the app exits.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Mapping

from console.app.keyed_app import KeyedApp
from console.app.screens.attach_main import STEER_HELP, AttachScreen
from console.attach.cli import AttachTarget
from console.session.attached import AttachedSession


class AttachConsoleApp(KeyedApp):
    """The live view of one attached call; reads the sideband while it runs."""

    TITLE = "realtime-console attach"

    def __init__(self, session: AttachedSession, *, title: str, theme: str = "textual-dark",
                 keymap: Mapping[str, str] | None = None) -> None:
        super().__init__(keymap=keymap)
        self.session = session
        self.title_text = title
        self._theme_name = theme
        self._reader: asyncio.Task[None] | None = None

    async def on_mount(self) -> None:
        self.theme = self._theme_name
        self._reader = asyncio.ensure_future(self.session.run())
        await self.push_screen(AttachScreen(self.session, self.title_text))

    async def on_unmount(self) -> None:
        await self.session.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def help_extra(self) -> tuple[str, str] | None:
        return "the input line", STEER_HELP

    @property
    def main(self) -> AttachScreen:
        screen = self.screen
        assert isinstance(screen, AttachScreen)
        return screen


def title_for(session: AttachedSession, target: AttachTarget) -> str:
    where = "the embedded simulator (a demo call; its caller speaks first)" if target.simulator is not None \
        else target.url
    recording = f"; recording to {target.recording.path}" if target.recording is not None else "; not recording"
    return f"attached to call {session.call_id} at {where}{recording}   (ctrl+q detaches; the call goes on)"


async def run_live(session: AttachedSession, target: AttachTarget, *, theme: str = "textual-dark",
                   keymap: Mapping[str, str] | None = None) -> int:
    """Run the live view until the user quits (or SIGTERM); the caller closes the sideband."""
    app = AttachConsoleApp(session, title=title_for(session, target), theme=theme, keymap=keymap)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, app.exit)
    try:
        await app.run_async()
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
    return 0
