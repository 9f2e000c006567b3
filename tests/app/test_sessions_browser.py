"""The sessions browser driven by Pilot: rows with the summary columns, cached rows shown
before any file is read, sorting and filtering, and Enter opening the replay of that file."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, ProgressBar

from console.app.screens.browser_replay import BrowserReplayScreen
from console.app.screens.sessions import SessionsScreen
from console.app.screens.sessions_model import COLUMN_KEYS
from console.app.sessions_app import SessionsApp
from console.recording.summaries import summarise_file
from console.recording.summary import Summary
from console.recording.summary_cache import SummaryCache
from tests.app.console_harness import wait_for
from tests.recording.stats_fixtures import make_directory
from widgets.summary_table import SummaryTable

SIZE = (170, 40)
COUNT = 6


class CountingReader:
    """Counts the files read; with `release`, each read first waits for it to be set."""

    def __init__(self, release: threading.Event | None = None) -> None:
        self.read: list[Path] = []
        self.release = release

    def __call__(self, path: Path) -> Summary:
        if self.release is not None:
            self.release.wait(timeout=60)
        self.read.append(path)
        return summarise_file(path)


@pytest.fixture()
def directory(tmp_path: Path) -> Path:
    root = tmp_path / "recs"
    make_directory(root, COUNT)
    (root / "broken.jsonl").write_text("not a recording\n", encoding="utf-8")
    return root


def rows(table: SummaryTable) -> list[list[str]]:
    return [table.cells_at(i) for i in range(table.row_count)]


def column(table: SummaryTable, key: str) -> list[str]:
    index = COLUMN_KEYS.index(key)
    return [row[index] for row in rows(table)]


async def scanned(pilot, screen: SessionsScreen) -> None:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: not screen.scanning and screen.query_one(SummaryTable).row_count > 0,
                   what="the first scan")


async def test_rows_show_each_recordings_summary(directory: Path, tmp_path: Path) -> None:
    reader = CountingReader()
    app = SessionsApp(directory, SummaryCache(tmp_path / "cache.json", reader=reader), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        table = screen.query_one(SummaryTable)
        labels = [c.label for c in table.columns]
        assert labels == ["Started", "Source", "Model", "Duration", "Turns", "Interr.", "Errors", "Tokens",
                          "Cost $", "Lint E/W", "File"]
        assert table.row_count == COUNT + 1
        assert not screen.query_one(ProgressBar).display
        by_file = {row[-1].split(":")[0]: row for row in rows(table)}
        for n in range(COUNT):
            name = f"rec-{n:02d}.jsonl"
            s = summarise_file(directory / name)
            row = by_file[name]
            assert row[1] == s.source and row[2] == s.model
            assert (row[4], row[5], row[6], row[7]) == (str(s.turns), str(s.interrupted_turns), str(s.errors),
                                                         str(s.total_tokens))
            assert row[8] == f"{s.cost():.4f}"
        assert {by_file[f"rec-{n:02d}.jsonl"][1] for n in range(3)} == {"console", "proxy", "attach"}
        assert by_file["broken.jsonl"][1] == "unreadable"
        assert len(reader.read) == COUNT + 1
        assert (tmp_path / "cache.json").exists()


async def test_cached_rows_appear_without_reading(directory: Path, tmp_path: Path) -> None:
    warm = SummaryCache(tmp_path / "cache.json")
    list(warm.summaries(sorted(directory.glob("*.jsonl"))))
    warm.save()
    (directory / "new.jsonl").write_bytes((directory / "rec-00.jsonl").read_bytes())
    (directory / "rec-01.jsonl").unlink()  # cached, then deleted
    release = threading.Event()
    reader = CountingReader(release)
    app = SessionsApp(directory, SummaryCache(tmp_path / "cache.json", reader=reader), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        table = screen.query_one(SummaryTable)
        # the cached rows are shown while the worker is still held before reading anything;
        # the deleted file's cached row goes once the worker has listed the directory
        try:
            await wait_for(pilot, lambda: table.row_count == COUNT, what="the cached rows, less the deleted file")
            assert reader.read == [] and screen.scanning
        finally:
            release.set()  # a failure above must not leave the worker waiting
        await scanned(pilot, screen)
        assert [p.name for p in reader.read] == ["new.jsonl"]
        names = [os.path.basename(p) for p in column(table, "path")]
        assert "new.jsonl" in names and "rec-01.jsonl" not in names and len(names) == COUNT + 1


async def test_sorting_by_key_and_by_header_click(directory: Path, tmp_path: Path) -> None:
    app = SessionsApp(directory, SummaryCache(tmp_path / "c.json"), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        table = screen.query_one(SummaryTable)
        started = column(table, "started")
        assert started[:COUNT] == sorted(started[:COUNT], reverse=True)  # newest first
        while screen.sort_key != "turns":
            await pilot.press("s")
        turns = column(table, "turns")
        numbers = [int(t) for t in turns if t != "-"]
        assert numbers == sorted(numbers) and turns[-1] == "-"  # the unreadable file last
        await pilot.press("r")
        numbers = [int(t) for t in column(table, "turns") if t != "-"]
        assert numbers == sorted(numbers, reverse=True) and numbers[0] > numbers[-1]
        # a click on the "Model" header sorts by model
        x = table.column_x("model") + 2  # the border, then a cell into the header
        await pilot.click("#sessions-table", offset=(x, 1))
        await wait_for(pilot, lambda: screen.sort_key == "model", what="sort by the clicked header")
        models = [m for m in column(table, "model") if m != "-"]
        assert models == sorted(models) and models[0] != models[-1]
        await pilot.press("S")  # back one column
        await wait_for(pilot, lambda: screen.sort_key == "source", what="sort by the previous column")
        # the header marks the sorted column; the cursor row is drawn from the shown rows
        header = "".join(seg.text for seg in table.render_line(0))
        assert "Source ▲" in header
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        assert screen.selected_path() == screen.shown[-1].path


async def test_filter_by_model_source_and_path(directory: Path, tmp_path: Path) -> None:
    app = SessionsApp(directory, SummaryCache(tmp_path / "c.json"), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        table = screen.query_one(SummaryTable)
        await pilot.press("slash")
        assert isinstance(screen.focused, Input)
        await pilot.press(*"mini")
        await wait_for(pilot, lambda: table.row_count == 2, what="rows of the mini model")
        assert set(column(table, "model")) == {"gpt-realtime-mini"}
        screen.query_one(Input).value = "proxy"
        await wait_for(pilot, lambda: set(column(table, "source")) == {"proxy"}, what="proxy rows")
        screen.query_one(Input).value = "rec-03"
        await wait_for(pilot, lambda: column(table, "path") == ["rec-03.jsonl"], what="one file")
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.row_count == COUNT + 1, what="the filter cleared")


async def test_enter_opens_the_replay_of_the_selected_file(directory: Path, tmp_path: Path) -> None:
    app = SessionsApp(directory, SummaryCache(tmp_path / "c.json"), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        table = screen.query_one(SummaryTable)
        target = column(table, "path").index("rec-04.jsonl")
        table.move_cursor(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserReplayScreen), what="the replay")
        replay = app.screen
        assert isinstance(replay, BrowserReplayScreen)
        assert os.path.samefile(replay.rec.path, directory / "rec-04.jsonl")
        await wait_for(pilot, lambda: not replay.indexing, what="the replay indexed")
        assert len(replay.rec) == summarise_file(directory / "rec-04.jsonl").events
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the browser")
        assert screen.selected_path() is not None and screen.selected_path().endswith("rec-04.jsonl")
        assert replay.rec._file.closed
        # an unreadable file is not opened: the status line says why
        table.move_cursor(column(table, "source").index("unreadable"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        status = str(screen.query_one("#sessions-status").render())
        assert "cannot replay broken.jsonl" in status


def test_sessions_command_rejects_a_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from console.cli import main

    assert main(["sessions", str(tmp_path / "none")]) == 2
    assert "does not exist" in capsys.readouterr().err


async def test_a_damaged_cache_is_named_on_the_status_line_and_rebuilt(directory: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache.bin"
    cache_file.write_bytes(b"garbage")
    app = SessionsApp(directory, SummaryCache(cache_file), audio=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.browser
        await scanned(pilot, screen)
        status = str(screen.query_one("#sessions-status").render())
        assert f"summary cache {cache_file} ignored (not a row file): every file is read again" in status
        assert screen.query_one(SummaryTable).row_count == COUNT + 1
    again = SummaryCache(cache_file)
    assert again.problem is None and len(again.entries) == COUNT + 1


def test_the_browser_starts_without_the_replay_or_the_process_pool() -> None:
    """What the first paint does not need is imported when a recording is opened (the
    replay, numpy's waveforms) or files are to be read (the pool, the analysis, numpy)."""
    code = ("import sys, console.app.sessions_app; "
            "print(sorted({'console.app.screens.replay', 'console.recording.summary_pool', 'multiprocessing', "
            "'console.recording.analysis', 'console.recording.reader', 'numpy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"
