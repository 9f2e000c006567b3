"""An interrupted answer keeps the text that streamed, with the unheard part marked.

The pure renderer is checked on its text; the card's memory of what a truncation wiped is
checked through a real `ConversationView` in a small app, on the painted lines and their
styles (struck-through text is what the user sees as "not heard").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from textual.app import App, ComposeResult

from console.session.annotations import ItemMarks
from widgets.conversation_render import AUDIO_RATE, Streamed, heard_split, render_item
from widgets.conversation_view import ConversationView

WORDS = "one two three four five six seven eight nine ten"


def answer(transcript: str, seconds: float, status: str = "in_progress") -> dict[str, Any]:
    return {"id": "item_a", "type": "message", "role": "assistant", "status": status,
            "content": [{"type": "output_audio", "transcript": transcript}],
            "formatted": {"audio": np.zeros(int(seconds * AUDIO_RATE), np.int16), "text": "", "transcript": transcript}}


def test_the_heard_share_of_the_audio_splits_the_transcript_at_a_word_end() -> None:
    cut = heard_split(WORDS, truncated_ms=4_000, samples=10 * AUDIO_RATE)
    # 40 % of the audio played: 40 % of the characters ("one two three four f"), to the word end
    assert cut is not None and WORDS[:cut] == "one two three four five"
    assert heard_split(WORDS, 20_000, 10 * AUDIO_RATE) == len(WORDS)  # all of it was played
    assert heard_split(WORDS, 4_000, 0) is None  # no audio: nothing to measure against


def test_a_truncated_answer_shows_its_streamed_text_and_says_the_split_is_an_estimate() -> None:
    item = answer("", 4.0, "incomplete")  # as the library leaves it: transcript wiped, audio cut
    text = render_item(item, ItemMarks(truncated_ms=4_000), streamed=Streamed(WORDS, 10 * AUDIO_RATE))
    plain = text.plain
    assert WORDS in plain.replace("\n", "")
    assert "not heard after 4.00 s of 10.00 s" in plain and "estimated" in plain
    struck = "".join(plain[span.start:span.end] for span in text.spans if "strike" in str(span.style))
    assert struck.strip() == "six seven eight nine ten"
    assert "one two three" not in struck


def test_a_card_created_after_the_truncation_says_the_transcript_was_dropped() -> None:
    plain = render_item(answer("", 4.0, "incomplete"), ItemMarks(truncated_ms=4_000)).plain
    assert "not heard after 4.00 s" in plain and "dropped" in plain


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ConversationView(id="conv")


async def test_the_card_keeps_the_text_a_truncation_wiped_and_strikes_the_unheard_part() -> None:
    app = Host()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ConversationView)
        item = answer(WORDS, 10.0)
        view.upsert_item(item)
        await pilot.pause()
        item = answer("", 4.0, "incomplete")  # conversation.item.truncated at 4 s
        view.upsert_item(item, ItemMarks(truncated_ms=4_000, response_status="cancelled"))
        await pilot.pause()
        height = view.scrollable_content_region.height
        strips = [view.render_line(y) for y in range(height)]
        text = "\n".join(strip.text for strip in strips)
        assert "one two three four" in text and "nine ten" in text
        assert "not heard after 4.00 s of 10.00 s" in text
        struck = "".join(seg.text for strip in strips for seg in strip if seg.style and seg.style.strike)
        assert "ten" in struck and "one" not in struck


def test_images_are_compact_placeholders_before_the_text() -> None:
    from widgets.conversation_render import item_text

    item: dict[str, Any] = {
        "id": "item_1", "type": "message", "role": "user", "status": "completed",
        "content": [{"type": "input_image", "image_url": "data:image/png;base64,…"}, {"type": "input_text", "text": "what?"}],
        "formatted": {"audio": np.zeros(0, np.int16), "text": "what?", "transcript": "",
                      "images": [{"index": 0, "name": "cat.png", "mime": "image/png", "bytes": 34 * 1024,
                                  "width": 640, "height": 480, "detail": None},
                                 {"index": 1, "name": None, "mime": "image/jpeg", "bytes": 3 * 1024 * 1024,
                                  "width": None, "height": None, "detail": "low"}]},
    }
    lines = render_item(item).plain.splitlines()
    assert lines[1:] == ["[image cat.png 34 KB 640×480]", "[image JPEG 3.0 MB ?×?]", "what?"]
    assert item_text(item) == "[image cat.png 34 KB 640×480]\n[image JPEG 3.0 MB ?×?]\nwhat?"
    assert "base64" not in render_item(item).plain
