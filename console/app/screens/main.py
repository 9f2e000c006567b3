"""The main screen: status header, event log + detail, conversation, waveforms, input line.

It coordinates and nothing else: the bridge's `BridgeFlushed` batches become method calls
on the widgets (attributes down), the widgets' messages (row selected, item action
requested, text or command submitted) become calls on the app (messages up). No widget
talks to a sibling.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from console.app.host import ConsoleHost
from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
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

#: Waveform frame rate: the issue asks 20-30 fps; 20 leaves the event loop more room
#: (bench/bench_app.py measures the difference in event-loop lag).
WAVE_FPS = 20.0



class MainScreen(Screen[None]):
    """The console's one main screen (editors are pushed on top of it)."""

    BINDINGS = [
        Binding("ctrl+f", "search_log", "Search log", id="main.search_log", tooltip="Search the event log (free text)"),
        Binding("ctrl+l", "focus_log", "Log", id="main.focus_log", show=False, tooltip="Focus the event log"),
        Binding("ctrl+o", "focus_conversation", "Conversation", id="main.focus_conversation", show=False,
                tooltip="Focus the conversation (then p play, w save, x delete, y copy)"),
        Binding("ctrl+n", "focus_input", "Input", id="main.focus_input", show=False, tooltip="Focus the input line"),
    ]

    #: `-narrow` (app.tcss stacks the conversation under the event log) below 100 columns;
    #: `-short` (the detail pane only while the log has focus, no waveforms) below 32 rows.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]

    app: ConsoleHost  # type: ignore[assignment]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending_items: dict[str, None] = {}

    def apply_pending_items(self) -> None:
        """Redraw the conversation cards whose items changed (the 5 Hz refresh does this)."""
        if self._pending_items:
            self._apply_items(self.query_one(ConversationView))

    def _apply_items(self, conversation: ConversationView) -> None:
        """Re-render the cards of changed items (new ones are placed after their predecessor)."""
        session = self.app.session
        items = session.items()
        order = {item["id"]: i for i, item in enumerate(items)}
        for item_id in sorted(self._pending_items, key=lambda i: order.get(i, 1 << 30)):
            item = session.item(item_id)
            if item is None:
                continue
            index = order.get(item_id, 0)
            previous = items[index - 1]["id"] if index > 0 else None
            conversation.upsert_item(item, session.item_marks(item_id), after=previous)
        self._pending_items.clear()

    def compose(self) -> ComposeResult:
        app = self.app
        yield StatusHeader(id="status")
        with Horizontal(id="body"):
            yield LogPane(app.store)
            with Vertical(id="talk-pane"):
                yield ConversationView(id="conversation")
                yield MemoryPane(app.tools.memory, id="memory")
                with Horizontal(id="waves"):
                    yield Waveform(app.turns.source.level_ring if app.turns.source else None, label="mic", fps=WAVE_FPS, id="mic-wave")
                    yield Waveform(app.turns.speaker.level_ring if app.turns.speaker else None, label="model", fps=WAVE_FPS, id="model-wave")
        yield Static("", id="notice")
        yield InputLine(protocol=app.config.protocol, id="input")
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP)

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
        conversation = self.query_one(ConversationView)
        if message.conversation_reset:
            conversation.clear()
        if message.new_events:
            self.query_one(EventLog).refresh_new()
        self._pending_items.update(dict.fromkeys(message.changed_items))
        for item_id in message.removed_items:
            self._pending_items.pop(item_id, None)
            conversation.remove_item(item_id)
        # A note placed after no item came before every item (the conversation was empty):
        # show it before this batch's new items, so the pane keeps time order.
        first = [note for note in message.notes if note.after_item_id is None]
        for note in first:
            conversation.add_note(note.note_id, note.text, note.kind, None, note.event_index)
        if any(conversation.card(i) is None for i in self._pending_items) or message.notes:
            self._apply_items(conversation)  # new items and notes show at once, in order
        for note in message.notes:
            if note.after_item_id is not None:
                conversation.add_note(note.note_id, note.text, note.kind, note.after_item_id, note.event_index)
        if message.vad_speaking is not None:
            self.query_one("#mic-wave", Waveform).vad_active = message.vad_speaking
        if message.stats_changed:
            self.refresh_status()

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
        """One line above the input: command results, refusals, hints."""
        notice = self.query_one("#notice", Static)
        notice.update(self.app.config.redact(text))
        for level in ("information", "warning", "error"):
            notice.set_class(level == severity, f"-{level}")

    # --- from the widgets (messages up) -------------------------------------------------

    # the log pane's own wiring (search, links, row -> detail): see `LogPane`

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
