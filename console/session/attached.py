"""`AttachedSession`: a live WebRTC or SIP call, watched and steered through a sideband.

Upstream lets a server attach to a live call with a second WebSocket to
`/v1/realtime?call_id=CALL_ID`: it receives the call's server events and may send client
events that act on the call. For the console this is the same kind of thing as a proxied
app's session (a `RebuiltSession`: events of a session it did not open, the conversation
rebuilt from them), fed by its own WebSocket client instead of the proxy's relay.

`connect()` opens the sideband (a refusal is an `AttachError` whose message says why,
never holding the key); `run()` reads the call's events until the call or the sideband
ends; `send(event)` steers the call. No UI here.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
)

from console.realtime.protocol import new_event_id
from console.session.event_store import EventStore
from console.session.rebuilt import RebuiltSession, SteerRefused
from console.session.stats import SessionStats

OPENAI_REALTIME_URL = "wss://api.openai.com/v1/realtime"
OPEN_TIMEOUT_S = 15.0
#: Frames as large as upstream sends (audio deltas of long responses).
MAX_FRAME_BYTES = 16 * 1024 * 1024


class AttachError(SteerRefused):
    """The sideband could not be opened, or a client event could not be sent."""


def sideband_url(base: str, call_id: str) -> str:
    """`base` with `call_id=CALL_ID` in its query (any `model` there is dropped: the call has one)."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("call_id", "model")]
    query.append(("call_id", call_id))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def _refusal(exc: InvalidStatus) -> str:
    """A refused upgrade as a sentence: the status and upstream's error message, if any."""
    response = exc.response
    message = ""
    try:
        body = json.loads(bytes(response.body or b"").decode("utf-8", "replace"))
        message = str(body.get("error", {}).get("message") or "")
    except (ValueError, AttributeError):
        message = bytes(response.body or b"").decode("utf-8", "replace").strip()[:200]
    hint = {404: " (no live call has that id)", 401: " (check the API key)", 403: " (the key may not attach)"}
    return f"HTTP {response.status_code}{hint.get(response.status_code, '')}" + (f": {message}" if message else "")


class AttachedSession(RebuiltSession):
    """A sideband connection to one live call, as the console shows it.

    Args:
        call_id: the call to attach to.
        base_url: the Realtime WebSocket endpoint (`wss://api.openai.com/v1/realtime`).
        headers: sent on the upgrade (`Authorization`); never shown or recorded.
        clock: epoch seconds (tests inject a fixed clock).
        redact: applied to every note and status (keeps the key off the screen).
    """

    def __init__(self, call_id: str, base_url: str = OPENAI_REALTIME_URL, *,
                 headers: Mapping[str, str] | None = None, store: EventStore | None = None,
                 clock: Callable[[], float] = time.time, redact: Callable[[str], str] | None = None) -> None:
        self.call_id = call_id
        self.url = sideband_url(base_url, call_id)
        stats = SessionStats(endpoint=f"{base_url} · call {call_id}", protocol="ga", model="", turn_mode="vad")
        super().__init__(store or EventStore(), stats, kind="attach", protocol="ga", clock=clock, redact=redact)
        self._start_rebuilding()
        self._headers = dict(headers or {})
        self._ws: ClientConnection | None = None
        self.opened_at: float | None = None
        self.ended_at: float | None = None
        self.ended: str = ""  #: how the sideband ended ("" while it is open)
        self.closed = asyncio.Event()
        self._heard = asyncio.Event()

    @property
    def id(self) -> int:
        """Views number sessions; an attach app shows one."""
        return 1

    @property
    def live(self) -> bool:
        return self._ws is not None and self.ended_at is None

    @property
    def steerable(self) -> bool:
        return self.live

    # --- the connection -----------------------------------------------------------------

    async def connect(self) -> None:
        """Open the sideband.

        Raises:
            AttachError: refused (unknown call, bad key) or unreachable; the message says which.
        """
        self.set_connection("connecting", f"call {self.call_id}")
        try:
            self._ws = await websockets.connect(self.url, additional_headers=self._headers, max_size=MAX_FRAME_BYTES,
                                                open_timeout=OPEN_TIMEOUT_S, compression=None)
        except InvalidStatus as exc:
            raise self._failed(f"the server refused to attach to call {self.call_id}: {_refusal(exc)}") from None
        except InvalidURI:
            raise self._failed(f"not a WebSocket URL: {self.url}") from None
        except (TimeoutError, OSError, InvalidHandshake) as exc:
            raise self._failed(f"cannot reach {urlsplit(self.url).netloc}: {exc or type(exc).__name__}") from None
        self.opened_at = self.clock()
        self.set_connection("connected", f"attached to call {self.call_id}")

    def _failed(self, message: str) -> AttachError:
        message = self.redact(message)
        self.set_connection("failed", message)
        self.closed.set()
        return AttachError(message)

    async def wait_attached(self) -> None:
        """Until the call's first event arrived (the server has joined this sideband to the call)."""
        await self._heard.wait()

    async def run(self) -> None:
        """Feed every server event of the call until the sideband closes (then `ended` says how)."""
        ws = self._ws
        if ws is None:
            raise AttachError("connect() first")
        try:
            async for message in ws:
                self._received(message)
        except ConnectionClosed:
            pass
        finally:
            self._ended(ws.close_code, ws.close_reason or "")

    def _received(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
        except (ValueError, UnicodeDecodeError):
            event = None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self.add_note("error", "the server sent a frame that is not an event; it is not shown")
            return
        self.feed("server", event)
        self._heard.set()

    def _ended(self, code: int | None, reason: str) -> None:
        if self.ended_at is not None:
            return
        self.ended_at = self.clock()
        self.ended = self.redact(f"code {code if code is not None else 'none'}" + (f" {reason!r}" if reason else ""))
        self.finish_lint()
        self.set_connection("disconnected", f"call {self.call_id} sideband closed: {self.ended}")
        self.add_note("info", f"sideband closed: {self.ended}")
        self.closed.set()

    async def close(self) -> None:
        """Detach (the call goes on without this sideband)."""
        if self._ws is not None:
            await self._ws.close(1000, "detached")
        self.closed.set()

    # --- steering -----------------------------------------------------------------------

    async def send(self, event: dict[str, Any]) -> dict[str, Any]:
        """Send a client event on the sideband (an `event_id` is added when it has none, so a
        server `error` links back to it); returns the event sent.

        Raises:
            AttachError: the sideband is closed; nothing was sent.
            ValueError: the event is not a JSON object with a string `type`.
        """
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError("a client event must be a JSON object with a 'type'")
        ws = self._ws
        if ws is None or not self.steerable:
            raise AttachError(f"the sideband to call {self.call_id} is closed: nothing was sent")
        event = {"event_id": new_event_id(), **event}
        try:
            await ws.send(json.dumps(event))
        except ConnectionClosed:
            raise AttachError(f"the sideband to call {self.call_id} is closed: nothing was sent") from None
        self.feed("client", event)
        return event
