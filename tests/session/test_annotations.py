"""Annotations: marks, notes and speech state derived from events, without a UI, and the
same for a live session and a replay of its recording (one code path)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from console.recording import Recording
from console.recording.synthetic import SessionBuilder
from console.replay.controller import ReplayController
from console.session.annotations import Annotations, ItemMarks
from console.session.event_store import EventStore
from console.session.live import LiveSession
from console.session.stats import SessionStats
from tests.app.console_harness import FakeClock, make_config


class Items:
    """A conversation stand-in holding plain items: enough for placing notes."""

    def __init__(self, *ids: str) -> None:
        self.items = [{"id": i} for i in ids]

    def get_item(self, item_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items if i["id"] == item_id), None)

    def get_items(self) -> list[dict[str, Any]]:
        return self.items


def fresh() -> Annotations:
    return Annotations(SessionStats(endpoint="test", protocol="ga", model="gpt-realtime"))


def test_truncation_and_a_bad_response_end_mark_their_items() -> None:
    notes = fresh()
    conversation = Items("item_u", "item_a")
    notes.take_changes()
    notes.observe("server", {"type": "response.created", "response": {"id": "r1"}}, 0, 1.0, conversation)
    notes.observe("server", {"type": "response.output_item.added", "response_id": "r1", "item": {"id": "item_a"}},
                  1, 1.0, conversation)
    notes.observe("server", {"type": "conversation.item.truncated", "item_id": "item_a", "audio_end_ms": 1500},
                  2, 1.0, conversation)
    notes.observe("server", {"type": "response.done", "response": {"id": "r1", "status": "cancelled",
                                                                   "status_details": {"reason": "turn_detected"}}},
                  3, 1.0, conversation)
    assert notes.item_marks("item_a") == ItemMarks(1500, "cancelled", "turn_detected")
    assert notes.item_marks("item_u") == ItemMarks()
    changes = notes.take_changes()
    assert list(changes.changed_items) == ["item_a"] and not changes.notes
    assert not notes.take_changes()  # handed over once


def test_a_response_that_failed_before_any_item_becomes_a_note_after_the_last_item() -> None:
    notes = fresh()
    conversation = Items("item_u")
    notes.observe("server", {"type": "response.done", "response": {"id": "r9", "status": "failed", "output": [],
                                                                   "status_details": {"error": {"message": "boom"}}}},
                  7, 1.0, conversation)
    (note,) = notes.notes
    assert (note.kind, note.after_item_id, note.event_index) == ("response", "item_u", 7)
    assert note.text.startswith("response failed")


def test_errors_name_their_cause_and_odd_numbers_do_not_raise() -> None:
    notes = fresh()
    error = {"type": "error", "error": {"type": "invalid_request_error", "code": "x", "message": "bad"}}
    notes.observe("server", error, 4, 1.0, None, cause_of=lambda index: f" (caused by response.create #{index - 1})")
    assert "caused by response.create #3" in notes.notes[0].text and notes.notes[0].event_index == 4
    notes.observe("server", {"type": "conversation.item.truncated", "item_id": "i", "audio_end_ms": 1e999}, 5, 1.0,
                  None)
    assert notes.item_marks("i").truncated_ms == 0  # infinity is no position


def test_speech_state_and_the_sent_versus_applied_session() -> None:
    notes = fresh()
    notes.take_changes()
    notes.observe("server", {"type": "input_audio_buffer.speech_started"}, 0, 1.0, None)
    assert notes.vad and notes.take_changes().vad is True
    notes.observe("server", {"type": "input_audio_buffer.speech_stopped"}, 1, 1.0, None)
    assert notes.take_changes().vad is False
    sent = {"type": "realtime", "audio": {"output": {"voice": "marin"}}}
    applied = {"type": "realtime", "audio": {"output": {"voice": "alloy"}}}
    notes.observe("client", {"type": "session.update", "session": sent}, 2, 1.0, None)
    notes.observe("server", {"type": "session.updated", "session": applied}, 3, 1.0, None)
    assert notes.last_sent_session == sent and notes.applied_session == applied
    (note,) = notes.notes
    assert note.kind == "drift" and "voice: sent 'marin', applied 'alloy'" in note.text


def test_a_checkpoint_copy_is_independent() -> None:
    notes = fresh()
    notes.observe("server", {"type": "conversation.item.truncated", "item_id": "a", "audio_end_ms": 10}, 0, 1.0, None)
    saved = copy.deepcopy(notes)
    notes.observe("server", {"type": "conversation.item.truncated", "item_id": "b", "audio_end_ms": 20}, 1, 1.0, None)
    assert set(saved.marks) == {"a"} and set(notes.marks) == {"a", "b"}


def recorded_session(path: Path) -> SessionBuilder:
    b = SessionBuilder(protocol="ga")
    b.session()
    b.user_speech(500, "tell me a story")
    b.response(audio_ms=1500, transcript="Once upon a time there was a console", cancel_after_deltas=4)
    b.user_speech(400, "stop")
    b.emit("client", {"type": "response.cancel"})
    b.error("response_cancel_not_active", "no active response", caused_by="evt_x")
    b.response(audio_ms=300, transcript="Okay.")
    b.write(path)
    return b


def test_live_and_replay_annotate_the_same_events_the_same_way(tmp_path: Path) -> None:
    builder = recorded_session(tmp_path / "s.jsonl")
    live = LiveSession(make_config(), EventStore(), clock=FakeClock())
    client = live.open_client()
    for _, source, event in builder:
        client.realtime.dispatch(f"{source}.{event['type']}", copy.deepcopy(event))
        client.realtime.dispatch(f"{source}.*", copy.deepcopy(event))
    with Recording.open(tmp_path / "s.jsonl") as rec:
        replay = ReplayController(rec)
        replay.seek(len(rec) - 1)

        assert live.annotations.marks and live.annotations.marks == replay.marks
        truncated = [m for m in replay.marks.values() if m.truncated_ms is not None]
        assert truncated and truncated[0].response_status == "cancelled"
        # a live session is also linted as it happens (a replay is linted by `lint`)
        shown = [(n.kind, n.text, n.after_item_id, n.event_index) for n in live.annotations.notes if n.kind != "lint"]
        assert any(n.kind == "lint" and "cancel-not-active" in n.text for n in live.annotations.notes)
        replayed = [(n.kind, n.text, n.after_item_id, n.event_index) for n in replay.notes]
        assert shown == replayed and any("response_cancel_not_active" in text for _, text, _, _ in shown)
        assert live.annotations.vad == replay.vad_active


def test_an_event_with_odd_values_becomes_a_note_not_an_exception() -> None:
    notes = fresh()
    odd = {"type": "response.done", "response": {"id": "r", "status": "failed", "usage": {"input_tokens": "many"},
                                                  "output": 5}}
    notes.observe("server", odd, 3, 1.0, Items("a"))
    notes.observe("server", {"type": "rate_limits.updated", "rate_limits": [{"name": 1, "limit": "x"}]}, 4, 1.0, None)
    assert all(n.event_index in (3, 4) for n in notes.notes)
    assert any("not annotated" in n.text for n in notes.notes)
