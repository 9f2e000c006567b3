"""The sessions browser's Lint column: errors/warnings per recording, from the summaries,
sortable like every column (Pilot, on a generated directory)."""

from __future__ import annotations

from pathlib import Path

from console.app.sessions_app import SessionsApp
from console.recording.summary_cache import SummaryCache
from tests.app.console_harness import wait_for
from tests.app.test_sessions_browser import SIZE, column, scanned
from tests.lint.lint_recordings import write_clean, write_flawed
from widgets.summary_table import SummaryTable


async def test_each_row_shows_its_lint_errors_and_warnings(tmp_path: Path) -> None:
    root = tmp_path / "recs"
    root.mkdir()
    write_flawed(root / "a-flawed.jsonl")
    write_clean(root / "b-clean.jsonl")
    (root / "c-broken.jsonl").write_text("not a recording\n", encoding="utf-8")
    app = SessionsApp(root, SummaryCache(tmp_path / "cache.json"), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        table = screen.query_one(SummaryTable)
        await wait_for(pilot, lambda: table.row_count == 3, what="three rows")
        by_file = dict(zip((p.split(":")[0] for p in column(table, "path")), column(table, "lint")))
        assert by_file == {"a-flawed.jsonl": "1/1", "b-clean.jsonl": "0/0", "c-broken.jsonl": "-"}
        while screen.sort_key != "lint":
            await pilot.press("s")
        await pilot.press("r")  # most errors first
        await wait_for(pilot, lambda: column(table, "lint") == ["1/1", "0/0", "-"], what="sorted by lint, worst first")


async def test_summaries_cached_by_stats_are_read_again_for_their_lint_counts(tmp_path: Path) -> None:
    """`stats` caches summaries without lint counts: the browser shows `…` for them, reads
    those files again, shows the counts and saves them; a later start reads nothing."""
    from functools import partial

    from console.recording.summaries import summarise_file

    root = tmp_path / "recs"
    root.mkdir()
    write_flawed(root / "a-flawed.jsonl")
    write_clean(root / "b-clean.jsonl")
    by_stats = SummaryCache(tmp_path / "cache.json", reader=partial(summarise_file, lint=False))
    assert [s.linted for s in by_stats.summaries(sorted(root.iterdir()))] == [False, False]
    assert by_stats.save() is None
    cache = SummaryCache(tmp_path / "cache.json")
    app = SessionsApp(root, cache, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        table = screen.query_one(SummaryTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the cached rows")
        first = column(table, "lint")
        await scanned(pilot, screen)
        await wait_for(pilot, lambda: sorted(column(table, "lint")) == ["0/0", "1/1"], what="the lint counts")
    assert cache.reads == 2
    assert sorted(first) in (["…", "…"], ["0/0", "1/1"])  # the scan may already have replaced them
    again = SummaryCache(tmp_path / "cache.json")
    app = SessionsApp(root, again, audio=False)
    async with app.run_test(size=SIZE) as pilot:
        await scanned(pilot, app.browser)
        assert sorted(column(app.browser.query_one(SummaryTable), "lint")) == ["0/0", "1/1"]
    assert again.reads == 0


def test_a_row_without_lint_counts_shows_them_pending(tmp_path: Path) -> None:
    from console.app.screens.sessions_model import COLUMN_KEYS, cells
    from console.recording.prices import PriceTable
    from console.recording.summaries import summarise_file

    path = write_flawed(tmp_path / "flawed.jsonl")
    lint = COLUMN_KEYS.index("lint")
    assert cells(summarise_file(path, lint=False), str(tmp_path), PriceTable())[lint] == "…"
    assert cells(summarise_file(path), str(tmp_path), PriceTable())[lint] == "1/1"
