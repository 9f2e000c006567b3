"""Faithful relay over real loopback sockets: bytes, order, closes, upstream refusals.

The upstream here is `TapUpstream`, which sees and sends raw frames exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.proxy import ProxyServer, UpstreamTarget
from console.simulator import Simulator
from tests.proxy.helpers import TIMEOUT, UPSTREAM_KEY, TapUpstream, read_recording, wait_until

#: Frames whose bytes a re-serialising relay would change: spacing, key order, escapes,
#: non-ASCII, a duplicate key, a number format, and frames that are not JSON events at all.
ODD_CLIENT = [
    '{ "type" : "session.update" , "session": {"instructions":"caf\\u00e9 — é 🎧"} }',
    '{"event_id":"e1","type":"response.create","response":{"temperature":1.0E0}}',
    '{"type":"conversation.item.create","type":"conversation.item.create","x":[1,2 ,3]}',
    "not json at all",
]
ODD_SERVER = [
    '{"type":"session.created" ,"session":{"id":"sess_1"}}',
    '{"type": "response.output_text.delta", "delta": "\\ud83c\\udfa7 ü\\n"}',
    "[1, 2, 3]",
]


def _target(tap: TapUpstream) -> UpstreamTarget:
    return UpstreamTarget(tap.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")


async def test_frames_are_relayed_byte_for_byte_and_in_order_both_ways(tmp_path: Path) -> None:
    async with TapUpstream(greeting=[*ODD_SERVER, b"\x00\x01binary"]) as tap, \
            ProxyServer(_target(tap), record_dir=tmp_path) as proxy:
        async with websockets.connect(proxy.url + "?model=gpt-realtime", max_size=None) as app:
            received = [await app.recv() for _ in range(len(ODD_SERVER) + 1)]
            for frame in ODD_CLIENT:
                await app.send(frame)
            await app.send(b"\xffclient-binary")
            await wait_until(lambda: len(tap.received) == len(ODD_CLIENT) + 1)
        await wait_until(lambda: not proxy.sessions)
    assert received == [*ODD_SERVER, b"\x00\x01binary"]
    assert tap.received == [*ODD_CLIENT, b"\xffclient-binary"]
    assert [type(f) for f in received] == [str, str, str, bytes]  # text stays text, binary stays binary
    # The recording holds the JSON events each side saw, in order (frames that are not
    # events cannot be recorded as events and are left out).
    (path,) = tmp_path.iterdir()
    header, lines = read_recording(path)
    assert header["source"] == "proxy" and header["upstream"] == tap.url
    client = [line["event"] for line in lines if line["source"] == "client"]
    server = [line["event"] for line in lines if line["source"] == "server"]
    assert client == [json.loads(f) for f in ODD_CLIENT[:3]]
    assert server == [json.loads(f) for f in ODD_SERVER[:2]]


async def test_app_close_reaches_upstream_with_its_code_and_reason() -> None:
    async with TapUpstream() as tap, ProxyServer(_target(tap)) as proxy:
        app = await websockets.connect(proxy.url + "?model=gpt-realtime")
        await wait_until(lambda: len(tap.connections) == 1)
        await app.close(4321, "app says bye")
        await wait_until(lambda: len(tap.closes) == 1)
        assert tap.closes == [(4321, "app says bye")]
        await wait_until(lambda: not proxy.sessions)


async def test_upstream_fatal_close_reaches_the_app_as_it_is(sim: Simulator) -> None:
    # The simulator refusing a wrong key like api.openai.com: accept, error event, close 3000.
    wrong = UpstreamTarget(sim.url, ("Authorization", "Bearer sk-wrong-key-000000000000000000"), "url")
    sim.auth_failure = "close"
    async with ProxyServer(wrong) as proxy:
        async with websockets.connect(proxy.url + "?model=gpt-realtime") as app:
            error = json.loads(await app.recv())
            with pytest.raises(ConnectionClosed) as closed:
                await app.recv()
    assert error["error"]["code"] == "invalid_api_key"
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (3000, "invalid_request_error.invalid_api_key")


async def test_upstream_close_4000_reaches_the_app(sim: Simulator) -> None:
    target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
    async with ProxyServer(target) as proxy:
        async with websockets.connect(proxy.url + "?model=not-a-realtime-model") as app:
            error = json.loads(await app.recv())
            with pytest.raises(ConnectionClosed) as closed:
                await app.recv()
    assert error["error"]["code"] == "invalid_model"
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000
    assert closed.value.rcvd.reason == "invalid_request_error.invalid_model"


async def _refusal(url: str) -> tuple[int, bytes, str | None]:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url, open_timeout=TIMEOUT)
    response = refused.value.response
    return response.status_code, bytes(response.body or b""), (response.headers.get_all("Content-Type") or [None])[-1]


async def test_upstream_http_refusal_reaches_the_app_with_status_and_body(sim: Simulator) -> None:
    direct = await _refusal(sim.url + "?model=gpt-realtime")  # no key: what upstream answers
    wrong = UpstreamTarget(sim.url, ("Authorization", "Bearer sk-wrong-key-000000000000000000"), "url")
    async with ProxyServer(wrong) as proxy:
        proxied = await _refusal(proxy.url + "?model=gpt-realtime")
    assert direct[0] == 401 and b"invalid_api_key" in direct[1]
    assert proxied == direct


@pytest.mark.parametrize("status", [403, 404, 429])
async def test_other_upstream_refusals_pass_through(status: int) -> None:
    body = json.dumps({"error": {"message": f"refused with {status}", "code": "x"}}).encode()
    async with TapUpstream(refuse=(status, body, "application/json")) as tap, ProxyServer(_target(tap)) as proxy:
        assert await _refusal(proxy.url + "?model=gpt-realtime") == (status, body, "application/json")
        assert not proxy.sessions


async def test_a_refusal_body_echoing_the_key_is_scrubbed() -> None:
    body = f"bad key {UPSTREAM_KEY}".encode()
    async with TapUpstream(refuse=(401, body, "text/plain")) as tap, ProxyServer(_target(tap)) as proxy:
        status, answer, _ = await _refusal(proxy.url + "?model=gpt-realtime")
    assert status == 401 and UPSTREAM_KEY.encode() not in answer and answer.startswith(b"bad key ")


async def test_unreachable_upstream_is_a_502() -> None:
    async with TapUpstream() as tap:
        port = tap.port
    async with ProxyServer(UpstreamTarget(f"ws://127.0.0.1:{port}/v1/realtime")) as proxy:
        status, body, _ = await _refusal(proxy.url + "?model=gpt-realtime")
    assert status == 502 and b"could not reach its upstream" in body


async def test_the_query_and_protocol_headers_go_upstream_but_not_app_credentials() -> None:
    async with TapUpstream() as tap, ProxyServer(_target(tap)) as proxy:
        headers = {"OpenAI-Beta": "realtime=v1", "Authorization": "Bearer app-own-key", "api-key": "app-azure"}
        async with websockets.connect(proxy.url + "?model=gpt-realtime&call_id=c9&api-key=leak",
                                      additional_headers=headers,
                                      subprotocols=["realtime", "openai-insecure-api-key.app-own-key"]) as app:
            await wait_until(lambda: len(tap.connections) == 1)
            assert app.subprotocol == "realtime"
    request = tap.requests[0]
    assert request.path == "/v1/realtime?model=gpt-realtime&call_id=c9"
    assert request.headers["OpenAI-Beta"] == "realtime=v1"
    assert request.headers.get_all("Authorization") == [f"Bearer {UPSTREAM_KEY}"]
    assert "api-key" not in request.headers
    assert request.headers.get_all("Sec-WebSocket-Protocol") == ["realtime"]


async def test_app_closing_while_upstream_streams_ends_the_session_promptly() -> None:
    # Upstream has far more queued than the proxy buffers: the proxy must keep reading it
    # after the app left, or upstream's close answer waits behind unread data (10 s timeout).
    frames = [json.dumps({"type": "response.output_text.delta", "delta": "x" * 1000, "n": n}) for n in range(400)]
    async with TapUpstream(greeting=frames) as tap, ProxyServer(_target(tap)) as proxy:
        app = await websockets.connect(proxy.url + "?model=gpt-realtime", max_queue=None)
        assert json.loads(await app.recv())["n"] == 0
        await wait_until(lambda: len(proxy.sessions) == 1)
        session = next(iter(proxy.sessions.values()))
        await app.close(4001, "enough")
        await wait_until(lambda: session.closed, timeout=5.0)
    assert session.ended_by == ("app", 4001, "enough")
