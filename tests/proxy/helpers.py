"""Helpers for the proxy's tests: a tapping upstream, waiting on conditions, recordings.

`TapUpstream` is a real WebSocket server standing in for upstream where a test must see
exactly what arrived (raw frames, request headers) or script exactly what is sent (odd
JSON formatting, binary frames, a close code, an HTTP refusal). Tests of the Realtime
conversation itself use the simulator.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget
from console.simulator import Simulator

#: The upstream key the proxy holds in every test; it must never reach the app side.
UPSTREAM_KEY = "sk-proxytest-UPSTREAM-0123456789abcdefXYZ"
TOKEN = "proxy-token-5f1e2d3c"
TIMEOUT = 10.0


async def wait_until(predicate: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition") -> None:
    """Wait until `predicate()` holds (polling the loop), or fail after `timeout` seconds."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.002)


@asynccontextmanager
async def proxy_to_simulator(record_dir: Path) -> AsyncIterator[ProxyServer]:
    """A recording proxy (loopback, no token) in front of a fast simulator that requires
    the upstream key: what the app- and session-level tests of proxied sessions watch."""
    async with Simulator(fast=True, require_key=UPSTREAM_KEY) as sim:
        target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
        async with ProxyServer(target, record_dir=record_dir, policy=AccessPolicy()) as server:
            yield server


def read_recording(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, event lines) of a recording; every line must parse."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert path.read_bytes().endswith(b"\n"), "a recording ends with a whole line"
    records = [json.loads(line) for line in lines]
    return records[0], records[1:]


class TapUpstream:
    """An upstream that records raw frames and request headers and sends scripted ones."""

    def __init__(self, *, greeting: list[str | bytes] | None = None,
                 refuse: tuple[int, bytes, str] | None = None) -> None:
        self.greeting = list(greeting or [])
        self.refuse = refuse
        self.received: list[str | bytes] = []
        self.requests: list[Request] = []
        self.connections: list[ServerConnection] = []
        self.closes: list[tuple[int | None, str | None]] = []
        self._server: Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1/realtime"

    async def __aenter__(self) -> TapUpstream:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._process_request,
                                   select_subprotocol=lambda c, offered: "realtime" if "realtime" in offered else None,
                                   compression=None, max_size=None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        if self.refuse is None:
            return None
        status, body, content_type = self.refuse
        response = connection.respond(HTTPStatus(status), "")
        response.body = body
        del response.headers["Content-Length"]
        response.headers["Content-Length"] = str(len(body))
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = content_type
        return response

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        for frame in self.greeting:
            await ws.send(frame)
        try:
            async for message in ws:
                self.received.append(message)
        except ConnectionClosed:
            pass
        rcvd = ws.protocol.close_rcvd
        self.closes.append((rcvd.code, rcvd.reason) if rcvd else (None, None))

    def headers(self, index: int = -1) -> Headers:
        return self.requests[index].headers
