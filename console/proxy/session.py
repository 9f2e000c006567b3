"""One proxied session: two WebSockets, a relay task per direction, and watchers.

Relay first, observe after. Each direction relays in one of two ways, in order and byte
for byte either way:

- as received bytes (`rawrelay`), once the websockets connection it reads has nothing
  pending and no extension is negotiated on either side: a data frame is forwarded as the
  bytes that arrived (only its header is read), which costs a fraction of decoding it;
  control frames still go to the library (pings answered, closes handled);
- through the library otherwise, and for good once that side's raw reader hands back (a
  close, a fragmented message, a frame the library must refuse): each message is framed
  again for the other side (text stays text, binary stays binary).

On the raw path, the frames read at once go out in one write from the very callback that
read them: no extra pass of the event loop, and no timer can run first (asyncio runs the
timers due in a pass after its I/O callbacks). The library's path queues its frames, and
the frames queued in one pass go out in one write right after it (`_flush`). Either way
they are observed a moment later (`OBSERVE_DELAY_S`): parsed once, recorded (the frame's
own text spliced into the line, one disk write for all the frames observed together) and
handed to listeners, in relay order. So parsing, recording and watching never delay the
frame they observe, and a burst of frames costs one socket write, and the frames of 20 ms
one disk write, instead of one each per frame.
When one side closes, the other is closed with the same code and reason (after the frames
queued before the close).

Watching (the live view, tests) is UI-free: `add_listener` gets every frame as a `Frame`,
and `inject` sends a client event of the watcher's own upstream (steering), recorded and
reported with `injected=True`; the app still gets the server's answers.
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
from websockets.protocol import State

from console.recording.json_text import parse_event_text

from .framing import encode_frame
from .handshake import scrub
from .rawrelay import RawMessage, RawReader, at_frame_boundary
from .recording import ProxyRecording

logger = logging.getLogger("console.proxy")
Source = Literal["client", "server"]
#: Close code sent to one side when the other vanished without a close frame.
CLOSE_PEER_LOST = 1011
NO_STATUS = 1005
#: Queued bytes for one side after which the relay writes them at once and, if that
#: side's socket is backed up, waits for it (back-pressure on the sending side).
FLUSH_BYTES = 64 * 1024
#: How long relayed frames wait to be observed (parsed, recorded, shown): long enough for a
#: burst to be relayed first and for a streaming session's frames to be observed ten or so
#: at a time (one timer and one disk write for them all: ~4.7 µs a frame, against ~9 for
#: one frame at a time, as 2 ms gave at 100 streaming sessions), short enough to be
#: invisible in a live view (a frame of the screen is ~16 ms) and to bound what a killed
#: proxy has not written yet.
OBSERVE_DELAY_S = 0.02


@dataclass(frozen=True)
class Frame:
    """One relayed (or injected) frame: who sent it, the text or bytes, and the parsed event
    (None when the frame is not a JSON object with a `type`)."""

    source: Source
    raw: str | bytes
    event: dict[str, Any] | None
    injected: bool = False


Listener = Callable[["ProxySession", Frame], None]


def _write_out(connection: Connection, frames: list[bytes]) -> None:
    """Write relayed frames to a connection still open (after a close they would be
    ignored by the peer, so they are dropped, as `send` would refuse them)."""
    if connection.protocol.state is State.OPEN and not connection.transport.is_closing():
        connection.transport.writelines(frames)


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
        #: Frames relayed but not observed yet: (source, frame, epoch seconds, injected).
        self._backlog: list[tuple[Source, str | bytes | RawMessage, float, bool]] = []
        #: Frames built but not written yet, per side (see `_queue`).
        self._to_app: list[bytes] = []
        self._to_upstream: list[bytes] = []
        self._flush_scheduled = False
        self._observe_scheduled = False
        self._queued_bytes = 0  #: bytes queued since the last flush
        self._holding: set[Connection] = set()  #: sides not read while their peer is backed up
        self._tasks: set[asyncio.Future[None]] = set()

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(session, frame)` for every frame from now on; returns an unsubscribe."""
        self._observe_backlog()  # frames relayed before now are not this listener's
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # --- relaying ----------------------------------------------------------------------

    async def run(self) -> None:
        """Relay until both sides are closed; then finish the recording."""
        try:
            await asyncio.gather(self._pump(self.app, self.upstream, "client"),
                                 self._pump(self.upstream, self.app, "server"))
        finally:
            self._flush()
            self._observe_backlog()
            if self.recording is not None:
                self.recording.finish()
            self._done.set()

    async def _pump(self, src: Connection, dst: Connection, source: Source) -> None:
        forwarding = True
        raw = not src.protocol.extensions and not dst.protocol.extensions
        try:
            while True:
                if raw and forwarding and at_frame_boundary(src):
                    raw = False  # once back on the library's path, this direction stays there
                    await self._relay_raw(src, dst, source)
                message = await src.recv()
                if not forwarding:
                    continue  # dst is gone: keep reading, so src's close frame is not stuck behind data
                if not self._queue(dst, message):
                    forwarding = False  # the other direction's loop ends and closes src like dst
                    continue
                self.frames[source] += 1
                if self._listeners or self.recording is not None:
                    self._backlog.append((source, message, time.time(), False))
                self._queued_bytes += len(message)
                if self._queued_bytes >= FLUSH_BYTES:  # a long burst: write now, respect dst's flow control
                    self._flush()
                    await self._drain(dst)
        except ConnectionClosed:
            pass
        await self._close_like(src, dst, "app" if source == "client" else "upstream")

    async def _relay_raw(self, src: Connection, dst: Connection, source: Source) -> None:
        """Relay src's data frames to dst as received bytes (`rawrelay`) until src's reader
        hands back to the library: a close, a frame that path does not take, or the end.

        The frames are written at once, after whatever the library's path still has queued
        for dst (`_to_app`, `_to_upstream`), so both paths keep one order, and injected
        events still go out between whole frames.
        """
        to_upstream = dst is self.upstream

        def forward(data: bytes, count: int, messages: list[RawMessage]) -> None:
            if dst.protocol.state is not State.OPEN:
                return  # dst is gone: the frames are dropped, as on the library's path
            self.frames[source] += count
            if messages:
                at = time.time()
                self._backlog.extend([(source, message, at, False) for message in messages])
            queued = self._to_upstream if to_upstream else self._to_app
            if queued:  # frames from the library's path still waiting: they go first
                queued.append(data)
                self._flush()
            else:  # written in the callback that read them, before any timer of this pass
                _write_out(dst, [data])
                self._schedule_observe()
            self._hold_while_backed_up(src, dst)

        reader = RawReader(src, masked=to_upstream, forward=forward,
                           observed=lambda: bool(self._listeners) or self.recording is not None)
        reader.install()
        await reader.released

    def _hold_while_backed_up(self, src: Connection, dst: Connection) -> None:
        """Stop reading src while dst's socket buffer is over its limit (back-pressure on
        the sending side, as the library path's `_drain`)."""
        if not dst.paused or src in self._holding:
            return
        self._holding.add(src)
        src.transport.pause_reading()

        async def release() -> None:
            try:
                await dst.drain()
            except OSError:
                pass
            finally:
                self._holding.discard(src)
                if not src.transport.is_closing():
                    src.transport.resume_reading()

        self._tasks.add(task := asyncio.ensure_future(release()))
        task.add_done_callback(self._tasks.discard)

    def _queue(self, dst: Connection, message: str | bytes) -> bool:
        """Frame `message` for `dst` (written by `_flush`); False when dst is no longer open.

        The frame is built here (`framing.encode_frame`) rather than by `dst.send`, which
        writes each frame with its own system call: a burst is written at once. Whatever
        else writes to `dst` through the library (a close, an injected event) flushes this
        queue first, so frames keep their order.
        """
        if dst.protocol.state is not State.OPEN:
            return False
        text = isinstance(message, str)
        payload = message.encode() if isinstance(message, str) else message
        to_upstream = dst is self.upstream
        (self._to_upstream if to_upstream else self._to_app).append(
            encode_frame(payload, text=text, mask=to_upstream))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        return True

    def _flush(self) -> None:
        """Write what is queued for both sides; the frames are observed `OBSERVE_DELAY_S`
        later, so a burst of frames (this session's and others') is relayed before any of
        it is parsed, recorded or shown."""
        self._flush_scheduled = False
        self._queued_bytes = 0
        if self._to_app:
            frames, self._to_app = self._to_app, []
            _write_out(self.app, frames)
        if self._to_upstream:
            frames, self._to_upstream = self._to_upstream, []
            _write_out(self.upstream, frames)
        self._schedule_observe()

    def _schedule_observe(self) -> None:
        """Observe the backlog `OBSERVE_DELAY_S` from now, unless that is already due."""
        if self._backlog and not self._observe_scheduled:
            self._observe_scheduled = True
            asyncio.get_running_loop().call_later(OBSERVE_DELAY_S, self._observe_backlog)

    def _observe_backlog(self) -> None:
        """Observe the frames relayed so far, in relay order: parse each once, record it,
        tell the listeners; then write the recording's lines in one go."""
        self._observe_scheduled = False
        if not self._backlog:
            return
        backlog, self._backlog = self._backlog, []
        frames = [(source, message.decode() if type(message) is RawMessage else message, at, injected)
                  for source, message, at, injected in backlog]
        recording = self.recording
        if recording is not None:
            events = recording.record_frames(frames)
            recording.flush()
        else:
            events = [parse_event_text(text) for _, text, _, _ in frames]
        if self._listeners:
            for (source, text, _, injected), event in zip(frames, events):
                self._tell(Frame(source, text, event, injected))

    @staticmethod
    async def _drain(dst: Connection) -> None:
        """Wait while dst's socket buffer is over its limit (as `dst.send` would)."""
        try:
            await dst.drain()
        except OSError:  # the connection was lost: the pump learns it from its next read
            return

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
        self._flush()  # the frames relayed before the close go first
        # websockets sends an empty close frame for code None (its send_close contract).
        await other.close(cast(int, code), reason)

    def _tell(self, frame: Frame) -> None:
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
        self._flush()  # the app's frames queued before it go first
        try:
            await self.upstream.send(text)
        except ConnectionClosed as exc:
            raise ConnectionError(f"session {self.id} is closed") from exc
        self._backlog.append(("client", text, time.time(), True))  # after the frames relayed before it
        self._observe_backlog()
        return text

    # --- ending ------------------------------------------------------------------------

    async def close(self, code: int = 1001, reason: str = "proxy shutting down") -> None:
        """Close both sides (app first, with `code` and `reason`) and wait until the session
        ended and its recording is complete."""
        if not self.closed:
            if self.ended_by is None:
                self.ended_by = ("proxy", code, reason)
            self._flush()  # the frames relayed before the close go first
            await asyncio.gather(self.app.close(code, reason), self.upstream.close(code, reason),
                                 return_exceptions=True)
        await self._done.wait()

    async def wait_closed(self) -> None:
        await self._done.wait()
