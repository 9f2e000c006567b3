"""Simulated WebRTC/SIP calls and their sideband connections.

Upstream starts a call with `POST /v1/realtime/calls` (an SDP offer in, an SDP answer
and a `Location: /v1/realtime/calls/{call_id}` out); the call's media never touches a
server of the app's, but the app may attach to the call with a *sideband* WebSocket to
`/v1/realtime?call_id=...`: it receives the call's server events and may send client
events that act on the call's session. Several sidebands may attach.

Here a call is a `Connection` whose wire is `CallWire`, which fans every server event
out to the sidebands attached at the time. The simulator need not honour the offer: it
answers a fixed SDP text. Tests play the caller with `Call.say` (no media exists).

A browser starts its call with an *ephemeral key* its backend minted with
`POST /v1/realtime/client_secrets`; `EphemeralKeys` mints them (`ek_…`, GA's answer
shape) and the calls endpoint accepts them until they expire. The key's session config is
echoed in the answer, not applied to the call.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from console.realtime.protocol import new_event_id

from .connection import Connection

#: What the simulator answers every offer with: well formed, never used for media.
SDP_ANSWER = "\r\n".join((
    "v=0",
    "o=- 4215775240449105457 2 IN IP4 127.0.0.1",
    "s=realtime-console simulator",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "a=msid-semantic: WMS",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    "c=IN IP4 0.0.0.0",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=ice-ufrag:simu",
    "a=ice-pwd:simulatorsimulatorsimula",
    "a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
    "a=setup:active",
    "a=mid:0",
    "a=sendrecv",
    "a=rtcp-mux",
    "a=rtpmap:111 opus/48000/2",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 0.0.0.0",
    "a=mid:1",
    "a=sctp-port:5000",
    "",
))
CLOSE_CALL_ENDED = 1000
#: How long a minted key lasts by default (upstream: 600 s; `expires_after.seconds` sets it).
DEFAULT_KEY_TTL_S = 600
MAX_KEY_TTL_S = 7200


def new_call_id() -> str:
    """`rtc_` and 32 hex digits, the shape of upstream's call ids."""
    return "rtc_" + secrets.token_hex(16)


class CallWire:
    """A call's outgoing side: every frame goes to each sideband attached now."""

    def __init__(self, on_end: Callable[[], None]) -> None:
        self.sidebands: list[ServerConnection] = []
        self.ended = False
        self._on_end = on_end

    async def send(self, message: str) -> None:
        for ws in list(self.sidebands):
            try:
                await ws.send(message)
            except ConnectionClosed:
                pass

    async def close(self, code: int, reason: str) -> None:
        """The call ends (hang-up, expiry, a fatal error): every sideband is closed."""
        self.ended = True
        self._on_end()
        for ws in list(self.sidebands):
            await ws.close(code, reason)


class Call:
    """One simulated call: its session (a `Connection`) and its sidebands."""

    def __init__(self, call_id: str, make_connection: Callable[[CallWire], Connection],
                 on_end: Callable[[Call], None]) -> None:
        self.id = call_id
        self.wire = CallWire(lambda: on_end(self))
        self.connection = make_connection(self.wire)
        self.connection.begin()

    @property
    def ended(self) -> bool:
        return self.wire.ended

    @property
    def sidebands(self) -> int:
        return len(self.wire.sidebands)

    async def join(self, ws: ServerConnection) -> None:
        """Serve one sideband until it closes.

        It first gets a `session.created` of the call's session as it is now (upstream
        leaves the joining moment unspecified; a watcher needs the session to show it),
        then every server event of the call, and its client events act on the call.
        """
        connection = self.connection
        snapshot = {"type": "session.created", "event_id": new_event_id(), "session": connection.session.snapshot()}
        self.wire.sidebands.append(ws)  # joined from here: no await before the snapshot goes out first
        try:
            await ws.send(json.dumps(snapshot))
            async for message in ws:
                await connection.handle(message)
        except ConnectionClosed:
            pass
        finally:
            if ws in self.wire.sidebands:
                self.wire.sidebands.remove(ws)

    async def say(self, text: str, *, wait: bool = False) -> None:
        """Play the caller: they said `text` (events go to every sideband); with `wait`,
        return once the response it started is done."""
        await self.connection.caller_said(text)
        run = self.connection.active
        if wait and run is not None and run.task is not None:
            await asyncio.gather(run.task, return_exceptions=True)

    async def hang_up(self) -> None:
        """End the call as the caller hanging up: sidebands close with 1000."""
        if not self.ended:
            await self.wire.close(CLOSE_CALL_ENDED, "call ended")
        await self.connection.shutdown()


class Calls:
    """The calls a simulator holds, by id (ended calls are forgotten)."""

    def __init__(self, make_connection: Callable[[CallWire, int], Connection]) -> None:
        self._make_connection = make_connection
        self._calls: dict[str, Call] = {}
        self._count = itertools.count(1)
        self.started = 0  #: calls started so far, ended ones included

    def start(self) -> Call:
        index = next(self._count)
        self.started += 1
        call = Call(new_call_id(), lambda wire: self._make_connection(wire, index), self._forget)
        self._calls[call.id] = call
        return call

    def get(self, call_id: str) -> Call | None:
        return self._calls.get(call_id)

    def _forget(self, call: Call) -> None:
        self._calls.pop(call.id, None)

    async def close_all(self) -> None:
        for call in list(self._calls.values()):
            await call.hang_up()


class ClientSecretError(ValueError):
    """A `client_secrets` request upstream would refuse (400, with this message)."""


class EphemeralKeys:
    """Keys minted by `POST /v1/realtime/client_secrets`, accepted by the calls endpoint
    until they expire."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._expiry: dict[str, float] = {}
        self._clock = clock
        self.minted = 0  #: keys minted so far (tests check that a refused request minted none)

    def mint(self, body: bytes) -> dict[str, Any]:
        """The answer to a request `body` (JSON; may be empty): GA's `value`, `expires_at`
        and `session` (the request's session config with its id and object).

        Raises `ClientSecretError` for a body that is not a JSON object, or a bad TTL.
        """
        try:
            request = json.loads(body) if body.strip() else {}
        except ValueError:
            raise ClientSecretError("The request body must be JSON.") from None
        if not isinstance(request, dict):
            raise ClientSecretError("The request body must be a JSON object.")
        after = request.get("expires_after") or {}
        ttl = after.get("seconds", DEFAULT_KEY_TTL_S) if isinstance(after, dict) else None
        if not isinstance(ttl, int) or not 10 <= ttl <= MAX_KEY_TTL_S:
            raise ClientSecretError(f"expires_after.seconds must be an integer from 10 to {MAX_KEY_TTL_S}.")
        session = request.get("session") if isinstance(request.get("session"), dict) else {}
        value = "ek_" + secrets.token_hex(16)
        expires_at = int(self._clock()) + ttl
        self._expiry[value] = expires_at
        self.minted += 1
        return {"value": value, "expires_at": expires_at,
                "session": {"type": "realtime", "model": "gpt-realtime", **session, "object": "realtime.session",
                            "id": new_event_id("sess_")}}

    def valid(self, key: str | None) -> bool:
        return key is not None and self._expiry.get(key, 0.0) > self._clock()
