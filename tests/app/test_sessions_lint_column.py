"""The sessions browser's Lint column: errors/warnings per recording, from the summaries,
sortable like every column (Pilot, on a generated directory)."""

from __future__ import annotations

from pathlib import Path

from console.app.sessions_app import SessionsApp
from console.recording.summaries import SummaryCache
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
