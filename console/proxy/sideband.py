"""A WebRTC call's sideband, watched by the proxy like a relayed WebSocket session.

When an app starts a call through the proxy (`console.proxy.http_relay`), the proxy opens
a sideband WebSocket to it upstream (`/v1/realtime?call_id=…`, with the proxy's key). The
call's server events arrive there, as the app's own peer connection gets them; the app's
client events travel on its WebRTC data channel, which the proxy never sees.

`SidebandSession` is a `ProxySession` with the sideband as its upstream and no app
WebSocket: the same listeners, recording, `inject` (steering goes up the sideband and acts
on the call) and `close`, so the sessions list, the live view and the headless lines treat
it like any other session. Its session ends when upstream closes the sideband (the call
ended).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from .handshake import UpstreamTarget, scrub, sideband_url
from .http_relay import CallStarted
from .recording import ProxyRecording
from .session import ProxySession, SessionInfo

logger = logging.getLogger("console.proxy")
MAX_FRAME_BYTES = 16 * 1024 * 1024  #: as the relay's


class _CallPeer:
    """Where a relayed session would send server frames to the app: here nowhere, since the
    app receives them on its own WebRTC connection."""

    async def send(self, message: str | bytes) -> None:
        return None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


class SidebandSession(ProxySession):
    """A call watched through its sideband (see the module docstring)."""

    def __init__(self, info: SessionInfo, sideband: ClientConnection, recording: ProxyRecording | None,
                 secrets: tuple[str, ...] = ()) -> None:
        super().__init__(info, cast(ServerConnection, _CallPeer()), sideband, recording, secrets)

    async def run(self) -> None:
        """Take the call's events until the sideband closes; then finish the recording.

        Nothing is forwarded (the app has the events already), so the frames only go to
        the backlog the recording and the listeners read."""
        try:
            try:
                async for message in self.upstream:
                    self.frames["server"] += 1
                    self._backlog.append(("server", message, time.time(), False))
                    self._schedule_observe()
            except ConnectionClosed:
                pass
            await self._close_like(self.upstream, self.app, "upstream")
        finally:
            await self.upstream.close()  # a no-op once closed; closes it if the watch was cancelled
            self._observe_backlog()
            if self.recording is not None:
                self.recording.finish()
            self._done.set()


async def open_sideband(call: CallStarted, target: UpstreamTarget, *, new_id: Callable[[], int],
                        record_dir: Path | None, open_timeout: float = 10.0,
                        ping_interval: float | None = 20.0) -> SidebandSession | None:
    """Attach to `call` upstream with the proxy's key; None (and one logged line) when
    upstream refuses or cannot be reached: the call goes on, unwatched."""
    headers = [target.key_header] if target.key_header is not None else []
    if call.protocol == "beta":
        headers.append(("OpenAI-Beta", "realtime=v1"))
    url = sideband_url(target.url, call.call_id)
    try:
        sideband = await connect(url, additional_headers=headers, user_agent_header="realtime-console-proxy",
                                 compression=None, max_size=MAX_FRAME_BYTES, open_timeout=open_timeout,
                                 ping_interval=ping_interval, ping_timeout=ping_interval)
    except InvalidStatus as exc:
        status = exc.response.status_code
        logger.error("proxy: call %s of app %s is not watched: upstream refused its sideband (HTTP %d %s)",
                     call.call_id, call.app, status, _phrase(status))
        return None
    except (OSError, TimeoutError, InvalidHandshake) as exc:
        logger.error("proxy: call %s of app %s is not watched: %s", call.call_id, call.app,
                     scrub(f"{type(exc).__name__}: {exc}", target.secrets))
        return None
    info = SessionInfo(id=new_id(), app=call.app, model=call.model, protocol=call.protocol,
                       upstream=target.label, call_id=call.call_id)
    recording = None
    if record_dir is not None:
        recording = ProxyRecording.open(record_dir, session_id=info.id, app=info.app, upstream=info.upstream,
                                        protocol=info.protocol, model=info.model, call_id=call.call_id)
    return SidebandSession(info, sideband, recording, target.secrets)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


__all__ = ["SidebandSession", "open_sideband"]
