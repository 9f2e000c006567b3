"""Every reader reports a bad line (number and reason) and goes on: inspect, export of each
kind, the replay's rebuild, on recordings the console itself can write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from console.recording import Recording
from console.recording.rebuild import ConversationRebuilder
from console.recording.synthetic import SessionBuilder

DEEP = "[" * 100_000 + "]" * 100_000


def odd_session(path: Path) -> dict[str, Any]:
    """A real session with the odd events the brief lists in its middle, a good turn after
    them, and two deeply nested lines (one indexed by its prefix, one not)."""
    b = SessionBuilder()
    b.session()
    b.user_speech(500, "hi")
    first = b.response(audio_ms=300)
    b.user_text("text")
    b.response_create()
    second = b.response(text_only=True, transcript="abc")
    iid = second["item_id"]
    start = len(b.events)
    for event in (
        {"type": "response.content_part.added", "response_id": "r", "item_id": iid, "output_index": 0,
         "content_index": 1, "part": {"type": ["a", "list"], "text": "x"}},
        {"type": "response.output_text.delta", "response_id": "r", "item_id": iid, "output_index": 0,
         "content_index": 0, "delta": 5},
        {"type": "conversation.item.truncated", "item_id": first["item_id"], "content_index": 0,
         "audio_end_ms": float("inf")},
        {"type": "input_audio_buffer.speech_stopped", "item_id": "x", "audio_end_ms": float("inf")},
        {"type": "conversation.item.added", "item": {"id": iid, "type": "function_call", "name": "f", "arguments": ""}},
        {"type": "response.output_item.done", "response_id": "r", "item": {"id": iid, "type": "message", "content": "no"}},
        {"type": "conversation.item.input_audio_transcription.completed", "item_id": "x", "transcript": 7},
        {"type": "response.done", "response": {"id": "r9", "status": "failed", "status_details": {"error": "text"},
                                               "usage": {"total_tokens": float("inf")}, "output": 5}},
        {"type": "response.output_text.delta", "delta": "\ud83d"},
    ):
        b.emit("server", event)
    odd_rows = list(range(start, len(b.events)))
    b.user_text("after the odd ones")
    b.response_create()
    last = b.response(text_only=True, transcript="still rebuilt")
    b.write(path)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"time": "2026-11-24T15:50:00.000Z", "source": "server", "event": {"type": "error", "x": ' + DEEP + "}}\n")
        f.write('{"time": "2026-11-24T15:50:00.000Z", "source": "server", "event": ' + DEEP + "}\n")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    return {"odd_rows": odd_rows, "last_item": last["item_id"], "deep_lines": [lines - 1, lines]}


@pytest.fixture()
def odd(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "odd.jsonl"
    return path, odd_session(path)


def test_rebuild_reports_each_odd_event_with_its_line_and_goes_on(odd: tuple[Path, dict[str, Any]]) -> None:
    path, facts = odd
    with Recording.open(path) as rec:
        rebuilder = ConversationRebuilder(rec)
        rebuilder.advance_to()
        assert rebuilder.position == len(rec)
        errors = {e.event: e for e in rebuilder.errors}
        for e in rebuilder.errors:
            assert e.line == rec.line_of(e.event) == e.event + 2  # header, then one line per event
        assert set(errors) & set(facts["odd_rows"])
        deep_event = len(rec) - 1
        assert rec.line_of(deep_event) == facts["deep_lines"][0] and "nested too deeply" in errors[deep_event].message
        assert any(item.get("id") == facts["last_item"] for item in rebuilder.items())  # the turn after them


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_lists_bad_lines_and_exits_0(odd: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    path, facts = odd
    code, out, err = run_cli(capsys, "inspect", str(path))
    assert code == 0 and "Traceback" not in err
    for line in facts["deep_lines"]:
        assert f"line {line}: JSON nested too deeply to read" in err
    assert "still rebuilt" in out
    code, out, err = run_cli(capsys, "inspect", "--json", str(path))
    assert code == 0
    report = json.loads(out)  # valid JSON: no Infinity, the lone surrogate escaped
    assert [p["line"] for p in report["format"]["problems"]] == facts["deep_lines"]
    assert report["format"]["problems"][0]["event"] is not None  # indexed, damaged when read
    code, _, err = run_cli(capsys, "inspect", "--fail-on", "error", str(path))
    assert code == 1 and "fail-on error" in err  # the failed response.done is an error


@pytest.mark.parametrize("kind", ["--wav", "--transcript", "--events"])
def test_export_lists_bad_lines_and_exits_0(odd: tuple[Path, dict[str, Any]], capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path, kind: str) -> None:
    path, facts = odd
    target = tmp_path / ("wavs" if kind == "--wav" else "out")
    code, out, err = run_cli(capsys, "export", str(path), kind, str(target))
    assert code == 0 and "Traceback" not in err
    assert f"line {facts['deep_lines'][1]}: JSON nested too deeply to read" in err
    if kind == "--transcript":
        assert "still rebuilt" in target.read_text(encoding="utf-8")
    elif kind == "--wav":
        assert any(target.glob("*.wav"))
        assert "not applied" in err
    else:
        with Recording.open(target) as copy:
            assert copy.type_of(-1) == "error"  # the deep line indexed by prefix, copied as it was


def test_transcript_to_stdout_survives_a_lone_surrogate(odd: tuple[Path, dict[str, Any]],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = odd
    code, out, err = run_cli(capsys, "export", str(path), "--transcript", "-")
    assert code == 0 and "# Session transcript" in out


def test_bare_events_say_times_are_unknown(tmp_path: Path) -> None:
    bare = tmp_path / "bare.jsonl"
    bare.write_text('{"type": "session.created", "session": {}}\n{"type": "response.created", "response": {}}\n')
    with Recording.open(bare) as rec:
        assert rec.times_known is False and rec.index.times_known is False and rec.start_epoch is None
    path = tmp_path / "rec.jsonl"
    b = SessionBuilder()
    b.session()
    b.write(path)
    with Recording.open(path) as rec:
        assert rec.times_known is True and rec.start_epoch == rec.index.start_epoch is not None
    mixed = tmp_path / "mixed.jsonl"  # some lines without a time: no wall clock either
    mixed.write_text('{"source": "server", "event": {"type": "a"}}\n'
                     '{"time": "2026-11-24T10:00:00Z", "source": "server", "event": {"type": "b"}}\n')
    with Recording.open(mixed) as rec:
        assert rec.times_known is False
        assert rec.time_of(1) > rec.time_of(0)  # times still ascend where the clock starts


def test_line_numbers_count_header_blank_and_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text('{"realtime_console_log": 1}\n'
                    '{"time": "2026-11-24T10:00:00Z", "source": "server", "event": {"type": "a"}}\n'
                    "\n\nnot json\n"
                    '{"time": "2026-11-24T10:00:01Z", "source": "server", "event": {"type": "b"}}\n'
                    '{"time": "2026-11-24T10:00:02Z", "source": "server", "event": {"type": ["odd"]}}\n'
                    '{"time": "2026-11-24T10:00:03Z", "source": "server", "event": {"type": "c"}}\n')
    with Recording.open(path) as rec:
        assert [rec.line_of(n) for n in range(len(rec))] == [2, 6, 8]
        assert [(p.line, p.reason.split(" (")[0]) for p in rec.line_problems()] == [
            (5, "not JSON"), (7, "event 'type' is a list, not a string")]
