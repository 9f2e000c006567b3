"""RealtimeAPI over real WebSockets on loopback against the scripted server."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from tests.realtime.scripted_server import ScriptedServer, session_created

from console.realtime.api import (
    NotConnectedError,
    RealtimeAPI,
    RealtimeConnectionError,
    RealtimeError,
    build_url,
)

KEY = "sk-test-secret-key-123"


def test_build_url_forms() -> None:
    assert build_url(None, None) == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    assert build_url("ws://h/v1/realtime?foo=1", "m") == "ws://h/v1/realtime?foo=1&model=m"
    assert build_url("ws://h/x?model=keep", None) == "ws://h/x?model=keep"
    assert build_url("ws://h/x?model=old", "new") == "ws://h/x?model=new"
    assert (
        build_url("wss://r.openai.azure.com", None, azure_deployment="dep", api_version="2024-10-01-preview")
        == "wss://r.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=dep"
    )
    assert build_url("wss://r.openai.azure.com", None, azure_deployment="dep") == "wss://r.openai.azure.com/openai/v1/realtime?model=dep"


def test_headers_per_protocol_and_azure() -> None:
    ga = RealtimeAPI(api_key=KEY).headers()
    assert ga == {"Authorization": f"Bearer {KEY}"}
    beta = RealtimeAPI(api_key=KEY, protocol="beta").headers()
    assert beta["OpenAI-Beta"] == "realtime=v1"
    azure = RealtimeAPI(url="wss://r.openai.azure.com", azure_deployment="d", azure_api_key="az").headers()
    assert azure == {"api-key": "az"}
    assert KEY not in repr(RealtimeAPI(api_key=KEY))
    with pytest.raises(ValueError):
        RealtimeAPI(protocol="v2")


async def test_connect_send_receive_close_in_order() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url, api_key=KEY, model="gpt-realtime")
        seen: list[tuple[str, str]] = []
        api.on("server.*", lambda e: seen.append(("server", e["type"])))
        api.on("client.*", lambda e: seen.append(("client", e["type"])))
        specific: list[dict] = []
        api.on("server.session.created", specific.append)
        closes: list[dict] = []
        api.on("close", closes.append)
        await api.connect()
        assert api.is_connected()
        assert await api.wait_for_next("server.session.created", 2) is not None
        assert len(specific) == 1
        sent = [api.send("input_audio_buffer.clear") for _ in range(20)]
        given = api.send("response.create", {"event_id": "evt_mine", "response": {}})
        assert given["event_id"] == "evt_mine"
        await server.wait_for(lambda r: len(r) == 21)
        assert [e["event_id"] for e in server.received] == [e["event_id"] for e in sent] + ["evt_mine"]
        assert len({e["event_id"] for e in sent}) == 20
        assert server.request_paths[0] == "/v1/realtime?model=gpt-realtime"
        assert server.request_headers[0]["authorization"] == f"Bearer {KEY}"
        assert "openai-beta" not in server.request_headers[0]
        assert ("server", "session.created") in seen and seen.count(("client", "input_audio_buffer.clear")) == 20
        await api.disconnect()
        assert not api.is_connected()
        assert closes == [{"error": False, "code": 1000, "reason": "", "expired": False}]
        with pytest.raises(NotConnectedError):
            api.send("response.create")


async def test_send_validates_data() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        await api.connect()
        with pytest.raises(TypeError, match="dict"):
            api.send("response.create", ["not", "a", "dict"])  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="JSON"):
            api.send("response.create", {"response": {1, 2}})
        with pytest.raises(ValueError, match="contradict|but the event"):
            api.send("response.create", {"type": "response.cancel"})
        with pytest.raises(RealtimeError, match="already connected"):
            await api.connect()
        await api.disconnect()


async def test_beta_header_sent() -> None:
    async with ScriptedServer(protocol="beta") as server:
        api = RealtimeAPI(url=server.url, api_key=KEY, protocol="beta")
        await api.connect()
        assert server.request_headers[0]["openai-beta"] == "realtime=v1"
        await api.disconnect()


async def test_malformed_frames_reported_and_connection_continues() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        errors: list[dict] = []
        events: list[dict] = []
        api.on("error", errors.append)
        api.on("server.*", events.append)
        await api.connect()
        await server.send("{not json", json.dumps({"no_type": 1}), "[1,2]", b"\x00\x01".decode())
        await server.send({"type": "totally.new.event", "event_id": "e1", "weird": True})
        await api.wait_for_next("server.totally.new.event", 2)
        assert [e["error"]["code"] for e in errors] == ["invalid_json", "invalid_event", "invalid_event", "invalid_json"]
        assert errors[0]["raw"] == "{not json"
        assert events[-1]["weird"] is True
        assert api.is_connected()
        await api.disconnect()


async def test_large_frame_accepted() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        await api.connect()
        big = {"type": "conversation.item.retrieved", "event_id": "e", "item": {"id": "i", "blob": "A" * (3 * 1024 * 1024)}}
        waiter = asyncio.create_task(api.wait_for_next("server.conversation.item.retrieved", 5))
        await server.send(big)
        got = await waiter
        assert got is not None and len(got["item"]["blob"]) == 3 * 1024 * 1024
        await api.disconnect()


def _fatal(code: str, etype: str = "invalid_request_error") -> dict:
    return {"type": "error", "event_id": "event_1", "error": {"type": etype, "code": code, "message": f"server says {code}", "param": None, "event_id": None}}


@pytest.mark.parametrize(
    ("code", "close", "expect"),
    [
        ("invalid_api_key", 3000, "authentication failed"),
        ("invalid_model", 4000, "invalid_model"),
        ("missing_model", 4000, "missing_model"),
        ("beta_api_shape_disabled", 4000, "use the GA protocol"),
    ],
)
async def test_fatal_error_then_close_raises_clear_error(code: str, close: int, expect: str) -> None:
    async with ScriptedServer(on_connect=[_fatal(code)], close_after_connect=(close, f"invalid_request_error.{code}")) as server:
        api = RealtimeAPI(url=server.url, api_key=KEY)
        closes: list[dict] = []
        api.on("close", closes.append)
        with pytest.raises(RealtimeConnectionError, match=expect) as info:
            await api.connect()
        assert info.value.code == code and info.value.close_code == close
        assert info.value.server_message == f"server says {code}"
        assert KEY not in str(info.value)
        assert not api.is_connected() and closes == []


async def test_close_without_error_right_after_upgrade() -> None:
    async with ScriptedServer(on_connect=[], close_after_connect=(4000, "nope")) as server:
        with pytest.raises(RealtimeConnectionError, match="close code 4000") as info:
            await RealtimeAPI(url=server.url).connect()
        assert info.value.close_code == 4000


async def test_http_401_and_unreachable() -> None:
    async with ScriptedServer(reject_status=401) as server:
        with pytest.raises(RealtimeConnectionError, match="HTTP 401") as info:
            await RealtimeAPI(url=server.url, api_key=KEY).connect()
        assert info.value.http_status == 401 and KEY not in str(info.value)
    async with ScriptedServer() as server:
        url = server.url
    with pytest.raises(RealtimeConnectionError, match="could not connect"):
        await RealtimeAPI(url=url).connect()


async def test_server_close_emits_exactly_one_close_and_expiry_surfaced() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        closes: list[dict] = []
        api.on("close", closes.append)
        await api.connect()
        await server.send(_fatal("session_expired"))
        await server.close_clients(4000, "")
        await asyncio.wait_for(api._reader, 2)  # type: ignore[arg-type]
        await api.disconnect()
        assert closes == [{"error": True, "code": 4000, "reason": "session_expired", "expired": True}]
        assert not api.is_connected()


async def test_nonfatal_error_first_is_kept_and_dispatched() -> None:
    first = _fatal("some_warning")
    async with ScriptedServer(on_connect=[first, session_created()]) as server:
        api = RealtimeAPI(url=server.url)
        got: list[str] = []
        api.on("server.*", lambda e: got.append(e["type"]))
        await api.connect()
        await api.wait_for_next("server.session.created", 2)
        assert got == ["error", "session.created"]
        await api.disconnect()


async def test_debug_log_never_has_key_or_audio(caplog: pytest.LogCaptureFixture) -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url, api_key=KEY, debug=True)
        with caplog.at_level(logging.DEBUG, logger="console.realtime"):
            await api.connect()
            api.send("input_audio_buffer.append", {"audio": "QUJD" * 5000})
            await server.wait_for_types("input_audio_buffer.append")
            await api.disconnect()
        assert "input_audio_buffer.append" in caplog.text
        assert KEY not in caplog.text
        assert "QUJDQUJD" not in caplog.text and "20000 base64 chars" in caplog.text
    logging.getLogger("console.realtime").setLevel(logging.NOTSET)


async def test_azure_dated_form_and_api_key_header_on_the_wire() -> None:
    async with ScriptedServer() as server:
        base = server.url.rsplit("/v1/realtime", 1)[0]
        api = RealtimeAPI(url=base, azure_deployment="my-dep", api_version="2024-10-01-preview", azure_api_key="az-secret")
        await api.connect()
        assert server.request_paths[0] == "/openai/realtime?api-version=2024-10-01-preview&deployment=my-dep"
        assert server.request_headers[0]["api-key"] == "az-secret"
        assert "authorization" not in server.request_headers[0]
        await api.disconnect()


async def test_socket_closing_before_the_upgrade_does_not_hang() -> None:
    async def slam(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    tcp = await asyncio.start_server(slam, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    async with tcp:
        with pytest.raises(RealtimeConnectionError, match="could not connect"):
            await asyncio.wait_for(RealtimeAPI(url=f"ws://127.0.0.1:{port}/v1/realtime").connect(), 5)


async def test_events_queued_when_the_server_vanishes_are_reported() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        errors: list[dict] = []
        closes: list[dict] = []
        api.on("error", errors.append)
        api.on("close", closes.append)
        await api.connect()
        await server.close_clients(1001, "going away")
        await asyncio.wait_for(api._reader, 2)  # type: ignore[arg-type]
        assert closes == [{"error": False, "code": 1001, "reason": "going away", "expired": False}]
        with pytest.raises(NotConnectedError):
            api.send("response.create")
        await api.disconnect()
        assert len(closes) == 1


async def test_deeply_nested_frame_is_an_error_and_the_session_goes_on() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        errors: list[dict] = []
        closes: list[dict] = []
        api.on("error", errors.append)
        api.on("close", closes.append)
        await api.connect()
        await server.send("[" * 100_000 + "]" * 100_000, '{"type": "x", "a": ' + "[" * 5000 + "]" * 5000 + "}")
        await server.send({"type": "after.deep", "event_id": "e1"})
        assert await api.wait_for_next("server.after.deep", 3) is not None
        assert [e["error"]["code"] for e in errors] == ["invalid_json", "invalid_json"]
        assert "recursion" in errors[0]["error"]["message"]
        assert closes == [] and api.is_connected()
        await asyncio.wait_for(api.disconnect(), 3)
        assert len(closes) == 1


async def test_close_event_means_the_socket_is_closed_even_when_the_reader_dies() -> None:
    async with ScriptedServer() as server:
        api = RealtimeAPI(url=server.url)
        await api.connect()
        ws = api._ws
        assert ws is not None
        closed = asyncio.create_task(api.wait_for_next("close", 3))
        await asyncio.sleep(0)
        api._reader.cancel()  # the reader ends without the peer closing
        event = await closed
        assert event is not None and event["error"] is True
        await asyncio.wait_for(ws.wait_closed(), 3)
        assert not api.is_connected()
        await asyncio.wait_for(api.disconnect(), 3)


def test_azure_url_forms() -> None:
    """An Azure resource's endpoint, as the portal shows it, becomes its Realtime URL."""
    from console.realtime.api import azure_url

    assert azure_url("my.openai.azure.com", "rt") == "wss://my.openai.azure.com/openai/v1/realtime?model=rt"
    assert azure_url("https://my.openai.azure.com/", "rt", "2025-04-01-preview") == \
        "wss://my.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt"
    assert azure_url("http://127.0.0.1:9000", "rt").startswith("ws://127.0.0.1:9000/")
    with pytest.raises(ValueError, match="not a URL"):
        azure_url("https://", "rt")
