"""Real clients through the proxy to the simulator (which requires the proxy's key):
the official SDK, the project's RealtimeClient, and a browser-style client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import websockets
from openai import AsyncOpenAI

from console.proxy import AccessPolicy, Frame, ProxyServer, ProxySession, UpstreamTarget
from console.realtime import RealtimeClient
from console.simulator import Simulator
from tests.proxy.helpers import TIMEOUT, TOKEN, UPSTREAM_KEY, read_recording, wait_until


async def test_official_sdk_text_turn(proxy: ProxyServer, record_dir: Path) -> None:
    client = AsyncOpenAI(api_key="sk-app-side-not-the-real-one", base_url=proxy.http_base_url)
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await conn.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        await conn.conversation.item.create(item={"type": "message", "role": "user",
                                                  "content": [{"type": "input_text", "text": "count to 3"}]})
        await conn.response.create()
        async for event in conn:
            if event.type == "response.done":
                break
    assert event.response.status == "completed"
    assert event.response.output[0].content[0].text == "1, 2, 3."
    await wait_until(lambda: not proxy.sessions)
    (path,) = record_dir.iterdir()
    header, lines = read_recording(path)
    assert header["model"] == "gpt-realtime" and header["protocol"] == "ga" and header["source"] == "proxy"
    assert lines[0]["source"] == "server" and lines[0]["event"]["type"] == "session.created"
    assert lines[-1]["event"]["type"] in ("response.done", "rate_limits.updated")


async def test_realtime_client_text_turn_beta(proxy: ProxyServer, record_dir: Path) -> None:
    client = RealtimeClient(url=proxy.url, api_key="app-token", protocol="beta")
    client.update_session(instructions="Be brief.", modalities=["text"])
    await client.connect()
    try:
        await client.wait_for_session_created()
        client.send_user_message_content([{"type": "input_text", "text": "Hello"}])
        await client.wait_for_next_completed_item(timeout=TIMEOUT)
        item = await client.wait_for_next_completed_item(timeout=TIMEOUT)
    finally:
        await client.disconnect()
    assert item["formatted"]["text"].startswith("Hello!")
    await wait_until(lambda: not proxy.sessions)
    (path,) = record_dir.iterdir()
    header, _ = read_recording(path)
    assert header["protocol"] == "beta"  # OpenAI-Beta: realtime=v1 went upstream


async def test_recording_equals_what_each_side_saw_and_the_key_stays_server_side(
        proxy: ProxyServer, record_dir: Path) -> None:
    seen: list[Frame] = []
    proxy.on_session_opened.append(lambda s: s.add_listener(lambda _s, f: seen.append(f)))
    sent: list[str] = []
    received: list[str] = []
    async with websockets.connect(proxy.url + "?model=gpt-realtime",
                                  additional_headers={"Authorization": "Bearer app-token"}) as app:
        response_headers = list(app.response.headers.raw_items())
        received.append(await app.recv())
        for event in ({"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}},
                      {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": [
                          {"type": "input_text", "text": "count to 5"}]}},
                      {"type": "response.create"}):
            sent.append(json.dumps(event))
            await app.send(sent[-1])
        while True:
            received.append(await app.recv())
            if json.loads(received[-1])["type"] == "rate_limits.updated":
                break
    await wait_until(lambda: not proxy.sessions)
    (path,) = record_dir.iterdir()
    header, lines = read_recording(path)
    assert [line["event"] for line in lines if line["source"] == "client"] == [json.loads(s) for s in sent]
    assert [line["event"] for line in lines if line["source"] == "server"] == [json.loads(r) for r in received]
    assert [(f.source, f.raw) for f in seen] == [(line["source"], raw) for line, raw in zip(
        lines, _interleave(lines, sent, received))]
    app_side = json.dumps(response_headers) + "".join(received)
    for secret in (UPSTREAM_KEY, f"Bearer {UPSTREAM_KEY}"):
        assert secret not in app_side
        assert secret not in path.read_text()
    assert header["app"].startswith("127.0.0.1:") and header["upstream"] == proxy.target.url


def _interleave(lines: list[dict[str, Any]], sent: list[str], received: list[str]) -> list[str]:
    """The raw frames in recording order."""
    client, server = iter(sent), iter(received)
    return [next(client) if line["source"] == "client" else next(server) for line in lines]


async def test_injected_event_goes_upstream_is_recorded_and_marked(proxy: ProxyServer, record_dir: Path) -> None:
    sessions: list[ProxySession] = []
    proxy.on_session_opened.append(sessions.append)
    async with websockets.connect(proxy.url + "?model=gpt-realtime") as app:
        assert json.loads(await app.recv())["type"] == "session.created"
        await wait_until(lambda: len(sessions) == 1)
        await sessions[0].inject({"type": "session.update", "session": {"type": "realtime",
                                                                         "output_modalities": ["text"]}})
        await sessions[0].inject({"type": "conversation.item.create", "item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "count to 2"}]}})
        await sessions[0].inject({"type": "response.create"})
        answers = []
        while not answers or answers[-1]["type"] != "response.done":
            answers.append(json.loads(await app.recv()))
    assert answers[0]["type"] == "session.updated"  # the app sees the server's answers
    assert answers[-1]["response"]["output"][0]["content"][0]["text"] == "1, 2."
    await wait_until(lambda: not proxy.sessions)
    _, lines = read_recording(next(record_dir.iterdir()))
    client = [line for line in lines if line["source"] == "client"]
    assert [line["event"]["type"] for line in client] == ["session.update", "conversation.item.create",
                                                          "response.create"]
    assert all(line.get("injected") is True for line in client)
    assert not any("injected" in line for line in lines if line["source"] == "server")


async def test_browser_style_client_with_the_subprotocol_token(sim: Simulator, record_dir: Path) -> None:
    target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
    policy = AccessPolicy(token=TOKEN, allowed_origins=("https://app.example",))
    async with ProxyServer(target, policy=policy, record_dir=record_dir) as proxy:
        async with websockets.connect(proxy.url + "?model=gpt-realtime", origin="https://app.example",
                                      subprotocols=["realtime", f"openai-insecure-api-key.{TOKEN}"]) as app:
            assert app.subprotocol == "realtime"
            assert json.loads(await app.recv())["type"] == "session.created"
        await wait_until(lambda: not proxy.sessions)
    header, _ = read_recording(next(record_dir.iterdir()))
    assert TOKEN not in json.dumps(header)
