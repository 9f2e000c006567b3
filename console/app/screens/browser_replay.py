"""The replay as the sessions browser opens it: `q` comes back to the list.

Apart from `sessions.py` so that the browser imports the replay (its widgets, numpy for
the waveforms: about half of the browser's imports) only when a recording is opened,
not before its first paint.
"""

from __future__ import annotations

from console.app.screens.replay import ReplayScreen


class BrowserReplayScreen(ReplayScreen):
    """The replay, pushed over the browser: quitting it comes back to the list and closes
    the recording, instead of ending the app as the stand-alone replay does."""

    async def action_quit(self) -> None:
        self._cancel.set()
        self.app.pop_screen()

    async def on_unmount(self) -> None:
        await super().on_unmount()
        self.rec.close()
