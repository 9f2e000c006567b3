"""Replaying a reconnected session's chain from a later file starts at that file's first
event: the whole chain is there (playing on crosses into the next file, seeking back into
the earlier ones works), and the transport bar says which file the cursor is in. Real files
written by the real recorder (`write_chain`), the CLI's own opening (`open_for_replay`),
real apps driven by Pilot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from console.app.replay_cli import open_for_replay
from console.app.screens.replay import ReplayApp, ReplayScreen
from console.app.screens.replay_seek import SeekPrompt
from console.recording.chain import open_chain
from console.recording.reader import Recording
from console.replay.controller import ReplayController
from tests.app.console_harness import FakeClock, wait_for
from tests.recording.chain_fixtures import part, write_chain
from widgets.conversation_view import ConversationView
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.replay_bar import ReplayBar

SIZE = (170, 44)


@pytest.fixture(autouse=True)
def private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def chain(tmp_path: Path) -> list[Path]:
    """Three linked files: one turn, two turns (30 minutes later), one turn (60)."""
    return write_chain(tmp_path, [part(1), part(2, minutes=30), part(1, minutes=60)])


def items_at(path: Path, event: int) -> list[str]:
    """The conversation's item ids at chain event `event`, from a controller of its own."""
    with open_chain(path) as rec:
        ctl = ReplayController(rec)
        ctl.seek(event)
        return [i["id"] for i in ctl.items()]


@asynccontextmanager
async def replaying(path: Path, **options: Any) -> AsyncIterator[tuple[ReplayApp, Any, ReplayScreen]]:
    """`replay PATH` as the CLI opens it, with the chain fully indexed and in the log."""
    rec = open_for_replay(str(path))
    try:
        app = ReplayApp(rec, audio=False, **options)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.replay
            await wait_for(pilot, lambda: not screen.indexing and screen.loaded == len(rec), what="the chain loaded")
            await pilot.pause()
            yield app, pilot, screen
    finally:
        rec.close()


async def test_the_second_file_opens_the_chain_at_its_first_event(chain: list[Path]) -> None:
    clock = FakeClock(start=1000.0)
    async with replaying(chain[1], clock=clock, speed=50.0) as (app, pilot, screen):
        rec, ctl = screen.rec, screen.controller
        assert rec.paths == chain and rec.given == 1
        second, third = rec.file_starts[1], rec.file_starts[2]
        assert 0 < second < third < len(rec)
        await wait_for(pilot, lambda: ctl.cursor == second, what="the cursor at the second file's first event")
        await pilot.pause()
        bar = screen.query_one(ReplayBar)
        assert f"event #{second:,} of {len(rec):,}" in bar.text and "file 2/3" in bar.text
        notice = str(screen.query_one("#notice").render())
        assert "chain-2.jsonl is file 2 of 3 of this reconnected session" in notice
        # the log's cursor is that file's first row: the reconnect boundary, its detail shown
        log = screen.query_one(EventLog)
        assert log.selected_event() == second and [f.rule for f in log.findings[second]] == ["reconnect"]
        detail = screen.query_one(EventDetail)
        await wait_for(pilot, lambda: detail.index == second, what="the detail of the boundary event")
        assert "reconnect: ⟳ reconnected (session_expired" in str(detail.query_one("#event-detail-head").render())
        # the conversation is the replay's at that point: the new session's (the first file's
        # turn was there one event before), with the reconnect noted
        view = screen.query_one(ConversationView)
        assert view.item_ids == items_at(chain[0], second) and len(items_at(chain[0], second - 1)) >= 2
        assert any("reconnected (session_expired, attempt 1)" in str(n.render()) for n in view.notes)
        assert screen.query_one("#model-wave").ring is screen.preview_ring  # a still picture at the cursor

        # playing on crosses into the third file
        await pilot.press("space")
        assert ctl.playing
        clock.now += (rec.time_of(third) - rec.time_of(second)) / ctl.speed + 0.001
        await wait_for(pilot, lambda: ctl.cursor >= third, what="the cursor in the third file")
        await pilot.press("space")
        await pilot.pause()
        assert not ctl.playing and rec.file_of(ctl.cursor) == 2 and "file 3/3" in bar.text

        # seeking to the start shows the first file's first event
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, SeekPrompt), what="the go-to prompt")
        await pilot.press("0", "enter")
        await wait_for(pilot, lambda: ctl.cursor == 0, what="the cursor at the first event")
        await pilot.pause()
        assert log.selected_event() == 0 and "file 1/3" in bar.text
        await wait_for(pilot, lambda: detail.index == 0, what="the detail of the first event")
        with Recording.open(chain[0]) as head:
            assert rec.event(0) == head.event(0)  # event #0 is the first file's first
        assert view.item_ids == [] and not view.notes


async def test_a_long_way_in_is_seeked_in_steps_and_still_says_where(
    chain: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files before the named one with many events: the start is a stepped seek (the screen
    keeps drawing), and its end still says which file the replay opened at."""
    import console.app.screens.replay as replay_screen

    monkeypatch.setattr(replay_screen, "SEEK_CHUNK", 2)
    async with replaying(chain[2]) as (app, pilot, screen):
        third = screen.rec.file_starts[2]
        assert third > 2 * 2  # far enough for steps
        await wait_for(pilot, lambda: screen.controller.cursor == third and not list(app.workers),
                       what="the stepped seek to the third file")
        await pilot.pause()
        assert "chain-3.jsonl is file 3 of 3" in str(screen.query_one("#notice").render())
        assert "file 3/3" in screen.query_one(ReplayBar).text
        assert screen.query_one(EventLog).selected_event() == third
        assert screen.query_one(ConversationView).item_ids == items_at(chain[0], third)


async def test_the_first_file_opens_at_the_start_as_before(chain: list[Path]) -> None:
    async with replaying(chain[0]) as (_app, _pilot, screen):
        rec = screen.rec
        assert rec.paths == chain and rec.given == 0
        assert screen.controller.cursor == -1
        bar = screen.query_one(ReplayBar)
        assert "event — of" in bar.text and "file 1/3" in bar.text
        assert screen.query_one(ConversationView).item_ids == []
        assert str(screen.query_one("#notice").render()) == ""


async def test_an_explicit_at_wins_over_the_named_file(chain: list[Path]) -> None:
    """`--at` counts in the whole chain, whichever file was named."""
    async with replaying(chain[2], start=("event", 3.0)) as (_app, pilot, screen):
        await wait_for(pilot, lambda: screen.controller.cursor == 3, what="the cursor at event 3")
        assert "file 1/3" in screen.query_one(ReplayBar).text


async def test_no_follow_replays_the_named_file_alone_from_its_start(chain: list[Path]) -> None:
    rec = open_for_replay(str(chain[1]), follow=False)
    try:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.replay
            await wait_for(pilot, lambda: not screen.indexing, what="the file indexed")
            await pilot.pause()
            assert rec.paths == [chain[1]] and rec.given == 0 and screen.controller.cursor == -1
            assert " file " not in screen.query_one(ReplayBar).text
    finally:
        rec.close()


async def test_the_sessions_browser_opens_a_chain_row_at_the_chains_start(chain: list[Path], tmp_path: Path) -> None:
    """A chain row is one session: Enter replays it from its first file's first event."""
    from console.app.screens.browser_replay import BrowserReplayScreen
    from console.app.sessions_app import SessionsApp
    from console.recording.summary_cache import SummaryCache
    from widgets.summary_table import SummaryTable

    app = SessionsApp(tmp_path, SummaryCache(tmp_path / "cache" / "c.json"), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        browser = app.browser
        table = browser.query_one(SummaryTable)
        await wait_for(pilot, lambda: not browser.scanning and table.row_count == 1, what="the scan")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserReplayScreen), what="the replay")
        screen = app.screen
        await wait_for(pilot, lambda: not screen.indexing, what="the chain indexed")
        await pilot.pause()
        assert screen.rec.paths == chain and screen.rec.given == 0
        assert screen.controller.cursor == -1 and "file 1/3" in screen.query_one(ReplayBar).text
