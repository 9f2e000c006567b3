"""WebRTC apps through the proxy, over real sockets against the simulator.

A backend mints an ephemeral key through the proxy (`client_secrets`, the proxy's token);
a browser-style client POSTs its SDP offer with that key to the proxy's `/v1/realtime/calls`
and gets the answer and the call's id; the proxy attaches a sideband to the call by itself,
lists it like a WebSocket session, records the call's server events and can steer it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from openai import AsyncOpenAI

from console.proxy import AccessPolicy, ProxyServer, ProxySession, UpstreamTarget
from console.simulator import Simulator
from tests.proxy.helpers import TOKEN, UPSTREAM_KEY, read_recording, wait_until
from tests.proxy.webrtc_helpers import OFFER, post_offer, request

ORIGIN = "https://app.example"


def _target(sim: Simulator) -> UpstreamTarget:
    return UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")


@pytest.fixture(params=["ga", "beta"])
async def call_sim(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """The simulator requiring the proxy's key; its calls speak `request.param`."""
    async with Simulator(fast=True, require_key=UPSTREAM_KEY, protocol=request.param) as simulator:
        yield simulator


@pytest.fixture
async def guarded(call_sim: Simulator, record_dir: Path) -> AsyncIterator[ProxyServer]:
    """A proxy that needs its token, and lets the page at ORIGIN in."""
    policy = AccessPolicy(token=TOKEN, allowed_origins=(ORIGIN,))
    async with ProxyServer(_target(call_sim), record_dir=record_dir, policy=policy) as server:
        yield server


def _instructions_update(protocol: str, text: str) -> dict[str, Any]:
    session: dict[str, Any] = {"instructions": text}
    if protocol == "ga":
        session["type"] = "realtime"
    return {"type": "session.update", "session": session}


async def test_a_call_started_through_the_proxy_is_watched_recorded_and_steerable(
        call_sim: Simulator, guarded: ProxyServer, record_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="console.proxy")
    protocol = call_sim.protocol or "ga"
    opened: list[ProxySession] = []
    guarded.on_session_opened.append(opened.append)
    backend = AsyncOpenAI(api_key=TOKEN, base_url=guarded.http_base_url, max_retries=0)
    secret = await backend.realtime.client_secrets.create(
        expires_after={"anchor": "created_at", "seconds": 600}, session={"type": "realtime", "model": "gpt-realtime"})
    assert secret.value.startswith("ek_") and call_sim.ephemeral_keys.valid(secret.value)

    beta = {"OpenAI-Beta": "realtime=v1"} if protocol == "beta" else {}
    answer = await post_offer(guarded.port, secret.value, extra={"Origin": ORIGIN, **beta})
    assert answer.status == 201 and answer.headers["content-type"] == "application/sdp"
    assert answer.text().startswith("v=0\r\n") and "m=audio" in answer.text()
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert "Location" in answer.headers["access-control-expose-headers"]
    call_id = answer.headers["location"].rsplit("/", 1)[1]
    assert call_id.startswith("rtc_") and call_sim.calls.started == 1

    await wait_until(lambda: len(opened) == 1 and call_sim.call(call_id).sidebands == 1, what="the sideband")
    session = opened[0]
    assert guarded.sessions == {session.id: session}
    assert session.info.call_id == call_id and session.info.protocol == protocol
    assert session.info.app.startswith("127.0.0.1:")

    await call_sim.call_say(call_id, "hello", wait=True)
    await session.inject(_instructions_update(protocol, "Be brief."))
    await wait_until(lambda: call_sim.call(call_id).connection.session.settings.instructions == "Be brief.",
                     what="the steering acting on the call")
    await call_sim.hang_up(call_id)
    await wait_until(lambda: not guarded.sessions, what="the session ended with the call")
    assert session.ended_by == ("upstream", 1000, "call ended")

    (path,) = record_dir.iterdir()
    header, lines = read_recording(path)
    assert header["source"] == "proxy" and header["call_id"] == call_id and header["app"] == session.info.app
    assert header["protocol"] == protocol
    server_types = [line["event"]["type"] for line in lines if line["source"] == "server"]
    assert server_types[0] == "session.created"
    assert "response.done" in server_types and "session.updated" in server_types
    (injected,) = [line for line in lines if line["source"] == "client"]
    assert injected["injected"] is True and injected["event"]["session"]["instructions"] == "Be brief."
    recorded = path.read_text()
    # The proxy's own log (websockets' wire-level debug logs are silenced by the command).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "console.proxy")
    for secret_text in (UPSTREAM_KEY, secret.value, TOKEN):
        assert secret_text not in recorded
        assert secret_text not in logged
        assert secret_text not in answer.everything()
    assert "minted an ephemeral key" in logged and f"started WebRTC call {call_id}" in logged


async def test_the_official_sdk_starts_a_call_with_its_ephemeral_key(sim: Simulator, record_dir: Path) -> None:
    """The SDK's `realtime.calls.create` (a multipart offer) through a proxy with a token."""
    async with ProxyServer(_target(sim), record_dir=record_dir, policy=AccessPolicy(token=TOKEN)) as proxy:
        backend = AsyncOpenAI(api_key=TOKEN, base_url=proxy.http_base_url, max_retries=0)
        secret = await backend.realtime.client_secrets.create(session={"type": "realtime", "model": "gpt-realtime"})
        browser = AsyncOpenAI(api_key=secret.value, base_url=proxy.http_base_url, max_retries=0)
        raw = await browser.realtime.calls.with_raw_response.create(sdp=OFFER)
        assert raw.status_code == 201 and raw.content.startswith(b"v=0")
        call_id = raw.headers["location"].rsplit("/", 1)[1]
        await wait_until(lambda: [s.info.call_id for s in proxy.sessions.values()] == [call_id], what="the call listed")
        await sim.hang_up(call_id)
        await wait_until(lambda: not proxy.sessions, what="the call ended")


async def test_client_secrets_need_the_token_and_a_refusal_opens_nothing_upstream(
        sim: Simulator, record_dir: Path) -> None:
    async with ProxyServer(_target(sim), record_dir=record_dir, policy=AccessPolicy(token=TOKEN)) as proxy:
        mint = "/v1/realtime/client_secrets"
        body = json.dumps({"session": {"type": "realtime", "model": "gpt-realtime"}})
        json_type = {"Content-Type": "application/json"}
        for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Bearer {UPSTREAM_KEY}x"}):
            refused = await request(proxy.port, "POST", mint, body, {**json_type, **auth})
            assert refused.status == 401 and "needs its token" in refused.text()
        direct = sim.ephemeral_keys.mint(b"{}")["value"]  # minted elsewhere, not through this proxy
        for key in (None, "wrong", direct):
            refused = await post_offer(proxy.port, key)
            assert refused.status == 401, key
        assert sim.ephemeral_keys.minted == 1 and sim.calls.started == 0  # only the test's own key
        assert not proxy.sessions and not record_dir.exists()

        minted = await request(proxy.port, "POST", mint, body, {**json_type, "Authorization": f"Bearer {TOKEN}"})
        assert minted.status == 200 and minted.headers["content-type"] == "application/json"
        value = json.loads(minted.body)["value"]
        assert value.startswith("ek_") and UPSTREAM_KEY not in minted.everything()
        # An ephemeral key cannot mint another, even one this proxy minted.
        assert (await request(proxy.port, "POST", mint, body, {"Authorization": f"Bearer {value}"})).status == 401
        # The app's token is enough to start a call: the proxy's key goes upstream then.
        started = await post_offer(proxy.port, TOKEN)
        assert started.status == 201 and sim.calls.started == 1
        await wait_until(lambda: len(proxy.sessions) == 1, what="the call watched")


async def test_upstream_refusals_reach_the_app_with_their_status_and_body(sim: Simulator, proxy: ProxyServer) -> None:
    direct = await post_offer(sim.port, UPSTREAM_KEY, offer="")
    relayed = await post_offer(proxy.port, None, offer="")
    assert (relayed.status, relayed.body) == (direct.status, direct.body) == (400, direct.body)
    assert json.loads(relayed.body)["error"]["code"] == "invalid_offer"
    assert relayed.headers["content-type"] == "application/json"
    # An ephemeral key goes upstream as is (the proxy's key would have been accepted).
    bogus = await post_offer(proxy.port, "ek_not_a_real_key")
    assert bogus.status == 401 and json.loads(bogus.body)["error"]["code"] == "invalid_api_key"
    assert sim.calls.started == 0 and not proxy.sessions
    for answer in (relayed, bogus):
        assert UPSTREAM_KEY not in answer.everything()


async def test_an_unreachable_upstream_is_a_502_naming_no_key(record_dir: Path) -> None:
    target = UpstreamTarget("ws://127.0.0.1:9/v1/realtime", ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
    async with ProxyServer(target, record_dir=record_dir) as proxy:
        answer = await post_offer(proxy.port, None)
    assert answer.status == 502 and "could not reach its upstream" in answer.text()
    assert UPSTREAM_KEY not in answer.everything()


async def test_cors_preflight_answers_allowed_origins_only(call_sim: Simulator, guarded: ProxyServer) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    for path in ("/v1/realtime/calls", "/v1/realtime/client_secrets"):
        allowed = await request(guarded.port, "OPTIONS", path, headers=preflight)  # no token: browsers send none
        assert allowed.status == 204 and allowed.body == b""
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in allowed.headers["access-control-allow-methods"]
        assert {"authorization", "content-type"} <= {h.strip().lower() for h in
                                                     allowed.headers["access-control-allow-headers"].split(",")}
    elsewhere = await request(guarded.port, "OPTIONS", "/v1/realtime/calls",
                              headers={**preflight, "Origin": "https://elsewhere.example"})
    assert elsewhere.status == 403 and "access-control-allow-origin" not in elsewhere.headers
    posted = await post_offer(guarded.port, TOKEN, extra={"Origin": "https://elsewhere.example"})
    assert posted.status == 403 and call_sim.calls.started == 0


async def test_an_oversized_body_is_a_413_in_words_and_opens_nothing(sim: Simulator, proxy: ProxyServer) -> None:
    offer = OFFER + "a=x-padding:" + "x" * 100_000 + "\r\n"
    for port, key in ((sim.port, UPSTREAM_KEY), (proxy.port, None)):
        answer = await post_offer(port, key, offer=offer)
        assert answer.status == 413, answer.everything()
        assert "over the 65,536-byte limit" in answer.text()
    assert sim.calls.started == 0 and not proxy.sessions


async def test_other_requests_get_a_plain_answer(proxy: ProxyServer) -> None:
    assert (await request(proxy.port, "GET", "/v1/realtime/calls")).status == 405
    assert (await request(proxy.port, "POST", "/v1/elsewhere", "x")).status == 404
    assert (await request(proxy.port, "PUT", "/v1/realtime", "x")).status == 404
    assert not proxy.sessions


async def test_closing_the_proxy_ends_the_watch_and_completes_the_recording(
        sim: Simulator, proxy: ProxyServer, record_dir: Path) -> None:
    answer = await post_offer(proxy.port, None)
    call_id = answer.headers["location"].rsplit("/", 1)[1]
    await wait_until(lambda: len(proxy.sessions) == 1 and sim.call(call_id).sidebands == 1, what="the call watched")
    (session,) = proxy.sessions.values()
    await proxy.close()
    assert session.closed and session.ended_by is not None and session.ended_by[0] == "proxy"
    await wait_until(lambda: sim.call(call_id).sidebands == 0, what="the sideband closed upstream")
    assert not sim.call(call_id).ended  # the call itself goes on: only the watch ended
    header, lines = read_recording(next(record_dir.iterdir()))
    assert header["call_id"] == call_id and lines[0]["event"]["type"] == "session.created"


async def test_a_refused_sideband_leaves_the_call_unwatched_with_one_logged_line(
        sim: Simulator, record_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="console.proxy")
    wrong = "sk-not-the-simulators-key-42"
    target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {wrong}"), "url")
    async with ProxyServer(target, record_dir=record_dir) as proxy:
        key = sim.ephemeral_keys.mint(b"{}")["value"]  # the app's own key: the call itself is fine
        answer = await post_offer(proxy.port, key)
        assert answer.status == 201
        call_id = answer.headers["location"].rsplit("/", 1)[1]

        def refused() -> str | None:
            return next((r.getMessage() for r in caplog.records if "is not watched" in r.getMessage()), None)

        await wait_until(lambda: refused() is not None, what="the refusal logged")
        assert refused() == (f"proxy: call {call_id} of app {answer_app(caplog)} is not watched: "
                             "upstream refused its sideband (HTTP 401 Unauthorized)")
        assert not proxy.sessions and not record_dir.exists() and not sim.call(call_id).ended
    assert wrong not in caplog.text


def answer_app(caplog: pytest.LogCaptureFixture) -> str:
    """The app's address, as the proxy logged it when the call started."""
    started = next(r for r in caplog.records if "started WebRTC call" in r.getMessage())
    return str(started.args[0])  # type: ignore[index]
