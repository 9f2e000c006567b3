"""Requests with a body on a WebSocket server's port (`POST /v1/realtime/calls`).

websockets parses only body-less handshake requests: a request with a body is dropped
before `process_request` sees it. Upstream starts a WebRTC or SIP call with a POST of an
SDP offer to the same host that serves the WebSocket, so the simulator (which emulates
that endpoint) and the proxy (which relays it) must read one.
`read_bodies` swaps a connection's request parser (before any byte arrived) for one
that reads a `Content-Length` body and hands on a `BodyRequest`; everything after the
request (the upgrade, `process_request`, the frames) stays websockets' own.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from websockets.exceptions import InvalidMessage
from websockets.http11 import Request, parse_headers, parse_line
from websockets.protocol import Protocol
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

#: An SDP offer is a few kilobytes; anything much larger is not one.
MAX_BODY_BYTES = 64 * 1024
#: A larger body is read and dropped, to answer 413 in words; past this the connection is
#: dropped without reading it.
MAX_DISCARDED_BYTES = 16 * 1024 * 1024


@dataclass
class BodyRequest(Request):
    """A request with the body websockets does not keep."""

    body: bytes = b""
    #: The declared length of a body too large to read (0: the body was read). Such a
    #: request is still handed on, unread, so the server can answer 413 in words instead
    #: of dropping the connection.
    oversized: int = 0


def too_large(request: Request) -> str | None:
    """The 413 message for a request whose body was too large to read, else None."""
    if isinstance(request, BodyRequest) and request.oversized:
        return (f"The request body ({request.oversized:,} bytes) is over the {MAX_BODY_BYTES:,}-byte limit "
                "for an SDP offer or a client secret request.")
    return None


def _parse_request(reader: StreamReader) -> Generator[None, None, BodyRequest]:
    line = yield from parse_line(reader.read_line, ValueError)
    try:
        raw_method, raw_path, raw_protocol = line.split(b" ", 2)
    except ValueError:
        raise ValueError(f"invalid HTTP request line: {line!r}") from None
    if raw_protocol not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise ValueError(f"unsupported protocol: {raw_protocol!r}")
    headers = yield from parse_headers(reader.read_line)
    if "Transfer-Encoding" in headers:
        raise ValueError("transfer codings are not supported: send a Content-Length")
    length = int(headers.get("Content-Length", "0") or "0")
    if length < 0:
        raise ValueError(f"invalid Content-Length: {length}")
    if length > MAX_DISCARDED_BYTES:
        raise ValueError(f"request body of {length} bytes is not accepted")
    oversized = length if length > MAX_BODY_BYTES else 0
    if oversized:  # read and drop it, so closing after the 413 does not reset the answer away
        left = length
        while left:
            chunk = min(left, MAX_BODY_BYTES)
            yield from reader.read_exact(chunk)
            left -= chunk
    body = bytes((yield from reader.read_exact(length))) if length and not oversized else b""
    return BodyRequest(raw_path.decode("ascii"), headers, raw_method.decode("ascii"), raw_protocol.decode("ascii"),
                       body=body, oversized=oversized)


def _parse(protocol: ServerProtocol) -> Generator[None]:
    """`ServerProtocol.parse`, reading the request with `_parse_request`."""
    try:
        request = yield from _parse_request(protocol.reader)
    except Exception as exc:  # noqa: BLE001 - as websockets: a bad request ends the connection quietly
        protocol.handshake_exc = InvalidMessage("did not receive a valid HTTP request")
        protocol.handshake_exc.__cause__ = exc
        protocol.send_eof()
        protocol.parser = protocol.discard()
        next(protocol.parser)
        yield
        return
    protocol.events.append(request)
    yield from Protocol.parse(protocol)


def read_bodies(protocol: ServerProtocol) -> None:
    """Make `protocol` read request bodies (call it before the connection receives data)."""
    protocol.parser = _parse(protocol)
    next(protocol.parser)
