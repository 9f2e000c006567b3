"""`/image FILE [text]` steers a watched session (proxy and attach views): one user
message with the image, no `response.create` (asking for an answer stays a separate
step); a bad file is one line and sends nothing. Real simulator on loopback, Pilot."""

from __future__ import annotations

from pathlib import Path

from console.app.attach_app import AttachConsoleApp
from console.app.proxy_app import ProxyConsoleApp
from console.proxy import ProxyServer
from console.realtime.images import to_data_url
from console.session.attached import AttachedSession
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from tests.app.test_proxy_app import _app_client, _notice, _shown_view, _submit, proxy  # noqa: F401 - the fixture
from tests.proxy.helpers import TIMEOUT
from tests.realtime.image_samples import gif, png
from widgets.conversation_view import ConversationView


async def test_image_steers_a_proxied_session_without_asking_for_a_response(proxy: ProxyServer,  # noqa: F811
                                                                             tmp_path: Path) -> None:
    image = png(320, 200)
    (tmp_path / "cat.png").write_bytes(image)
    (tmp_path / "anim.gif").write_bytes(gif(4, 4))
    app = ProxyConsoleApp(proxy)
    async with app.run_test(size=(140, 40)) as pilot:
        client = await _app_client(proxy)
        try:
            view = await wait_for(pilot, lambda: _shown_view(app), what="the session shown")
            store = view.session.store
            before = len(view.session.injected)
            await _submit(pilot, f"/image {tmp_path / 'anim.gif'} hi")
            await wait_for(pilot, lambda: "/image: anim.gif: GIF images are not accepted" in _notice(app),
                           what="the refusal of a bad file")
            assert len(view.session.injected) == before
            await _submit(pilot, f"/image {tmp_path / 'cat.png'} what is it?")
            await wait_for(pilot, lambda: "injected into session #1: conversation.item.create" in _notice(app),
                           what="the image injected")
            # The app's own client gets the message (the server added it to the conversation).
            user = await wait_for(pilot, lambda: next((i for i in client.conversation.get_items()
                                                       if i.get("role") == "user"), None), timeout=TIMEOUT,
                                  what="the image message reaching the app")
            assert user["content"][0]["image_url"] == to_data_url(image, "image/png")
            assert user["content"][1] == {"type": "input_text", "text": "what is it?"}
            conversation = view.query_one(ConversationView)
            await wait_for(pilot, lambda: user["id"] in conversation.item_ids, what="the message in the view")
            assert [store.event_type(i) for i in sorted(view.session.injected)][-1] == "conversation.item.create"
            assert not any(store.event_type(i) == "response.create" for i in range(len(store)))
            # The answer is a separate step.
            await _submit(pilot, '/send {"type": "response.create"}')
            answer = await wait_for(pilot, lambda: next((i for i in client.conversation.get_items()
                                                         if i.get("role") == "assistant" and i["status"] == "completed"),
                                                        None), timeout=TIMEOUT, what="the answer")
            assert answer["formatted"]["text"].startswith("I see a 320×200 PNG image.")
        finally:
            await client.disconnect()


async def test_image_steers_an_attached_call(tmp_path: Path) -> None:
    (tmp_path / "dot.png").write_bytes(png(16, 16))
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url)
        await session.connect()
        app = AttachConsoleApp(session, title=f"attached to call {call_id}")
        async with app.run_test(size=(140, 40)) as pilot:
            await session.wait_attached()
            await _submit(pilot, f"/image {tmp_path / 'dot.png'}")
            await wait_for(pilot, lambda: "sent to call" in _notice(app), what="the image sent")
            await wait_for(pilot, lambda: len(sim.call(call_id).connection.conversation.items()) == 1,
                           what="the image message on the call")
            items = sim.call(call_id).connection.conversation.items()
            assert [p.kind for p in items[0].content] == ["input_image"] and items[0].content[0].image.dimensions == "16×16"
            conversation = app.main.view.query_one(ConversationView)
            await wait_for(pilot, lambda: conversation.item_ids == [items[0].id], what="the message shown")
            await sim.hang_up(call_id)
