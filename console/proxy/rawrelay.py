"""Relaying data frames as received bytes, without websockets' receive path.

Once the opening handshakes are done and neither side negotiated an extension, a data
frame needs no decoding to be relayed: the app's frames are masked (client frames) and go
upstream masked, where the proxy is the client, with the app's key (RFC 6455 section 5.3
asks for a fresh, unpredictable key per frame: the app's client chose one for this frame,
which goes upstream once, and upstream cannot tell whose choice it was; an app that knew
its keys could shape those bytes only as it already shapes its own connection's, and
upstream is normally TLS); upstream's frames are unmasked and go to the app unmasked. So
each direction forwards the received bytes of its data frames as they are, in order, and
the frames' payloads are read later, off the relay's path, for the recording and the
watchers (`RawMessage`).

`RawReader` is the transport's protocol for one side while it relays this way: it finds
frame boundaries in what arrives (headers only), hands each run of whole data frames to
the session, and feeds everything else to the websockets connection it stands in for, a
whole frame at a time, so that connection still answers pings, takes pongs for its
keepalive, runs the closing handshake and reports the close as before. Anything the reader
does not forward itself (a close frame, a fragment, a frame with reserved bits, a frame
over the size limit, a frame masked the wrong way) switches that side back to the library
for good, from that frame on: the library then rejects what is invalid exactly as it does
on the ordinary path, and relays fragmented messages whole.

The proxy does not validate the UTF-8 of relayed text frames on this path: each endpoint
does, and a frame the proxy only forwards is not its to refuse. (The recording decodes
text with replacement characters, so an invalid frame is still recorded.)
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

from websockets.asyncio.connection import Connection
from websockets.protocol import State

from .framing import apply_mask

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA
_FIN_NO_RSV = 0x80  #: the first header byte's high nibble of a final frame without reserved bits


class RawMessage:
    """A relayed data frame's bytes and where its payload is, decoded only when observed."""

    __slots__ = ("data", "end", "head", "start", "text")

    def __init__(self, data: bytes, start: int, head: int, end: int, text: bool) -> None:
        self.data, self.start, self.head, self.end, self.text = data, start, head, end, text

    def decode(self) -> str | bytes:
        """The message as the library would have returned it (text as `str`)."""
        data, start, head = self.data, self.start, self.head
        payload = data[start + head:self.end]
        if data[start + 1] & 0x80:  # masked: the key is the header's last four bytes
            payload = apply_mask(payload, data[start + head - 4:start + head])
        return payload.decode("utf-8", "replace") if self.text else payload


def at_frame_boundary(connection: Connection) -> bool:
    """Whether `connection`'s websockets parser holds nothing: no bytes, no partial frame,
    no fragmented message, no message not yet read; only then can bytes bypass it.

    This reads websockets' internals (its parser is a generator suspended in `at_eof`
    between frames); should they change, the answer is False and the relay keeps to the
    library's path.
    """
    protocol = connection.protocol
    if protocol.state is not State.OPEN or protocol.extensions:
        return False
    try:
        if protocol.current_size is not None or protocol.reader.buffer or len(connection.recv_messages.frames):
            return False
        parser: Any = protocol.parser
    except (AttributeError, TypeError):  # pragma: no cover - another websockets version
        return False
    while getattr(parser, "gi_yieldfrom", None) is not None:  # the innermost suspended generator
        parser = parser.gi_yieldfrom
    return getattr(getattr(parser, "gi_code", None), "co_name", None) == "at_eof"


class RawReader(asyncio.Protocol):
    """One side's transport protocol while its data frames are relayed as bytes.

    `forward(data, count, messages)` gets each run of `count` whole data frames (`data`,
    their bytes) with their `RawMessage`s when `observed()` said someone reads them (else
    an empty list).
    """

    def __init__(self, connection: Connection, *, masked: bool,
                 forward: Callable[[bytes, int, list[RawMessage]], None], observed: Callable[[], bool]) -> None:
        self.connection = connection
        self._masked = 0x80 if masked else 0
        limit = getattr(connection.protocol, "max_message_size", getattr(connection.protocol, "max_size", None))
        self._max_size = limit if limit is not None else sys.maxsize  #: the library's own limit
        self._forward = forward
        self._observed = observed
        #: Done once this side is back on the library's path (or its connection is lost).
        self.released: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._chunks: list[bytes] = []
        self._have = 0
        self._need = 0
        self._raw = True

    def install(self) -> None:
        """Take over the connection's transport (see `at_frame_boundary` first)."""
        self.connection.transport.set_protocol(self)

    # --- asyncio.Protocol ------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if not self._raw:
            self.connection.data_received(data)
            return
        if self._chunks:  # a frame arriving in pieces: wait for all of it, then join once
            self._chunks.append(data)
            self._have += len(data)
            if self._have < self._need:
                return
            data = b"".join(self._chunks)
            self._chunks, self._have = [], 0
        self._frames(data)

    def eof_received(self) -> bool | None:
        self._release()
        return self.connection.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()
        self.connection.connection_lost(exc)

    def pause_writing(self) -> None:
        self.connection.pause_writing()

    def resume_writing(self) -> None:
        self.connection.resume_writing()

    # --- frames ----------------------------------------------------------------------

    def _frames(self, data: bytes) -> None:
        """Forward the whole data frames in `data`, hand control frames to the library,
        keep an incomplete frame for later."""
        size = len(data)
        pos = run = count = 0  #: run: where the data frames not handed over yet begin; count: how many
        observed = self._observed()
        messages: list[RawMessage] = []
        while size - pos >= 2:
            head1, head2 = data[pos], data[pos + 1]
            length = head2 & 0x7F
            head = 2
            if length >= 126:
                head = 4 if length == 126 else 10
                if size - pos < head:
                    break
                length = int.from_bytes(data[pos + 2:pos + head], "big")
            if head2 & 0x80:
                head += 4
            end = pos + head + length
            opcode = head1 & 0x0F
            if (head1 & 0xF0) != _FIN_NO_RSV or (head2 & 0x80) != self._masked or length > self._max_size:
                self._hand_over(data, run, pos, count, messages)
                return  # not a frame this path forwards: the library takes it from here
            if opcode == OP_TEXT or opcode == OP_BINARY:
                if end > size:
                    break
                if observed:
                    messages.append(RawMessage(data, pos, head, end, opcode == OP_TEXT))
                count += 1
                pos = end
                continue
            if opcode != OP_PING and opcode != OP_PONG:
                self._hand_over(data, run, pos, count, messages)
                return  # a close (or a continuation, or an unknown opcode)
            if end > size:
                break
            self._give(data, run, pos, count, messages)  # the data frames before it go first
            messages, count = [], 0
            self.connection.data_received(data[pos:end])  # the library answers or takes it
            pos = run = end
            if self.connection.protocol.state is not State.OPEN:  # a control frame the library refused
                self._hand_over(data, run, pos, 0, [])
                return
        self._give(data, run, pos, count, messages)
        if pos < size:
            rest = data[pos:]
            self._chunks, self._have = [rest], len(rest)
            self._need = self._frame_size(rest)

    def _give(self, data: bytes, start: int, end: int, count: int, messages: list[RawMessage]) -> None:
        if count:
            self._forward(data if start == 0 and end == len(data) else data[start:end], count, messages)

    def _hand_over(self, data: bytes, run: int, pos: int, count: int, messages: list[RawMessage]) -> None:
        """Forward the frames before `pos` and give the library everything from `pos` on."""
        self._give(data, run, pos, count, messages)
        self._release()
        self.connection.transport.set_protocol(self.connection)  # the library's again, directly
        self.connection.data_received(data[pos:])

    def _release(self) -> None:
        self._raw = False
        if not self.released.done():
            self.released.set_result(None)

    @staticmethod
    def _frame_size(data: bytes) -> int:
        """The size of the frame `data` begins with, or the bytes needed to know it."""
        if len(data) < 2:
            return 2
        length, head = data[1] & 0x7F, 2
        if length >= 126:
            head = 4 if length == 126 else 10
            if len(data) < head:
                return head
            length = int.from_bytes(data[2:head], "big")
        return head + (4 if data[1] & 0x80 else 0) + length
