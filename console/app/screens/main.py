"""The main screen: status header, event log + detail, conversation, waveforms, input line.

It coordinates and nothing else: the bridge's `BridgeFlushed` batches become method calls
on the widgets (attributes down), the widgets' messages (row selected, item action
requested, text or command submitted) become calls on the app (messages up). No widget
talks to a sibling.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from console.app.host import ConsoleHost
from console.app.screens.conversation_sync import LiveConversationSync
from console.app.screens.diagnostics import open_diagnostics
from console.app.screens.event_detail_screen import open_event_detail
from console.app.screens.footer_labels import NARROW_DROP, PANE_KEYS, SHORT_LABELS
from console.app.screens.turns import TurnsScreen
from console.app.messages import BridgeFlushed, ConnectionChanged, StatusNoted
from widgets.console_footer import ConsoleFooter
from widgets.conversation_view import ConversationView
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.input_line import InputLine
from widgets.log_pane import LogPane
from widgets.memory_pane import MemoryPane
from widgets.status_header import StatusHeader
from widgets.waveform import Waveform

#: Streaming text in the conversation is redrawn at most this often: a card's re-layout
#: costs far more than a log row, and speech runs at ~3 words/s, so 5 Hz reads as live
#: (bench/bench_app.py: p99 event-loop lag at 500 events/s halves from 10 Hz to 5 Hz).
#: New items and notes show at once.
ITEM_REFRESH_S = 0.2

#: Waveform frame rate: 20-30 fps reads as live; 20 leaves the event loop more room
#: (bench/bench_app.py measures the difference in event-loop lag).
WAVE_FPS = 20.0



class MainScreen(Screen[None]):
    """The console's one main screen (editors are pushed on top of it)."""

    BINDINGS = [
        Binding("ctrl+f", "search_log", "Search log", id="main.search_log", tooltip="Search the event log (free text)"),
        # Shown, so moving between the panes is discoverable: the footer shortens them, or
        # leaves them out, on narrow terminals (`footer_labels`); the palette lists them too.
        Binding("ctrl+l", "focus_log", "Log", id="main.focus_log",
                tooltip="Focus the event log (then t types, d direction, f follow, o open, c copy)"),
        Binding("ctrl+o", "focus_conversation", "Conversation", id="main.focus_conversation",
                tooltip="Focus the conversation (then p play, w save, x delete, y copy)"),
        Binding("ctrl+n", "focus_input", "Input", id="main.focus_input", tooltip="Focus the input line"),
        # Not in the footer (it has no room left at 80 columns); the palette lists it.
        Binding("ctrl+g", "diagnostics", "Diagnostics", id="main.diagnostics", show=False,
                tooltip="List the session's lint findings; enter selects one's event in the log"),
        Binding("f6", "turns", "Turns", id="main.turns", show=False,
                tooltip="Each turn's latency and cost, and the selected turn's timeline as a bar chart"),
    ]

    #: `-narrow` (app.tcss stacks the conversation under the event log) below 100 columns;
    #: `-short` (the detail pane only while the log has focus, no waveforms) below 32 rows.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    app: ConsoleHost  # type: ignore[assignment]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        #: How many responses had started when the notice was shown (see `show_notice`).
        self._notice_turn = 0

    def apply_pending_items(self) -> None:
        """Redraw the conversation cards whose items changed (the 5 Hz refresh does this)."""
        self._conversation.apply_pending()

    def compose(self) -> ComposeResult:
        app = self.app
        yield StatusHeader(id="status")
        with Horizontal(id="body"):
            yield LogPane(app.store, findings=app.session.findings_by_event)
            with Vertical(id="talk-pane"):
                conversation = ConversationView(id="conversation")
                self._conversation = LiveConversationSync(conversation, app.session)
                yield conversation
                yield MemoryPane(app.tools.memory, id="memory")
                with Horizontal(id="waves"):
                    yield Waveform(app.turns.source.level_ring if app.turns.source else None, label="mic", fps=WAVE_FPS, id="mic-wave")
                    yield Waveform(app.turns.speaker.level_ring if app.turns.speaker else None, label="model", fps=WAVE_FPS, id="model-wave")
        yield Static("", id="notice")
        yield InputLine(protocol=app.config.protocol, id="input")
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP, optional=PANE_KEYS)

    def on_mount(self) -> None:
        self.query_one("#log", EventLog).border_title = "events"
        self.query_one("#detail", EventDetail).border_title = "event detail"
        self.query_one("#conversation", ConversationView).border_title = "conversation"
        self.query_one("#input", InputLine).focus()
        # A blinking cursor repaints the bordered input twice a second (about 2 KB/s of
        # terminal output on an idle console, bench/bench_idle.py): a steady one costs nothing.
        self.query_one("#input", InputLine).cursor_blink = False
        self.set_interval(ITEM_REFRESH_S, self.apply_pending_items, name="conversation-refresh")
        self.watch(self, "focused", self._focus_moved)
        self.refresh_status()

    def _focus_moved(self, focused: Widget | None) -> None:
        """Mark the log pane `-active` while it has focus (app.tcss shows the detail then on
        short terminals; a `:focus-within` rule on the pane did not restyle the detail)."""
        pane = self.query_one("#log-pane")
        pane.set_class(focused is not None and pane in focused.ancestors_with_self, "-active")

    # --- from the bridge (data down) ----------------------------------------------------

    def refresh_status(self) -> None:
        """Redraw the header from the session's stats (also called once a second)."""
        if not self.is_mounted or not self.is_attached:
            return
        app = self.app
        app.session.stats.mic = app.turns.mic_state  # type: ignore[assignment]
        app.session.stats.mic_detail = app.turns.setup.mic_problem
        app.session.stats.turn_mode = app.turns.mode
        for header in self.query(StatusHeader):
            header.show(app.session.stats, app.clock())

    @on(BridgeFlushed)
    def _flushed(self, message: BridgeFlushed) -> None:
        changes = message.changes
        if changes.new_events:
            self.query_one(EventLog).refresh_new()
        self._conversation.take(changes)
        if changes.vad_speaking is not None:
            self.query_one("#mic-wave", Waveform).vad_active = changes.vad_speaking
        if changes.stats_changed:
            self.refresh_status()
        started = self.app.session.annotations.responses_started
        if started > self._notice_turn:  # a response started since: the notice is about an older turn
            self._notice_turn = started
            self.query_one("#notice", Static).update("")

    @on(ConnectionChanged)
    def _connection_changed(self, message: ConnectionChanged) -> None:
        self.refresh_status()
        if message.state == "failed":
            self.show_notice(f"connection failed: {message.detail}  (ctrl+r or /reconnect to retry)", "error")
        elif message.state == "disconnected":
            self.show_notice(message.detail, "warning")
        elif message.state == "connected":
            self.show_notice(f"connected to {self.app.config.endpoint_label}", "information")

    @on(StatusNoted)
    def _status_noted(self, message: StatusNoted) -> None:
        self.show_notice(message.text, message.severity)

    def show_notice(self, text: str, severity: str = "information") -> None:
        """One line above the input: command results, refusals, hints.

        It stays until the next response starts (then it is about an older turn and would
        mislead, e.g. "interrupted after 2.1 s" through the next answer) or another replaces it.
        """
        self._notice_turn = self.app.session.annotations.responses_started
        notice = self.query_one("#notice", Static)
        notice.update(Text(self.app.config.redact(text)))  # plain: `[text]` in a usage is not markup
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")

    # --- from the widgets (messages up) -------------------------------------------------

    # the log pane's own wiring (search, links, row -> detail): see `LogPane`

    @on(EventLog.OpenRequested)
    def _open_event(self, message: EventLog.OpenRequested) -> None:
        """`o` in the log: the event full-screen; back on esc with the log as it was, or
        with the event a link led to selected."""
        open_event_detail(self.query_one(LogPane), message.event_index)

    @on(ConversationView.NoteSelected)
    def _note_selected(self, message: ConversationView.NoteSelected) -> None:
        if message.event_index is not None:
            self.query_one(LogPane).reveal(message.event_index)

    @on(InputLine.TextSubmitted)
    def _text(self, message: InputLine.TextSubmitted) -> None:
        self.app.send_text(message.text)

    @on(InputLine.CommandSubmitted)
    async def _command(self, message: InputLine.CommandSubmitted) -> None:
        await self.app.run_command(message.command)

    @on(InputLine.CommandRefused)
    def _refused(self, message: InputLine.CommandRefused) -> None:
        self.show_notice(message.reason, "error")

    @on(ConversationView.PlayRequested)
    def _play(self, message: ConversationView.PlayRequested) -> None:
        self.app.play_item(message.item_id)

    @on(ConversationView.SaveRequested)
    def _save(self, message: ConversationView.SaveRequested) -> None:
        self.app.save_item_wav(message.item_id)

    @on(ConversationView.DeleteRequested)
    def _delete(self, message: ConversationView.DeleteRequested) -> None:
        self.app.delete_item(message.item_id)

    @on(ConversationView.CopyRequested)
    def _copy(self, message: ConversationView.CopyRequested) -> None:
        self.app.copy_text(message.text, what=f"item {message.item_id}")

    # --- actions ------------------------------------------------------------------------

    def action_search_log(self) -> None:
        self.query_one(LogPane).focus_search()

    def action_focus_log(self) -> None:
        self.query_one(LogPane).focus_log()

    def action_diagnostics(self) -> None:
        """Every lint finding of the session; the one chosen is selected in the log."""
        open_diagnostics(self.query_one(LogPane), self.app.session.findings)

    def action_turns(self) -> None:
        """Each turn's latency and cost, the selected one (the conversation's selected
        item's turn, else the newest) as a timeline chart; enter selects its first event."""
        session = self.app.session

        def chosen(index: int | None) -> None:
            if index is not None and 0 <= index < len(self.app.store):
                pane = self.query_one(LogPane)
                pane.reveal(index)
                pane.focus_log()

        selected = session.timelines.turn_of_item(self.query_one(ConversationView).selected_item_id())
        self.app.push_screen(TurnsScreen(session.turn_rows, selected=selected), chosen)

    def action_focus_conversation(self) -> None:
        cards = list(self.query_one(ConversationView).children)
        (cards[-1] if cards else self.query_one(ConversationView)).focus()

    def action_focus_input(self) -> None:
        self.query_one(InputLine).focus()

    def set_protocol(self, protocol: str) -> None:
        self.query_one(InputLine).protocol = protocol

    def conversation(self) -> ConversationView:
        return self.query_one(ConversationView)

    def event_log(self) -> EventLog:
        return self.query_one(EventLog)
