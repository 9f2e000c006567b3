"""The replay: a recording shown in the console's own panes, read-only.

`ReplayApp` opens one `Recording` (already checked by the CLI: the first 64 KiB are
indexed) on a `ReplayScreen`. The screen coordinates and nothing else:

* a thread worker indexes the rest of the file (Toolong's model: mmap scan, batches,
  `IndexProgressed` messages), then reads the events for the log (`EventsLoaded`); the UI
  appends them to the `EventStore`, so a 1 GB file opens at once, is navigable once
  indexed and fills in its log after;
* a `ReplayController` owns the cursor; every move returns a `ReplayUpdate` that becomes
  calls on the widgets (conversation cards, waveforms, header, transport bar);
* the event log holds *every* event (searchable, filterable), and the replay cursor is
  its selected row: moving the cursor selects the row, and `s` seeks the replay to the
  row the user selected.

The jobs around that live in their own modules: `replay_loader` (the indexing worker),
`replay_conversation.ConversationSync` and `replay_log_sync.LogSync` (the panes that
follow the cursor), `replay_items.ReplayItemActions` (play / save / delete / copy on a
card), `replay_preview.audio_at_cursor` (the still waveforms after a jump),
`replay_seek` (the "go to" prompt) and `replay_commands` (the palette).

Audio follows the cursor while playing: output deltas go to a `Speaker` (with
`--no-audio` a silent one on a virtual clock, which still drives the model waveform),
microphone appends to the mic waveform's ring. Pausing, stepping or seeking flushes the
speaker, so sound never lags the cursor.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from console.audio.playback import Speaker
from console.audio.ring import RingBuffer
from console.session.event_store import EventStore
from console.session.lint_marks import LintMarks
from console.session.stats import DEFAULT_PRICE_TABLE
from console.session.turn_timelines import TurnTimelines
from console.recording.reader import Recording
from console.replay.controller import ReplayController, ReplayUpdate
from console.replay.log_events import log_events, reconnect_marks
from console.app.keyed_app import KeyedApp
from console.app.screens.diagnostics import open_diagnostics
from console.app.screens.event_detail_screen import open_event_detail
from console.app.screens.replay_commands import ReplayCommands
from console.app.screens.replay_conversation import ConversationSync
from console.app.screens.replay_items import ReplayItemActions
from console.app.screens.replay_loader import LOG_AHEAD, EventsLoaded, IndexFinished, IndexProgressed, index_then_load
from console.app.screens.replay_log_sync import LogSync
from console.app.screens.replay_preview import audio_at_cursor
from console.app.screens.replay_seek import SeekPrompt
from console.app.screens.turns import TurnsScreen
from widgets.console_footer import ConsoleFooter
from widgets.conversation_view import ConversationView
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.log_pane import LogPane
from widgets.replay_bar import ReplayBar, ReplayPosition
from widgets.status_header import StatusHeader
from widgets.waveform import Waveform

TICK_HZ = 30
#: While playing, the detail pane (Rich JSON, ~20 ms) follows the cursor at this rate.
DETAIL_HZ = 4
#: Output audio is skipped rather than queued when the speaker is this far behind
#: (speeds above 1x deliver audio faster than it can be heard).
MAX_AUDIO_LAG_MS = 1500
#: Events applied per step of a long seek (between two redraws).
SEEK_CHUNK = 3000
RATE = 24_000
#: Footer labels for when the full ones do not fit (`ConsoleFooter`, which also leaves keys
#: out from the end, never `q Quit`'s label half-covered; every key is in the palette).
SHORT_LABELS = {"toggle_play": "Play", "next_turn": "Turn", "next_error": "Error", "seek_selected": "Seek"}


class ReplayScreen(Screen[None]):
    """The panes of the live console, driven by a `ReplayController` instead of a client."""

    CSS_PATH = Path(__file__).with_name("replay.tcss")
    COMMANDS = {ReplayCommands}
    BINDINGS = [
        # priority: the focused event log would take space (fold) and arrows first.
        Binding("space", "toggle_play", "Play/Pause", id="replay.play", priority=True,
                tooltip="Play at the recorded timing times the speed, or pause"),
        Binding("full_stop,right", "step(1)", "Step", id="replay.step_forward", priority=True,
                tooltip="Apply the next event"),
        Binding("comma,left", "step(-1)", "Back", id="replay.step_back", priority=True,
                tooltip="Go back one event"),
        Binding("right_square_bracket,plus", "faster", "Faster", id="replay.faster",
                tooltip="Replay faster"),
        Binding("left_square_bracket,minus", "slower", "Slower", id="replay.slower",
                tooltip="Replay slower"),
        Binding("g", "goto", "Go to", id="replay.goto", tooltip="Seek to an event number or a time"),
        Binding("n", "next_turn", "Next turn", id="replay.next_turn", tooltip="Seek to the next turn"),
        Binding("N", "previous_turn", "Prev turn", id="replay.previous_turn", show=False,
                tooltip="Seek to the previous turn"),
        Binding("e", "next_error", "Next error", id="replay.next_error", tooltip="Seek to the next error"),
        Binding("E", "previous_error", "Prev error", id="replay.previous_error", show=False,
                tooltip="Seek to the previous error"),
        Binding("s", "seek_selected", "Seek here", id="replay.seek_selected",
                tooltip="Move the replay to the event selected in the log"),
        Binding("ctrl+g", "diagnostics", "Diagnostics", id="replay.diagnostics", show=False,
                tooltip="List the recording's lint findings; enter selects one's event in the log"),
        Binding("ctrl+f", "search_log", "Search", id="replay.search_log", show=False,
                tooltip="Search the event log (free text)"),
        Binding("f6", "turns", "Turns", id="replay.turns", show=False,
                tooltip="Each turn's latency and cost, and the selected turn's timeline as a bar chart"),
        Binding("q,ctrl+q", "quit", "Quit", id="replay.quit", tooltip="Leave the replay"),
    ]

    def __init__(
        self,
        rec: Recording,
        *,
        speed: float = 1.0,
        audio: bool = True,
        output_device: Any = None,
        clock: Callable[[], float] | None = None,
        autoplay: bool = False,
        start: tuple[str, float] | None = None,
    ) -> None:
        """Args:
        start: where to put the cursor first, as `parse_target` returns it ("event", n)
            or ("time", seconds), or ("file", k): the first event of the chain's file k;
            applied as soon as that part of the recording is indexed. By default a chain
            opened from a later file starts at that file's first event (`rec.given`).
        """
        super().__init__(id="replay")
        self.rec = rec
        header = rec.header or {}
        label = f"replay: {rec.path.name}"
        if len(rec.paths) > 1:
            label += f" (+{len(rec.paths) - 1} reconnected file(s))"
        if header.get("endpoint"):
            label += f" · {header['endpoint']}"
        self.controller = ReplayController(rec, speed=speed, clock=clock, endpoint_label=label)
        self.store = EventStore(start_time=0.0, payload_reader=self._payload)
        self.store.image_reader = self._recorded_event
        #: The log's marks: every event is linted as it reaches the store, and where a
        #: chain's next file (a reconnect) starts is noted the same way.
        self.lint = LintMarks(rec.protocol, times_known=rec.times_known, start_epoch=rec.start_epoch)
        self.speaker = Speaker(device=output_device, enabled=audio)
        self.item_actions = ReplayItemActions(
            self.controller, self.speaker, self.show_notice, lambda text: self.app.copy_to_clipboard(text)
        )
        self.mic_ring = RingBuffer(RATE * 4)
        #: The model waveform's source while paused after a jump (the speaker's while playing).
        self.preview_ring = RingBuffer(RATE * 4)
        self.autoplay = autoplay
        if start is None and rec.given:
            start = ("file", float(rec.given))
        self._pending_start = start
        self.indexing = True
        self.loaded = 0  # events appended to the store (store row N = recording event N)
        self._cancel = threading.Event()
        #: perf_counter() of the first frame and of the end of indexing (for the benchmark).
        self.painted_at: float | None = None
        self.indexed_at: float | None = None
        self.log_loaded_at: float | None = None
        self._log_slots = threading.Semaphore(LOG_AHEAD)
        #: Every turn's timeline and cost, fed each event as it is loaded for the log (the
        #: whole recording, not only up to the cursor): the turn view (F6) reads it.
        self.timelines = TurnTimelines()

    # --- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status")
        yield ReplayBar(id="replay-bar")
        with Horizontal(id="body"):
            # RowSelected comes up to `_row_selected`: the detail follows the replay cursor
            yield LogPane(self.store, detail_follows_selection=False, findings=self.lint.by_event)
            with Vertical(id="talk-pane"):
                yield ConversationView(id="conversation")
                with Horizontal(id="waves"):
                    yield Waveform(self.mic_ring, label="mic", id="mic-wave")
                    # paused: a still picture of the audio at the cursor; playing: the speaker
                    yield Waveform(self.preview_ring, label="model", id="model-wave")
        yield Static("", id="notice")
        yield ConsoleFooter(SHORT_LABELS)

    async def on_mount(self) -> None:
        self.conversation_sync = ConversationSync(self.query_one(ConversationView), self.controller)
        log = self.query_one(EventLog)
        self.log_sync = LogSync(log, self.query_one(EventDetail), self.controller)
        log.border_title = "events (all; the replay cursor is the selected row)"
        log.follow = False
        self.query_one(EventDetail).border_title = "event detail"
        self.query_one(ConversationView).border_title = "conversation (as of the cursor)"
        log.focus()
        await self.speaker.start(fallback=True)
        if self.speaker.problem:
            self.show_notice(f"audio unavailable ({self.speaker.problem}); replaying silently", "warning")
        self._load_initial()
        self._index()
        self.set_interval(1 / TICK_HZ, self._tick, name="replay-tick")
        self.set_interval(1 / DETAIL_HZ, self.log_sync.show_due_detail, name="replay-detail")
        self.refresh_status()
        self.refresh_position()
        self.call_after_refresh(self._painted)
        self._try_start()

    def _painted(self) -> None:
        if self.painted_at is None:
            self.painted_at = time.perf_counter()

    def _try_start(self) -> None:
        """Apply `start` (and autoplay) once the events it names are indexed."""
        if self._pending_start is not None:
            kind, value = self._pending_start
            n = len(self.rec)
            if kind == "file":
                reachable = self._file_start(int(value)) is not None
            else:
                reachable = (value < n) if kind == "event" else (n and self.rec.time_of(n - 1) >= value)
            if not reachable and self.indexing:
                return
            self._pending_start = None
            if kind == "event":
                self.seek(int(value))
            elif kind == "file":
                self._start_at_file(int(value))
            else:
                self.seek_time(value)
        if self.autoplay:
            self.autoplay = False
            self.action_toggle_play()

    def _file_start(self, k: int) -> int | None:
        """The event where the chain's file `k` starts, once it is indexed (None before)."""
        starts = self.rec.file_starts
        if k >= len(starts) or (starts[k] >= len(self.rec) and self.indexing):
            return None
        return starts[k]

    def _start_at_file(self, k: int) -> None:
        """Seek to the first event of the chain's file `k` (the file the user named) and say
        so: the files before it are there to seek back into."""
        first = self._file_start(k)
        if first is None:
            return  # indexing stopped before that file: the replay stays at the start
        paths = self.rec.paths
        self.seek(first, f"{paths[k].name} is file {k + 1} of {len(paths)} of this reconnected session: "
                         "the replay starts at its first event (g 0 goes back to the session's start)")

    async def on_unmount(self) -> None:
        self._cancel.set()
        await self.speaker.stop()

    def _recorded_event(self, index: int) -> dict[str, Any] | None:
        """Event `index` as recorded (its images whole), for copying it."""
        try:
            return self.rec.event(index)
        except (IndexError, ValueError):
            return None

    def _payload(self, index: int) -> str | None:
        """The real base64 audio of event `index`, read back from the recording."""
        try:
            event = self.rec.event(index)
        except (IndexError, ValueError):
            return None
        for key in ("audio", "delta"):
            if isinstance(event.get(key), str):
                return str(event[key])
        return None

    # --- indexing and the log ---------------------------------------------------------------

    def _load_initial(self) -> None:
        """The events the CLI's first 64 KiB scan found: shown before the worker starts."""
        self._append_events(0, log_events(self.rec, 0, len(self.rec)))

    @work(thread=True, exclusive=True, group="replay-index", exit_on_error=False)
    def _index(self) -> None:
        """Index the rest of the file, then read its events for the log (worker thread).

        Indexing first (one fast pass) makes navigation complete within seconds; the log
        fills in afterwards, at most `LOG_AHEAD` batches ahead of the UI (backpressure,
        so parsed events never pile up in the message queue).
        """
        index_then_load(self.rec, self.post_message, self._cancel, self._log_slots)

    @on(IndexProgressed)
    def _progressed(self, message: IndexProgressed) -> None:
        self.query_one(ReplayBar).show_progress(message.done, message.total, "indexing")
        if self._pending_start is not None:
            self._try_start()  # a big chain: at the named file as soon as it is indexed

    @on(EventsLoaded)
    def _events_loaded(self, message: EventsLoaded) -> None:
        self._log_slots.release()
        if message.first != self.loaded:
            return  # a stale batch (cannot happen with one worker; guards the 1:1 row mapping)
        self._append_events(message.first, message.events)
        if not self.indexing:
            self.query_one(ReplayBar).show_progress(self.loaded, len(self.rec), "loading the log")
            if self.loaded >= len(self.rec) and self.log_loaded_at is None:
                self.log_loaded_at = time.perf_counter()
        self._finish_lint()

    def _append_events(self, first: int, events: list[tuple[str, dict[str, Any], float]]) -> None:
        store = self.store
        timelines = self.timelines
        for n, (source, event, t) in enumerate(events, start=first):
            store.append(source, event, t)
            timelines.observe(n, source, event, t)
        self.lint.observe_all(first, events)
        self.loaded = first + len(events)
        log = self.query_one(EventLog)
        log.refresh_new()
        log.new_rows = 0  # the replay marks its cursor; "N new" would only be noise
        if self.controller.cursor >= 0 and log.selected_event() != self.controller.cursor:
            self.log_sync.mark_cursor()
        self.refresh_position()
        if self._pending_start is not None and self.is_mounted:
            self._try_start()

    @on(IndexFinished)
    def _finished(self, message: IndexFinished) -> None:
        self.indexed_at = time.perf_counter()
        self.indexing = False
        self.lint.add_notes(reconnect_marks(self.rec))
        self.controller.indexing_done = True
        self.query_one(ReplayBar).show_progress(self.loaded, len(self.rec), "loading the log")
        if self.loaded >= len(self.rec):
            self.log_loaded_at = self.indexed_at
        warnings = self.rec.warnings()
        if message.error:
            warnings.insert(0, message.error)
        if warnings:
            self.show_notice("; ".join(warnings), "warning")
        elif not self.rec.header:
            self.show_notice("this log has no header: endpoint and model are unknown", "information")
        self.refresh_position()
        self._finish_lint()
        self._try_start()

    def _finish_lint(self) -> None:
        """Once the whole recording is in the log, the linter reports what only the end can
        tell (a response never done, an output never sent)."""
        if not self.indexing and self.loaded >= len(self.rec) and not self.lint.finished:
            self.lint.finish()
            self.query_one(EventLog).refresh_new()
            self.refresh_status()

    # --- the cursor -------------------------------------------------------------------------

    def _tick(self) -> None:
        update = self.controller.tick()
        if update is not None:
            self.apply_update(update, playing=True)
            if update.ended:
                self.show_notice("end of the recording")
                self._preview_waveforms()

    def apply_update(self, update: ReplayUpdate | None, *, playing: bool = False) -> None:
        """Redraw what a controller move changed."""
        if update is None:
            return
        ctl = self.controller
        if not playing:
            self.speaker.interrupt()
        for samples in update.input_audio:
            self.mic_ring.write(samples)
        for item_id, samples in update.output_audio:
            if self.speaker.buffered_ms < MAX_AUDIO_LAG_MS:
                self.speaker.enqueue(item_id, samples)
        self.conversation_sync.apply(update)
        self.query_one("#mic-wave", Waveform).vad_active = ctl.vad_active
        model_wave = self.query_one("#model-wave", Waveform)
        if playing:
            if model_wave.ring is not self.speaker.level_ring:
                model_wave.ring = self.speaker.level_ring
        elif update.moved or update.reset:
            self._preview_waveforms()
        if update.moved or update.reset:
            self.log_sync.mark_cursor()
            self.refresh_status()
        self.refresh_position()

    def _preview_waveforms(self) -> None:
        """After a jump, draw the audio that ends at the cursor (see `audio_at_cursor`)."""
        user, assistant = audio_at_cursor(self.controller, RATE * 2)
        self.mic_ring.write(user)
        self.preview_ring.write(assistant)
        self.query_one("#model-wave", Waveform).ring = self.preview_ring

    def refresh_status(self) -> None:
        ctl = self.controller
        stats = ctl.stats
        stats.turn_mode = "ptt" if ctl.rebuilder.manual_turns else "vad"
        stats.lint_findings = self.lint.count_through(ctl.cursor)
        self.query_one(StatusHeader).show(stats, ctl.epoch)

    def refresh_position(self) -> None:
        ctl = self.controller
        turn, turns = ctl.turn_number()
        cursor = ctl.cursor
        self.query_one(ReplayBar).show(
            ReplayPosition(
                playing=ctl.playing,
                speed=ctl.speed,
                cursor=cursor,
                events=len(self.rec),
                time=ctl.time,
                duration=self.rec.duration,
                turn=turn,
                turns=turns,
                event_type=self.rec.type_of(cursor) if cursor >= 0 else "",
                indexing=self.indexing,
                ended=not ctl.playing and not self.indexing and cursor >= len(self.rec) - 1,
                file=self.rec.file_of(cursor) + 1,
                files=len(self.rec.paths),
            )
        )

    def show_notice(self, text: str, severity: str = "information") -> None:
        notice = self.query_one("#notice", Static)
        notice.update(text)
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")

    # --- messages up from the widgets ---------------------------------------------------

    @on(EventLog.RowSelected)
    def _row_selected(self, message: EventLog.RowSelected) -> None:
        self.log_sync.row_selected(message.event_index)

    @on(ConversationView.NoteSelected)
    def _note_selected(self, message: ConversationView.NoteSelected) -> None:
        if message.event_index is not None:
            self.query_one(LogPane).reveal(message.event_index)  # its RowSelected: above

    @on(EventLog.OpenRequested)
    def _open_event(self, message: EventLog.OpenRequested) -> None:
        """`o` in the log: the event full-screen; esc comes back with the log (and the
        replay cursor) as they were."""
        open_event_detail(self.query_one(LogPane), message.event_index, reveal_on_back=False)

    # the rest of the log pane's wiring (search, links): see `LogPane`

    # the conversation cards' own actions: see `ReplayItemActions`

    @on(ConversationView.PlayRequested)
    def _play_item(self, message: ConversationView.PlayRequested) -> None:
        self.item_actions.play(message.item_id)

    @on(ConversationView.SaveRequested)
    def _save_item(self, message: ConversationView.SaveRequested) -> None:
        self.item_actions.save(message.item_id)

    @on(ConversationView.DeleteRequested)
    def _delete_item(self, message: ConversationView.DeleteRequested) -> None:
        self.item_actions.delete(message.item_id)

    @on(ConversationView.CopyRequested)
    def _copy_item(self, message: ConversationView.CopyRequested) -> None:
        self.item_actions.copy(message.item_id, message.text)

    # --- actions (keys and the command palette) --------------------------------------------

    def action_toggle_play(self) -> None:
        ctl = self.controller
        if not ctl.playing and ctl.cursor >= len(self.rec) - 1 and not self.indexing:
            self.apply_update(ctl.seek(-1))  # at the end: play again from the start
        if not ctl.toggle():
            self.speaker.interrupt()
            self._preview_waveforms()  # a still picture: the speaker's ring only scrolls silence
        self.refresh_position()

    def action_step(self, count: int) -> None:
        self.apply_update(self.controller.step(count))

    def action_faster(self) -> None:
        self.controller.faster()
        self.show_notice(f"speed {self.controller.speed:g}×")
        self.refresh_position()

    def action_slower(self) -> None:
        self.controller.slower()
        self.show_notice(f"speed {self.controller.speed:g}×")
        self.refresh_position()

    def seek(self, event: int, notice: str | None = None) -> None:
        """Make event `event` current (clamped), keeping play/pause as it is; `notice` is
        shown once it is there.

        A seek that must apply many events (far forward the first time, or far from any
        checkpoint) runs in steps on the event loop, with its progress in the notice line,
        so the screen keeps drawing instead of freezing.
        """
        ctl = self.controller
        target = ctl.clamp(event)
        if target - ctl.seek_base(target) > 2 * SEEK_CHUNK:
            self.run_worker(self._seek_in_steps(target, notice), group="replay-seek", exclusive=True)
        else:
            self.apply_update(ctl.seek(target))
            if notice:
                self.show_notice(notice)

    async def _seek_in_steps(self, target: int, notice: str | None = None) -> None:
        ctl = self.controller
        base = ctl.seek_base(target)
        update = ReplayUpdate()
        reached = base
        while reached < target:
            reached = min(target, reached + SEEK_CHUNK)
            update.absorb(ctl.seek(reached))
            if ctl.cursor != reached:
                break  # another move happened meanwhile: it wins
            self.show_notice(f"seeking to event #{target:,}: {reached - base:,} of {target - base:,} events applied")
            self.refresh_position()
            await asyncio.sleep(0.005)  # let the screen draw
        self.apply_update(update)
        self.show_notice(notice if notice and ctl.cursor == target else f"at event #{ctl.cursor:,}")

    def seek_time(self, seconds: float) -> None:
        """Make the last event at or before `seconds` (recording time) current."""
        n = len(self.rec)
        if n:
            self.seek(int(np.searchsorted(self.rec.index.times[:n], seconds, side="right")) - 1)

    def action_goto(self) -> None:
        def chosen(target: tuple[str, float] | None) -> None:
            if target is None:
                return
            kind, value = target
            if kind == "event":
                if value >= len(self.rec):
                    self.show_notice(f"no event #{int(value)}: the recording has {len(self.rec):,}"
                                     + (" so far (still indexing)" if self.indexing else ""), "warning")
                self.seek(int(value))
            else:
                self.seek_time(value)

        self.app.push_screen(SeekPrompt(len(self.rec), self.rec.duration), chosen)

    def _jump(self, target: int | None, what: str) -> None:
        if target is None:
            self.show_notice(f"no {what}", "warning")
            return
        self.seek(target)
        if self.controller.cursor == target:
            self.show_notice(f"{what}: event #{target:,} {self.rec.type_of(target)}")

    def action_next_turn(self) -> None:
        self._jump(self.controller.turn_target(True), "next turn")

    def action_previous_turn(self) -> None:
        self._jump(self.controller.turn_target(False), "previous turn")

    def action_next_error(self) -> None:
        self._jump(self.controller.error_target(True), "next error")

    def action_previous_error(self) -> None:
        self._jump(self.controller.error_target(False), "previous error")

    def action_seek_selected(self) -> None:
        selected = self.query_one(EventLog).selected_event()
        if selected is None:
            self.show_notice("select an event in the log first", "warning")
            return
        self.seek(selected)

    def action_seek_start(self) -> None:
        self.seek(-1)

    def action_seek_end(self) -> None:
        self.seek(len(self.rec) - 1)

    def action_diagnostics(self) -> None:
        """Every lint finding of the recording; the one chosen is selected in the log (the
        cursor stays: `s` seeks there)."""
        open_diagnostics(self.query_one(LogPane), self.lint.findings)

    def action_search_log(self) -> None:
        self.query_one(LogPane).focus_search()

    def turn_rows(self) -> list[dict[str, Any]]:
        """Each loaded turn's timeline and cost, priced as the header prices."""
        return self.timelines.rows(self.rec.model or self.controller.stats.model or None, DEFAULT_PRICE_TABLE)

    def action_turns(self) -> None:
        """The turn view, on the turn at the cursor; enter seeks to the chosen turn."""

        def chosen(index: int | None) -> None:
            if index is not None:
                self.seek(index)

        turn, _ = self.controller.turn_number()
        self.app.push_screen(TurnsScreen(self.turn_rows, selected=turn or None), chosen)

    def action_focus_log(self) -> None:
        self.query_one(LogPane).focus_log()

    def action_focus_conversation(self) -> None:
        cards = list(self.query_one(ConversationView).children)
        (cards[-1] if cards else self.query_one(ConversationView)).focus()

    async def action_quit(self) -> None:
        self._cancel.set()
        self.app.exit(0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Single keys go to the search box while it has focus (they are priority keys)."""
        if action in ("toggle_play", "step") and isinstance(self.focused, Input):
            return False
        return True


class ReplayApp(KeyedApp):
    """`realtime-console replay FILE`: one `ReplayScreen` over an opened recording."""

    TITLE = "realtime-console replay"
    COMMANDS = App.COMMANDS | {ReplayCommands}

    def __init__(
        self,
        rec: Recording,
        *,
        speed: float = 1.0,
        audio: bool = True,
        output_device: Any = None,
        clock: Callable[[], float] | None = None,
        autoplay: bool = False,
        start: tuple[str, float] | None = None,
        theme: str = "textual-dark",
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(keymap=keymap)
        self.replay = ReplayScreen(rec, speed=speed, audio=audio, output_device=output_device, clock=clock,
                                   autoplay=autoplay, start=start)
        self._theme_name = theme

    async def on_mount(self) -> None:
        self.theme = self._theme_name
        await self.push_screen(self.replay)
