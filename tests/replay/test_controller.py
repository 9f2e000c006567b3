"""ReplayController without Textual: cursor moves, play timing, checkpoints, marks, the log feed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.session.event_store import EventStore
from console.recording import Recording
from console.recording.rebuild import ConversationRebuilder
from console.recording.synthetic import SessionBuilder
from console.replay.controller import ReplayController
from console.replay.log_events import log_events


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def session_file(tmp_path: Path, protocol: str = "ga") -> Path:
    """Four turns: speech, a barge-in (cancelled + truncated), an error, a text turn, a tool call."""
    b = SessionBuilder(protocol=protocol)
    b.session()
    b.user_speech(600, "hello there")
    b.response(audio_ms=800, transcript="Hi, how can I help you today?")
    b.wait(300)
    b.user_speech(500, "tell me a story")
    b.response(audio_ms=1500, transcript="Once upon a time there was a console", cancel_after_deltas=4)
    b.user_speech(400, "stop")
    b.emit("client", {"type": "response.cancel"})
    b.error("response_cancel_not_active", "no active response", caused_by="evt_x")
    b.response(audio_ms=300, transcript="Okay.")
    b.user_text("weather in Paris?")
    b.response_create()
    facts = b.response(function_call=("get_weather", '{"city": "Paris"}'))
    b.function_output(facts["call_id"], '{"temp": 18}')
    b.response_create()
    b.response(text_only=True, transcript="It is 18 degrees.")
    path = tmp_path / f"{protocol}.jsonl"
    b.write(path)
    return path


def summary(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What the conversation shows of each item, audio content included (a checksum)."""
    return [
        (i["id"], i.get("role"), i.get("status"), i["formatted"].get("text"), i["formatted"].get("transcript"),
         len(i["formatted"]["audio"]), int(np.asarray(i["formatted"]["audio"], dtype=np.int64) @ np.arange(
             len(i["formatted"]["audio"]), dtype=np.int64) % 1_000_003))
        for i in items
    ]


def rebuilt_at(path: Path, cursor: int) -> list[tuple[Any, ...]]:
    with Recording.open(path) as rec:
        rb = ConversationRebuilder(rec)
        rb.advance_to(cursor + 1)
        return summary(rb.items())


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return session_file(tmp_path)


def test_seeking_anywhere_shows_what_a_straight_rebuild_shows(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=16)
        last = len(rec) - 1
        update = ctl.seek(last)
        assert ctl.cursor == last and update.moved and not update.reset
        assert summary(ctl.items()) == rebuilt_at(path, last)
        assert ctl.rebuild_errors == []
        assert 1 <= len(ctl.checkpoints()) <= len(rec) // 16
        assert all((pos + 1) % 16 == 0 for pos in ctl.checkpoints())
        for target in (last - 1, 40, 17, 16, 15, 0, -1, 70, 3):
            update = ctl.seek(target)
            assert ctl.cursor == target
            assert summary(ctl.items()) == rebuilt_at(path, target), target
            if target < last:
                assert update.reset or target > 40


def test_step_moves_one_event_and_pauses(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec)
        ctl.play()
        update = ctl.step()
        assert ctl.cursor == 0 and update.applied == 1 and not ctl.playing
        ctl.step(5)
        assert ctl.cursor == 5
        update = ctl.step(-1)
        assert ctl.cursor == 4 and update.reset
        ctl.step(-100)
        assert ctl.cursor == -1 and ctl.items() == []
        ctl.seek(10_000)
        assert ctl.cursor == len(rec) - 1


def test_turns_and_errors_navigation(path: Path) -> None:
    with Recording.open(path) as rec:
        turns = [int(t) for t in rec.turn_starts()]
        errors = [int(e) for e in rec.error_rows()]
        assert len(turns) >= 5 and len(errors) == 1
        ctl = ReplayController(rec)
        seen = []
        while ctl.next_turn() is not None:
            seen.append(ctl.cursor)
        assert seen == turns
        assert ctl.turn_number() == (len(turns), len(turns))
        ctl.seek(len(rec) - 1)
        back = []
        while ctl.previous_turn() is not None:
            back.append(ctl.cursor)
        assert back == turns[::-1]
        assert ctl.turn_number()[0] == 1
        ctl.seek(0)
        assert ctl.next_error() is not None and ctl.cursor == errors[0]
        assert ctl.next_error() is None and ctl.cursor == errors[0]
        assert ctl.previous_error() is None
        assert rec.type_of(ctl.cursor) == "error"
        assert [n.kind for n in ctl.notes] == ["error"] and ctl.notes[0].event_index == errors[0]
        assert "response_cancel_not_active" in ctl.notes[0].text


def test_play_follows_the_recorded_timing_times_the_speed(path: Path) -> None:
    clock = FakeClock()
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, clock=clock)
        ctl.indexing_done = True
        ctl.seek(0)
        ctl.play()
        assert ctl.tick() is not None and ctl.cursor == 0
        clock.now += 0.5
        update = ctl.tick()
        assert update is not None
        assert ctl.cursor == rec.seek_time(0.5 + 1e-9) - 1  # the last event at or before 0.5 s
        assert update.input_audio  # the microphone appends passed while playing
        ctl.set_speed(4.0)
        t_before = ctl.time
        clock.now += 0.25
        ctl.tick()
        assert rec.time_of(ctl.cursor) <= 0.5 + 1.0 + 1e-9
        assert ctl.time >= t_before
        assert rec.time_of(ctl.cursor + 1) > 1.5
        assert ctl.faster() == 8.0 and ctl.slower() == 4.0 and ctl.slower() == 2.0
        ctl.pause()
        frozen = ctl.cursor
        clock.now += 100
        assert ctl.tick() is None and ctl.cursor == frozen
        ctl.play()
        clock.now += 10_000
        outputs = 0
        while ctl.playing:
            update = ctl.tick()
            assert update is not None
            outputs += len(update.output_audio)
        assert update.ended and ctl.cursor == len(rec) - 1
        assert outputs > 0  # audio passed while playing (the screen drops what would lag)
        with pytest.raises(ValueError):
            ctl.set_speed(0)


def test_audio_passed_while_playing_matches_the_item(path: Path) -> None:
    clock = FakeClock()
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, clock=clock)
        ctl.indexing_done = True
        ctl.play()
        heard: dict[str, int] = {}
        while ctl.playing:
            clock.now += 0.05
            update = ctl.tick()
            assert update is not None
            for item_id, samples in update.output_audio:
                heard[item_id] = heard.get(item_id, 0) + len(samples)
        lengths = {i["id"]: len(i["formatted"]["audio"]) for i in ctl.items() if i.get("role") == "assistant"}
        for item_id, n in heard.items():
            assert n >= lengths[item_id]  # truncation can only shorten what the item keeps
        assert sum(heard.values()) > 0


def test_marks_for_truncation_and_cancelled_responses(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec)
        truncated = int(rec.rows_of_type("conversation.item.truncated")[0])
        ctl.seek(truncated)
        item_id = rec.event(truncated)["item_id"]
        marks = ctl.marks[item_id]
        assert marks.truncated_ms == rec.event(truncated)["audio_end_ms"]
        assert marks.response_status == "cancelled" and marks.response_reason == "turn_detected"
        ctl.seek(truncated - 3)
        assert ctl.marks.get(item_id) is None or ctl.marks[item_id].truncated_ms is None


def test_header_stats_follow_the_cursor(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=8)
        assert ctl.stats.connection == "idle" and ctl.stats.endpoint.startswith("ws://")
        ctl.seek(len(rec) - 1)
        tokens = ctl.stats.output_tokens
        assert tokens > 0 and ctl.stats.responses == 5 and ctl.stats.errors == 1
        created = int(rec.rows_of_type("session.created")[0])
        assert ctl.stats.session_id == rec.event(created)["session"]["id"]
        ctl.seek(5)
        assert ctl.stats.output_tokens == 0 and ctl.stats.errors == 0
        assert ctl.epoch == pytest.approx(rec.index.start_epoch + rec.time_of(5))


def test_checkpoints_stay_within_their_budget(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=4, checkpoint_budget=200_000)
        ctl.seek(len(rec) - 1)
        store = ctl.checkpoint_store
        assert store.every > 4  # thinned
        assert store.private_bytes() <= 200_000 or len(ctl.checkpoints()) == 1
        for target in (60, 10, len(rec) - 2):
            ctl.seek(target)
            assert summary(ctl.items()) == rebuilt_at(path, target)


def test_a_checkpoint_is_not_changed_by_playing_on(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=10)
        ctl.seek(len(rec) - 1)
        end = summary(ctl.items())
        ctl.seek(12)
        ctl.seek(len(rec) - 1)
        ctl.seek(25)
        assert summary(ctl.items()) == rebuilt_at(path, 25)
        ctl.seek(len(rec) - 1)
        assert summary(ctl.items()) == end


def test_log_events_feed_the_store_row_for_row(path: Path) -> None:
    with Recording.open(path) as rec:
        store = EventStore(start_time=0.0)
        for lo in range(0, len(rec), 37):
            for source, event, t in log_events(rec, lo, min(len(rec), lo + 37)):
                store.append(source, event, t)
        assert len(store) == len(rec)
        for n in range(len(rec)):
            assert store.event_type(n) == rec.type_of(n) and store.source(n) == rec.source_of(n)
            assert store.time(n) == pytest.approx(rec.time_of(n))
        append = int(rec.rows_of_type("input_audio_buffer.append")[0])
        delta = int(rec.rows_of_type("response.output_audio.delta")[0])
        from console.session.event_summary import base64_decoded_size

        assert store.delta_size(append) == base64_decoded_size(rec.event(append)["audio"])
        assert store.delta_size(delta) == base64_decoded_size(rec.event(delta)["delta"])
        full = rec.event(20)
        assert {k: v for k, v in store.event(20).items() if k not in ("audio", "delta")} == {
            k: v for k, v in full.items() if k not in ("audio", "delta")
        }


def test_damaged_files_replay_with_notes_not_exceptions(tmp_path: Path) -> None:
    lines = session_file(tmp_path).read_bytes().splitlines(keepends=True)
    header, events = lines[0], lines[1:]
    middle = len(events) // 2
    # a damaged line whose start still looks like an event, an unknown type, a cut last line
    damaged = events[middle][: len(events[middle]) // 2] + b"\n"
    unknown = json.dumps({"time": "2026-11-24T15:46:03.000Z", "source": "server",
                          "event": {"type": "response.future_thing", "x": 1}}).encode() + b"\n"
    body = events[:middle] + [damaged, unknown] + events[middle + 1 :]
    body[-1] = body[-1][:20]
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(header + b"".join(body))
    with Recording.open(path) as rec:
        assert rec.truncated
        ctl = ReplayController(rec)
        ctl.indexing_done = True
        ctl.seek(len(rec) - 1)
        assert ctl.cursor == len(rec) - 1
        assert any("skipped" in n.text for n in ctl.notes)
        assert ctl.items()
        store_rows = log_events(rec, 0, len(rec))
        assert len(store_rows) == len(rec)
        assert any("replay_warning" in e for _, e, _ in store_rows)
        assert any(e["type"] == "response.future_thing" for _, e, _ in store_rows)


@pytest.mark.parametrize("shape", ["headerless", "bare", "beta"])
def test_other_file_shapes_replay(tmp_path: Path, shape: str) -> None:
    path = session_file(tmp_path, "beta" if shape == "beta" else "ga")
    lines = path.read_text().splitlines()
    if shape == "headerless":
        path.write_text("\n".join(lines[1:]) + "\n")
    elif shape == "bare":
        bare = [json.dumps(json.loads(line)["event"]) for line in lines[1:] if json.loads(line)["source"] == "server"]
        path.write_text("\n".join(bare) + "\n")
    with Recording.open(path) as rec:
        ctl = ReplayController(rec)
        ctl.seek(len(rec) - 1)
        ids = [i["id"] for i in ctl.items()]
        assert ids and len(ids) == len(set(ids))
        assert any(i.get("role") == "assistant" and i["formatted"]["transcript"] for i in ctl.items())
        if shape == "bare":
            assert rec.times_synthesised and ctl.stats.endpoint == "unknown endpoint"
        ctl.seek(3)
        assert ctl.cursor == 3


def test_webrtc_recording_has_no_audio_but_replays(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_text("hello")
    b.response_create()
    b.response(webrtc=True, transcript="Hi from WebRTC")
    path = tmp_path / "webrtc.jsonl"
    b.write(path)
    clock = FakeClock()
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, clock=clock)
        ctl.indexing_done = True
        ctl.play()
        clock.now += 60
        update = ctl.tick()
        assert update is not None and update.ended and update.output_audio == []
        assistant = [i for i in ctl.items() if i.get("role") == "assistant"]
        assert assistant[0]["formatted"]["transcript"] == "Hi from WebRTC"
        assert len(assistant[0]["formatted"]["audio"]) == 0
        assert np.all(np.asarray([len(i["formatted"]["audio"]) for i in ctl.items()]) == 0)


def test_the_controller_imports_no_ui() -> None:
    import subprocess
    import sys

    code = "import sys, console.replay.controller; print(sorted(m for m in ('textual', 'sounddevice') if m in sys.modules))"
    out = subprocess.check_output([sys.executable, "-c", code], text=True).strip()
    assert out == "[]"


def test_checkpoints_share_finished_audio_instead_of_copying_it(path: Path) -> None:
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=8)
        store = ctl.checkpoint_store
        store.every = 8
        ctl.seek(len(rec) - 1)
        audio_bytes = sum(i["formatted"]["audio"].nbytes for i in ctl.items())
        positions = ctl.checkpoints()
        assert len(positions) >= 3
        # each finished item's samples are held once, whatever the number of checkpoints
        assert store.shared_bytes() <= audio_bytes + 200_000
        last = store._saved[positions[-1]]
        references = [id(a) for pos in positions for a in store._saved[pos].shared]
        assert len(set(references)) < len(references)  # finished items' arrays are reused
        assert all(not a.flags.writeable for a in last.shared)
        # restored states append and truncate without touching what the checkpoints hold
        before = [a.copy() for a in last.shared]
        for target in (positions[0], len(rec) - 1, positions[1] + 3, len(rec) - 1):
            ctl.seek(target)
            assert summary(ctl.items()) == rebuilt_at(path, target)
        assert all(np.array_equal(a, b) for a, b in zip(last.shared, before))


def test_an_older_model_with_missing_fields_replays_with_notes(tmp_path: Path) -> None:
    """Fields the current models always send are missing: nothing raises; what the
    conversation cannot apply becomes a note, the rest is shown."""
    lines = session_file(tmp_path, "beta").read_text().splitlines()
    stripped = [lines[0]]
    for line in lines[1:]:
        obj = json.loads(line)
        event = obj["event"]
        for key in ("usage", "status_details", "object", "previous_item_id", "output_index", "audio_end_ms"):
            event.pop(key, None)
            if isinstance(event.get("response"), dict):
                event["response"].pop(key, None)
        if event["type"].endswith("transcript.delta"):
            event.pop("item_id", None)
        stripped.append(json.dumps(obj))
    path = tmp_path / "old.jsonl"
    path.write_text("\n".join(stripped) + "\n")
    with Recording.open(path) as rec:
        ctl = ReplayController(rec, checkpoint_every=16)
        ctl.seek(len(rec) - 1)
        assert ctl.items() and ctl.stats.output_tokens == 0
        problems = [n for n in ctl.notes if n.kind == "info"]
        assert problems and all("not applied" in n.text for n in problems)
        assert len(ctl.rebuild_errors) == len(problems)
        ctl.seek(10)
        ctl.seek(len(rec) - 1)
        assert len([n for n in ctl.notes if n.kind == "info"]) == len(problems)


def test_a_file_of_bare_events_without_times_shows_no_session_expiry(tmp_path: Path) -> None:
    path = tmp_path / "bare.jsonl"
    events = [
        {"type": "session.created", "event_id": "e1",
         "session": {"id": "sess_1", "model": "gpt-realtime", "expires_at": 1_700_000_000}},
        {"type": "conversation.item.create", "event_id": "e2",
         "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}},
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    with Recording.open(path) as rec:
        assert not rec.times_known
        ctl = ReplayController(rec)
        ctl.seek(len(rec) - 1)
        assert ctl.stats.session_id == "sess_1"
        assert ctl.stats.remaining_seconds(ctl.epoch) is None  # no "485561:19:49" left
