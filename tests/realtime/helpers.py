"""Shared set-up for client tests: a connected client against a scripted peer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tests.oracle import validate_client_event
from tests.realtime.responder import TurnResponder
from tests.realtime.scripted_server import ScriptedServer

from console.realtime import RealtimeClient


class Recorder:
    """Collects every event a client dispatches under the given names."""

    def __init__(self, client: RealtimeClient, *names: str) -> None:
        self.events: dict[str, list[Any]] = {name: [] for name in names}
        for name in names:
            client.on(name, self.events[name].append)

    def __getitem__(self, name: str) -> list[Any]:
        return self.events[name]


@contextlib.asynccontextmanager
async def connected(
    protocol: str = "ga",
    replies: list[dict[str, Any]] | None = None,
    session_config: dict[str, Any] | None = None,
    **server_kwargs: Any,
) -> AsyncIterator[tuple[RealtimeClient, ScriptedServer, TurnResponder]]:
    """A client connected to a `TurnResponder`; on exit every event the client sent is
    validated against the official models of its protocol, unknown keys included."""
    responder = TurnResponder(protocol, replies)
    async with ScriptedServer(protocol=protocol, responder=responder, **server_kwargs) as server:
        client = RealtimeClient(url=server.url, api_key="sk-test", protocol=protocol, session_config=session_config)
        await client.connect()
        assert await client.wait_for_session_created(3) is not None
        try:
            yield client, server, responder
        finally:
            await client.disconnect()
            await client.drain_tasks()
    for event in server.received:
        validate_client_event(event, protocol)


async def until(client: RealtimeClient, predicate: Any, timeout: float = 3.0) -> None:
    """Wait until `predicate()` holds, re-checking after each event the client emits.

    For conditions on recorded state (counts, last usage, ...); a chain of
    `wait_for_next` calls sees every event of its names too (see `RealtimeEventHandler`).
    """
    import asyncio

    changed = asyncio.Event()

    def poke(_event: Any) -> None:
        changed.set()

    client.on("realtime.event", poke)
    client.on("error", poke)
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                changed.clear()
                await changed.wait()
                await asyncio.sleep(0)  # let the conversation apply the event first
    finally:
        client.off("realtime.event", poke)
        client.off("error", poke)
