"""Data frames relayed as received bytes (`console.proxy.rawrelay`), over real sockets.

What must hold on that path: it is really taken; frames arrive whole, in order and byte
for byte whatever pieces they arrive in; control frames still reach the library (pings
answered); whatever the path does not forward itself (fragments, oversized or wrongly
masked frames) goes back to the library, which relays or refuses it as before; injected
events go out between whole frames; a backed-up app holds the upstream's reading."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import struct
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError

from console.proxy import ProxyServer, UpstreamTarget
from console.proxy.framing import encode_frame
from console.proxy.rawrelay import RawReader
from console.proxy.session import ProxySession
from tests.proxy.helpers import TapUpstream, wait_until

SIZES = [0, 1, 125, 126, 65535, 65536, 200_000]


def _target(url: str) -> UpstreamTarget:
    return UpstreamTarget(url, None, "url")


def _raw(connection: ClientConnection | ServerConnection) -> bool:
    return isinstance(connection.transport.get_protocol(), RawReader)


@asynccontextmanager
async def _session(tap: TapUpstream, **connect: object) -> AsyncIterator[tuple[ProxySession, ClientConnection]]:
    """An app connected through a proxy to `tap`, once both directions relay raw."""
    async with ProxyServer(_target(tap.url)) as proxy, \
            websockets.connect(proxy.url + "?model=gpt-realtime", max_size=None, **connect) as app:  # type: ignore[arg-type]
        for _ in tap.greeting:
            await app.recv()
        await wait_until(lambda: len(proxy.sessions) == 1)
        (session,) = proxy.sessions.values()
        await wait_until(lambda: _raw(session.app) and _raw(session.upstream), what="both sides relay raw")
        yield session, app


def _payload(size: int, index: int) -> str:
    body = json.dumps({"type": "x", "i": index, "pad": ""})
    return body[:-2] + "é" * max(0, (size - len(body)) // 2) + '"}'


async def test_frames_of_every_size_are_relayed_raw_byte_for_byte_and_in_order_both_ways() -> None:
    server_frames = [_payload(size, i) for i, size in enumerate(SIZES)] + [b"\x00\xffbinary"]
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, app):
        client_frames: list[str | bytes] = [_payload(size, i) for i, size in enumerate(SIZES)] + [b"\x01bin"]
        for frame in client_frames:
            await app.send(frame)
        for frame in server_frames:
            await tap.connections[0].send(frame)
        received = [await app.recv() for _ in server_frames]
        await wait_until(lambda: len(tap.received) == len(client_frames))
        assert _raw(session.app) and _raw(session.upstream)  # nothing went back to the library
        assert session.frames == {"client": len(client_frames), "server": len(server_frames) + 1}
    assert tap.received == client_frames
    assert received == server_frames


async def test_frames_arriving_a_byte_at_a_time_are_relayed_whole_and_pings_answered() -> None:
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, app):
        frames = ['{"type":"a"}', "b" * 300, "c" * 70_000]
        wire = b"".join(encode_frame(f.encode(), text=True, mask=True) for f in frames)
        reader = session.app.transport.get_protocol()
        assert isinstance(reader, RawReader)
        for i in range(len(wire) - 3000):  # the proxy's reader sees the frames in 1-byte pieces
            reader.data_received(wire[i:i + 1])
        reader.data_received(wire[len(wire) - 3000:])
        latency = await (await app.ping())  # a control frame through the raw reader: answered by the library
        assert latency >= 0
        await wait_until(lambda: len(tap.received) == len(frames))
    assert tap.received == frames


async def test_a_fragmented_message_goes_back_to_the_library_and_is_relayed_whole_in_order() -> None:
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, app):
        await app.send("before")
        await app.send(iter(["frag", "ment", "ed"]))  # a message in three frames
        await app.send("after")
        await wait_until(lambda: len(tap.received) == 3)
        assert not _raw(session.app) and _raw(session.upstream)  # only that direction changed path
        await tap.connections[0].send("still raw")
        assert await app.recv() == "still raw"
    assert tap.received == ["before", "fragmented", "after"]


async def test_an_unmasked_frame_from_the_app_is_refused_as_a_protocol_error() -> None:
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (_, app):
        app.transport.write(encode_frame(b'{"type":"x"}', text=True, mask=False))
        await app.wait_closed()
        await wait_until(lambda: tap.closes != [])
    assert app.close_code == 1002
    assert tap.received == []
    assert tap.closes == [(1011, "the app connection was lost")]


async def test_a_frame_over_16_mib_from_the_app_is_refused_as_too_big() -> None:
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (_, app):
        await app.send("ok")
        # The header of a text frame one byte over 16 MiB, masked, and its first bytes.
        app.transport.write(struct.pack("!BBQ", 0x81, 0x80 | 127, 16 * 1024 * 1024 + 1) + bytes(4) + b"x" * 100)
        await app.wait_closed()
        await wait_until(lambda: tap.closes != [])
    assert app.close_code == 1009
    assert tap.received == ["ok"]


async def test_injected_events_go_out_between_whole_raw_frames() -> None:
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, app):
        sent = [_payload(3000 + i, i) for i in range(300)]
        injected = [{"type": "response.create", "n": n} for n in range(20)]
        for i, frame in enumerate(sent):
            await app.send(frame)
            if i % 15 == 0:
                await session.inject(injected[i // 15])
        await wait_until(lambda: len(tap.received) == len(sent) + len(injected))
    assert [f for f in tap.received if f in sent] == sent  # the app's frames whole and in order
    assert [json.loads(f) for f in tap.received if f not in sent] == injected


async def test_a_raw_frame_is_on_its_way_upstream_when_the_callback_that_read_it_returns() -> None:
    """No later pass of the event loop, and so no timer due in this one (another session's
    parsing and recording), comes between reading a frame and writing it: once the reader
    has taken the app's bytes, upstream's socket already holds them, as they were."""
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, _app):
        frame = encode_frame(b'{"type":"response.create"}', text=True, mask=True)
        upstream_end = socket.socket(fileno=os.dup(tap.connections[0].transport.get_extra_info("socket").fileno()))
        try:
            session.app.transport.get_protocol().data_received(frame)  # as the transport hands it over
            assert upstream_end.recv(len(frame) + 1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == frame
        finally:
            upstream_end.close()  # a duplicate descriptor: the connection itself stays open
        await wait_until(lambda: tap.received == ['{"type":"response.create"}'])


async def test_both_sockets_of_a_session_send_small_frames_without_delay() -> None:
    """Nagle's algorithm is off on both sides (asyncio's default, checked): a small frame
    is not held back waiting for the previous one's acknowledgement."""
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (session, _app):
        for side in (session.app, session.upstream):
            assert side.transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


async def test_an_app_that_stops_reading_holds_the_upstream_until_it_reads_again() -> None:
    """The app reads nothing while upstream sends ~13 MB: the proxy stops reading upstream
    (back-pressure) instead of buffering it all, and relays everything once the app reads."""
    big = [json.dumps({"type": "delta", "i": i, "pad": "z" * 65_000}) for i in range(200)]

    async def upstream(ws: ServerConnection) -> None:
        await ws.send("hello")
        async for message in ws:
            if message == "go":
                for frame in big:
                    await ws.send(frame)
        await ws.wait_closed()

    async with serve(upstream, "127.0.0.1", 0, compression=None, max_size=None) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}/v1/realtime"
        async with ProxyServer(_target(url)) as proxy, \
                websockets.connect(proxy.url + "?model=gpt-realtime", max_size=None, max_queue=1) as app:
            assert await app.recv() == "hello"
            await wait_until(lambda: len(proxy.sessions) == 1)
            (session,) = proxy.sessions.values()
            await wait_until(lambda: _raw(session.app) and _raw(session.upstream))
            await app.send("go")
            await wait_until(lambda: session.upstream in session._holding, what="upstream held")
            received = [await app.recv() for _ in big]
            await wait_until(lambda: not session._holding)
    assert received == big


async def test_keepalive_pings_are_answered_through_the_raw_readers() -> None:
    """The proxy's own pings to both sides get their pongs through the raw readers (the
    library takes them), so neither side is dropped as unresponsive."""
    async with TapUpstream(greeting=["hello"]) as tap, ProxyServer(_target(tap.url), ping_interval=0.05) as proxy, \
            websockets.connect(proxy.url + "?model=gpt-realtime") as app:
        assert await app.recv() == "hello"
        await wait_until(lambda: len(proxy.sessions) == 1)
        (session,) = proxy.sessions.values()
        await wait_until(lambda: _raw(session.app) and _raw(session.upstream))
        pongs = (session.app.latency, session.upstream.latency)
        await wait_until(lambda: session.app.latency != pongs[0] and session.upstream.latency != pongs[1],
                         what="a keepalive pong from each side after going raw")
        await app.send("still open")
        await wait_until(lambda: tap.received == ["still open"])
        assert _raw(session.app) and _raw(session.upstream)


async def test_a_tls_upstream_is_relayed_raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """wss upstream: the reader stands in for the protocol behind the TLS transport."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    await asyncio.to_thread(subprocess.run, ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the proxy trusts this upstream's certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    received: list[str | bytes] = []

    async def upstream(ws: ServerConnection) -> None:
        await ws.send("hello")
        async for message in ws:
            received.append(message)
            await ws.send(f"echo {message!s}")

    async with serve(upstream, "localhost", 0, ssl=context, compression=None) as server:
        url = f"wss://localhost:{next(iter(server.sockets)).getsockname()[1]}/v1/realtime"
        async with ProxyServer(_target(url)) as proxy, websockets.connect(proxy.url + "?model=gpt-realtime") as app:
            assert await app.recv() == "hello"
            await wait_until(lambda: len(proxy.sessions) == 1)
            (session,) = proxy.sessions.values()
            await wait_until(lambda: _raw(session.app) and _raw(session.upstream))
            answers = []
            for i in range(50):
                await app.send(f"m{i}" * (i * 100))
                answers.append(await app.recv())
    assert received == [f"m{i}" * (i * 100) for i in range(50)]
    assert answers == [f"echo {message}" for message in received]


async def test_closes_on_the_raw_path_are_mirrored_with_their_code_and_reason() -> None:
    async with TapUpstream(greeting=["hello"]) as tap:
        async with _session(tap) as (_, app):
            await app.send("last words")
            await app.close(4001, "app is done")
            await wait_until(lambda: tap.closes != [])
        assert tap.received == ["last words"]
        assert tap.closes == [(4001, "app is done")]
        async with _session(tap) as (_, app):
            await tap.connections[1].send("bye")
            await tap.connections[1].close(4000, "upstream is done")
            assert await app.recv() == "bye"
            await app.wait_closed()
        assert (app.close_code, app.close_reason) == (4000, "upstream is done")


async def test_invalid_utf8_is_left_to_the_receiving_end_which_refuses_it() -> None:
    """The raw path does not check text frames' UTF-8: the app does, closes with 1007, and
    that close is mirrored upstream."""
    async with TapUpstream(greeting=["hello"]) as tap, _session(tap) as (_, app):
        tap.connections[0].transport.write(encode_frame(b'{"type":"\xff"}', text=True, mask=False))
        with pytest.raises(ConnectionClosedError) as refused:
            await app.recv()
        await wait_until(lambda: tap.closes != [])
    assert refused.value.sent is not None and refused.value.sent.code == 1007
    assert [code for code, _ in tap.closes] == [1007]
