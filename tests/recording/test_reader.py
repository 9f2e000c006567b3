"""Recording / RecordingIndex: the file shapes the reader accepts, and random access."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from console.recording import NotARecordingError, Recording
from console.recording.index import SYNTHETIC_STEP
from console.recording.synthetic import SessionBuilder


def build(tmp_path: Path, protocol: str = "ga") -> Path:
    b = SessionBuilder(protocol=protocol)
    b.session()
    b.user_speech(800, "hello")
    b.response(latency_ms=300, audio_ms=500)
    b.user_text("and now?")
    b.response_create()
    b.response(text_only=True, transcript="now this")
    path = tmp_path / f"{protocol}.jsonl"
    b.write(path)
    return path


def test_random_access_matches_what_was_written(tmp_path: Path) -> None:
    path = build(tmp_path)
    written = [json.loads(line) for line in path.read_text().splitlines()[1:]]
    with Recording.open(path) as rec:
        assert rec.kind == "recording" and rec.header["model"] == "gpt-realtime"
        assert len(rec) == len(written)
        assert rec.warnings() == [] and not rec.truncated
        for n in (0, 7, len(rec) - 1):
            assert rec.event(n) == written[n]["event"]
            assert rec.source_of(n) == written[n]["source"]
            assert rec.type_of(n) == written[n]["event"]["type"]
        assert rec.time_of(0) == 0.0
        assert np.all(np.diff(rec.index.times) >= 0)
        assert rec.duration == pytest.approx(rec.time_of(-1))
        assert rec.seek_time(rec.time_of(10)) <= 10
        assert rec.record(3).time_iso == written[3]["time"]
        with pytest.raises(IndexError):
            rec.event(len(rec))


def test_navigation_turns_and_errors(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_speech(500, "hi")
    b.response(audio_ms=300)
    b.emit("client", {"type": "response.cancel"})
    b.error("response_cancel_not_active", "no active response", caused_by="evt_x")
    b.user_text("again")
    b.response_create()
    b.response(text_only=True)
    path = tmp_path / "nav.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        starts = rec.turn_starts()
        assert [rec.type_of(int(s)) for s in starts] == [
            "input_audio_buffer.speech_started", "conversation.item.create"]
        errors = rec.error_rows()
        assert len(errors) == 1 and rec.type_of(int(errors[0])) == "error"
        assert rec.next_row(starts, int(starts[0])) == int(starts[1])
        assert rec.next_row(errors, int(errors[0])) is None
        assert rec.turn_of(int(starts[1]) + 1) == 1
        assert rec.turn_of(0) == -1


def test_headerless_file(tmp_path: Path) -> None:
    path = build(tmp_path)
    headerless = tmp_path / "nohead.jsonl"
    headerless.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    with Recording.open(headerless) as rec, Recording.open(path) as full:
        assert rec.kind == "events" and rec.header is None
        assert len(rec) == len(full)
        assert rec.protocol == "ga"
        assert rec.event(5) == full.event(5)


def test_bare_server_events_get_synthesised_times_and_inferred_sources(tmp_path: Path) -> None:
    path = tmp_path / "bare.jsonl"
    events = [
        {"type": "session.created", "event_id": "e1", "session": {"id": "s"}},
        {"event_id": "e2", "type": "response.created", "response": {"id": "r"}},  # type not first
        {"type": "response.audio.delta", "event_id": "e3", "delta": "AAAA"},
        {"type": "input_audio_buffer.append", "audio": "AAAA"},
        {"type": "response.done", "event_id": "e4", "response": {"id": "r", "status": "completed"}},
    ]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n")
    with Recording.open(path) as rec:
        assert rec.kind == "bare" and rec.times_synthesised
        assert len(rec) == 5
        assert [rec.source_of(n) for n in range(5)] == ["server", "server", "server", "client", "server"]
        assert rec.time_of(4) == pytest.approx(4 * SYNTHETIC_STEP)
        assert rec.event(1) == events[1]
        assert rec.protocol == "beta"
        assert any("synthesised" in w for w in rec.warnings())


def test_truncated_last_line_is_reported_and_skipped(tmp_path: Path) -> None:
    path = build(tmp_path)
    data = path.read_bytes()
    complete = data.count(b"\n") - 1  # events, without the header
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data + b'{"time": "2026-11-24T15:47:00.000Z", "source": "server", "event": {"type": "resp')
    # cut after the type: the indexer's fast path must not take a line without its break
    cut2 = tmp_path / "cut2.jsonl"
    cut2.write_bytes(data + b'{"time": "2026-11-24T15:47:00.000Z", "source": "server", "event": {"type": "x", "a')
    with Recording.open(cut2) as rec:
        assert rec.truncated and len(rec) == complete
    with Recording.open(cut) as rec:
        assert rec.truncated
        assert len(rec) == complete
        assert "cut off" in rec.warnings()[0]
        # the writer finishing the line later makes it readable on refresh
        with cut.open("ab") as f:
            f.write(b'onse.created", "response": {"id": "r9"}}}\n')
        rec.refresh()
        assert not rec.truncated and len(rec) == complete + 1
        assert rec.event(-1)["response"]["id"] == "r9"


def test_unknown_types_are_kept_and_bad_middle_lines_counted(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    rows = [
        {"time": "2026-11-24T10:00:00Z", "source": "server", "event": {"type": "session.created", "session": {}}},
        {"time": "2026-11-24T10:00:01Z", "source": "server", "event": {"type": "response.future_thing.delta", "x": 1}},
        "this line is garbage",
        {"source": "server", "event": {"event_id": "e", "type": "error", "error": {"code": "x"}},
         "time": "2026-11-24T10:00:02+00:00"},
    ]
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n\n")
    with Recording.open(path) as rec:
        assert [rec.type_of(n) for n in range(len(rec))] == ["session.created", "response.future_thing.delta", "error"]
        assert rec.bad_lines == 1 and rec.problems[0].line == 3
        assert rec.time_of(2) == pytest.approx(2.0)
        assert any("unreadable" in w for w in rec.warnings())


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not JSON"),
        (b"# a markdown file\n\nhello\n", "not JSON"),
        (b'{"name": "package", "version": "1"}\n', "not an event"),
        (b"[1, 2, 3]\n", "not an event"),
        (b"\n  \n\n", "only blank lines"),
    ],
)
def test_not_a_log_is_a_clear_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "notalog"
    path.write_bytes(content)
    with pytest.raises(NotARecordingError, match=reason):
        Recording(path)


def test_incremental_indexing_from_a_worker_thread(tmp_path: Path) -> None:
    b = SessionBuilder(fast_audio=True)
    b.session()
    for _ in range(5):
        b.user_speech(2000, "words")
        b.response(audio_ms=2000)
    path = tmp_path / "big.jsonl"
    b.write(path)
    rec = Recording(path)
    seen: list[tuple[int, int]] = []
    lengths: list[int] = []

    def worker() -> None:
        for done, total in rec.index_batches(batch_bytes=16 * 1024):
            seen.append((done, total))
            lengths.append(len(rec))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert lengths == sorted(lengths)
    with Recording.open(path, batch_bytes=1 << 20) as once:
        assert len(rec) == len(once)
        assert np.array_equal(rec.index.offsets, once.index.offsets)
    rec.close()


def test_compact_and_reordered_lines_fall_back_correctly(tmp_path: Path) -> None:
    """Lines written by another tool: compact separators, keys in another order, nested
    `type` keys before the event's own `type`."""
    path = tmp_path / "other.jsonl"
    rows = [
        {"time": "2026-11-24T10:00:00Z", "source": "client",
         "event": {"event_id": "c1", "item": {"type": "message", "role": "user", "content": []},
                   "type": "conversation.item.create"}},
        {"event": {"type": "response.create"}, "source": "client", "time": "2026-11-24T10:00:00.25Z"},
    ]
    path.write_text("\n".join(json.dumps(r, separators=(",", ":")) for r in rows))  # no final newline
    with Recording.open(path) as rec:
        assert [rec.type_of(n) for n in range(2)] == ["conversation.item.create", "response.create"]
        assert rec.time_of(1) == pytest.approx(0.25)
        assert not rec.truncated


def test_header_only_recording_is_empty_not_an_error(tmp_path: Path) -> None:
    from console.recording import SessionRecorder
    from console.recording.report import build_report

    path = tmp_path / "empty.jsonl"
    SessionRecorder(path, endpoint="ws://x", protocol="beta", model="gpt-realtime").close()
    with Recording.open(path) as rec:
        assert len(rec) == 0 and rec.header is not None and rec.duration == 0.0
        assert rec.protocol == "beta" and len(rec.turn_starts()) == 0
        report = build_report(rec)
    assert report["turns"] == [] and report["events"]["total"] == 0 and report["cost"]["total"] == 0
