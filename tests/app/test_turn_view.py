"""The turn view (F6): every turn's latency and cost in a table, the selected turn's
timeline as labelled bars; live against the real simulator on loopback and in the replay
of a generated recording with a truncation. The numbers are the report's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from console.app.screens.replay import ReplayApp
from console.app.screens.turns import TurnsScreen
from console.recording import Recording
from console.recording.report import build_report
from tests.app.console_harness import FakeClock, connected, events_of, make_app, submit, wait_for
from tests.app.screen_helpers import settle
from tests.app.test_console_flows import assistant_items
from tests.recording.test_prices import truncated_session
from widgets.status_header import StatusHeader
from widgets.turn_timeline import TurnTimeline, duration_text

SIZE = (140, 44)


def table_rows(screen: TurnsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]


def chart_labels(screen: TurnsScreen) -> list[str]:
    """The span label of each bar row of the chart (its first 12 cells)."""
    return [line[:12].strip() for line in screen.query_one(TurnTimeline).lines()[1:]]


async def test_live_turns_show_latency_cost_and_the_selected_turns_bars() -> None:
    # a clock that moves 1 ms per read: events get distinct times, so spans are not all 0
    app = make_app("--no-record", clock=FakeClock(auto=0.001))
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        for n, text in enumerate(("hello", "and again"), start=1):
            await submit(pilot, text)
            await wait_for(pilot, lambda n=n: len(events_of(app, "response.done")) == n, what=f"answer {n}")
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, TurnsScreen), what="the turn view")
        screen = app.screen
        assert isinstance(screen, TurnsScreen)
        await settle(pilot)
        rows = table_rows(screen)
        assert [r[0] for r in rows] == ["1", "2"]
        for row in rows:  # first audio, end to end, generation, cost: every column has a value
            assert all(cell.endswith((" ms", " s")) for cell in row[2:5]), row
            assert row[5].startswith("$") and float(row[5][1:]) > 0, row
        # The newest turn is selected; its chart has a labelled bar per span it has.
        chart = screen.query_one(TurnTimeline)
        assert chart.turn is not None and chart.turn["number"] == 2
        labels = chart_labels(screen)
        assert {"to response", "first text", "first audio", "generation", "end to end"} <= set(labels), labels
        lines = chart.lines()
        assert lines[0].startswith("turn 2 · end to end ")
        spans = chart.turn["timeline"]["spans_ms"]
        row = next(line for line in lines if line.startswith("first audio"))
        assert "█" in row and row.rstrip().endswith(f"{spans['first_audio_ms']:.0f} ms")
        # Selecting the first row charts the first turn.
        await pilot.press("up")
        await wait_for(pilot, lambda: chart.turn is not None and chart.turn["number"] == 1, what="turn 1 charted")
        assert chart.lines()[0].startswith("turn 1")
        # Enter selects the turn's first event in the log and goes back.
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main, what="back on the main screen")
        start = app.session.turn_rows()[0]["start_event"]
        assert app.main.event_log().selected_event() == start
        assert app.store.event_type(start) == "conversation.item.create"


async def test_live_interruption_shows_unheard_audio_in_the_header_and_the_turn_view() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=(200, 44)) as pilot:  # wide: the header has room for the figure
        await connected(pilot)
        await submit(pilot, "tell me a long story")
        await wait_for(pilot, lambda: events_of(app, "response.done"), what="the whole answer generated")
        item = assistant_items(app)[0]
        await wait_for(pilot, lambda: app.turns.speaker.played(item["id"]) > 2400, what="some audio played")
        await pilot.press("f3")
        await wait_for(pilot, lambda: events_of(app, "conversation.item.truncated"), what="truncated")
        cut = events_of(app, "conversation.item.truncated")[0]["audio_end_ms"]
        stats = app.session.stats
        await wait_for(pilot, lambda: stats.unheard_ms, what="the unheard figure")
        row = app.session.turn_rows()[0]
        assert row["timeline"]["truncated_at_ms"] == cut
        assert stats.unheard_ms == pytest.approx(row["timeline"]["audio_ms"] - cut, abs=0.2)
        assert stats.unheard_usd is not None and stats.unheard_usd > 0
        app.main.refresh_status()
        await pilot.pause()
        assert f"(≈${stats.unheard_usd:.4f} unheard)" in str(app.main.query_one(StatusHeader).render())
        await pilot.press("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, TurnsScreen), what="the turn view")
        screen = app.screen
        await settle(pilot)
        assert "unheard" not in table_rows(screen)[0][6] and table_rows(screen)[0][6].endswith(f"≈${row['cost']['unheard_audio_usd']:.4f}")
        lines = screen.query_one(TurnTimeline).lines()
        assert "unheard ≈ $" in lines[0] and f"cut at {duration_text(cut)} of " in lines[0]
        assert "playback" in chart_labels(screen)
        assert "never heard" in str(screen.query_one("#turns-title").render())


@pytest.fixture
def cut_recording(tmp_path: Path) -> Path:
    b, _ = truncated_session()
    path = tmp_path / "cut.jsonl"
    b.write(path)
    return path


async def test_replay_turn_view_matches_inspect_and_seeks_to_the_chosen_turn(cut_recording: Path) -> None:
    with Recording.open(cut_recording) as rec:
        report = build_report(rec)
    with Recording(cut_recording) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.replay
            await wait_for(pilot, lambda: not screen.indexing and screen.loaded == len(rec), what="loaded")
            # the replay's turns are inspect's, timeline and cost alike
            rows = screen.turn_rows()
            assert [(r["timeline"], r["cost"]) for r in rows] == [(t["timeline"], t["cost"]) for t in report["turns"]]
            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, TurnsScreen), what="the turn view")
            view = app.screen
            await settle(pilot)
            shown = table_rows(view)
            assert [r[0] for r in shown] == ["1", "2", "3"]
            assert shown[1][6] == f"200 ms ≈${report['turns'][1]['cost']['unheard_audio_usd']:.4f}"
            assert shown[0][6] == "" and shown[0][5] == f"${report['turns'][0]['cost']['total']:.4f}"
            # before the first event the cursor is on no turn: the newest is selected; go to the cut one
            await pilot.press("up")
            chart = view.query_one(TurnTimeline)
            await wait_for(pilot, lambda: chart.turn is not None and chart.turn["number"] == 2, what="turn 2 charted")
            lines = chart.lines()
            assert "200 ms unheard ≈ $" in lines[0] and "cut at 200 ms of 400 ms" in lines[0]
            labels = chart_labels(view)
            assert labels == ["speech", "commit", "to response", "first text", "first audio", "generation",
                              "playback", "end to end"]
            playback = lines[1 + labels.index("playback")]
            assert playback.rstrip().endswith(f"{report['turns'][1]['timeline']['spans_ms']['playback_ms']:.0f} ms")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is screen, what="back on the replay")
            assert screen.controller.cursor == report["turns"][1]["start_event"]


async def test_turn_view_fits_an_80x24_terminal(cut_recording: Path) -> None:
    from tests.app.screen_helpers import screen_lines

    with Recording(cut_recording) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.replay
            await wait_for(pilot, lambda: not screen.indexing and screen.loaded == len(rec), what="loaded")
            screen.seek(int(rec.turn_starts()[1]))  # the cut turn: the longest heading
            await pilot.press("f6")
            await wait_for(pilot, lambda: isinstance(app.screen, TurnsScreen), what="the turn view")
            await settle(pilot)
            lines = screen_lines(app)
            assert all(len(line) <= 80 for line in lines)
            shown = [line.strip()[:12].strip() for line in lines]
            for label in ("speech", "to response", "first audio", "generation", "playback", "end to end"):
                assert label in shown, (label, lines)
            assert any("unheard" in line for line in lines)
