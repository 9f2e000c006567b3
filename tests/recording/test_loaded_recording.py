"""A small file read whole (`LoadedRecording`) gives the same analysis and summary as the
indexed `Recording`: the two drivers of `analyse_recording` feed the same `TurnAnalyser`,
and this runs both on every recording the summary tests use (and a few more), comparing
everything the analysis finds, not only the summary's figures.

Files of any other layout are not read whole: `load_small` declines them, and
`summarise_file` then indexes them as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from console.realtime.protocol import ALL_EVENT_TYPES
from console.recording.analysis import (
    TurnAnalyser,
    analyse_recording,
    load_small,
    reads,
)
from console.recording.reader import SMALL_FILE_BYTES, LoadedRecording, Recording
from console.recording.summaries import summarise_file, summarise_recording
from console.recording.synthetic import SessionBuilder
from tests.recording.stats_fixtures import session, write
from tests.recording.test_summary_figures import varied


def findings(analyser: TurnAnalyser) -> dict[str, Any]:
    """Everything the analysis found, as the report would show it."""
    return {
        "turns": [t.to_dict(analyser.transcripts, analyser.timeline(t)) for t in analyser.turns],
        "interruptions": analyser.interruptions,
        "truncations": analyser.truncations,
        "errors": analyser.errors,
        "statuses": analyser.statuses,
        "transcripts": analyser.transcripts,
        "problems": analyser.problems,
        "session_model": analyser.session_model,
        "codecs": (analyser.input_codec, analyser.output_codec),
    }


def refused_and_first_audio(root: Path) -> list[Path]:
    """A refused `response.create` (read ahead by `refusals.py`), and a file whose first
    event is an audio append (the one unparsed type the index still reads in full)."""
    b = SessionBuilder()
    b.session()
    b.user_text("first")
    b.response_create()
    b.response(text_only=True, transcript="one")
    b.wait(1000)
    refused = b.emit("client", {"type": "response.create"})
    b.wait(50)
    b.error("conversation_already_has_active_response", "busy", caused_by=refused["event_id"])
    b.user_text("second")
    b.response_create()
    b.response(latency_ms=300, audio_ms=300, transcript="two")
    refusal = write(b, root / "refused.jsonl")
    c = SessionBuilder(chunk_ms=100)
    c.user_speech(500, "no session events first")
    c.response(latency_ms=200, audio_ms=400, cancel_after_deltas=2)
    return [refusal, write(c, root / "audio_first.jsonl")]


@pytest.fixture()
def recordings(tmp_path: Path) -> list[Path]:
    return varied(tmp_path / "recs") + refused_and_first_audio(tmp_path)


def test_both_drivers_give_the_same_analysis_and_summary(recordings: list[Path]) -> None:
    loaded = 0
    for path in recordings:
        small = load_small(path)
        with Recording.open(path) as rec:
            indexed = findings(analyse_recording(rec))
            indexed_summary = summarise_recording(rec, 1, 2, lint=False).to_json()
            layout = (rec.kind, rec.bad_lines, rec.truncated, rec.times_synthesised, rec.index.trailer)
        if small is None:
            # Declined: only files of another layout than a header and plain event lines.
            assert layout != ("recording", 0, False, False, None), path.name
            continue
        loaded += 1
        assert layout == ("recording", 0, False, False, None), path.name
        assert findings(analyse_recording(small)) == indexed, path.name
        everything = LoadedRecording.load(path)  # every line parsed: the driver reads what it needs
        assert everything is not None and findings(analyse_recording(everything)) == indexed, path.name
        assert summarise_recording(small, 1, 2, lint=False).to_json() == indexed_summary, path.name
        assert summarise_file(path, lint=False).to_json() == {**indexed_summary, "path": str(path),
                                                             "size": path.stat().st_size,
                                                             "mtime_ns": path.stat().st_mtime_ns}
    assert loaded >= len(recordings) - 5  # all but the damaged, header-less, bare and chain-linked ones


def test_the_columns_match_the_index(recordings: list[Path]) -> None:
    for path in recordings:
        small = load_small(path)
        if small is None:
            continue
        with Recording.open(path) as rec:
            idx = rec.index
            assert len(small) == len(rec)
            assert [small.types[i] for i in small.type_ids] == [idx.types[i] for i in idx.type_ids.tolist()]
            assert small.times == idx.times.tolist()
            assert small.sources == idx.sources.tolist()
            assert small.lengths == idx.lengths.tolist()
            assert (small.header, small.kind, small.model, small.duration, small.start_epoch) == (
                rec.header, rec.kind, rec.model, rec.duration, rec.start_epoch)
            assert [small.line_of(n) for n in range(len(rec))] == [rec.line_of(n) for n in range(len(rec))]
            assert small.refusals() == rec.refusals()


def test_other_layouts_are_declined_and_still_summarised(tmp_path: Path) -> None:
    good = write(session(1), tmp_path / "good.jsonl")
    lines = good.read_bytes().splitlines(keepends=True)
    variants = {
        "crlf.jsonl": b"".join(line.replace(b"\n", b"\r\n") for line in lines),
        "cut.jsonl": b"".join(lines)[:-1],
        "blank.jsonl": b"".join(lines[:3]) + b"\n" + b"".join(lines[3:]),
        "keys_reordered.jsonl": lines[0] + b"".join(
            json.dumps(dict(reversed(json.loads(line).items()))).encode() + b"\n" for line in lines[1:]),
        "damaged_text.jsonl": b"".join(lines[:4]) + lines[4][:60] + b"\n" + b"".join(lines[5:]),
        "header_only.jsonl": lines[0],
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert load_small(path) is None, name
        with Recording.open(path) as rec:
            expected = summarise_recording(rec, path.stat().st_size, path.stat().st_mtime_ns, lint=False)
        assert summarise_file(path, lint=False) == expected, name
    big = tmp_path / "big.jsonl"
    big.write_bytes(lines[0] + b"".join(lines[1:]) * (SMALL_FILE_BYTES // len(b"".join(lines[1:])) + 1))
    assert load_small(big) is None
    assert isinstance(load_small(good), LoadedRecording)


def test_a_summary_with_lint_counts_is_made_from_the_index(tmp_path: Path) -> None:
    path = write(session(2), tmp_path / "s.jsonl")
    small = load_small(path)
    assert small is not None
    with pytest.raises(TypeError):
        summarise_recording(small, 1, 1, lint=True)
    assert summarise_file(path).linted


def test_the_types_left_unparsed_are_those_the_analysis_does_not_read() -> None:
    """`reads` (which server events the drivers leave unparsed) agrees with `handle` on
    every event type of both protocols: `handle` answers False only for the unread ones.
    Each type is handed an event with the fields its branch looks at, after a response
    has begun (so an audio delta has one to go to)."""
    for etype in sorted({*ALL_EVENT_TYPES, "mcp_list_tools.failed", "response.failed", "made.up"}):
        analyser = TurnAnalyser(refusals={})
        analyser.observe(0, "server", {"type": "response.created", "response": {"id": "r1"}}, 0.0)
        event = {"type": etype, "response_id": "r1", "item_id": "i1", "delta": "AAAA", "item": {"id": "i1"},
                 "response": {"id": "r1"}, "error": {"code": "x"}, "session": {}}
        handled = analyser.handle(1, 0.1, etype, "server", event)
        assert handled == reads(etype), etype


