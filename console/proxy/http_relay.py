"""The proxy's plain HTTP endpoints for WebRTC apps, answered on the WebSocket's own port.

Browser apps mostly start Realtime sessions over WebRTC: their backend mints an ephemeral
key (`POST /v1/realtime/client_secrets`), the page POSTs its SDP offer with that key to
`/v1/realtime/calls` and gets the SDP answer and the call's id (`Location`). The proxy
relays both upstream; once a call exists it hands the id to `attach`, which opens a
sideband to the call (`console.proxy.sideband`), so the call is listed, recorded and
steerable like a relayed WebSocket session. The call's media never passes through here.

Why here, through websockets' `process_request` (which may answer any request with a
`Response`): an app points one base URL at the proxy for both kinds of request, and one
server keeps one listen address, one access policy and one shutdown. websockets parses
only body-less GETs, so each connection reads its request with `read_bodies` (the
simulator's parser: a `Content-Length` body up to 64 KiB, ample for an offer or a session
config); any answer but a 101 then ends the connection (`Connection: close`).

Credentials (decided in `handshake`): the app's ephemeral key goes upstream as is on
`calls`; otherwise the proxy's key. The ephemeral key that `client_secrets` returns is the
app's: the body goes back unchanged, and the proxy keeps only its digest in memory (so a
proxy with a token can accept keys it minted itself), never the value in a log or recording.
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.server import ServerProtocol

from console.serving.http_body import BodyRequest, read_bodies, too_large

from .handshake import (
    RETURNED_HTTP_HEADERS,
    AccessPolicy,
    HttpEndpoint,
    Refusal,
    UpstreamRequest,
    UpstreamTarget,
    call_id_from_location,
    cors_headers,
    decide_http_access,
    decide_preflight,
    header_value,
    http_endpoint,
    requested_model,
    scrub,
    scrub_bytes,
    session_protocol,
    upstream_http_request,
)

logger = logging.getLogger("console.proxy")
#: Upstream answers are an SDP text or a small JSON object; more is not one of them.
MAX_ANSWER_BYTES = 1024 * 1024
#: How long a minted key is remembered when upstream's answer gives no `expires_at`.
DEFAULT_KEY_TTL_S = 600.0


@dataclass(frozen=True)
class CallStarted:
    """A call upstream created for an app: what its sideband session is opened with."""

    call_id: str
    app: str  #: the app's address, `host:port`
    protocol: str
    model: str


@dataclass(frozen=True)
class UpstreamAnswer:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def create_connection(protocol: ServerProtocol, *args: Any, **kwargs: Any) -> ServerConnection:
    """`serve`'s connection factory, reading request bodies (see the module docstring)."""
    read_bodies(protocol)
    return ServerConnection(protocol, *args, **kwargs)


def is_http_request(request: Request) -> bool:
    """Whether a request is for this module rather than a WebSocket upgrade."""
    return request.method != "GET" or http_endpoint(request.path) is not None


class MintedKeys:
    """Digests of the ephemeral keys minted through the proxy, until they expire."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._expiry: dict[str, float] = {}
        self._clock = clock

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def add(self, key: str, expires_at: float | None) -> None:
        now = self._clock()
        self._expiry = {d: t for d, t in self._expiry.items() if t > now}
        self._expiry[self._digest(key)] = expires_at if expires_at is not None else now + DEFAULT_KEY_TTL_S

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._expiry.get(self._digest(key), 0.0) > self._clock()


def minted_key(body: bytes) -> tuple[str, float | None] | None:
    """(value, expires_at) of the key in a `client_secrets` answer (GA's top-level `value`,
    or a `client_secret` object), or None."""
    try:
        answer = json.loads(body)
    except ValueError:
        return None
    if not isinstance(answer, dict):
        return None
    holder = answer.get("client_secret") if isinstance(answer.get("client_secret"), dict) else answer
    value, expires = holder.get("value"), holder.get("expires_at")
    if not isinstance(value, str) or not value:
        return None
    return value, float(expires) if isinstance(expires, (int, float)) else None


def post_upstream(up: UpstreamRequest, body: bytes, timeout: float) -> UpstreamAnswer:
    """One blocking POST (run in a thread): stdlib `http.client`, certificates verified."""
    parts = urlsplit(up.url)
    factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = factory(parts.hostname or "", parts.port, timeout=timeout)
    try:
        headers = dict(up.headers)
        headers["User-Agent"] = up.user_agent or "realtime-console-proxy"
        connection.request("POST", parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers)
        answer = connection.getresponse()
        return UpstreamAnswer(answer.status, answer.reason, answer.getheaders(), answer.read(MAX_ANSWER_BYTES))
    finally:
        connection.close()


def http_response(status: int, body: bytes, content_type: str | None,
                  headers: Sequence[tuple[str, str]] = (), reason: str = "") -> Response:
    """A complete HTTP answer that ends the connection."""
    all_headers = Headers([("Date", formatdate(usegmt=True)), ("Connection", "close"),
                           ("Content-Length", str(len(body)))])
    if content_type:
        all_headers["Content-Type"] = content_type
    for name, value in headers:
        all_headers[name] = value
    try:
        reason = reason or HTTPStatus(status).phrase
    except ValueError:
        reason = reason or "Unknown"
    return Response(status, reason, all_headers, body)


class HttpRelay:
    """Answers the HTTP requests a `ProxyServer` receives (see the module docstring).

    `open_sessions` counts the server's sessions (a call adds one); `attach(call)` watches
    a call upstream created, for as long as it lasts (it runs as a task kept here).
    """

    def __init__(self, target: UpstreamTarget, policy: AccessPolicy, *, open_sessions: Callable[[], int],
                 attach: Callable[[CallStarted], Awaitable[None]], timeout: float = 10.0) -> None:
        self.target = target
        self.policy = policy
        self.timeout = timeout
        self.minted = MintedKeys()
        self._open_sessions = open_sessions
        self._attach = attach
        self._watching: set[asyncio.Task[None]] = set()
        self._closing = False

    async def handle(self, connection: ServerConnection, request: Request) -> Response:
        headers = list(request.headers.raw_items())
        endpoint = http_endpoint(request.path)
        if endpoint is None:  # not a GET, and not an endpoint of this module
            return self._refuse(Refusal.text(HTTPStatus.NOT_FOUND, "Not found: WebSockets connect to "
                                             "/v1/realtime?model=... with a GET; WebRTC apps POST to "
                                             "/v1/realtime/calls and /v1/realtime/client_secrets"), headers)
        if request.method == "OPTIONS":
            preflight = decide_preflight(self.policy, headers)
            if isinstance(preflight, Refusal):
                return self._refuse(preflight, headers)
            return http_response(HTTPStatus.NO_CONTENT, b"", None, preflight)
        oversized = too_large(request)
        if oversized is not None:
            return self._refuse(Refusal.text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, oversized), headers)
        refusal = decide_http_access(self.policy, endpoint, request.method, headers, self._open_sessions(),
                                     self.minted.__contains__)
        if refusal is not None:
            return self._refuse(refusal, headers)
        body = request.body if isinstance(request, BodyRequest) else b""
        up = upstream_http_request(self.target, endpoint, request.path, headers)
        try:
            answer = await asyncio.to_thread(post_upstream, up, body, self.timeout)
        except (OSError, http.client.HTTPException) as exc:
            detail = scrub(f"{type(exc).__name__}: {exc}", self.target.secrets)
            logger.error("proxy: upstream %s did not answer %s: %s", self.target.label, endpoint, detail)
            return self._refuse(Refusal.text(HTTPStatus.BAD_GATEWAY,
                                             f"The proxy could not reach its upstream ({detail})."), headers)
        app = _address(connection)
        self._after(endpoint, answer, app, request.path, headers)
        return self._relay(answer, headers)

    def _after(self, endpoint: HttpEndpoint, answer: UpstreamAnswer, app: str, path: str,
               headers: Sequence[tuple[str, str]]) -> None:
        """What an upstream answer starts: a key remembered, or a call watched."""
        if not 200 <= answer.status < 300:
            logger.warning("proxy: upstream refused %s for app %s: HTTP %d (passed on)", endpoint, app, answer.status)
            return
        if endpoint == "client_secrets":
            minted = minted_key(answer.body)
            if minted is not None:
                self.minted.add(*minted)
            logger.info("proxy: app %s minted an ephemeral key (returned to the app, not shown)", app)
            return
        call_id = call_id_from_location(header_value(answer.headers, "Location"))
        if call_id is None:
            logger.warning("proxy: upstream started a call for app %s without a Location: it is not watched", app)
            return
        if self._closing:
            return
        call = CallStarted(call_id, app, session_protocol(headers), requested_model(path) or "unknown")
        logger.info("proxy: app %s started WebRTC call %s; attaching a sideband", app, call_id)
        task = asyncio.ensure_future(self._attach(call))
        self._watching.add(task)
        task.add_done_callback(self._watching.discard)

    def _relay(self, answer: UpstreamAnswer, headers: Sequence[tuple[str, str]]) -> Response:
        """Upstream's status and body as they came (no key of the proxy's in them), a few
        of its headers, and the CORS headers an allowed page needs."""
        returned = {h.lower() for h in RETURNED_HTTP_HEADERS} - {"content-type"}
        passed = [(name, scrub(value, self.target.secrets)) for name, value in answer.headers
                  if name.lower() in returned]
        return http_response(answer.status, scrub_bytes(answer.body, self.target.secrets),
                             _last(answer.headers, "Content-Type"),
                             [*passed, *cors_headers(self.policy, headers)], answer.reason)

    def _refuse(self, refusal: Refusal, headers: Sequence[tuple[str, str]]) -> Response:
        return http_response(refusal.status, refusal.body, refusal.content_type, cors_headers(self.policy, headers))

    async def close(self) -> None:
        """Stop watching new calls; cancel the sidebands still opening (open ones are the
        server's sessions, closed with it) and wait for every watch to end."""
        self._closing = True
        for task in list(self._watching):
            task.cancel()
        await asyncio.gather(*self._watching, return_exceptions=True)


def _last(headers: Sequence[tuple[str, str]], wanted: str) -> str | None:
    """The last of a repeated header: the one a client goes by (websockets' `respond` sets a
    text Content-Type that a server may then add its own after)."""
    values = [value for name, value in headers if name.lower() == wanted.lower()]
    return values[-1] if values else None


def _address(connection: ServerConnection) -> str:
    host, port = connection.remote_address[:2]
    return f"{host}:{port}"


__all__ = ["CallStarted", "HttpRelay", "create_connection", "is_http_request"]
