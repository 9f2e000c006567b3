"""The conversation's copy API for replay checkpoints: `freeze_audio`, `copy()` / deepcopy.

A copy must be independent of the original (events applied to either never show in the
other) while frozen audio is shared, not copied, so many saved states hold it once.
"""

from __future__ import annotations

import copy

import numpy as np

from console.realtime.audio import Int16Buffer
from console.realtime.conversation import RealtimeConversation
from tests.realtime.conversation_helpers import audio_delta, snapshot, started_assistant
from tests.realtime.conversation_helpers import audio_b64, ev, tone, user_text_item


def conversation_with_audio() -> RealtimeConversation:
    conv = RealtimeConversation()
    conv.process_event(ev("ga", "conversation.item.created", item=user_text_item()))
    started_assistant(conv)
    conv.process_event(audio_delta("ga", audio_b64(tone(2400, seed=1))))
    conv.process_event(audio_delta("ga", audio_b64(tone(1200, seed=2))))
    return conv


def test_copy_then_mutate_the_original_leaves_the_copy_as_it_was() -> None:
    conv = conversation_with_audio()
    before = snapshot(conv)
    saved = conv.copy()
    assert snapshot(saved) == before
    conv.process_event(audio_delta("ga", audio_b64(tone(600, seed=3))))
    conv.process_event(ev("ga", "conversation.item.truncated", item_id="item_asst", content_index=0, audio_end_ms=50))
    conv.process_event(ev("ga", "conversation.item.deleted", item_id="item_text"))
    assert snapshot(conv) != before
    assert snapshot(saved) == before
    # the copy carries on by itself, exactly like the original did
    again = saved.copy()
    saved.process_event(audio_delta("ga", audio_b64(tone(600, seed=3))))
    assert len(saved.get_item("item_asst")["formatted"]["audio"]) == 4200
    assert len(again.get_item("item_asst")["formatted"]["audio"]) == 3600


def test_frozen_audio_is_shared_by_copies_and_never_written() -> None:
    conv = conversation_with_audio()
    assert conv.audio_item_ids() == ["item_asst"]
    data = conv.freeze_audio("item_asst")
    assert not data.flags.writeable and len(data) == 3600
    assert conv.get_item("item_asst")["formatted"]["audio"] is data
    expected = data.copy()
    saved = copy.deepcopy(conv)
    assert saved.get_item("item_asst")["formatted"]["audio"] is data  # shared, not copied
    assert conv.freeze_audio("item_asst") is data  # already frozen: no new copy
    # both go on appending and truncating; the shared array keeps its samples
    conv.process_event(audio_delta("ga", audio_b64(tone(600, seed=3))))
    saved.process_event(ev("ga", "conversation.item.truncated", item_id="item_asst", content_index=0, audio_end_ms=50))
    saved.process_event(audio_delta("ga", audio_b64(tone(600, seed=4))))
    np.testing.assert_array_equal(data, expected)
    np.testing.assert_array_equal(conv.get_item("item_asst")["formatted"]["audio"][:3600], expected)
    np.testing.assert_array_equal(saved.get_item("item_asst")["formatted"]["audio"][:1200], expected[:1200])
    assert len(saved.get_item("item_asst")["formatted"]["audio"]) == 1800


def test_freeze_adopts_an_earlier_array_of_the_same_length() -> None:
    conv = conversation_with_audio()
    kept = conv.freeze_audio("item_asst")
    other = conversation_with_audio()  # the same events: the same samples
    assert other.freeze_audio("item_asst", reuse=kept) is kept
    assert other.get_item("item_asst")["formatted"]["audio"] is kept
    other.process_event(audio_delta("ga", audio_b64(tone(600, seed=3))))
    grown = other.freeze_audio("item_asst", reuse=kept)  # longer now: copied afresh
    assert grown is not kept and len(grown) == 4200


def test_unfrozen_audio_is_copied_once_with_the_item_view_aliasing_the_buffer() -> None:
    conv = conversation_with_audio()
    saved = conv.copy()
    shown = saved.get_item("item_asst")["formatted"]["audio"]
    assert not np.may_share_memory(shown, conv.get_item("item_asst")["formatted"]["audio"])
    saved.process_event(ev("ga", "conversation.item.truncated", item_id="item_asst", content_index=0, audio_end_ms=10))
    assert np.may_share_memory(saved.get_item("item_asst")["formatted"]["audio"], shown)  # one array per item


def test_int16_buffer_is_copy_on_write_once_frozen() -> None:
    buf = Int16Buffer(np.arange(10, dtype=np.int16))
    data = buf.freeze()
    assert buf.frozen and not data.flags.writeable
    buf.drop_front(3)
    buf.append(np.array([99], dtype=np.int16))
    np.testing.assert_array_equal(data, np.arange(10))
    np.testing.assert_array_equal(buf.view(), [3, 4, 5, 6, 7, 8, 9, 99])
    shared = Int16Buffer(np.arange(4, dtype=np.int16))
    frozen = shared.freeze()
    copied = copy.deepcopy(shared)
    assert copied.frozen and copied.freeze() is frozen  # the copy holds the same array
    unfrozen = Int16Buffer(np.arange(4, dtype=np.int16))
    assert not np.may_share_memory(copy.deepcopy(unfrozen).view(), unfrozen.view())
