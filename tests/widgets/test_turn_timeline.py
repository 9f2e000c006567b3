"""The turn timeline chart: one labelled row per span the turn has, bars on one shared
time axis (placed where the span starts, as long as it lasts), the span's length at the
row's end, and a heading with the turn's cost and what of it was never heard."""

from __future__ import annotations

from console.recording.timeline import build_timeline
from widgets.turn_timeline import LABEL_WIDTH, VALUE_WIDTH, render_turn_timeline

MARKS = {"speech_started": 10.0, "speech_stopped": 11.0, "committed": 11.0, "response.created": 11.2,
         "first_text": 11.5, "first_audio": 11.6, "done": 12.0}
WIDTH = 12 + 60 + 9  # a 60-cell axis


def turn(**timeline_kw) -> dict:
    return {"number": 4, "timeline": build_timeline(MARKS, **timeline_kw),
            "cost": {"total": 0.0123, "unheard_audio_ms": None, "unheard_audio_usd": None}}


def bar(line: str) -> tuple[int, int]:
    """(start column on the axis, length) of a row's bar."""
    axis = line[LABEL_WIDTH : len(line) - VALUE_WIDTH]
    filled = [i for i, c in enumerate(axis) if c in "█▏"]
    return filled[0], len(filled)


def test_rows_are_labelled_spans_in_timeline_order_with_their_ms() -> None:
    lines = render_turn_timeline(turn(audio_ms=1200.0), WIDTH).plain.splitlines()
    assert lines[0] == "turn 4 · end to end 600 ms · first audio 400 ms · $0.0123 · playback estimated"
    rows = {line[:LABEL_WIDTH].strip(): line for line in lines[1:]}
    assert list(rows) == ["speech", "commit", "to response", "first text", "first audio", "generation",
                          "playback", "end to end"]
    assert rows["speech"].endswith("1.00 s") and rows["to response"].endswith("200 ms")
    assert rows["generation"].endswith("800 ms") and rows["playback"].endswith("800 ms")
    assert all(len(line) == WIDTH for line in lines[1:])


def test_bars_are_proportional_on_one_axis() -> None:
    # points from 10.0 (speech) to 12.8 (playback end: first audio + 1.2 s): 2.8 s over 60 cells
    lines = render_turn_timeline(turn(audio_ms=1200.0), WIDTH).plain.splitlines()
    rows = {line[:LABEL_WIDTH].strip(): line for line in lines[1:]}
    scale = 60 / 2.8
    assert bar(rows["speech"]) == (0, round(1.0 * scale))
    assert bar(rows["generation"]) == (round(1.2 * scale), round(0.8 * scale))
    assert bar(rows["first audio"]) == (round(1.2 * scale), round(0.4 * scale))
    start, length = bar(rows["playback"])
    assert start == round(2.0 * scale) and start + length == 60
    assert bar(rows["commit"])[1] == 1  # a zero-length span still shows where it happened


def test_cut_turn_says_what_was_not_heard() -> None:
    t = turn(audio_ms=1200.0, truncated_at_ms=300.0, truncated_s=11.9)
    t["cost"].update(unheard_audio_ms=900.0, unheard_audio_usd=0.0011)
    wide = render_turn_timeline(t, 200).plain.splitlines()
    assert wide[0].endswith("$0.0123 · 900 ms unheard ≈ $0.0011 · cut at 300 ms of 1.20 s")
    # narrower than the heading: it breaks between its parts, never inside one, and the
    # bars follow, every line within the width
    chart = render_turn_timeline(t, WIDTH).plain.splitlines()
    head = chart[: len(chart) - 8]
    assert len(head) == 2 and " · ".join(head) == wide[0]
    assert all(len(line) <= WIDTH for line in chart) and chart[len(head)].startswith("speech")
    # the truncation (11.9 s) came before response.done: playback is negative, drawn where it lies
    rows = {line[:LABEL_WIDTH].strip(): line for line in chart[len(head):]}
    assert rows["playback"].endswith("-100 ms")


def test_nothing_to_draw() -> None:
    assert render_turn_timeline(None, WIDTH).plain == "no turn selected"
    assert render_turn_timeline({"number": 1, "timeline": build_timeline({})}, WIDTH).plain == "turn 1\nno timeline yet"
