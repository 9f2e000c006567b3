"""`RealtimeAPI`: the WebSocket I/O layer of the library (a thin wrapper, as the reference).

It owns the socket and nothing else: it sends client events (synchronously queued, one
writer task sends them in order), dispatches every received frame as `server.<type>` and
`server.*`, and reports the end of the connection as exactly one `close` event. What the
events mean is the business of `RealtimeConversation` and `RealtimeClient`.

Wire facts it handles: fatal errors come *after* a successful
upgrade as one `error` event plus a close 3000/4000, so `connect()` waits briefly for
them and raises `RealtimeConnectionError`; frames may exceed websockets' 1 MiB default;
GA sessions end with `session_expired`; malformed frames are reported, not fatal.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.protocol import State

from .event_handler import RealtimeEventHandler, client_error_event
from .events import ClosePayload
from .protocol import BETA_HEADER, DEFAULT_MODEL, DEFAULT_URL, PROTOCOLS, new_event_id
from .validation import redact_event

logger = logging.getLogger("console.realtime")

#: Error codes upstream sends right before closing a connection it will not serve.
FATAL_ERROR_CODES = frozenset({"invalid_api_key", "invalid_model", "missing_model", "beta_api_shape_disabled"})
#: Longest raw text quoted back in an `error` event about a malformed frame.
RAW_FRAME_QUOTE = 500
#: Default frame limit: 64 MiB. Retrieved audio items exceed websockets' 1 MiB default;
#: a bound still protects a console from a runaway peer.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024


class RealtimeError(Exception):
    """Base class of this library's errors."""


class NotConnectedError(RealtimeError):
    """An operation needs a connection and there is none."""


class RealtimeConnectionError(RealtimeError):
    """Connecting failed, or the server refused the session right after the upgrade.

    Carries what the server said: `code` (e.g. `invalid_api_key`), `error_type`,
    `server_message`, the WebSocket `close_code` / `close_reason`, or the `http_status`
    when the upgrade itself was refused.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        error_type: str | None = None,
        server_message: str | None = None,
        close_code: int | None = None,
        close_reason: str | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.error_type = error_type
        self.server_message = server_message
        self.close_code = close_code
        self.close_reason = close_reason
        self.http_status = http_status


def build_url(
    url: str | None,
    model: str | None,
    *,
    azure_deployment: str | None = None,
    api_version: str | None = None,
) -> str:
    """The URL to dial: the given one (always honoured) with the model merged into its query.

    Azure: with `api_version`, the dated form `/openai/realtime?api-version=&deployment=`;
    without, the GA form `/openai/v1/realtime?model=<deployment>`. A path already present
    in `url` is kept. Existing query parameters are kept; an explicit `model` wins over one
    in the URL, and `DEFAULT_MODEL` is used only when neither says.
    """
    base = url or DEFAULT_URL
    parts = urlsplit(base)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    path = parts.path
    if azure_deployment is not None:
        if api_version:
            path = path if path not in ("", "/") else "/openai/realtime"
            query["api-version"] = api_version
            query["deployment"] = azure_deployment
        else:
            path = path if path not in ("", "/") else "/openai/v1/realtime"
            query["model"] = azure_deployment
    elif model:
        query["model"] = model
    elif "model" not in query:
        query["model"] = DEFAULT_MODEL
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), parts.fragment))


def azure_url(endpoint: str, deployment: str, api_version: str | None = None) -> str:
    """The Realtime URL of an Azure OpenAI resource: `endpoint` as the portal shows it
    (`https://NAME.openai.azure.com`, with or without a scheme; `http`/`ws` stay
    unencrypted, for a local stand-in), in the GA form, or the dated preview form when
    `api_version` is given (see `build_url`).

    Raises `ValueError` when `endpoint` names no host.
    """
    parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
    if not parts.netloc:
        raise ValueError(f"{endpoint!r} is not a URL")
    scheme = "ws" if parts.scheme in ("http", "ws") else "wss"
    return build_url(f"{scheme}://{parts.netloc}", None, azure_deployment=deployment, api_version=api_version)


class RealtimeAPI(RealtimeEventHandler):
    """One WebSocket connection to a Realtime endpoint (OpenAI, Azure, or a simulator).

    Events dispatched: `client.<type>` / `client.*` for each event sent, `server.<type>` /
    `server.*` for each received, `error` for frames that cannot be understood (payload
    `{"type": "error", "error": {"type": "client_error", "code", "message"}, "raw": str}`),
    and exactly one `close` per connection: `{"error": bool, "code": int | None,
    "reason": str, "expired": bool}` (`expired` when the server ended the session with
    `session_expired`).
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        protocol: str = "ga",
        debug: bool = False,
        *,
        azure_deployment: str | None = None,
        api_version: str | None = None,
        azure_api_key: str | None = None,
        extra_headers: dict[str, str] | None = None,
        connect_grace: float = 1.0,
        max_size: int | None = DEFAULT_MAX_SIZE,
    ) -> None:
        super().__init__()
        if protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, not {protocol!r}")
        self.protocol = protocol
        self.url = build_url(url, model, azure_deployment=azure_deployment, api_version=api_version)
        self.debug = debug
        self.connect_grace = connect_grace
        self.max_size = max_size
        self._api_key = api_key
        self._azure_api_key = azure_api_key
        self._extra_headers = dict(extra_headers or {})
        self._ws: ClientConnection | None = None
        self._queue: asyncio.Queue[str | None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing = False
        self._close_sent = False
        self.expired = False
        if debug:
            logger.setLevel(logging.DEBUG)

    def __repr__(self) -> str:  # never shows the key
        return f"RealtimeAPI(url={self.url!r}, protocol={self.protocol!r}, connected={self.is_connected()})"

    # --- connection -----------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        """The upgrade request's headers (contains the key: never log this)."""
        headers: dict[str, str] = {}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if self._azure_api_key:
            headers["api-key"] = self._azure_api_key
        if self.protocol == "beta":
            headers[BETA_HEADER[0]] = BETA_HEADER[1]
        headers.update(self._extra_headers)
        return headers

    def is_connected(self) -> bool:
        """True while the socket is open and not being closed."""
        return self._ws is not None and self._ws.state is State.OPEN and not self._closing

    def _scrub(self, text: str) -> str:
        for secret in (self._api_key, self._azure_api_key):
            if secret:
                text = text.replace(secret, "***")
        return text

    async def connect(self) -> None:
        """Open the connection, then wait up to `connect_grace` seconds for a fatal refusal.

        Raises `RealtimeConnectionError` (HTTP refusal, network failure, or the server's
        fatal `error` + close right after the upgrade) and `RealtimeError` if already
        connected. Frames read while waiting are dispatched normally once connected.
        """
        if self.is_connected():
            raise RealtimeError("already connected")
        self._closing = False
        self._close_sent = False
        self.expired = False
        self.clear_waits()
        logger.debug("connecting to %s (protocol %s)", self.url, self.protocol)
        try:
            ws = await ws_connect(
                self.url,
                additional_headers=self.headers(),
                max_size=self.max_size,
                open_timeout=10,
                user_agent_header="realtime-console",
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            body = self._scrub(exc.response.body.decode("utf-8", "replace")[:300]) if exc.response.body else ""
            hint = " (check the API key)" if status in (401, 403) else ""
            raise RealtimeConnectionError(
                f"server refused the WebSocket upgrade with HTTP {status}{hint}" + (f": {body}" if body else ""),
                http_status=status,
            ) from None
        except (OSError, InvalidURI, InvalidHandshake, TimeoutError, ConnectionClosed) as exc:
            raise RealtimeConnectionError(
                f"could not connect to {self.url}: {self._scrub(str(exc)) or type(exc).__name__}"
            ) from None
        early = await self._await_refusal(ws)
        self._ws = ws
        self._queue = asyncio.Queue()
        self._writer = asyncio.create_task(self._write_loop(ws, self._queue), name="realtime-writer")
        self._reader = asyncio.create_task(self._read_loop(ws, early, self._queue), name="realtime-reader")

    async def _await_refusal(self, ws: ClientConnection) -> list[str | bytes]:
        """Read what arrives within the grace period; raise if it is a fatal refusal."""
        frames: list[str | bytes] = []
        error: dict[str, Any] | None = None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.connect_grace
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                frame = await asyncio.wait_for(ws.recv(), remaining)
            except TimeoutError:
                break
            except ConnectionClosed as exc:
                raise self._refusal(error, exc.rcvd.code if exc.rcvd else None, exc.rcvd.reason if exc.rcvd else "") from None
            frames.append(frame)
            parsed = _try_json(frame)
            if not (isinstance(parsed, dict) and parsed.get("type") == "error"):
                break  # the session started: nothing fatal came first
            error = parsed.get("error") if isinstance(parsed.get("error"), dict) else {}
            # keep reading: a fatal error is followed by the close
        if error is not None and error.get("code") in FATAL_ERROR_CODES:
            await ws.close()
            raise self._refusal(error, ws.close_code, ws.close_reason or "")
        return frames

    def _refusal(self, error: dict[str, Any] | None, close_code: int | None, close_reason: str) -> RealtimeConnectionError:
        error = error or {}
        code = error.get("code")
        server_message = self._scrub(str(error.get("message") or ""))
        if code == "beta_api_shape_disabled":
            text = "the server no longer accepts the beta protocol (beta_api_shape_disabled): use the GA protocol (protocol='ga')"
        elif code == "invalid_api_key" or close_code == 3000:
            text = f"authentication failed ({code or 'close 3000'})"
        elif code:
            text = f"the server refused the session ({code})"
        else:
            text = "the server closed the connection right after it opened"
        details = [d for d in (server_message, f"close code {close_code}" if close_code else "", close_reason) if d]
        if details:
            text += ": " + "; ".join(details)
        return RealtimeConnectionError(
            text,
            code=code,
            error_type=error.get("type"),
            server_message=server_message or None,
            close_code=close_code,
            close_reason=close_reason or None,
        )

    async def disconnect(self) -> None:
        """Send what is queued, close the socket, and wait for the `close` event."""
        ws = self._ws
        if ws is None:
            return
        self._closing = True
        if self._queue is not None and self._writer is not None and not self._writer.done():
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(asyncio.shield(self._writer), 2)
            except (TimeoutError, ConnectionClosed):
                pass
        await ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
        self._ws = None

    # --- sending ---------------------------------------------------------------------

    def send(self, event_type: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Queue one client event; returns the event as sent (with its `event_id`).

        Synchronous like the reference. Raises `NotConnectedError` when not connected,
        TypeError when `data` is not a dict or not JSON-serialisable, ValueError when
        `data["type"]` contradicts `event_type`. A caller-given `event_id` is kept.
        """
        if not self.is_connected() or self._queue is None:
            raise NotConnectedError(f"cannot send {event_type!r}: not connected")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise TypeError(f"event data must be a dict, not {type(data).__name__}")
        if "type" in data and data["type"] != event_type:
            raise ValueError(f"data has type {data['type']!r} but the event is {event_type!r}")
        event = {"event_id": data.get("event_id") or new_event_id(), "type": event_type}
        event.update((k, v) for k, v in data.items() if k not in ("event_id", "type"))
        try:
            text = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{event_type!r} cannot be encoded as JSON: {exc}") from None
        if self.debug:
            logger.debug("sent %s", json.dumps(redact_event(event))[:2000])
        self.dispatch(f"client.{event_type}", event)
        self.dispatch("client.*", event)
        self._queue.put_nowait(text)
        return event

    async def _write_loop(self, ws: ClientConnection, queue: asyncio.Queue[str | None]) -> None:
        """The single writer: sends queued frames in order until the sentinel or a close."""
        while True:
            text = await queue.get()
            if text is None:
                return
            try:
                await ws.send(text)
            except ConnectionClosed:
                lost = 1
                while not queue.empty():
                    lost += queue.get_nowait() is not None
                self.dispatch(
                    "error",
                    client_error_event("client_events_not_sent", f"{lost} queued event(s) were not sent: the connection closed"),
                )
                return

    # --- receiving -------------------------------------------------------------------

    async def _read_loop(self, ws: ClientConnection, early: list[str | bytes], queue: asyncio.Queue[str | None]) -> None:
        """Dispatch every frame, then emit exactly one `close` and stop the writer.

        A frame that cannot be parsed or handled becomes an `error` event and the loop goes
        on: one bad frame never ends a session. Whatever ends the loop (the peer closing,
        a failure of the socket, cancellation), the socket is closed before `close` is
        emitted, so `close` always means closed and `disconnect()` never waits on it.
        """
        try:
            for frame in early:
                self._handle_frame_safely(frame)
            async for frame in ws:
                self._handle_frame_safely(frame)
        except ConnectionClosed:
            pass
        except Exception as exc:
            logger.exception("reader failed")
            self.dispatch("error", client_error_event("client_reader_failed", f"reading the socket failed: {exc}"))
        finally:
            queue.put_nowait(None)
            if ws.state is not State.CLOSED:
                # The reader is gone, so nobody would read the peer's close frame: a
                # graceful close would wait out its timeout. Drop the connection instead.
                ws.transport.abort()
            self._emit_close(ws)

    def _handle_frame_safely(self, frame: str | bytes) -> None:
        """`_handle_frame`, with any failure reported as an `error` event."""
        try:
            self._handle_frame(frame)
        except Exception as exc:
            logger.exception("handling a frame failed")
            raw = frame[:RAW_FRAME_QUOTE] if isinstance(frame, str) else repr(frame[:RAW_FRAME_QUOTE])
            self.dispatch(
                "error",
                client_error_event("client_frame_failed", f"handling a server frame failed: {type(exc).__name__}: {exc}", raw=raw),
            )

    def _handle_frame(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            self.dispatch(
                "error",
                client_error_event("invalid_frame", f"server sent a binary frame of {len(frame)} bytes; expected JSON text", raw=repr(frame[:RAW_FRAME_QUOTE])),
            )
            return
        try:
            event = json.loads(frame)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            self.dispatch(
                "error",
                client_error_event("invalid_json", f"server sent a frame that is not JSON ({exc})", raw=frame[:RAW_FRAME_QUOTE]),
            )
            return
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self.dispatch(
                "error",
                client_error_event("invalid_event", "server sent JSON without a string 'type'", raw=frame[:RAW_FRAME_QUOTE]),
            )
            return
        event_type = event["type"]
        if self.debug:
            logger.debug("received %s", json.dumps(redact_event(event))[:2000])
        if event_type == "error":
            error = event.get("error") if isinstance(event.get("error"), dict) else {}
            if error.get("code") == "session_expired":
                self.expired = True
                logger.warning("session expired: %s", error.get("message"))
        self.dispatch(f"server.{event_type}", event)
        self.dispatch("server.*", event)

    def _emit_close(self, ws: ClientConnection) -> None:
        if self._close_sent:
            return
        self._close_sent = True
        code = ws.close_code
        reason = ws.close_reason or ""
        if self.expired and not reason:
            reason = "session_expired"
        error = not self._closing and code not in (1000, 1001)
        logger.debug("closed: code=%s reason=%r error=%s", code, reason, error)
        if self._ws is ws:
            self._closing = True
        payload: ClosePayload = {"error": error, "code": code, "reason": reason, "expired": self.expired}
        self.dispatch("close", payload)


def _try_json(frame: str | bytes) -> Any:
    try:
        return json.loads(frame)
    except (ValueError, TypeError):
        return None
