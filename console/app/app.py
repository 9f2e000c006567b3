"""`RealtimeConsoleApp`: the Textual application shell.

It owns the long-lived parts (event store, session and its bridge, turn controller, tool
registry), runs the ~30 Hz flush and 1 Hz clock timers, and implements every user action
once, so key bindings, slash commands and the command palette all call the same methods.
Everything that could fail in front of the user (connecting, sending, saving a file)
ends as a line in the notice bar or the conversation, never as a traceback.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import re
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from console.app.commands import ConsoleCommands
from console.app.keyed_app import KeyedApp
from console.config import ConsoleConfig, backend_word
from console.session.conversation_payloads import ConversationPayloads
from console.session.event_store import EventStore
from console.app.messages import StatusNoted
from console.recording.readback import RecordingReadback
from console.app.screens.main import MainScreen
from console.app.screens.approval import make_approval_prompt
from console.app.screens.manual_tool_output import make_manual_prompt
from console.app.bridge import FLUSH_HZ, SessionBridge
from console.session.continuation import Continuation
from console.session.live import LiveSession
from console.session.slash import SlashCommand, help_text
from console.audio.turns import TurnController, open_audio


F = TypeVar("F", bound=Callable[..., Any])


def reported(method: F) -> F:
    """Turn an unexpected exception in a user action into a notice: never a traceback.

    Works for plain and async methods; the app keeps running with the error shown.
    """
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def async_wrapper(self: "RealtimeConsoleApp", *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - shown to the user instead
                self.notice(f"{method.__name__.strip('_').replace('_', ' ')} failed: {exc}", "error")
                return None

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(method)
    def wrapper(self: "RealtimeConsoleApp", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - shown to the user instead
            self.notice(f"{method.__name__.strip('_').replace('_', ' ')} failed: {exc}", "error")
            return None

    return wrapper  # type: ignore[return-value]


class RealtimeConsoleApp(KeyedApp):
    """Inspect and steer one Realtime session."""

    CSS_PATH = "app.tcss"
    TITLE = "realtime-console"
    COMMANDS = App.COMMANDS | {ConsoleCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Leave the console"),
        Binding("f2", "talk", "Talk", id="app.talk", priority=True,
                tooltip="Push-to-talk: start recording; press again to send and get a response"),
        Binding("f3", "interrupt", "Interrupt", id="app.interrupt", priority=True,
                tooltip="Stop the model's voice and cancel the response, truncating what was not heard"),
        Binding("f4", "toggle_turn_mode", "VAD/PTT", id="app.turn_mode", priority=True,
                tooltip="Switch between server VAD and push-to-talk"),
        Binding("ctrl+e", "session_editor", "Session", id="app.session_editor", priority=True,
                tooltip="Edit the session"),
        Binding("ctrl+t", "tool_editor", "Tools", id="app.tool_editor", tooltip="Edit the function tools"),
        Binding("ctrl+r", "reconnect", "Reconnect", id="app.reconnect", tooltip="Connect again (a new session)"),
    ]

    def __init__(self, config: ConsoleConfig, *, clock: Callable[[], float] = time.time,
                 autoconnect: bool = True) -> None:
        super().__init__(keymap=config.keymap)
        self.config = config
        self.clock = clock
        self.autoconnect = autoconnect
        self.store = EventStore()
        #: Audio payloads for the log's detail pane and copy, read back from the recording
        #: (the store keeps markers only); with `--no-record`, output audio only, sliced
        #: from the conversation's arrays.
        self.readback = RecordingReadback(self.store)
        #: The session this app shows (today: the one it makes itself).
        self.session = LiveSession(config, self.store, clock=clock)
        self.bridge = SessionBridge(self.session, self._post_to_main)
        if config.record is not None:
            self.store.payload_reader = self.readback.payload
            self.store.image_reader = self.readback.event
            self.store.payload_missing = "the recording does not hold this event (recording stopped or failed)"
        else:  # only the model's audio is still in memory, in the conversation
            payloads = ConversationPayloads(self.store, lambda: self.session.client)
            self.session.event_listeners.append(payloads.observe)
            self.store.payload_reader = payloads.payload
            self.store.image_reader = payloads.images
            self.store.payload_source = "the conversation's audio"
            self.store.payload_missing = ("this session is not recorded (--no-record), and only the model's audio "
                                          "still in the conversation can be read back")
        self.turns = TurnController(self.session, open_audio(config), config.turn_mode)
        self.turns.on_change = self._turns_changed
        self.tools = config.tools
        self.tools.manual_prompt = make_manual_prompt(self)
        self.tools.approval_prompt = make_approval_prompt(self)
        self.main = MainScreen(id="main")
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._frozen = False
        self._remember_theme = False
        self.recorder: Any = None
        #: Where a reconnected session's recording moves on to a new file.
        self.continuation = Continuation()
        self.session.reconnect_listeners.append(self._on_reconnect_phase)
        #: True once `on_mount` finished setting up (audio started, start-up notes added).
        self.started = False

    # --- lifecycle ----------------------------------------------------------------------

    def _post_to_main(self, message: Any) -> None:
        self.main.post_message(message)

    async def on_mount(self) -> None:
        self.theme = self.config.theme
        # Set after the configured theme, so only a later change (the palette's theme
        # picker) is written back to the settings file.
        self._remember_theme = True
        await self.push_screen(self.main)
        self.call_after_refresh(self._freeze_startup_objects)
        self.set_interval(1 / FLUSH_HZ, self.bridge.flush, name="bridge-flush")
        self.set_interval(1.0, self.main.refresh_status, name="status-clock")
        self._start_recording()
        problems = await self.turns.start()
        for problem in problems:
            self.session.add_note("info", problem)
        if self.turns.setup.mic_problem and not self.config.no_audio:
            self.session.add_note("info", f"microphone unavailable: {self.turns.setup.mic_problem}; text and received audio still work")
        if self.config.offline:
            self.session.add_note("info", "offline: no OPENAI_API_KEY, so the console runs on the local simulator")
        if self.autoconnect:
            self.spawn(self.session.connect())
        self.started = True

    def _freeze_startup_objects(self) -> None:
        """Move everything alive after the first paint out of the garbage collector's sight.

        Textual's widgets, styles and bindings are tens of thousands of long-lived objects;
        each full (generation 2) collection walks all of them on the event loop, which was
        the worst stall during a live session (~110 ms, versus ~20 ms frozen: measured by
        the event-log work). They live as long as the app, so
        freezing them once costs nothing; `shutdown` unfreezes, so a process that runs
        several apps (the test suite, replay then console) can still collect them.
        """
        if not self._frozen:
            self._frozen = True
            gc.freeze()

    def _start_recording(self) -> None:
        """Record every event of the session to `config.record` (None: `--no-record`).

        Every session is recorded, so the path is decided by the
        options (a default file under the XDG state directory unless told otherwise) and
        shown in the header. Failing to open or, later, to write the file stops the
        recording with a message, never the session: a full disk must not end a
        debugging session.
        """
        path = self.config.record
        if path is None:
            self.session.stats.recording = "off"
            self.session.mark_stats_changed()
            return
        self._open_recorder(path)

    def _open_recorder(self, path: Path, continues: dict[str, Any] | None = None) -> None:
        from console.recording.writer import SessionRecorder

        stats = self.session.stats
        self.session.mark_stats_changed()
        try:
            self.recorder = SessionRecorder(path, endpoint=self.config.endpoint_label,
                                            protocol=self.config.protocol, model=self.config.model,
                                            header_extra={"continues": continues} if continues else None)
        except OSError as exc:
            stats.recording = "stopped"
            self.session.add_note("error", f"cannot record to {path}: {exc.strerror or exc}; the session goes on unrecorded")
            return
        self.readback.adopt(self.recorder)
        stats.recording, stats.recording_path = "on", str(path)
        self.session.event_listeners.append(self._record)
        if continues:
            self.session.add_note("info", f"⟳ the recording continues in {path} (linked to {continues['file']})")
        else:
            self.session.add_note("info", f"recording to {path}")

    def _record(self, payload: dict[str, Any]) -> None:
        if self.recorder is None:
            return
        # The session calls its listeners just before appending to the store, so the
        # event's store index is the store's length now.
        index = len(self.store)
        if not self.continuation.observe(index, payload):
            self._write(index, payload)

    def _on_reconnect_phase(self, phase: str, payload: dict[str, Any]) -> None:
        """The library reconnects by itself: from the new session on, the recording goes
        on in a new file linked to this one (see `Continuation`)."""
        if phase == "reconnecting":
            self.continuation.start(payload)
        elif phase == "reconnected":
            link, held = self.continuation.finish(payload)
            if link is not None and self.recorder is not None:
                self._continue_recording(link, payload.get("session_id"))
            for index, event in held:
                self._write(index, event)
        else:  # the reconnect gave up: what it held stays in this file
            for index, event in self.continuation.release():
                self._write(index, event)

    def _continue_recording(self, link: dict[str, Any], session_id: Any) -> None:
        """Close this file with a trailer naming the next, and open the next with a
        header naming this one (`replay`/`inspect` follow the links as one session)."""
        recorder = self.recorder
        self.recorder = None
        if self._record in self.session.event_listeners:
            self.session.event_listeners.remove(self._record)
        path = self._next_path(recorder.path)
        recorder.finish_continued(path, session_id if isinstance(session_id, str) else None)
        self._open_recorder(path, {"file": recorder.path.name, **link})

    def _write(self, index: int, payload: dict[str, Any]) -> None:
        """Append one event to the recording and tell the read-back where its line is."""
        recorder = self.recorder
        if recorder is None:
            return
        line = recorder.events_written
        try:
            recorder.on_realtime_event(payload)
        except Exception as exc:  # noqa: BLE001 - any recorder failure ends the recording, not the session
            self.recorder = None
            recorder.finish()  # what it did record stays readable for the log
            self.session.stats.recording = "stopped"
            self.session.mark_stats_changed()
            self.session.add_note("error", f"recording to {recorder.path} stopped: {exc}; the session goes on unrecorded")
            return
        self.readback.recorded(index, recorder, line)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a coroutine in the background, keeping a reference until it ends."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.notice(f"error: {task.exception()}", "error")

    async def shutdown(self) -> None:
        """Close audio, the connection and the simulator (idempotent)."""
        if self._closed:
            return
        self._closed = True
        await self.turns.stop()
        await self.session.close()
        for index, payload in self.continuation.release():
            self._write(index, payload)
        if self.recorder is not None:
            self.recorder.close()
        self.readback.close()
        if self._frozen:
            self._frozen = False
            gc.unfreeze()

    async def action_quit(self) -> None:
        await self.shutdown()
        self.exit(0)

    async def on_unmount(self) -> None:
        await self.shutdown()

    def notice(self, text: str, severity: str = "information") -> None:
        """Show one line in the notice bar (thread-unsafe; call from the UI loop)."""
        self.main.post_message(StatusNoted(text, severity))

    def _turns_changed(self) -> None:
        self.session.mark_stats_changed()

    def _client(self) -> Any:
        client = self.session.client
        if client is None or not client.is_connected():
            self.notice("not connected: ctrl+r or /reconnect", "warning")
            return None
        return client

    # --- actions (bindings, palette and slash commands all land here) -------------------

    @reported
    def send_text(self, text: str) -> None:
        """Send a user text message and ask for a response."""
        if client := self._client():
            client.send_user_message_content([{"type": "input_text", "text": text}])

    @reported
    def send_image(self, path: str, text: str = "") -> None:
        """Send an image file (then `text`, if any) as one user message and ask for a
        response; a missing, unreadable, wrong-typed or oversized file is one line in the
        notice bar and nothing is sent."""
        from console.realtime.images import ImageError, image_part

        if client := self._client():
            try:
                # Checked here for the notice's label; the client is given the path (it
                # reads the small file again) so that the conversation shows its name.
                _, info = image_part(Path(path))
                content: list[dict[str, Any]] = [{"type": "input_image", "image_url": Path(path)}]
                if text:
                    content.append({"type": "input_text", "text": text})
                client.send_user_message_content(content)
            except ImageError as exc:
                self.notice(f"/image: {exc}", "error")
                return
            self.notice(f"sent image {info.label()}")

    @reported
    def action_talk(self) -> None:
        self.notice(self.turns.toggle_talk())

    @reported
    def action_interrupt(self) -> None:
        if self._client():
            self.notice(self.turns.interrupt())

    def action_toggle_turn_mode(self) -> None:
        self.set_turn_mode("ptt" if self.turns.mode == "vad" else "vad")

    @reported
    def set_turn_mode(self, mode: str) -> None:
        if self._client():
            self.notice(self.turns.set_mode(mode))

    def action_reconnect(self) -> None:
        self.spawn(self.reconnect())

    async def reconnect(self) -> None:
        await self.session.disconnect()
        self._next_recording()
        await self.session.connect()

    def _next_recording(self) -> None:
        """A reconnect starts a new Realtime session, so it gets a new recording file.

        One file per session keeps each recording replayable on its own (a replay rebuilds
        one conversation). In the default directory the new file gets a fresh readable
        name; next to an explicit `--record FILE` it is `FILE-2.jsonl`, `-3`, ... A file
        that holds no event yet (the first connection failed) is simply kept.
        """
        for index, payload in self.continuation.release():
            self._write(index, payload)
        recorder = self.recorder
        if recorder is None or recorder.events_written == 0:
            return
        self.recorder = None
        recorder.finish()  # the log still reads its payloads back; `shutdown` closes it
        if self._record in self.session.event_listeners:
            self.session.event_listeners.remove(self._record)
        self._open_recorder(self._next_path(recorder.path))

    def _next_path(self, old: Path) -> Path:
        """The file after `old`: a fresh readable name in the default directory, else
        `FILE-2.jsonl`, `-3`, ... next to an explicit `--record FILE`."""
        from console.recording.paths import default_path, sessions_dir

        if old.parent == sessions_dir():
            config = self.config
            path = default_path(model=config.model, backend=backend_word(config.offline, config.azure, config.url))
        else:
            stem = re.sub(r"-\d+$", "", old.stem)
            n = 2
            while (path := old.with_name(f"{stem}-{n}{old.suffix}")).exists():
                n += 1
        return path

    def action_disconnect(self) -> None:
        self.spawn(self.session.disconnect())

    def _editor_may_open(self, editor: type[Screen[Any]]) -> bool:
        """Whether the `editor` screen may be pushed now.

        Its key is a priority binding, so it also fires inside the editors: pressing it in
        the editor it opens does nothing (a second copy would hide the first, unsaved
        edits and all), and pressing it in the *other* editor says how to get there
        instead of stacking editors, whose edits could then be applied out of order.
        """
        from console.app.screens.session_editor import SessionEditorScreen
        from console.app.screens.tool_editor import ToolEditorScreen

        current = self.screen
        if isinstance(current, editor):
            return False
        if isinstance(current, (SessionEditorScreen, ToolEditorScreen)):
            name = "session editor" if isinstance(current, SessionEditorScreen) else "tool editor"
            self.notify(f"close the {name} first (escape)", severity="warning")
            return False
        return True

    @reported
    def action_session_editor(self) -> None:
        from console.app.screens.session_editor import SessionEditorScreen

        if not self._editor_may_open(SessionEditorScreen):
            return
        if self.session.client is None:
            self.notice("no session yet: wait for the connection", "warning")
            return
        self.push_screen(SessionEditorScreen(self.session.client, tool_names=self.tools.names()))

    @reported
    def action_tool_editor(self) -> None:
        from console.app.screens.tool_editor import ToolEditorScreen

        if not self._editor_may_open(ToolEditorScreen):
            return
        self.push_screen(ToolEditorScreen(self.tools))

    def action_check_drift(self) -> None:
        self.spawn(self._check_drift())

    @reported
    async def _check_drift(self) -> None:
        if not self._client():
            return
        self.notice("comparing the conversation with the server's…")
        drift = await self.session.check_drift()
        self.notice(f"drift: {len(drift)} difference(s), marked in the conversation" if drift
                    else "the conversation matches the server", "warning" if drift else "information")

    def watch_theme(self, theme: str) -> None:
        """Remember a theme picked in the command palette in the settings file."""
        if not getattr(self, "_remember_theme", False):
            return
        from console.cli import UsageError
        from console.user_config import save_theme

        try:
            path = save_theme(theme)
        except (UsageError, OSError) as exc:
            self.notify(f"theme {theme} not remembered: {exc}", severity="warning")
            return
        self.notify(f"theme {theme} saved in {path}")

    def help_extra(self) -> tuple[str, str] | None:
        return "slash commands (type in the input line)", help_text()

    def action_help(self) -> None:
        self.session.add_note("info", "slash commands:\n" + help_text())

    def action_focus_log(self) -> None:
        self.main.action_focus_log()

    def action_search_log(self) -> None:
        self.main.action_search_log()

    def action_focus_conversation(self) -> None:
        self.main.action_focus_conversation()

    def action_diagnostics(self) -> None:
        self.main.action_diagnostics()

    def action_turns(self) -> None:
        self.main.action_turns()

    def action_focus_input(self) -> None:
        self.main.action_focus_input()

    def _last_answer_id(self) -> str | None:
        answers = [i for i in self.session.items() if i.get("role") == "assistant"]
        if not answers:
            self.notice("no answer yet", "warning")
            return None
        return str(answers[-1]["id"])

    def action_play_last(self) -> None:
        if item_id := self._last_answer_id():
            self.play_item(item_id)

    def action_save_last(self) -> None:
        if item_id := self._last_answer_id():
            self.save_item_wav(item_id)

    def action_copy_last(self) -> None:
        from widgets.conversation_view import item_text

        if item_id := self._last_answer_id():
            self.copy_text(item_text(self.session.item(item_id) or {}), what=f"item {item_id}")

    @reported
    def play_item(self, item_id: str) -> None:
        """Play an item's audio again through the speaker."""
        item = self.session.item(item_id)
        audio = (item or {}).get("formatted", {}).get("audio")
        if audio is None or not len(audio):
            self.notice(f"item {item_id} has no audio", "warning")
            return
        if self.turns.speaker is None:
            self.notice("no speaker available", "warning")
            return
        self.turns.speaker.enqueue(f"replay:{item_id}", audio.copy())
        if not self.turns.speaker.enabled:  # a virtual clock: nothing is heard
            problem = self.turns.setup.speaker_problem or "no output device"
            self.notice(f"nothing to hear ({problem}): {len(audio) / 24000:.1f} s of {item_id} "
                        "runs on a silent clock", "warning")
            return
        self.notice(f"playing {len(audio) / 24000:.1f} s of {item_id}")

    @reported
    def save_item_wav(self, item_id: str, directory: Path | None = None) -> Path | None:
        """Write an item's audio as `<item id>.wav` in the working directory."""
        from console.audio.wavfile import write_wav

        item = self.session.item(item_id)
        audio = (item or {}).get("formatted", {}).get("audio")
        if audio is None or not len(audio):
            self.notice(f"item {item_id} has no audio to save", "warning")
            return None
        path = (directory or Path.cwd()) / (re.sub(r"[^A-Za-z0-9_.-]", "_", item_id) + ".wav")
        try:
            write_wav(path, audio, self.session.client.conversation.output_rate if self.session.client else 24000)
        except OSError as exc:
            self.notice(f"cannot write {path}: {exc.strerror or exc}", "error")
            return None
        self.notice(f"saved {len(audio) / 24000:.1f} s to {path}")
        return path

    @reported
    def delete_item(self, item_id: str) -> None:
        """Ask the server to delete an item (the pane updates on `conversation.item.deleted`)."""
        if client := self._client():
            client.delete_item(item_id)
            self.notice(f"deleting {item_id}")

    @reported
    def copy_text(self, text: str, what: str = "text") -> None:
        from console.app.clipboard import copy_text
        from console.recording.paths import sessions_dir

        outcome = copy_text(text, what, osc52=self.copy_to_clipboard, save_dir=sessions_dir().parent)
        self.notice(outcome.message, outcome.severity)

    @reported
    async def run_command(self, command: SlashCommand) -> None:
        """Carry out a validated slash command."""
        name = command.name
        if name == "help":
            self.action_help()
        elif name == "cancel":
            self.action_interrupt()
        elif name in ("vad", "ptt"):
            self.set_turn_mode(name)
        elif name == "instructions":
            if client := self._client():
                self.session.update_session("instructions", instructions=command.argument)
                self.notice("instructions sent: waiting for the server to apply them")
        elif name == "voice":
            if client := self._client():
                self.session.update_session(f"voice {command.argument}", voice=command.argument)
                self.notice(f"voice {command.argument} sent: waiting for the server to apply it")
        elif name == "send":
            if client := self._client():
                assert command.event_type is not None
                try:
                    event = client.realtime.send(command.event_type, command.data)
                except (TypeError, ValueError) as exc:
                    self.notice(str(exc), "error")
                else:
                    self.notice(f"sent {command.event_type} {event.get('event_id', '')}")
        elif name == "image":
            self.send_image(command.data["path"], command.data.get("text", ""))
        elif name == "retrieve":
            await self._check_drift()
        elif name == "delete":
            self.delete_item(command.argument)
        elif name == "reconnect":
            await self.reconnect()
        elif name == "disconnect":
            await self.session.disconnect()
