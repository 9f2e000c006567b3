"""`inspect` makes one pass: the report's analysis and the linter are fed from the same
read and parse of each event, the report is the same with or without the lint, the lint
counts are what `lint` finds, and the analysis fed event by event (as the live session and
the replay feed it) finds the turns `inspect` finds, a refused request included."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.recording import Recording
from console.recording.linting import lint_counts, lint_recording
from console.recording.prices import PriceTable
from console.recording.report import build_report
from console.recording.synthetic import SessionBuilder
from console.session.turn_timelines import TurnTimelines
from tests.lint.lint_recordings import flawed_session
from tests.recording.test_timeline import timeline_session


class CountingRecording(Recording):
    """A real `Recording` that counts how often each event's line is parsed."""

    parses: Counter[int]

    def iter_events(self, rows: Iterable[int] | np.ndarray) -> Iterator[tuple[int, dict[str, Any] | None]]:
        for n, event in super().iter_events(rows):
            self.parses[n] += 1
            yield n, event

    def event(self, n: int) -> dict[str, Any]:
        self.parses[n] += 1
        return super().event(n)


def _sessions() -> list[tuple[str, SessionBuilder]]:
    return [("flawed", flawed_session()), ("timeline-ga", timeline_session("ga")[0]),
            ("timeline-beta", timeline_session("beta")[0])]


@pytest.mark.parametrize(("name", "builder"), _sessions(), ids=lambda v: v if isinstance(v, str) else "")
def test_the_lint_comes_from_the_reports_own_pass(name: str, builder: SessionBuilder, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.jsonl"
    builder.write(path)
    with CountingRecording.open(path) as rec:
        rec.parses = Counter()
        report = build_report(rec, lint=True)
        parses = rec.parses
        # Before the pass, the refusal scan reads the (few) response.create and error
        # lines; the input-audio estimate one append; the truncated items' deltas are
        # measured after it. Every other event is read and parsed exactly once.
        extra = set(rec.rows_of_type("response.create", "error").tolist())
        extra |= set(rec.rows_of_type("input_audio_buffer.append")[:1].tolist())
        extra |= set(rec.rows_of_type("response.audio.delta", "response.output_audio.delta").tolist())
        assert all(parses[n] == 1 for n in range(len(rec)) if n not in extra), \
            {n: parses[n] for n in range(len(rec)) if n not in extra and parses[n] != 1}
        assert max(parses[n] for n in extra) <= 2
        without = build_report(rec)
        separate = lint_counts(lint_recording(rec).findings)
    lint = report.pop("lint")
    assert report == without  # the same report, with or without the lint
    assert lint == separate  # the same counts as the linter over the file on its own
    if name == "flawed":
        assert lint["counts"] == {"error": 1, "warning": 1, "info": 1}


def _refused_session() -> SessionBuilder:
    """A text message, a response.create the server refuses (named by its event_id), the
    request sent again and answered: one turn, measured from the request that worked."""
    b = SessionBuilder(protocol="ga")
    b.session()
    b.user_text("hello")
    b.emit("client", {"type": "response.create", "event_id": "evt_refused"})
    b.wait(100)
    b.emit("server", {"type": "error", "error": {"type": "invalid_request_error", "code": "x",
                                                 "message": "no", "event_id": "evt_refused"}})
    b.wait(400)
    b.response_create()
    b.response(latency_ms=250, audio_ms=400, transcript="Hi.")
    return b


def test_a_refused_request_is_no_origin_live_or_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "refused.jsonl"
    _refused_session().write(path)
    with Recording.open(path) as rec:
        report = build_report(rec)
        refused, sent_again = (rec.time_of(int(n)) for n in rec.rows_of_type("response.create"))
        live = TurnTimelines()
        for n in range(len(rec)):
            live.observe(n, rec.source_of(n), rec.event(n), rec.time_of(n))
    rows = live.rows(report["format"]["model"], PriceTable())
    assert len(report["turns"]) == 1 == len(rows)
    assert refused < sent_again
    assert report["turns"][0]["timeline"]["points_s"]["response_create_s"] == round(sent_again, 3)
    assert [r["timeline"] for r in rows] == [t["timeline"] for t in report["turns"]]
    assert report["errors"][0]["refused_request"] is not None
    assert live.analysis.errors[0]["refused_request"] == report["errors"][0]["refused_request"]


def test_damaged_lines_give_the_same_report_with_or_without_the_lint(tmp_path: Path) -> None:
    """A damaged audio delta and a damaged transcript delta: the single pass with the linter
    counts them for their turn exactly as the audio-skipping pass does."""
    path = tmp_path / "damaged.jsonl"
    timeline_session("ga")[0].write(path)
    lines = path.read_bytes().splitlines(keepends=True)
    audio = [i for i, line in enumerate(lines) if b'"response.output_audio.delta"' in line]
    text = [i for i, line in enumerate(lines) if b'"response.output_audio_transcript.delta"' in line]
    for i in (audio[0], audio[5], text[1]):
        lines[i] = lines[i].rstrip(b"\n")[:-3] + b"\n"  # the closing braces lost
    path.write_bytes(b"".join(lines))
    with Recording.open(path) as rec:
        with_lint = build_report(rec, lint=True)
        without = build_report(rec)
    with_lint.pop("lint")
    assert with_lint == without
    assert len(without["format"]["problems"]) == 3
    assert all(t["timeline"]["audio_ms"] for t in without["turns"][:4])
