"""The attach live view (Pilot) against a simulated call: it shows the call's events and steers it."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import Static

from console.app.attach_app import AttachConsoleApp
from console.session.attached import AttachedSession
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from widgets.conversation_view import ConversationView
from widgets.event_log import EventLog
from widgets.input_line import InputLine


def _notice(app: AttachConsoleApp) -> str:
    return str(app.main.query_one("#notice", Static).render())


async def _submit(pilot: Pilot, text: str) -> None:
    line = pilot.app.screen.query_one(InputLine)
    line.focus()
    line.value = text
    await pilot.press("enter")


async def test_attach_view_shows_the_calls_turns_and_steers_the_call() -> None:
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url)
        await session.connect()
        app = AttachConsoleApp(session, title=f"attached to call {call_id}")
        async with app.run_test(size=(140, 40)) as pilot:
            await session.wait_attached()
            await sim.call_say(call_id, "hello", wait=True)
            conversation = app.main.view.query_one(ConversationView)
            await wait_for(pilot, lambda: len(conversation.item_ids) == 2, what="the caller's turn and the answer")
            assert conversation.item_ids == [i.id for i in sim.call(call_id).connection.conversation.items()]
            log = app.main.view.query_one(EventLog)
            await wait_for(pilot, lambda: "response.done" in [log.store.event_type(log.view.event_index(r))
                                                              for r in range(len(log.view))], what="the call's events logged")
            await _submit(pilot, "/instructions Be brief.")
            await wait_for(pilot, lambda: sim.call(call_id).connection.session.settings.instructions == "Be brief.",
                           what="the update acting on the call")
            await wait_for(pilot, lambda: "sent to call" in _notice(app), what="the steering noted")
            await _submit(pilot, "count to 2")
            await wait_for(pilot, lambda: len(conversation.item_ids) == 4, what="the steered turn shown")
            answer = session.item(conversation.item_ids[-1])
            assert answer is not None and answer["formatted"]["transcript"] == "1, 2."
            # the conversation's own keys steer the call too: y copies, x deletes on the call
            first = conversation.item_ids[0]
            conversation.card(first).focus()
            await pilot.press("y")
            assert app.clipboard == "hello"
            await pilot.press("x")
            await wait_for(pilot, lambda: first not in [i.id for i in sim.call(call_id).connection.conversation.items()],
                           what="the item deleted on the call")
            await wait_for(pilot, lambda: first not in conversation.item_ids, what="the deletion shown")
            assert "conversation.item.delete" in _notice(app)
            await sim.hang_up(call_id)
            await wait_for(pilot, lambda: "sideband closed" in _notice(app), what="the end noted")
            await _submit(pilot, '/send {"type": "response.create"}')
            await wait_for(pilot, lambda: "nothing was sent" in _notice(app), what="the refusal after the end")
