"""The sessions browser: every recording of a directory in a sortable, filterable table.

The table is a `SummaryTable` (Line API): it asks for the cells of the rows on screen
only, so 10,000 recordings sort, filter and scroll as fast as ten.

Cached summaries (`SummaryCache`) are shown at once; the files that are new or changed
since the last listing are read by a thread worker, which posts `ScanProgressed` messages
(a progress bar, and the rows as they come). Enter opens the selected recording in the
replay, pushed on top of this screen (`BrowserReplayScreen`: `q` comes back here instead
of quitting), so the browser keeps its scroll position, sort and filter.

Start-up is what a user waits for, so the first paint needs only the cache and this
screen: the replay and the process pool are imported when first used, and the sessions
(a reconnected session's files joined into one row) are merged once per change of the
summaries, not once per sort, filter and status line.
"""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, ProgressBar, Static

from console.app.screens.sessions_model import COLUMN_KEYS, COLUMNS, arrange_sessions, cells
from console.recording.chain_summaries import merge_chains
from console.recording.prices import PriceTable
from console.recording.summary import Summary
from console.recording.summary_cache import recording_paths, SummaryCache
from widgets.summary_table import SummaryTable, TableColumn

#: The table's columns, from the model's (one entry there is one column here).
TABLE_COLUMNS: tuple[TableColumn, ...] = tuple(TableColumn(c.key, c.label, c.width, c.right) for c in COLUMNS)
#: Summaries per progress message (one message per file would flood the queue at 10k files).
BATCH = 64
#: While the scan runs, the table is rebuilt at most this often (a rebuild per batch would
#: cost O(rows) each time: quadratic over a directory of thousands of new files).
ROWS_EVERY_S = 0.5


@dataclass
class ScanProgressed(Message):
    """The worker summarised more files: `done` of `total`, with their summaries."""

    done: int
    total: int
    summaries: list[Summary] = field(default_factory=list)


@dataclass
class ScanChecked(Message):
    """The worker listed the directory: `stale` files to read, the paths `present`."""

    stale: int
    present: set[str] = field(default_factory=set)


@dataclass
class ScanFinished(Message):
    """The worker is done; `problem` is a note for the status line (cache not saved, ...);
    `read`: how many files it summarised."""

    problem: str | None = None
    read: int = 0


class SessionsScreen(Screen[None]):
    """The table of recordings; see the module docstring."""

    CSS_PATH = Path(__file__).with_name("sessions.tcss")
    BINDINGS = [
        Binding("slash,ctrl+f", "focus_filter", "Filter", id="sessions.filter",
                tooltip="Filter rows by path, model or source"),
        Binding("s", "next_sort", "Sort", id="sessions.sort", tooltip="Sort by the next column"),
        Binding("S", "next_sort(-1)", "Sort back", id="sessions.sort_back", show=False,
                tooltip="Sort by the previous column"),
        Binding("r", "reverse_sort", "Reverse", id="sessions.reverse", tooltip="Reverse the sort order"),
        Binding("escape", "clear_filter", "Clear", id="sessions.clear", show=False,
                tooltip="Clear the filter and go back to the table"),
        Binding("q", "quit", "Quit", id="sessions.quit", tooltip="Leave the browser"),
    ]

    def __init__(self, directory: str | os.PathLike[str], cache: SummaryCache, *, audio: bool = True,
                 prices: PriceTable | None = None) -> None:
        super().__init__(id="sessions")
        self.directory = Path(directory)
        self.root = os.path.abspath(self.directory)
        self.cache = cache
        self.audio = audio
        self.prices = prices or PriceTable()
        self.summaries: dict[str, Summary] = {}
        #: `summaries` as sessions (see `merge_chains`); None once `summaries` has changed.
        self._sessions: list[Summary] | None = None
        self.shown: list[Summary] = []
        self.sort_key = "started"
        self.reverse = True  # newest first
        self.filter_text = ""
        self.scanning = False
        self._rows_pending = False
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter by path, model or source  (/ to focus, esc to clear)", id="sessions-filter")
        yield ProgressBar(id="sessions-progress", show_eta=False)
        yield SummaryTable(id="sessions-table")
        yield Static("", id="sessions-status")
        yield Footer()

    def on_mount(self) -> None:
        """Show the cached summaries of the directory at once, then let the worker check
        them against the files (listing and a `stat` each: a third of a second at 10,000)."""
        table = self.query_one(SummaryTable)
        table.border_title = f"recordings in {self.directory}"
        table.focus()
        prefix = os.path.join(self.root, "")
        self.summaries = {path: s for path, s in self.cache.entries.items() if path.startswith(prefix)}
        self._sessions = None
        # The summaries live as long as the screen: keep the garbage collector from walking
        # them again and again (at 10,000 that is most of a sort's time); `on_unmount`
        # unfreezes, so a process that runs several apps can still collect them.
        gc.freeze()
        self.refresh_rows()
        self.query_one(ProgressBar).update(total=None)
        self.scanning = True
        note = f"{len(self.summaries)} cached; looking for new or changed files…"
        self._status(f"{self.cache.problem} · {note}" if self.cache.problem else note)
        # After the first paint: the worker's thread would otherwise hold the GIL part of
        # the time the rows take to show.
        self.call_after_refresh(self._scan)

    def on_unmount(self) -> None:
        self._cancel.set()
        gc.unfreeze()

    # --- the worker -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sessions-scan", exit_on_error=False)
    def _scan(self) -> None:
        """List the directory, check the cached summaries, summarise the files the cache had
        nothing valid for (on every core when there are many: `summary_pool`), then save
        the cache."""
        try:
            files = recording_paths(self.root)  # strings: 10,000 `Path`s cost more than their `stat`s
        except OSError as exc:
            self.post_message(ScanFinished(f"cannot list {self.directory}: {exc}"))
            return
        # A summary `stats` cached lacks the lint counts the table shows: read it again.
        stale = [Path(path) for path in files if not ((hit := self.cache.cached(path)) and hit.linted)]
        self.post_message(ScanChecked(len(stale), set(files)))
        if stale:  # multiprocessing and the pool: imported only when there is something to read
            from console.recording.summary_pool import summarise_all

            batch: list[Summary] = []
            for n, summary in enumerate(summarise_all(stale, reader=self.cache.reader, cancel=self._cancel), 1):
                batch.append(self.cache.store(summary))
                if len(batch) >= BATCH or n == len(stale):
                    self.post_message(ScanProgressed(n, len(stale), batch))
                    batch = []
        if self._cancel.is_set():
            return
        self.cache.forget_missing(self.directory, files)
        self.post_message(ScanFinished(self.cache.save(), len(stale)))

    @on(ScanChecked)
    def _checked(self, message: ScanChecked) -> None:
        gone = [path for path in self.summaries if path not in message.present]
        for path in gone:  # cached rows of files deleted since
            del self.summaries[path]
        if gone:
            self._sessions = None
            self.refresh_rows()
        self.query_one(ProgressBar).update(total=max(1, message.stale), progress=0)
        self._status(f"{len(self.summaries)} cached, reading {message.stale} new or changed file(s)…")

    @on(ScanProgressed)
    def _progressed(self, message: ScanProgressed) -> None:
        for summary in message.summaries:
            self.summaries[summary.path] = summary
        self._sessions = None
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        self._status(f"reading {message.done} of {message.total} file(s)…")
        if not self._rows_pending:
            self._rows_pending = True
            self.set_timer(ROWS_EVERY_S, self._pending_rows)

    def _pending_rows(self) -> None:
        if self._rows_pending:
            self._rows_pending = False
            self.refresh_rows()

    @on(ScanFinished)
    def _finished(self, message: ScanFinished) -> None:
        self.scanning = False
        if self._rows_pending or message.read or not self.summaries:  # else every row is already shown
            self.refresh_rows()
        self._rows_pending = False
        self.query_one(ProgressBar).display = False
        self._status(" · ".join(p for p in (self.cache.problem, message.problem) if p) or None)

    # --- rows -----------------------------------------------------------------------------

    def refresh_rows(self) -> None:
        """Show the summaries filtered and sorted as asked, keeping the selected file."""
        table = self.query_one(SummaryTable)
        selected = self.selected_path()
        self.shown = arrange_sessions(self.sessions(), root=self.root, text=self.filter_text,
                                      sort_key=self.sort_key, reverse=self.reverse, prices=self.prices)
        table.set_columns(TABLE_COLUMNS, sort_key=self.sort_key, reverse=self.reverse)
        cursor = None
        if selected is not None:
            cursor = next((n for n, summary in enumerate(self.shown) if summary.path == selected), None)
        shown, root, prices = self.shown, self.root, self.prices
        table.set_rows(len(shown), lambda row: cells(shown[row], root, prices), cursor=cursor)

    def sessions(self) -> list[Summary]:
        """One summary per session (a reconnected session's files joined), unfiltered."""
        if self._sessions is None:
            self._sessions = merge_chains(self.summaries.values())
        return self._sessions

    def selected_path(self) -> str | None:
        table = self.query_one(SummaryTable)
        if not self.shown or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.shown[row].path if 0 <= row < len(self.shown) else None

    def _status(self, text: str | None = None) -> None:
        bad = sum(1 for s in self.summaries.values() if not s.ok)
        parts = [f"{len(self.shown)} of {len(self.sessions())} recording(s)"]
        if bad:
            parts.append(f"{bad} unreadable")
        if self.filter_text:
            parts.append(f"filter {self.filter_text!r}")
        parts.append(f"sorted by {self.sort_key} {'descending' if self.reverse else 'ascending'}")
        if text:
            parts.append(text)
        self.query_one("#sessions-status", Static).update(" · ".join(parts))

    # --- user actions ---------------------------------------------------------------------

    def sort_by(self, key: str) -> None:
        """Sort by a column; the same column again reverses the order."""
        if key == self.sort_key:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = key, False
        self.refresh_rows()
        self._status()

    @on(SummaryTable.HeaderClicked)
    def _header(self, message: SummaryTable.HeaderClicked) -> None:
        self.sort_by(message.key)

    def action_next_sort(self, step: int = 1) -> None:
        keys = COLUMN_KEYS
        self.sort_key = keys[(keys.index(self.sort_key) + step) % len(keys)]
        self.reverse = False
        self.refresh_rows()
        self._status()

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_key)

    @on(Input.Changed, "#sessions-filter")
    def _filter(self, message: Input.Changed) -> None:
        self.filter_text = message.value
        self.refresh_rows()
        self._status()

    @on(Input.Submitted, "#sessions-filter")
    def _filter_done(self) -> None:
        self.query_one(SummaryTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one(Input).value = ""
        self.query_one(SummaryTable).focus()

    def action_quit(self) -> None:
        self._cancel.set()
        self.app.exit(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letters typed into the filter are text, not sort or quit keys."""
        if action in ("next_sort", "reverse_sort", "quit", "focus_filter") and isinstance(self.focused, Input):
            return False
        return True

    @on(SummaryTable.RowChosen)
    def _open(self, message: SummaryTable.RowChosen) -> None:
        if 0 <= message.row < len(self.shown):
            self.open_replay(self.shown[message.row].path)

    def open_replay(self, path: str) -> None:
        """Push the replay of `path`; a file that cannot be opened says why on the status line."""
        summary = self.summaries.get(path)
        if summary is not None and not summary.ok:
            self._status(f"cannot replay {os.path.basename(path)}: {summary.problem}")
            return
        from console.app.screens.browser_replay import BrowserReplayScreen  # the replay's imports: not at start
        from console.recording.chain import open_chain
        from console.recording.index import NotARecordingError

        try:
            rec = open_chain(path, index=False)  # a reconnected session: its whole chain
        except (NotARecordingError, OSError) as exc:
            self._status(f"cannot replay {os.path.basename(path)}: {exc}")
            return
        self.app.push_screen(BrowserReplayScreen(rec, audio=self.audio))
