"""The Line-API conversation view: what an update costs and what the user sees.

Real Textual app driven by Pilot. Whole-screen layouts are counted with
`widgets.textual_compat.counting_screen_layouts`: a growing card must not cause one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import App, ComposeResult

from widgets.conversation_view import ConversationView, ItemCard, NoteCard
from widgets.textual_compat import counting_screen_layouts

SIZE = (60, 16)


def assistant(item_id: str, transcript: str, status: str = "in_progress") -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "assistant", "status": status,
            "content": [{"type": "output_audio", "transcript": transcript}],
            "formatted": {"audio": np.zeros(0, np.int16), "text": "", "transcript": transcript}}


def user(item_id: str, text: str) -> dict[str, Any]:
    return {"id": item_id, "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": text}],
            "formatted": {"audio": np.zeros(0, np.int16), "text": text, "transcript": ""}}


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ConversationView(id="conv")


def screen_text(view: ConversationView) -> list[str]:
    """The view's painted lines as plain text."""
    height = view.scrollable_content_region.height
    return [view.render_line(y).text.rstrip() for y in range(height)]


def cards(view: ConversationView) -> list[ItemCard]:
    return [e for e in view.entries if isinstance(e, ItemCard)]


async def test_a_growing_card_repaints_without_a_screen_layout_and_keeps_the_tail() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        for k in range(8):
            view.upsert_item(user(f"u{k}", f"question {k}"))
        answer = assistant("a", "Once")
        view.upsert_item(answer)
        await pilot.pause()
        assert view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y  # following
        assert view.show_vertical_scrollbar and view.vertical_scrollbar.region.height > 0
        with counting_screen_layouts(app.screen) as layouts:
            before = view.virtual_size.height
            width = view.scrollable_content_region.width
            others = {c.item_id: c.lines(app.console, width) for c in cards(view) if c.item_id != "a"}
            words = "Once"
            for k in range(40):
                words += f" word{k}"
                answer["formatted"]["transcript"] = words
                view.upsert_item(answer)
                await pilot.pause()
            assert layouts == []  # the card grew by several lines: no screen layout
        assert view.virtual_size.height > before + 3
        assert view.scroll_y == view.max_scroll_y  # still at the newest line
        assert "word39▌" in "".join(screen_text(view))
        # only the changed item was wrapped again
        assert len(others) == 8 and all(c.lines(app.console, width) is others[c.item_id] for c in cards(view) if c.item_id != "a")


async def test_scrolled_up_the_view_stays_put_while_items_arrive() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        for k in range(8):
            view.upsert_item(user(f"u{k}", f"question {k}"))
        await pilot.pause()
        view.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        view.upsert_item(user("late", "a late question"))
        await pilot.pause()
        assert view.scroll_y == 0 and "question 0" in "".join(screen_text(view))
        assert view.item_ids[-1] == "late"


async def test_cards_look_like_cards_and_notes_sit_after_their_item() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user("u1", "What's the weather?"))
        view.upsert_item(assistant("a1", "Sunny.", "completed"))
        view.add_note("n1", "error invalid_value: bad voice", "error", after_item_id="u1", event_index=3)
        await pilot.pause()
        lines = screen_text(view)
        assert lines[0].startswith("▊ user  completed") and lines[1] == "▊ What's the weather?"
        assert lines[2] == ""  # the margin between cards
        assert lines[3] == " ✖ error invalid_value: bad voice"
        assert lines[5].startswith("▊ assistant  completed") and lines[6] == "▊ Sunny."
        assert [type(c).__name__ for c in view.entries] == ["ItemCard", "NoteCard", "ItemCard"]
        assert not view.children  # the view paints its entries: no DOM node to lay out


async def test_keys_and_clicks_select_cards_and_notes() -> None:
    app = Host()
    seen: list[Any] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user("u1", "first"))
        view.upsert_item(user("u2", "second"))
        view.add_note("n1", "a note", "info", event_index=9)
        await pilot.pause()
        assert app.focused is view and view.selected is None  # the only focusable widget
        await pilot.press("up")
        assert isinstance(view.selected, NoteCard)  # from nothing selected, up starts at the newest
        await pilot.press("up")
        assert view.selected is view.card("u2")
        await pilot.press("up", "up")
        assert view.selected is view.card("u1")  # stops at the first
        await pilot.press("down", "down")
        selected = [m for m in seen if isinstance(m, ConversationView.NoteSelected)]
        assert selected and selected[-1].note_id == "n1" and selected[-1].event_index == 9
        await pilot.click(ConversationView, offset=(5, 1))  # the first card's second line
        assert view.selected is view.card("u1") and app.focused is view
        view.remove_item("u1")
        await pilot.pause()
        assert view.selected is view.card("u2") and view.item_ids == ["u2"]


async def test_a_narrower_pane_rewraps_every_card() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user("u1", "one two three four five six seven eight nine ten eleven twelve"))
        await pilot.pause()
        wide = view.virtual_size.height
        view.styles.width = 30
        await pilot.pause()
        assert view.virtual_size.height > wide
        assert all(len(line) <= 30 for line in screen_text(view))
        assert "twelve" in " ".join(screen_text(view))


async def test_new_items_notes_and_deletions_need_no_screen_layout() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        for k in range(10):
            view.upsert_item(user(f"u{k}", f"question {k}"))
        await pilot.pause()
        assert view.show_vertical_scrollbar
        with counting_screen_layouts(app.screen) as layouts:
            view.upsert_item(user("new", "one more"))
            view.add_note("n", "a note", "info", after_item_id="u3")
            await pilot.pause()
            view.remove_item("u0")
            await pilot.pause()
            await pilot.pause()
            assert layouts == []
        assert view.item_ids[-1] == "new" and "u0" not in view.item_ids
        assert [getattr(c, "item_id", getattr(c, "note_id", "")) for c in view.entries][2:4] == ["u3", "n"]
        assert view.scroll_y == view.max_scroll_y and "one more" in "".join(screen_text(view))


async def test_following_survives_a_resize_that_makes_the_content_overflow() -> None:
    """From a tall terminal to an 80x24-like one, the newest item stays in view."""
    app = Host()
    async with app.run_test(size=(60, 40)) as pilot:
        view = app.query_one(ConversationView)
        for k in range(6):
            view.upsert_item(user(f"u{k}", f"question {k}"))
        await pilot.pause()
        assert view.max_scroll_y == 0  # everything fits
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert view.max_scroll_y > 0
        assert view.scroll_y == view.max_scroll_y
        assert any("question 5" in line for line in screen_text(view))


async def test_a_view_scrolled_up_by_the_user_stays_put_on_resize() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ConversationView)
        for k in range(12):
            view.upsert_item(user(f"u{k}", f"question {k}"))
        await pilot.pause()
        view.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert view.scroll_y == 0
