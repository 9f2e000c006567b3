"""The conversation pane reads in time order, newest at the bottom, and follows the tail.

A real `ConversationView` in a small app, driven by Pilot; assertions are on the lines the
view paints (what the user sees).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import App, ComposeResult

from widgets.conversation_view import ConversationView


def user(item_id: str, text: str) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": text}],
            "formatted": {"audio": np.zeros(0, np.int16), "text": text, "transcript": ""}}


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ConversationView(id="conv")


def painted(view: ConversationView) -> list[str]:
    """Every line of the view as painted, top to bottom (scrolling through all of it)."""
    return [view.render_line(y).text.strip() for y in range(-round(view.scroll_y), view.virtual_size.height - round(view.scroll_y))]


def order(view: ConversationView, words: list[str]) -> list[str]:
    """`words` in the order they appear on the painted lines."""
    text = "\n".join(painted(view))
    found = [(text.find(w), w) for w in words]
    assert all(pos >= 0 for pos, _ in found), f"not shown: {[w for pos, w in found if pos < 0]}"
    return [w for _, w in sorted(found)]


async def test_notes_after_an_item_keep_time_order_and_the_next_item_follows_them() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user("u1", "FIRST-ITEM"))
        view.add_note("n1", "OLDER-ERROR", "error", after_item_id="u1")
        view.add_note("n2", "NEWER-ERROR", "error", after_item_id="u1")
        view.upsert_item(user("u2", "SECOND-ITEM"), after="u1")
        view.add_note("n3", "UNANCHORED-NOTICE", "info")
        view.upsert_item(user("u3", "THIRD-ITEM"), after="u2")
        await pilot.pause()
        assert order(view, ["FIRST-ITEM", "OLDER-ERROR", "NEWER-ERROR", "SECOND-ITEM", "UNANCHORED-NOTICE",
                            "THIRD-ITEM"]) == ["FIRST-ITEM", "OLDER-ERROR", "NEWER-ERROR", "SECOND-ITEM",
                                               "UNANCHORED-NOTICE", "THIRD-ITEM"]
        assert [n.note_id for n in view.notes] == ["n1", "n2", "n3"]


async def test_a_late_note_on_an_earlier_item_goes_after_its_earlier_notes_not_before() -> None:
    app = Host()
    async with app.run_test(size=(60, 30)) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user("u1", "FIRST-ITEM"))
        view.add_note("n1", "OLDER-ERROR", "error", after_item_id="u1")
        view.upsert_item(user("u2", "SECOND-ITEM"), after="u1")
        view.add_note("n2", "LATE-ERROR", "error", after_item_id="u1")
        await pilot.pause()
        assert order(view, ["FIRST-ITEM", "OLDER-ERROR", "LATE-ERROR", "SECOND-ITEM"]) == [
            "FIRST-ITEM", "OLDER-ERROR", "LATE-ERROR", "SECOND-ITEM"]


async def test_end_shows_the_newest_error_and_the_view_follows_new_items() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ConversationView)
        previous = None
        for k in range(6):
            view.upsert_item(user(f"u{k}", f"question {k}"), after=previous)
            view.add_note(f"n{k}", f"ERROR-{k}", "error", after_item_id=f"u{k}")
            previous = f"u{k}"
            await pilot.pause()
        height = view.scrollable_content_region.height
        bottom = [view.render_line(y).text.strip() for y in range(height)]
        assert view.scroll_y == view.max_scroll_y  # following the tail
        assert [line for line in bottom if line][-1] == "✖ ERROR-5"  # the newest, at the bottom
        assert "ERROR-0" not in "\n".join(bottom)
