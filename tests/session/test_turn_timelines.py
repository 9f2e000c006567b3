"""`TurnTimelines`, fed one event at a time, gives every turn the timeline and cost that
`inspect` computes from the whole recording (same turns, same numbers), on generated
sessions of both protocols: VAD speech, push-to-talk, a barge-in truncated, a text
message, WebRTC output-buffer events."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.recording import Recording
from console.recording.prices import PriceTable
from console.recording.report import build_report
from console.session.turn_timelines import TurnTimelines, unheard_summary
from tests.recording.test_prices import truncated_session
from tests.recording.test_timeline import timeline_session


def fed(path: Path) -> tuple[TurnTimelines, dict]:
    with Recording.open(path) as rec:
        report = build_report(rec)
        timelines = TurnTimelines()
        for n in range(len(rec)):
            timelines.observe(n, rec.source_of(n), rec.event(n), rec.time_of(n))
    return timelines, report


@pytest.mark.parametrize("protocol", ["ga", "beta"])
@pytest.mark.parametrize("session", [timeline_session, lambda p: truncated_session()])
def test_incremental_timelines_equal_the_report(protocol: str, session, tmp_path: Path) -> None:
    builder, _ = session(protocol)
    path = tmp_path / "s.jsonl"
    builder.write(path)
    timelines, report = fed(path)
    rows = timelines.rows(report["format"]["model"], PriceTable())
    assert [r["start_event"] for r in rows] == [t["start_event"] for t in report["turns"]]
    assert [r["timeline"] for r in rows] == [t["timeline"] for t in report["turns"]]
    assert [r["cost"] for r in rows] == [t["cost"] for t in report["turns"]]
    assert unheard_summary(rows) == report["cost"]["unheard_audio"]


def test_items_map_to_their_turn_and_reset_forgets(tmp_path: Path) -> None:
    builder, facts = truncated_session()
    path = tmp_path / "s.jsonl"
    builder.write(path)
    timelines, _ = fed(path)
    assert timelines.turn_of_item(facts["r2"]["item_id"]) == 2
    assert timelines.turn_of_item("no-such-item") is None
    version = timelines.version
    assert version > 0
    timelines.reset()
    assert timelines.turns == [] and timelines.turn_of_item(facts["r2"]["item_id"]) is None


def test_a_refused_response_create_opens_no_turn() -> None:
    """The error naming the request's event_id: no turn is left waiting for an answer, so
    the user's next message starts turn 1, as `inspect` counts it."""
    t = TurnTimelines()
    t.observe(0, "client", {"type": "response.create", "event_id": "evt_1"}, 0.0)
    assert len(t.turns) == 1
    t.observe(1, "server", {"type": "error", "error": {"type": "invalid_request_error", "event_id": "evt_1"}}, 0.1)
    assert t.turns == []
    t.observe(2, "client", {"type": "conversation.item.create", "item": {"type": "message"}}, 1.0)
    t.observe(3, "client", {"type": "response.create", "event_id": "evt_2"}, 1.0)
    t.observe(4, "server", {"type": "response.created", "response": {"id": "resp_1"}}, 1.2)
    assert [(turn.number, turn.start_event) for turn in t.turns] == [(1, 2)]
    assert t.rows(None, PriceTable())[0]["timeline"]["spans_ms"]["to_response_ms"] == pytest.approx(200.0)
