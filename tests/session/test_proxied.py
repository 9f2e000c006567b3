"""`ProxiedSession` against the real proxy in front of the simulator, on loopback.

An app (the project's `RealtimeClient`) talks through the proxy; the watched session must
hold the same conversation the app's client holds, count what the header counts, and
steer: an injected `response.create` makes the app receive the server's answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from console.proxy import ProxyServer
from console.realtime import RealtimeClient
from console.session.proxied import (
    ProxiedSession,
    ProxiedSessions,
    SteerRefused,
    format_age,
    steer_events,
    user_message_events,
)
from console.session.slash import SlashError, parse
from tests.proxy.helpers import TIMEOUT, proxy_to_simulator, wait_until


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[ProxyServer]:
    async with proxy_to_simulator(tmp_path / "rec") as server:
        yield server


def _shape(item: dict[str, Any]) -> dict[str, Any]:
    """What both conversations must agree on (the audio arrays compared by length)."""
    formatted = item.get("formatted") or {}
    audio = formatted.get("audio")
    return {"id": item["id"], "role": item.get("role"), "type": item.get("type"), "status": item.get("status"),
            "text": formatted.get("text"), "transcript": formatted.get("transcript"),
            "audio": len(audio) if audio is not None else 0,
            "output": formatted.get("output")}


def _one_session(watch: ProxiedSessions) -> Callable[[], bool]:
    return lambda: len(watch.sessions) == 1


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_watched_conversation_equals_the_apps(proxy: ProxyServer, protocol: str) -> None:
    watch = ProxiedSessions(proxy)
    client = RealtimeClient(url=proxy.url, api_key="app-token", protocol=protocol)
    app_sent: list[dict[str, Any]] = []
    client.on("realtime.event", lambda p: app_sent.append(p["event"]) if p["source"] == "client" else None)
    await client.connect()
    try:
        await client.wait_for_session_created(timeout=TIMEOUT)
        await wait_until(_one_session(watch))
        session = watch.sessions[1]
        assert session.kind == "proxy" and session.steerable and session.info.protocol == protocol
        client.send_user_message_content([{"type": "input_text", "text": "count to 4"}])
        await client.wait_for_next_completed_item(timeout=TIMEOUT)
        answer = await client.wait_for_next_completed_item(timeout=TIMEOUT)
        assert answer is not None and answer["role"] == "assistant"
        await wait_until(lambda: session.stats.responses == 1, what="the response's usage")
        # The last server event of a turn may still be in flight to the app: compare once both agree on the item.
        await wait_until(lambda: [_shape(i) for i in session.items()] == [_shape(i) for i in client.conversation.get_items()],
                         what="the same conversation")
    finally:
        await client.disconnect()
    items = session.items()
    assert [i["role"] for i in items] == ["user", "assistant"]
    assert items[1]["formatted"]["transcript"] == "1, 2, 3, 4."
    assert len(items[1]["formatted"]["audio"]) > 0  # the model's voice was decoded too
    store = session.store
    assert store.event_type(0) == "session.created"
    assert [store.full_event(i) for i in range(len(store)) if store.source(i) == "client"] == app_sent
    summary = session.summary()
    assert (summary.turns, summary.errors) == (1, 0)
    assert summary.tokens == session.stats.input_tokens + session.stats.output_tokens > 0
    await wait_until(lambda: not session.live, what="the session to end")
    assert not session.steerable and summary.app == session.info.app
    assert session.stats.connection == "disconnected" and "closed by the app" in session.ended_text()
    assert session.label().endswith("· ended")


async def test_injected_response_create_reaches_the_app(proxy: ProxyServer) -> None:
    watch = ProxiedSessions(proxy)
    client = RealtimeClient(url=proxy.url, api_key="app-token")
    client.update_session(modalities=["text"])
    await client.connect()
    try:
        await client.wait_for_session_created(timeout=TIMEOUT)
        await wait_until(_one_session(watch))
        session = watch.sessions[1]
        # The app adds a user message but does not ask for a response: the watcher does.
        client.realtime.send("conversation.item.create", {"item": {
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "count to 3"}]}})
        user = await client.wait_for_next_completed_item(timeout=TIMEOUT)
        assert user is not None and user["role"] == "user"
        await wait_until(lambda: len(session.items()) == 1, what="the user item on the watched side")
        sent = await session.send({"type": "response.create"})
        answer = await client.wait_for_next_completed_item(timeout=TIMEOUT)
    finally:
        await client.disconnect()
    assert answer is not None and answer["formatted"]["text"] == "1, 2, 3."
    assert sent["event_id"]  # so a server error could link back to it
    injected = sorted(session.injected)
    assert len(injected) == 1 and session.store.event_type(injected[0]) == "response.create"
    notes = session.take_changes()
    assert notes is not None and any("injected by the console: response.create" in n.text for n in notes.notes)


async def test_a_steer_into_an_ended_session_is_refused(proxy: ProxyServer) -> None:
    watch = ProxiedSessions(proxy)
    client = RealtimeClient(url=proxy.url, api_key="app-token")
    await client.connect()
    await client.wait_for_session_created(timeout=TIMEOUT)
    await wait_until(_one_session(watch))
    session = watch.sessions[1]
    await client.disconnect()
    await wait_until(lambda: not session.live, what="the session to end")
    events = len(session.store)
    with pytest.raises(SteerRefused, match="has ended: nothing was sent"):
        await session.send({"type": "response.create"})
    assert len(session.store) == events
    with pytest.raises(ValueError):
        await session.send({"no": "type"})


async def test_a_session_already_open_is_watched_from_then_on(proxy: ProxyServer) -> None:
    client = RealtimeClient(url=proxy.url, api_key="app-token")
    await client.connect()
    try:
        await client.wait_for_session_created(timeout=TIMEOUT)
        await wait_until(lambda: len(proxy.sessions) == 1)
        watch = ProxiedSessions(proxy)
        session: ProxiedSession = watch.sessions[1]
        assert session.live and len(session.store) == 0
        client.update_session(instructions="Be brief.")

        def applied() -> bool:
            store = session.store
            return any(store.event_type(i) == "session.updated"
                       and store.full_event(i)["session"].get("instructions") == "Be brief." for i in range(len(store)))

        await wait_until(applied, what="the update applied, seen by the watcher")
    finally:
        await client.disconnect()
    types = [session.store.event_type(i) for i in range(len(session.store))]
    assert "session.created" not in types  # it came before the watcher; nothing is replayed


def test_slash_commands_become_client_events() -> None:
    assert steer_events(parse('/send {"type": "response.create"}'), "ga") == [{"type": "response.create"}]
    assert steer_events(parse("/cancel"), "ga") == [{"type": "response.cancel"}]
    assert steer_events(parse("/instructions Be brief."), "ga") == [
        {"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief."}}]
    assert steer_events(parse("/voice marin", "beta"), "beta") == [
        {"type": "session.update", "session": {"voice": "marin"}}]
    assert steer_events(parse("/voice marin"), "ga") == [
        {"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"voice": "marin"}}}}]
    assert steer_events(parse("/ptt", "beta"), "beta") == [{"type": "session.update", "session": {"turn_detection": None}}]
    assert steer_events(parse("/delete item_1"), "ga") == [{"type": "conversation.item.delete", "item_id": "item_1"}]
    for command in ("/retrieve", "/reconnect", "/disconnect"):
        with pytest.raises(SlashError):
            steer_events(parse(command), "ga")
    assert [e["type"] for e in user_message_events("hi")] == ["conversation.item.create", "response.create"]


def test_format_age() -> None:
    assert [format_age(s) for s in (0, 7.9, 750, 3723)] == ["0:00", "0:07", "12:30", "1:02:03"]


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_an_ended_session_reports_what_only_its_end_can_tell(proxy: ProxyServer, protocol: str) -> None:
    """The app declares a tool, the model calls it, and the app closes without answering:
    only once the proxied session has ended does the linter know the output never came."""
    watch = ProxiedSessions(proxy)
    client = RealtimeClient(url=proxy.url, api_key="app-token", protocol=protocol)
    await client.connect()
    try:
        await client.wait_for_session_created(timeout=TIMEOUT)
        await wait_until(_one_session(watch))
        session = watch.sessions[1]
        client.update_session(tools=[{"type": "function", "name": "get_weather", "description": "weather for a city",
                                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                     "required": ["city"]}}])
        client.send_user_message_content([{"type": "input_text", "text": "Please get weather in Paris"}])
        await wait_until(lambda: any(i.get("type") == "function_call" and i.get("status") == "completed"
                                     for i in session.items()), what="the model's function call")
        await wait_until(lambda: session.stats.responses == 1, what="the call's response.done")
        assert "tool-output-missing" not in {f.rule for f in session.findings}  # the app may still answer
    finally:
        await client.disconnect()
    await wait_until(lambda: session.ended_at is not None, what="the session's end")
    missing = [f for f in session.findings if f.rule == "tool-output-missing"]
    assert len(missing) == 1 and "get_weather" in missing[0].message
    assert missing[0].first_event in session.findings_by_event
    session.finish_lint()  # once only
    assert [f.rule for f in session.findings].count("tool-output-missing") == 1
