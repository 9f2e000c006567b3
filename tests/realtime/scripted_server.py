"""A small scripted Realtime server for the library's tests: real WebSockets on loopback.

It records every frame and upgrade request it receives and plays what the test scripts:
frames sent on connect, a `responder(event, server)` called for each client event, raw
frames on demand, closes with any code, or an HTTP refusal of the upgrade. It knows no
Realtime semantics beyond what a test tells it (the full simulator lives in
`console/simulator`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve

Responder = Callable[[dict[str, Any], "ScriptedServer"], Awaitable[None] | None]

_counter = 0


def sid(prefix: str = "evt") -> str:
    """A unique server-side id."""
    global _counter
    _counter += 1
    return f"{prefix}_srv{_counter:06d}"


def session_created(protocol: str = "ga") -> dict[str, Any]:
    """A `session.created` event with a valid default session of the protocol's shape."""
    if protocol == "ga":
        session: dict[str, Any] = {
            "type": "realtime",
            "object": "realtime.session",
            "id": "sess_test",
            "model": "gpt-realtime",
            "output_modalities": ["audio"],
            "instructions": "",
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 24000}, "transcription": None, "turn_detection": None},
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin", "speed": 1.0},
            },
        }
    else:
        session = {
            "id": "sess_test",
            "object": "realtime.session",
            "model": "gpt-4o-realtime-preview",
            "modalities": ["text", "audio"],
            "instructions": "",
            "voice": "alloy",
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": None,
            "turn_detection": None,
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
        }
    return {"type": "session.created", "event_id": sid(), "session": session}


class ScriptedServer:
    """`async with ScriptedServer(...) as server: server.url` — see the module docstring."""

    def __init__(
        self,
        *,
        protocol: str = "ga",
        on_connect: list[dict[str, Any] | str] | None = None,
        responder: Responder | None = None,
        close_after_connect: tuple[int, str] | None = None,
        reject_status: int | None = None,
        echo_session: bool = True,
    ) -> None:
        self.protocol = protocol
        self.on_connect = [session_created(protocol)] if on_connect is None else on_connect
        self.responder = responder
        self.close_after_connect = close_after_connect
        self.reject_status = reject_status
        self.echo_session = echo_session
        self.received: list[dict[str, Any]] = []
        self.raw_received: list[str | bytes] = []
        self.request_paths: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.connections: list[ServerConnection] = []
        self._server: Server | None = None
        self._received_event = asyncio.Event()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = list(self._server.sockets)[0].getsockname()[:2]
        return f"ws://{host}:{port}/v1/realtime"

    async def __aenter__(self) -> ScriptedServer:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, max_size=None, process_request=self._process_request
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        self.request_paths.append(request.path)
        self.request_headers.append({k.lower(): v for k, v in request.headers.raw_items()})
        if self.reject_status is not None:
            return connection.respond(HTTPStatus(self.reject_status), "refused by the scripted server\n")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        self.connections.append(ws)
        for frame in self.on_connect:
            await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
        if self.close_after_connect is not None:
            await ws.close(*self.close_after_connect)
            return
        async for raw in ws:
            self.raw_received.append(raw)
            event = json.loads(raw)
            self.received.append(event)
            self._received_event.set()
            if self.echo_session and event.get("type") == "session.update":
                await self.send({"type": "session.updated", "event_id": sid(), "session": event.get("session", {})})
            if self.responder is not None:
                result = self.responder(event, self)
                if inspect.isawaitable(result):
                    await result

    async def send(self, *frames: dict[str, Any] | str) -> None:
        """Send frames (dicts as JSON, strings raw) to the latest connection, in order."""
        ws = self.connections[-1]
        for frame in frames:
            await ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def send_burst(self, *frames: dict[str, Any] | str) -> None:
        """Send frames to the latest connection in one socket write, as upstream often does
        (several events in one TCP segment): the client finds them all buffered at once."""
        ws = self.connections[-1]
        async with ws.send_context():
            for frame in frames:
                ws.protocol.send_text((frame if isinstance(frame, str) else json.dumps(frame)).encode())
            ws.transport.write(b"".join(ws.protocol.data_to_send()))

    async def close_clients(self, code: int = 1000, reason: str = "") -> None:
        for ws in self.connections:
            await ws.close(code, reason)

    def types(self) -> list[str]:
        """Types of the client events received so far, in order."""
        return [e.get("type", "?") for e in self.received]

    async def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 3.0) -> None:
        """Wait until `predicate(self.received)` holds (event-driven, no polling)."""
        async with asyncio.timeout(timeout):
            while not predicate(self.received):
                self._received_event.clear()
                await self._received_event.wait()

    async def wait_for_types(self, *types: str, timeout: float = 3.0) -> None:
        """Wait until client events of all `types` have arrived."""
        await self.wait_for(lambda received: all(t in [e.get("type") for e in received] for t in types), timeout)
