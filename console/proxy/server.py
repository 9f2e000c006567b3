"""The proxy's WebSocket server: a thin layer over `handshake` (decisions) and `session`.

An app's upgrade is decided in `process_request`, before the app's WebSocket exists:
access checks first (a refused app opens nothing upstream), then the upstream upgrade
itself, so an upstream refusal (401, 403, 404, 429, …) reaches the app as the same HTTP
status and body. Only once upstream accepted is the app's upgrade accepted, with the
subprotocol upstream chose.

Plain HTTP requests (WebRTC apps' `POST /v1/realtime/calls` and `…/client_secrets`) are
answered on the same port by `http_relay`; a call they start is watched through its
sideband (`sideband`) and listed among the sessions.

Hooks for a watcher (a future TUI, tests): `on_session_opened(session)` and
`on_session_closed(session)` callbacks, `sessions` (the live ones by id), and each
session's `add_listener` / `inject`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from types import TracebackType

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.http11 import Request, Response

from .handshake import (
    AccessPolicy,
    Refusal,
    UpstreamRequest,
    UpstreamTarget,
    choose_subprotocol,
    decide_access,
    requested_model,
    scrub,
    scrub_bytes,
    session_protocol,
    upstream_request,
)
from .http_relay import CallStarted, HttpRelay, create_connection, is_http_request
from .recording import ProxyRecording
from .session import ProxySession, SessionInfo
from .sideband import open_sideband

logger = logging.getLogger("console.proxy")
MAX_FRAME_BYTES = 16 * 1024 * 1024  #: upstream accepts ~15 MiB appends
SessionHook = Callable[[ProxySession], None]


@dataclass
class _Pending:
    """An app upgrade whose upstream is open but whose own handshake is not finished."""

    upstream: ClientConnection
    request: UpstreamRequest


class ProxyServer:
    """A Realtime-aware relay: one upstream connection per app connection, all recorded."""

    def __init__(self, target: UpstreamTarget, *, host: str = "127.0.0.1", port: int = 0,
                 policy: AccessPolicy | None = None, record_dir: Path | None = None,
                 open_timeout: float = 10.0, ping_interval: float | None = 20.0) -> None:
        """`record_dir` None records nothing (tests of the relay alone); the CLI always gives one."""
        self.target = target
        self.host = host
        self.port = port
        self.policy = policy or AccessPolicy()
        self.record_dir = record_dir
        self.open_timeout = open_timeout
        self.ping_interval = ping_interval
        self.sessions: dict[int, ProxySession] = {}
        self.on_session_opened: list[SessionHook] = []
        self.on_session_closed: list[SessionHook] = []
        self._pending: dict[ServerConnection, _Pending] = {}
        self._reserved = 0  #: upgrades being decided (they count against --max-sessions)
        self._count = 0
        self._server: Server | None = None
        #: WebRTC apps' plain HTTP requests (`/v1/realtime/calls`, `…/client_secrets`).
        self.http = HttpRelay(target, self.policy, open_sessions=lambda: len(self.sessions) + self._reserved,
                              attach=self._watch_call, timeout=open_timeout)

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await serve(
            self._handle, self.host, self.port,
            process_request=self._process_request,
            select_subprotocol=self._select_subprotocol,
            max_size=MAX_FRAME_BYTES,
            compression=None,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            server_header="realtime-console-proxy",
            logger=logging.getLogger("console.proxy.websockets"),
            create_connection=create_connection,
        )
        sock = next(iter(self._server.sockets))
        self.port = sock.getsockname()[1]

    async def close(self, code: int = 1001, reason: str = "proxy shutting down") -> None:
        """Stop accepting, close every session (both sides, same code and reason) and wait
        until their recordings are complete."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.close(close_connections=False)
        await asyncio.gather(*(s.close(code, reason) for s in list(self.sessions.values())),
                             return_exceptions=True)
        for pending in list(self._pending.values()):
            await pending.upstream.close(code, reason)
        await self.http.close()
        await server.wait_closed()

    async def __aenter__(self) -> ProxyServer:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The app-facing URL (`/v1/realtime`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}/v1/realtime"

    @property
    def http_base_url(self) -> str:
        """For the openai SDK's `base_url` (it maps it to `ws://…/v1/realtime`)."""
        return self.url.replace("ws://", "http://", 1).rsplit("/realtime", 1)[0]

    # --- the upgrade -------------------------------------------------------------------

    @staticmethod
    def _respond(connection: ServerConnection, refusal: Refusal) -> Response:
        response = connection.respond(refusal.status, "")
        response.body = refusal.body
        del response.headers["Content-Length"]
        response.headers["Content-Length"] = str(len(refusal.body))
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = refusal.content_type
        return response

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if is_http_request(request):
            return await self.http.handle(connection, request)
        headers = list(request.headers.raw_items())
        refusal = decide_access(self.policy, request.path, headers, len(self.sessions) + self._reserved)
        if refusal is not None:
            return self._respond(connection, refusal)
        up = upstream_request(self.target, request.path, headers)
        self._reserved += 1
        try:
            upstream = await self._connect_upstream(up)
        except _UpstreamRefused as refused:
            return self._respond(connection, refused.refusal)
        finally:
            self._reserved -= 1
        self._pending[connection] = _Pending(upstream, up)
        asyncio.ensure_future(self._drop_if_unused(connection))
        return None

    async def _connect_upstream(self, up: UpstreamRequest) -> ClientConnection:
        secrets = self.target.secrets
        try:
            return await connect(
                up.url, additional_headers=list(up.headers), subprotocols=list(up.subprotocols) or None,
                user_agent_header=up.user_agent or "realtime-console-proxy", compression=None,
                max_size=MAX_FRAME_BYTES, open_timeout=self.open_timeout,
                ping_interval=self.ping_interval, ping_timeout=self.ping_interval,
            )
        except InvalidStatus as exc:
            answer = exc.response
            content_type = (answer.headers.get_all("Content-Type") or ["text/plain; charset=utf-8"])[-1]
            raise _UpstreamRefused(Refusal(answer.status_code, scrub_bytes(bytes(answer.body or b""), secrets),
                                           content_type)) from None
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            detail = scrub(f"{type(exc).__name__}: {exc}", secrets)
            logger.error("proxy: upstream %s did not open: %s", self.target.label, detail)
            raise _UpstreamRefused(Refusal.text(HTTPStatus.BAD_GATEWAY,
                                                f"The proxy could not reach its upstream ({detail}).")) from None

    async def _drop_if_unused(self, connection: ServerConnection) -> None:
        """Close the upstream of an app whose own upgrade then failed (the handler never ran)."""
        await connection.wait_closed()
        pending = self._pending.pop(connection, None)
        if pending is not None:
            await pending.upstream.close()

    def _select_subprotocol(self, connection: ServerConnection, offered: Sequence[str]) -> str | None:
        pending = self._pending.get(connection)
        return choose_subprotocol(offered, pending.upstream.subprotocol if pending else None)

    # --- sessions ----------------------------------------------------------------------

    async def _handle(self, app: ServerConnection) -> None:
        pending = self._pending.pop(app, None)
        request = app.request
        if pending is None or request is None:  # pragma: no cover - process_request always ran
            await app.close(1011, "proxy error: no upstream")
            return
        self._count += 1
        headers = Headers(request.headers)
        host, port = app.remote_address[:2]
        info = SessionInfo(
            id=self._count, app=f"{host}:{port}",
            model=requested_model(pending.request.url) or requested_model(request.path) or "unknown",
            protocol=session_protocol(list(headers.raw_items())), upstream=self.target.label)
        recording = None
        if self.record_dir is not None:
            recording = ProxyRecording.open(self.record_dir, session_id=info.id, app=info.app,
                                            upstream=info.upstream, protocol=info.protocol, model=info.model)
        await self._run_session(ProxySession(info, app, pending.upstream, recording, self.target.secrets))

    async def _run_session(self, session: ProxySession) -> None:
        """List `session` while it runs, telling the hooks when it opens and closes."""
        self.sessions[session.id] = session
        self._notify(self.on_session_opened, session)
        try:
            await session.run()
        finally:
            del self.sessions[session.id]
            self._notify(self.on_session_closed, session)

    async def _watch_call(self, call: CallStarted) -> None:
        """A WebRTC call an app started through the proxy: its sideband, as a session."""
        session = await open_sideband(call, self.target, new_id=self._new_id, record_dir=self.record_dir,
                                      open_timeout=self.open_timeout, ping_interval=self.ping_interval)
        if session is not None:
            await self._run_session(session)

    def _new_id(self) -> int:
        self._count += 1
        return self._count

    @staticmethod
    def _notify(hooks: list[SessionHook], session: ProxySession) -> None:
        for hook in list(hooks):
            try:
                hook(session)
            except Exception:  # a watcher's bug must not stop the relay
                logger.exception("proxy: a session hook failed")


class _UpstreamRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.status)
        self.refusal = refusal


__all__ = ["ProxyServer"]
