"""The simulator's WebSocket server: upgrade checks, protocol choice and connections.

`Simulator` is what tests and the console's offline mode use:

    async with Simulator(fast=True) as sim:
        ...connect to sim.url + "?model=gpt-realtime"...

Authentication: with `require_key`, a missing or wrong key is refused on the HTTP
upgrade itself with a 401 and upstream's JSON error body (`auth_failure="http"`, the
default), or, like api.openai.com does for WebSockets, accepted and then answered with
`invalid_api_key` and close 3000 (`auth_failure="close"`). Keys are read from
`Authorization: Bearer`, Azure's `api-key` header, or the browser subprotocol
`openai-insecure-api-key.<key>`, and never logged or echoed.

Calls (`calls`): `POST /v1/realtime/calls` with an SDP offer starts a simulated WebRTC/SIP
call (201, an SDP answer, `Location: /v1/realtime/calls/{call_id}`), and a WebSocket to
`/v1/realtime?call_id=...` attaches a sideband to it (an unknown id is a 404 with
upstream's error body). `POST /v1/realtime/client_secrets` mints an ephemeral key (`ek_…`)
that the calls endpoint accepts in place of the key. Tests start calls with `start_call()`
and play the caller with `call_say()`.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Sequence
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.server import ServerProtocol

from console.realtime.protocol import CLOSE_AUTH_FAILED, CLOSE_BAD_REQUEST, Protocol

from .calls import SDP_ANSWER, Call, Calls, CallWire, ClientSecretError, EphemeralKeys
from .connection import Connection, ServerSettings
from .errors import FatalError
from .faults import FaultPlan
from console.serving.http_body import BodyRequest, read_bodies, too_large
from .responder import Rule, load_rules

MAX_FRAME_BYTES = 16 * 1024 * 1024  #: upstream accepts ~15 MiB appends
KNOWN_MODEL = re.compile(r"^(gpt-realtime|gpt-4o-realtime-preview|gpt-4o-mini-realtime-preview|gpt-audio)([\w.-]*)$")
_KEY_SUBPROTOCOL = "openai-insecure-api-key."
_BETA_SUBPROTOCOL = "openai-beta.realtime-v1"


def _offered_subprotocols(headers: Headers) -> list[str]:
    return [p.strip() for value in headers.get_all("Sec-WebSocket-Protocol") for p in value.split(",") if p.strip()]


def presented_key(headers: Headers) -> str | None:
    """The API key a client presented (bearer, Azure header, or browser subprotocol)."""
    auth = headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    if headers.get("api-key"):
        return headers["api-key"].strip()
    for proto in _offered_subprotocols(headers):
        if proto.startswith(_KEY_SUBPROTOCOL):
            return proto[len(_KEY_SUBPROTOCOL):]
    return None


def wants_beta(headers: Headers) -> bool:
    return headers.get("OpenAI-Beta", "").replace(" ", "") == "realtime=v1" or \
        _BETA_SUBPROTOCOL in _offered_subprotocols(headers)


def requested_model(path: str) -> str | None:
    query = parse_qs(urlsplit(path).query)
    for key in ("model", "deployment"):
        if query.get(key):
            return query[key][0]
    return None


def requested_call(path: str) -> str | None:
    """The `call_id` a sideband connection asks for (None for an ordinary session)."""
    values = parse_qs(urlsplit(path).query).get("call_id")
    return values[0] if values else None


def _json_response(connection: ServerConnection, status: HTTPStatus, message: str, code: str | None,
                   param: str | None = None) -> Response:
    body = json.dumps({"error": {"message": message, "type": "invalid_request_error", "code": code, "param": param}})
    response = connection.respond(status, body + "\n")
    response.headers["Content-Type"] = "application/json"
    return response


class Simulator:
    """A local Realtime API server on loopback (see the module docstring)."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, protocol: Protocol | None = None,
                 fast: bool = False, seed: int = 0, require_key: str | None = None,
                 session_duration_s: float = 3600.0, refuse_beta: bool = False, faults: FaultPlan | None = None,
                 rules_file: str | Path | None = None, ping_interval: float | None = 20.0,
                 auth_failure: Literal["http", "close"] = "http") -> None:
        if protocol not in (None, "ga", "beta"):
            raise ValueError(f"protocol must be 'ga', 'beta' or None, not {protocol!r}")
        self.host = host
        self.port = port
        self.protocol = protocol
        self.fast = fast
        self.seed = seed
        self.require_key = require_key
        self.session_duration_s = session_duration_s
        self.refuse_beta = refuse_beta
        self.faults = faults
        self.rules: tuple[Rule, ...] = load_rules(rules_file) if rules_file else ()
        self.ping_interval = ping_interval
        self.auth_failure = auth_failure
        self.connections: list[Connection] = []
        self.calls = Calls(self._call_connection)
        self.ephemeral_keys = EphemeralKeys()
        self._server: Server | None = None
        self._count = 0

    # --- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        self._server = await serve(
            self._handle, self.host, self.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=MAX_FRAME_BYTES,
            compression=None,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            server_header="realtime-console-simulator",
            create_connection=self._create_connection,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        await self.calls.close_all()
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        assert self._server is not None
        await self._server.serve_forever()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}/v1/realtime"

    @property
    def ws_base_url(self) -> str:
        """For the openai SDK's `websocket_base_url` (it appends `/realtime`)."""
        return f"ws://{self.host}:{self.port}/v1"

    @property
    def http_url(self) -> str:
        """For the openai SDK's `base_url`."""
        return f"http://{self.host}:{self.port}/v1"

    # --- calls ----------------------------------------------------------------------

    def start_call(self) -> str:
        """Start a call as `POST /v1/realtime/calls` does; returns its id (needs the running loop)."""
        return self.calls.start().id

    def call(self, call_id: str) -> Call:
        """The live call `call_id` (KeyError when unknown or ended)."""
        call = self.calls.get(call_id)
        if call is None:
            raise KeyError(f"no live call {call_id!r}")
        return call

    async def call_say(self, call_id: str, text: str, *, wait: bool = False) -> None:
        """Play the caller of `call_id`: they said `text`; a response follows (to every sideband).
        With `wait`, return once that response is done."""
        await self.call(call_id).say(text, wait=wait)

    async def hang_up(self, call_id: str) -> None:
        """End the call as the caller hanging up: its sidebands close with 1000."""
        await self.call(call_id).hang_up()

    def _call_connection(self, wire: CallWire, index: int) -> Connection:
        self._count += 1
        settings = ServerSettings(self.fast, self.seed, self.session_duration_s, self.faults, self.rules)
        return Connection(settings, wire, self.protocol or "ga", "gpt-realtime", self._count)

    def _calls_request(self, connection: ServerConnection, request: Request) -> Response:
        path = urlsplit(request.path).path.rstrip("/")
        if not path.endswith("/realtime/calls"):
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found: POST an SDP offer to /v1/realtime/calls\n")
        if request.method != "POST":
            return connection.respond(HTTPStatus.METHOD_NOT_ALLOWED, "POST an SDP offer to /v1/realtime/calls\n")
        offer = request.body if isinstance(request, BodyRequest) else b""
        if not offer.strip():
            return _json_response(connection, HTTPStatus.BAD_REQUEST, "The request body must be an SDP offer.",
                                  "invalid_offer", "sdp")
        call = self.calls.start()
        response = connection.respond(HTTPStatus.CREATED, SDP_ANSWER)
        response.headers["Content-Type"] = "application/sdp"
        response.headers["Location"] = f"/v1/realtime/calls/{call.id}"
        return response

    def _client_secrets_request(self, connection: ServerConnection, request: Request) -> Response:
        if request.method != "POST":
            return connection.respond(HTTPStatus.METHOD_NOT_ALLOWED, "POST to /v1/realtime/client_secrets\n")
        try:
            answer = self.ephemeral_keys.mint(request.body if isinstance(request, BodyRequest) else b"")
        except ClientSecretError as exc:
            return _json_response(connection, HTTPStatus.BAD_REQUEST, str(exc), "invalid_request")
        response = connection.respond(HTTPStatus.OK, json.dumps(answer) + "\n")
        response.headers["Content-Type"] = "application/json"
        return response

    # --- the upgrade --------------------------------------------------------------

    def _create_connection(self, protocol: ServerProtocol, *args: Any, **kwargs: Any) -> ServerConnection:
        read_bodies(protocol)
        return ServerConnection(protocol, *args, **kwargs)

    def _select_subprotocol(self, connection: ServerConnection, offered: Sequence[str]) -> str | None:
        return "realtime" if "realtime" in offered else None

    def _key_ok(self, headers: Headers) -> bool:
        if self.require_key is None:
            return True
        key = presented_key(headers)
        return key is not None and hmac.compare_digest(key.encode(), self.require_key.encode())

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        oversized = too_large(request)
        if oversized is not None:
            return connection.respond(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, oversized + "\n")
        if urlsplit(request.path).path.rstrip("/").endswith("/realtime/client_secrets"):
            if not self._key_ok(request.headers):  # an ephemeral key cannot mint another
                return _json_response(connection, HTTPStatus.UNAUTHORIZED, "Incorrect API key provided.",
                                      "invalid_api_key")
            return self._client_secrets_request(connection, request)
        is_calls = "/realtime/calls" in urlsplit(request.path).path
        if request.method != "GET" and not is_calls:
            return connection.respond(HTTPStatus.METHOD_NOT_ALLOWED, "Connect to /v1/realtime with a WebSocket GET\n")
        if not is_calls and not urlsplit(request.path).path.rstrip("/").endswith("/realtime"):
            return connection.respond(HTTPStatus.NOT_FOUND, "Not found: connect to /v1/realtime?model=...\n")
        ephemeral = is_calls and self.ephemeral_keys.valid(presented_key(request.headers))
        if (self.auth_failure == "http" or is_calls) and not ephemeral and not self._key_ok(request.headers):
            return _json_response(connection, HTTPStatus.UNAUTHORIZED,
                                  "Incorrect API key provided (the simulator was started with --require-key).",
                                  "invalid_api_key")
        if is_calls:
            return self._calls_request(connection, request)
        call_id = requested_call(request.path)
        if call_id is not None and self.calls.get(call_id) is None:
            return _json_response(connection, HTTPStatus.NOT_FOUND, f"Call '{call_id}' not found.", "call_not_found",
                                  "call_id")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        call_id = requested_call(request.path)
        if call_id is not None:
            await self._join_call(ws, call_id)
            return
        beta = wants_beta(request.headers)
        protocol: Protocol = self.protocol or ("beta" if beta else "ga")
        model = requested_model(request.path)
        self._count += 1
        settings = ServerSettings(self.fast, self.seed, self.session_duration_s, self.faults, self.rules)
        conn = Connection(settings, ws, protocol, model or "gpt-realtime", self._count)
        fatal = self._fatal_on_open(request.headers, model, beta)
        if fatal is not None:
            await conn.fatal(fatal)
            return
        self.connections.append(conn)
        try:
            await conn.run(ws)
        finally:
            self.connections.remove(conn)

    async def _join_call(self, ws: ServerConnection, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None:  # ended between the upgrade and now
            await ws.close(CLOSE_BAD_REQUEST, "call_not_found")
            return
        if not self._key_ok(ws.request.headers if ws.request else Headers()):  # auth_failure="close"
            error = FatalError("invalid_api_key", "Incorrect API key provided.", CLOSE_AUTH_FAILED)
            await ws.send(json.dumps(error.event(None)))
            await ws.close(error.close_code, error.close_reason)
            return
        await call.join(ws)

    def _fatal_on_open(self, headers: Headers, model: str | None, beta: bool) -> FatalError | None:
        if not self._key_ok(headers):
            return FatalError("invalid_api_key", "Incorrect API key provided.", CLOSE_AUTH_FAILED)
        if model is None:
            return FatalError("missing_model", "Missing required parameter: 'model'.", CLOSE_BAD_REQUEST)
        if not KNOWN_MODEL.match(model):
            return FatalError("invalid_model", f"Invalid model: '{model}'. Use a realtime model such as gpt-realtime.",
                              CLOSE_BAD_REQUEST)
        if beta and self.refuse_beta and self.protocol != "beta":
            return FatalError("beta_api_shape_disabled",
                              "The beta Realtime API shape is disabled: remove the 'OpenAI-Beta: realtime=v1' header "
                              "and use the GA protocol.", CLOSE_BAD_REQUEST)
        return None


__all__ = ["Simulator", "FaultPlan"]
