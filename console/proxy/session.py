"""One proxied session: two WebSockets, a relay task per direction, and watchers.

Each direction is one loop that forwards a frame and only then looks at it (parse,
record, tell listeners), so observing never delays the frame it observes; frames are
forwarded as received (text stays text, byte for byte; binary stays binary) and in order.
When one side closes, the other is closed with the same code and reason.

Watching (a future TUI, or tests) is UI-free: `add_listener` gets every frame as a
`Frame`, and `inject` sends a client event of the watcher's own upstream (steering),
recorded and reported with `injected=True`; the app still gets the server's answers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, cast

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.connection import Connection
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from .handshake import scrub
from .recording import ProxyRecording

logger = logging.getLogger("console.proxy")
Source = Literal["client", "server"]
#: Close code sent to one side when the other vanished without a close frame.
CLOSE_PEER_LOST = 1011
NO_STATUS = 1005


@dataclass(frozen=True)
class Frame:
    """One relayed (or injected) frame: who sent it, the text or bytes, and the parsed event
    (None when the frame is not a JSON object with a `type`)."""

    source: Source
    raw: str | bytes
    event: dict[str, Any] | None
    injected: bool = False


Listener = Callable[["ProxySession", Frame], None]


def parse_event(raw: str | bytes) -> dict[str, Any] | None:
    """The event in a text frame, or None (binary, not JSON, or not an event)."""
    if not isinstance(raw, str):
        return None
    try:
        event = json.loads(raw)
    except ValueError:
        return None
    return event if isinstance(event, dict) and isinstance(event.get("type"), str) else None


@dataclass
class SessionInfo:
    """What is known about a session when it opens (all safe to show: no key)."""

    id: int
    app: str  #: the app's address, `host:port`
    model: str
    protocol: str
    upstream: str  #: scheme, host and path of the upstream
    call_id: str | None = None  #: the WebRTC call, for a call's sideband (`console.proxy.sideband`)


class ProxySession:
    """A live session between an app and the upstream."""

    def __init__(self, info: SessionInfo, app: ServerConnection, upstream: ClientConnection,
                 recording: ProxyRecording | None, secrets: tuple[str, ...] = ()) -> None:
        self.info = info
        self.app = app
        self.upstream = upstream
        self.recording = recording
        self.frames: dict[Source, int] = {"client": 0, "server": 0}
        self.started = time.monotonic()
        #: How the session ended, once it has: (who closed first, code, reason).
        self.ended_by: tuple[str, int | None, str] | None = None
        self._secrets = secrets
        self._listeners: list[Listener] = []
        self._done = asyncio.Event()

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(session, frame)` for every frame from now on; returns an unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- relaying ----------------------------------------------------------------------

    async def run(self) -> None:
        """Relay until both sides are closed; then finish the recording."""
        try:
            await asyncio.gather(self._pump(self.app, self.upstream, "client"),
                                 self._pump(self.upstream, self.app, "server"))
        finally:
            if self.recording is not None:
                self.recording.finish()
            self._done.set()

    async def _pump(self, src: Connection, dst: Connection, source: Source) -> None:
        forwarding = True
        try:
            async for message in src:
                if not forwarding:
                    continue  # dst is gone: keep reading, so src's close frame is not stuck behind data
                try:
                    await dst.send(message)
                except ConnectionClosed:
                    forwarding = False  # the other direction's loop ends and closes src like dst
                    continue
                self.frames[source] += 1
                if self._listeners or self.recording is not None:
                    self._observe(Frame(source, message, parse_event(message)))
        except ConnectionClosed:
            pass
        await self._close_like(src, dst, "app" if source == "client" else "upstream")

    async def _close_like(self, closed: Connection, other: Connection, who: str) -> None:
        """Close `other` as `closed` was closed: the same code and reason."""
        rcvd = closed.protocol.close_rcvd
        if rcvd is None:
            code: int | None = CLOSE_PEER_LOST
            reason = f"the {who} connection was lost"
        elif rcvd.code == NO_STATUS:
            code, reason = None, ""  # an empty close frame, as received
        else:
            code, reason = rcvd.code, scrub(rcvd.reason, self._secrets)
        if self.ended_by is None:
            self.ended_by = (who, code, reason)
        # websockets sends an empty close frame for code None (its send_close contract).
        await other.close(cast(int, code), reason)

    def _observe(self, frame: Frame) -> None:
        if self.recording is not None and frame.event is not None:
            self.recording.record(frame.source, frame.event, injected=frame.injected)
        for listener in list(self._listeners):
            try:
                listener(self, frame)
            except Exception:  # a watcher's bug must not stop the relay
                logger.exception("proxy: a session listener failed")

    # --- steering ----------------------------------------------------------------------

    async def inject(self, event: dict[str, Any]) -> str:
        """Send a client event upstream on the watcher's behalf; returns the text sent.

        It is recorded (marked `"injected": true`) and reported to listeners like a client
        frame; the app does not see it, but it does see the server's answers.

        Raises:
            ValueError: the event is not a dict with a string `type`.
            ConnectionError: the session is closed.
        """
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError("an injected event must be a JSON object with a 'type'")
        if self.closed:
            raise ConnectionError(f"session {self.id} is closed")
        text = json.dumps(event, ensure_ascii=False)
        try:
            await self.upstream.send(text)
        except ConnectionClosed as exc:
            raise ConnectionError(f"session {self.id} is closed") from exc
        self._observe(Frame("client", text, event, injected=True))
        return text

    # --- ending ------------------------------------------------------------------------

    async def close(self, code: int = 1001, reason: str = "proxy shutting down") -> None:
        """Close both sides (app first, with `code` and `reason`) and wait until the session
        ended and its recording is complete."""
        if not self.closed:
            if self.ended_by is None:
                self.ended_by = ("proxy", code, reason)
            await asyncio.gather(self.app.close(code, reason), self.upstream.close(code, reason),
                                 return_exceptions=True)
        await self._done.wait()

    async def wait_closed(self) -> None:
        await self._done.wait()
