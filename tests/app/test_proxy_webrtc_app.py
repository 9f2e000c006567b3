"""The proxy's live view with a WebRTC app (Pilot): a call started through the proxy is
listed like a WebSocket session, shows the call's turns, is steered from the input line,
and is listed as ended when the call ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from console.app.proxy_app import ProxyConsoleApp
from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from tests.proxy.helpers import UPSTREAM_KEY
from tests.proxy.webrtc_helpers import post_offer
from widgets.conversation_view import ConversationView
from widgets.input_line import InputLine
from widgets.session_list import SessionList


@pytest.fixture
async def sim_and_proxy(tmp_path: Path) -> AsyncIterator[tuple[Simulator, ProxyServer]]:
    async with Simulator(fast=True, require_key=UPSTREAM_KEY) as sim:
        target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
        async with ProxyServer(target, record_dir=tmp_path / "rec", policy=AccessPolicy()) as server:
            yield sim, server


async def _submit(pilot: Pilot, text: str) -> None:
    line = pilot.app.screen.query_one(InputLine)
    line.focus()
    line.value = text
    await pilot.press("enter")


async def test_a_webrtc_call_is_listed_shown_steered_and_ended(sim_and_proxy: tuple[Simulator, ProxyServer]) -> None:
    sim, proxy = sim_and_proxy
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        listing = app.main.query_one(SessionList)
        answer = await post_offer(proxy.port, None)
        assert answer.status == 201
        call_id = answer.headers["location"].rsplit("/", 1)[1]
        await wait_for(pilot, lambda: listing.session_ids == [1], what="the call listed")
        assert listing.state_of(1) == "live"
        assert str(listing.get_cell("1", "app")).startswith("127.0.0.1:")
        await wait_for(pilot, lambda: sim.call(call_id).sidebands == 1, what="the sideband attached")
        view = await wait_for(pilot, lambda: app.main.current_view, what="the call selected and shown")
        assert view.session.info.call_id == call_id
        await sim.call_say(call_id, "hello", wait=True)
        conversation = view.query_one(ConversationView)
        await wait_for(pilot, lambda: len(conversation.item_ids) == 2, what="the caller's turn and the answer")
        assert conversation.item_ids == [i.id for i in sim.call(call_id).connection.conversation.items()]
        await _submit(pilot, "/instructions Be brief.")
        await wait_for(pilot, lambda: sim.call(call_id).connection.session.settings.instructions == "Be brief.",
                       what="the steering acting on the call")
        await sim.hang_up(call_id)
        await wait_for(pilot, lambda: listing.state_of(1) == "ended", what="the call listed as ended")
        assert "call ended" in view.session.ended_text()
