"""The conversation's split into modules keeps its import paths and its stateless rules."""

from __future__ import annotations

import pytest

import console.realtime as realtime
from console.realtime import conversation, conversation_items
from console.realtime.conversation_items import check_ms, merge_content, output_ids, require_fields, text_of


def test_public_names_are_importable_from_where_they_always_were() -> None:
    assert realtime.ConversationError is conversation.ConversationError is conversation_items.ConversationError
    assert realtime.RealtimeConversation is conversation.RealtimeConversation
    assert conversation.AUDIO_PART_TYPES == frozenset({"audio", "input_audio", "output_audio"})
    assert conversation.MAX_PENDING == 256


def test_field_checks_name_the_event_and_field() -> None:
    with pytest.raises(conversation_items.ConversationError, match="x.y event is missing required field 'item_id'"):
        require_fields({"type": "x.y"}, "item_id")
    for bad in (True, -1, "5", None):
        with pytest.raises(conversation_items.ConversationError, match="bad audio_end_ms"):
            check_ms({"type": "t", "audio_end_ms": bad}, "audio_end_ms")
    check_ms({"type": "t", "audio_end_ms": 12.5}, "audio_end_ms")


def test_content_rules() -> None:
    old = [{"type": "input_audio", "transcript": "known"}]
    new = [{"type": "input_audio", "transcript": None}]
    merged = merge_content(old, new)
    assert merged == [{"type": "input_audio", "transcript": "known"}] and merged[0] is not new[0]
    assert output_ids([{"id": "a"}, "b", {"id": ""}, 3]) == ["a", "b"]
    assert text_of([{"type": "output_text", "text": "hi "}, {"type": "audio", "text": "no"}, "junk", {"type": "text"}]) == "hi "


def test_the_conversation_is_one_class_whose_state_is_declared_once() -> None:
    """No mixins redeclaring the host's fields: one class, every table set in `clear()`."""
    assert realtime.RealtimeConversation.__mro__ == (realtime.RealtimeConversation, object)
    conv = realtime.RealtimeConversation()
    before = set(vars(conv))
    conv.clear()
    assert set(vars(conv)) == before
    assert not any(name.startswith("last_") for name in before)  # results are returned, not stored
