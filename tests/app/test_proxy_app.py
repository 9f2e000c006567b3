"""The proxy's live view with Pilot: a real proxy in front of the simulator, a real app
client (`RealtimeClient`) through it, the Textual app watching and steering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Static

from console.app.proxy_app import ProxyConsoleApp
from console.app.screens.proxy_session_view import ProxySessionView
from console.proxy import ProxyServer
from console.realtime import RealtimeClient
from tests.app.console_harness import wait_for
from tests.proxy.helpers import TIMEOUT, proxy_to_simulator
from widgets.conversation_view import ConversationView
from widgets.event_log import EventLog
from widgets.input_line import InputLine
from widgets.session_list import SessionList


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[ProxyServer]:
    async with proxy_to_simulator(tmp_path / "rec") as server:
        yield server


async def _app_client(proxy: ProxyServer, *, text: bool = True) -> RealtimeClient:
    client = RealtimeClient(url=proxy.url, api_key="app-token")
    if text:
        client.update_session(modalities=["text"])
    await client.connect()
    await client.wait_for_session_created(timeout=TIMEOUT)
    return client


def _notice(app: ProxyConsoleApp) -> str:
    return str(app.main.query_one("#notice", Static).render())


def _shown_view(app: ProxyConsoleApp) -> ProxySessionView | None:
    switcher = app.main.query_one("#views", ContentSwitcher)
    child = switcher.visible_content
    return child if isinstance(child, ProxySessionView) else None


def _logged_types(view: ProxySessionView) -> list[str]:
    log = view.query_one(EventLog)
    return [log.store.event_type(log.view.event_index(r)) for r in range(len(log.view))]


async def _submit(pilot: Pilot, text: str) -> None:
    line = pilot.app.screen.query_one(InputLine)
    line.focus()
    line.value = text
    await pilot.press("enter")


async def test_a_connecting_app_is_listed_selected_and_shown_live(proxy: ProxyServer) -> None:
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        listing = app.main.query_one(SessionList)
        assert listing.session_ids == [] and _shown_view(app) is None
        client = await _app_client(proxy)
        try:
            await wait_for(pilot, lambda: listing.session_ids == [1], what="the session listed")
            assert listing.state_of(1) == "live"
            view = await wait_for(pilot, lambda: _shown_view(app), what="the first session selected")
            assert view.session.id == 1
            client.send_user_message_content([{"type": "input_text", "text": "count to 3"}])
            await client.wait_for_next_completed_item(timeout=TIMEOUT)
            await client.wait_for_next_completed_item(timeout=TIMEOUT)
            conversation = view.query_one(ConversationView)
            await wait_for(pilot, lambda: len(conversation.item_ids) == 2, what="both items in the conversation")
            assert conversation.item_ids == [i["id"] for i in client.conversation.get_items()]
            await wait_for(pilot, lambda: "response.done" in _logged_types(view), what="the turn in the event log")
            types = _logged_types(view)
            assert types[0] == "session.created" and "conversation.item.create" in types
            await wait_for(pilot, lambda: "1" in str(listing.get_cell("1", "turns")), what="the turn counted")
            assert int(str(listing.get_cell("1", "tokens")).replace(",", "")) > 0
        finally:
            await client.disconnect()
        await wait_for(pilot, lambda: listing.state_of(1) == "ended", what="the session listed as ended")
        assert listing.session_ids == [1]
        await wait_for(pilot, lambda: "session #1 ended: closed by the app" in _notice(app), what="the end noted")


async def test_steering_from_the_input_line_reaches_upstream_and_the_app(proxy: ProxyServer) -> None:
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        client = await _app_client(proxy)
        try:
            view = await wait_for(pilot, lambda: _shown_view(app), what="the session shown")
            await _submit(pilot, "/instructions Be brief.")
            await wait_for(pilot, lambda: client.session_config.get("instructions") != "Be brief." and any(
                view.session.store.event_type(i) == "session.updated"
                and view.session.store.full_event(i)["session"].get("instructions") == "Be brief."
                for i in range(len(view.session.store))), what="the server applying the injected update")
            assert "injected into session #1: session.update" in _notice(app)
            await _submit(pilot, "count to 2")  # a user message + response.create, injected
            answer = await wait_for(pilot, lambda: next((i for i in client.conversation.get_items()
                                                         if i["role"] == "assistant" and i["status"] == "completed"), None),
                                    what="the app's client receiving the answer")
            assert answer["formatted"]["text"] == "1, 2."  # the app got the server's answer
            session = view.session
            assert [session.store.event_type(i) for i in sorted(session.injected)] == [
                "session.update", "conversation.item.create", "response.create"]
            conversation = view.query_one(ConversationView)
            await wait_for(pilot, lambda: conversation.item_ids == [i["id"] for i in client.conversation.get_items()],
                           what="the injected turn in the conversation")
            assert any("injected by the console: response.create" in note.text.plain for note in conversation.notes)
        finally:
            await client.disconnect()
        await wait_for(pilot, lambda: not view.session.live, what="the session to end")
        await _submit(pilot, '/send {"type": "response.create"}')
        await wait_for(pilot, lambda: "has ended: nothing was sent" in _notice(app), what="the refusal")
        await _submit(pilot, "/retrieve")
        await wait_for(pilot, lambda: "needs the console's own client" in _notice(app), what="a command that does not apply")


async def test_switching_sessions_keeps_each_sessions_panes(proxy: ProxyServer) -> None:
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        listing = app.main.query_one(SessionList)
        first = await _app_client(proxy)
        second = await _app_client(proxy)
        try:
            await wait_for(pilot, lambda: listing.session_ids == [1, 2], what="both sessions listed")
            one = await wait_for(pilot, lambda: _shown_view(app), what="the first session shown")
            assert one.session.id == 1  # a new session does not steal the selection
            second.send_user_message_content([{"type": "input_text", "text": "count to 2"}])
            await second.wait_for_next_completed_item(timeout=TIMEOUT)
            await second.wait_for_next_completed_item(timeout=TIMEOUT)
            listing.focus()
            await pilot.press("down")
            two = await wait_for(pilot, lambda: (v := _shown_view(app)) is not None and v.session.id == 2 and v,
                                 what="the second session shown")
            # It was not shown while its turn ran: it catches up at its first flush.
            await wait_for(pilot, lambda: len(two.query_one(ConversationView).item_ids) == 2, what="its items")
            assert one.query_one(ConversationView).item_ids == []
            await pilot.press("up")
            await wait_for(pilot, lambda: _shown_view(app) is one, what="back to the first, the same view")
            assert app.main.query_one("#views", ContentSwitcher).children.__len__() == 3  # placeholder + two views
        finally:
            await first.disconnect()
            await second.disconnect()
