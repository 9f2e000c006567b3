"""The session editor: edit the live session, send it, and see what the server applied.

A form for the common fields and a raw JSON view of the whole flat session, kept in step
when switching tabs. Nothing is sent while any value is invalid: each problem is shown
next to its field. Applying calls `client.update_session(**fields)`; the screen then
watches the client's `realtime.event` stream for the `session.update` it caused, and for
the server's answer: `session.updated` (drawn as a sent-versus-applied diff) or an
`error` whose `error.event_id` names that update (shown inline).

Validation and the diff live in `console.session.editable` (no Textual), so this module
only moves values between widgets and that model.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Static, TabbedContent, TabPane, TextArea

from console.realtime.protocol import FLAT_SESSION_FIELDS
from console.app.screens.editor_commands import EditorCommands, PaletteCommand
from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
from console.app.screens.editor_screen import EditorScreen
from console.app.screens.unsaved_changes import Choice
from console.session.editable import (
    DiffEntry,
    Errors,
    SessionFileError,
    diff_sessions,
    dump_session,
    load_preset,
    parse_session_json,
    save_preset,
    to_flat,
    validate_session,
)
from widgets.console_footer import ConsoleFooter
from widgets.session_diff import SessionDiff
from widgets.session_form import SessionForm

CSS_FILE = Path(__file__).with_name("editors.tcss")
#: How long to wait for `session.updated` or an error before saying none came.
ANSWER_TIMEOUT_S = 10.0


def _error_field(param: Any) -> str | None:
    """Map an API error's `param` (e.g. "session.audio.output.voice") to a form field."""
    if not isinstance(param, str):
        return None
    for needle, field in (
        ("voice", "voice"),
        ("turn_detection", "turn_detection"),
        ("transcription", "input_audio_transcription"),
        ("temperature", "temperature"),
        ("max_output_tokens", "max_response_output_tokens"),
        ("max_response_output_tokens", "max_response_output_tokens"),
        ("tool_choice", "tool_choice"),
        ("instructions", "instructions"),
        ("modalities", "modalities"),
    ):
        if needle in param:
            return field
    return None


class SessionEditorScreen(EditorScreen[dict[str, Any] | None]):
    """Edit, validate and apply the session; dismisses with the last applied session (flat) or None.

    Args:
        client: a `RealtimeClient` (uses `session_config`, `update_session`, `is_connected`,
            `on`/`off` for `realtime.event`, and `realtime.protocol`).
        protocol: "ga" or "beta"; read from the client when omitted.
        tool_names: function names `tool_choice` may name; read from `client.tools` when omitted.
        preset_path: the path the preset box starts with.
    """

    CSS_PATH = CSS_FILE
    COMMANDS = {EditorCommands}
    # Tabs on f5-f7: the app keeps f2-f4 (talk, interrupt, turn mode) as priority keys.
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="session_editor.apply", tooltip="Validate and send session.update"),
        Binding("escape", "close", "Close", id="session_editor.close",
                tooltip="Back to the console (asks first when there are unsaved edits)"),
        # Shown only while a text area has focus (`check_action`): says how to leave it.
        # Otherwise the app's own tab binding moves focus just the same.
        Binding("tab", "next_field", "Next field", id="session_editor.next_field",
                tooltip="Leave the text area for the next field"),
        Binding("f5", "show_tab('tab-form')", "Form", id="session_editor.form", tooltip="Edit fields"),
        Binding("f6", "show_tab('tab-json')", "JSON", id="session_editor.json", tooltip="Edit the raw session JSON"),
        Binding("f7", "show_tab('tab-answer')", "Answer", id="session_editor.answer",
                tooltip="What the server applied"),
    ]

    class SessionApplied(Message):
        """The server answered our `session.update` with `session.updated`."""

        def __init__(self, sent: dict[str, Any], applied: dict[str, Any], entries: list[DiffEntry]) -> None:
            super().__init__()
            self.sent = sent
            self.applied = applied
            self.entries = entries

    class _ServerAnswered(Message):
        """Internal: the realtime.event handler hands the answer to the UI through the queue."""

        def __init__(self, event: dict[str, Any]) -> None:
            super().__init__()
            self.event = event

    def __init__(self, client: Any, *, protocol: str | None = None, tool_names: Iterable[str] | None = None,
                 preset_path: str = "session.json", name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.client = client
        realtime = getattr(client, "realtime", None)
        self.protocol: str = protocol or getattr(realtime, "protocol", None) or getattr(client, "protocol", "ga")
        if tool_names is None:
            tool_names = list(getattr(client, "tools", None) or {})
        self.tool_names: list[str] = list(tool_names)
        config = getattr(client, "session_config", None) or {}
        self._base: dict[str, Any] = {k: copy.deepcopy(v) for k, v in to_flat(dict(config)).items()
                                      if k in FLAT_SESSION_FIELDS}
        self._preset_path = preset_path
        self._json_dirty = False
        self._awaiting = False
        self._sent: dict[str, Any] = {}
        self._sent_event_id: str | None = None
        #: The form's (session, errors) and the JSON view's text as last loaded or applied:
        #: what "unsaved changes" are measured against.
        self._clean: tuple[dict[str, Any], Errors] = ({}, {})
        self._json_text = ""
        #: Close once the server accepts the update ("save" in the unsaved-changes question).
        self._close_when_applied = False
        self._status = ""
        self.last_applied: dict[str, Any] | None = None
        self.sent_count = 0

    # --- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(f"Session editor  ·  protocol {self.protocol}", id="editor-title")
        with TabbedContent(initial="tab-form", id="session-tabs"):
            with TabPane("Form", id="tab-form"):
                yield SessionForm(protocol=self.protocol, tool_names=self.tool_names, id="session-form")
            with TabPane("JSON", id="tab-json"):
                # tab_behavior "focus": Tab and shift+Tab leave the text area (keyboard users
                # are never trapped in it); Esc reaches the screen (close, asking first).
                yield TextArea(id="raw-json", soft_wrap=False, show_line_numbers=True, tab_behavior="focus")
                yield Static("", id="raw-json-error", classes="field-error")
            with TabPane("Answer", id="tab-answer"):
                with VerticalScroll(id="answer-scroll"):
                    yield SessionDiff(id="session-diff")
        with Horizontal(id="editor-actions"):
            yield Button("Apply", id="apply", variant="primary", tooltip="Validate and send (ctrl+s)")
            yield Input(self._preset_path, id="preset-path", placeholder="preset file (.json)")
            yield Button("Load", id="load-preset", tooltip="Load a session preset from the file")
            yield Button("Save", id="save-preset", tooltip="Save the session as a preset")
            yield Button("Close", id="close")
        yield Static("", id="editor-status")
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP)

    def on_mount(self) -> None:
        self._populate(self._base)
        self._set_json(self._base)
        self._mark_clean()
        self.client.on("realtime.event", self._on_realtime_event)
        self._show_current_session()

    def _show_current_session(self) -> None:
        """Open on the Answer tab's comparison of the client's config with the server's session.

        So what the server did with earlier updates (the one `connect` sent, a `--session`
        file) can be inspected before changing anything.
        """
        applied = getattr(self.client, "session", None)
        if not isinstance(applied, dict):
            return
        sent = copy.deepcopy(self._base)
        payload = getattr(self.client, "session_payload", None)
        if callable(payload):
            try:
                sent["tools"] = to_flat(payload()).get("tools", [])
            except Exception:  # noqa: BLE001 - only a nicer comparison is lost
                pass
        self.query_one("#session-diff", SessionDiff).show_diff(
            diff_sessions(sent, applied, protocol=self.protocol),
            caption="the session in effect when the editor opened (the client's config vs the server's)")

    def on_unmount(self) -> None:
        try:
            self.client.off("realtime.event", self._on_realtime_event)
        except ValueError:  # the client was reset meanwhile and forgot every handler
            pass

    # --- the form ------------------------------------------------------------------------

    @property
    def form(self) -> SessionForm:
        return self.query_one("#session-form", SessionForm)

    def _populate(self, flat: dict[str, Any]) -> None:
        self.form.populate(flat)

    def _show_errors(self, errors: Errors) -> None:
        self.form.show_errors(errors)

    def collect_form(self) -> tuple[dict[str, Any], Errors]:
        """The flat session the form describes (base fields it does not edit kept) and its errors."""
        return self.form.collect(self._base)

    # --- the raw JSON view ------------------------------------------------------------------

    def _set_json(self, flat: dict[str, Any]) -> None:
        self._json_text = self.query_one("#raw-json", TextArea).text = dump_session(flat)
        self._json_dirty = False
        self._show_json_error("")

    def _show_json_error(self, message: str) -> None:
        widget = self.query_one("#raw-json-error", Static)
        widget.update(message)
        widget.display = bool(message)

    @on(TextArea.Changed, "#raw-json")
    def _json_edited(self) -> None:
        self._json_dirty = True

    def collect_json(self) -> tuple[dict[str, Any], Errors]:
        """Parse and validate the raw JSON view; a syntax error is reported under key "json"."""
        try:
            flat = parse_session_json(self.query_one("#raw-json", TextArea).text)
        except SessionFileError as exc:
            return {}, {"json": str(exc)}
        return flat, validate_session(flat, tool_names=self.tool_names)

    @on(TabbedContent.TabActivated, "#session-tabs")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id
        if pane == "tab-json":
            flat, errors = self.collect_form()
            self._show_errors(errors)
            self._set_json(flat)
            if errors:
                self._show_json_error("the form has invalid values: the JSON shows the last valid ones")
        elif pane == "tab-form" and self._json_dirty:
            flat, errors = self.collect_json()
            if errors:
                self._set_status("the JSON view has errors: the form keeps its values", error=True)
                self._show_json_error(self._format_errors(errors))
            else:
                self._base = flat
                self._populate(flat)
                self._json_dirty = False

    @staticmethod
    def _format_errors(errors: Errors) -> str:
        return "\n".join(m if k == "json" else f"{k}: {m}" for k, m in errors.items())

    # --- actions ------------------------------------------------------------------------------

    def _current(self) -> tuple[dict[str, Any], Errors]:
        """The session being edited, from whichever view is active, with errors shown inline."""
        if self.query_one("#session-tabs", TabbedContent).active == "tab-json":
            flat, errors = self.collect_json()
            self._show_json_error(self._format_errors(errors))
            if not errors:
                self._base = flat
                self._populate(flat)
                self._json_dirty = False
            return flat, errors
        flat, errors = self.collect_form()
        self._show_errors(errors)
        return flat, errors

    def action_apply(self) -> None:
        """Validate and, only if everything is valid, send `session.update`."""
        self._apply()

    def _apply(self) -> bool:
        """`action_apply`; True when the update was handed to the client."""
        flat, errors = self._current()
        if errors:
            n = len(errors)
            self._set_status(f"{n} invalid value{'s' if n != 1 else ''}: fix {'them' if n != 1 else 'it'}; "
                             "nothing was sent", error=True)
            return False
        self._base = copy.deepcopy(flat)
        connected = bool(self.client.is_connected())
        self._awaiting = connected
        self._sent = copy.deepcopy(flat)
        self._sent_event_id = None
        try:
            self.client.update_session(**flat)
        except Exception as exc:  # noqa: BLE001 - the library's refusal is shown, never a traceback
            self._awaiting = False
            self._set_status(f"not sent: {exc}", error=True)
            return False
        self.sent_count += 1
        self._mark_clean()
        if connected:
            sent_id = f" ({self._sent_event_id})" if self._sent_event_id else ""
            self._set_status(f"session.update sent{sent_id}; waiting for the server…")
            token = self.sent_count
            self.set_timer(ANSWER_TIMEOUT_S, lambda: self._answer_overdue(token))
        else:
            self._awaiting = False
            self._set_status("not connected: the session is stored and will be sent on connect")
        return True

    def _answer_overdue(self, token: int) -> None:
        if self._awaiting and token == self.sent_count:
            self._awaiting = False
            self._close_when_applied = False
            self._set_status(f"no answer from the server {ANSWER_TIMEOUT_S:g} s after session.update "
                             "(is the connection still up?)", error=True)

    # --- leaving --------------------------------------------------------------------------

    def _mark_clean(self) -> None:
        """What is in the views now is saved (loaded from the client, or just applied)."""
        self._clean = self.collect_form()
        self._json_text = self.query_one("#raw-json", TextArea).text
        self._json_dirty = False

    def has_unsaved_changes(self) -> bool:
        """Whether closing now would lose edits: the form (valid or not) or the JSON view
        differs from what was loaded or last applied."""
        if self._json_dirty and self.query_one("#raw-json", TextArea).text != self._json_text:
            return True
        return self.collect_form() != self._clean

    SAVE_LABEL = "Apply"

    def unsaved_subject(self) -> str:
        return "the session"

    def close_result(self) -> dict[str, Any] | None:
        return self.last_applied

    def leave_chosen(self, choice: Choice | None) -> None:
        if choice == "discard":
            self.dismiss(self.last_applied)
        elif choice == "save" and self._apply():
            if self._awaiting:  # connected: close when the server accepts it, stay if it refuses
                self._close_when_applied = True
                self._set_status(self._status + " (the editor closes once the server accepts it)")
            else:
                self.dismiss(self.last_applied)
        # "keep" (or a refused save, its problems shown): the editor stays as it was

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers on this screen."""
        return [
            ("Session: apply", "Validate and send session.update", self.action_apply),
            ("Session: load preset", "Load the preset file named in the path box", self.load_preset_file),
            ("Session: save preset", "Save the session to the path box's file", self.save_preset_file),
            ("Session: show form", "Edit the session field by field", lambda: self.action_show_tab("tab-form")),
            ("Session: show raw JSON", "Edit the whole session as JSON", lambda: self.action_show_tab("tab-json")),
            ("Session: show server answer", "What the server applied, next to what was sent",
             lambda: self.action_show_tab("tab-answer")),
            ("Session: close editor", "Back to the console", self.action_close),
        ]

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#session-tabs", TabbedContent).active = tab

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.action_close()

    @on(Button.Pressed, "#load-preset")
    def load_preset_file(self) -> None:
        """Load the preset named in the path box into both views (nothing is sent yet)."""
        path = self.query_one("#preset-path", Input).value.strip()
        if not path:
            self._set_status("type a preset file path first", error=True)
            return
        try:
            flat = load_preset(Path(path).expanduser(), tool_names=self.tool_names)
        except SessionFileError as exc:
            self._set_status(str(exc), error=True)
            return
        self._base = {**self._base, **flat}
        self._populate(self._base)
        self._set_json(self._base)
        self._set_status(f"loaded {path}: press Apply to send it")

    @on(Button.Pressed, "#save-preset")
    def save_preset_file(self) -> None:
        """Save the session being edited (only when valid) to the path in the path box."""
        path = self.query_one("#preset-path", Input).value.strip()
        if not path:
            self._set_status("type a preset file path first", error=True)
            return
        flat, errors = self._current()
        if errors:
            self._set_status("fix the invalid values before saving", error=True)
            return
        try:
            written = save_preset(Path(path).expanduser(), flat)
        except SessionFileError as exc:
            self._set_status(str(exc), error=True)
            return
        self._set_status(f"saved {written}")

    def _set_status(self, message: str, *, error: bool = False) -> None:
        self._status = message
        status = self.query_one("#editor-status", Static)
        status.update(message)
        status.set_class(error, "-error")

    # --- the server's answer ----------------------------------------------------------------

    def _on_realtime_event(self, payload: Any) -> None:
        """Client handler (runs on the event loop): find our update and the answer to it."""
        if not self._awaiting or not isinstance(payload, dict):
            return
        event = payload.get("event")
        if not isinstance(event, dict):
            return
        kind, source = event.get("type"), payload.get("source")
        if source == "client" and kind == "session.update" and self._sent_event_id is None:
            self._sent_event_id = event.get("event_id")
            wire = event.get("session")
            if isinstance(wire, dict) and "tools" in wire:
                # The client adds the registry's tools: compare with the tools really sent.
                self._sent["tools"] = to_flat(wire).get("tools", [])
        elif source == "server" and kind == "session.updated":
            self._awaiting = False
            self.post_message(self._ServerAnswered(event))
        elif source == "server" and kind == "error":
            error = event.get("error") or {}
            if self._sent_event_id is not None and error.get("event_id") == self._sent_event_id:
                self._awaiting = False
                self.post_message(self._ServerAnswered(event))

    @on(_ServerAnswered)
    def _show_answer(self, message: _ServerAnswered) -> None:
        event = message.event
        diff = self.query_one("#session-diff", SessionDiff)
        if event.get("type") == "error":
            error = event.get("error") or {}
            code = error.get("code")
            text = f"{error.get('message') or 'error'}" + (f" [{code}]" if code else "")
            diff.show_error(text)
            field = _error_field(error.get("param"))
            if field is not None:
                self._show_errors({field: f"server: {text}"})
                self.action_show_tab("tab-form")
            else:
                self.action_show_tab("tab-answer")
            if self._close_when_applied:
                self._close_when_applied = False
                self._set_status(f"the server rejected the update: {text} (still open: fix it, or esc "
                                 "and discard)", error=True)
            else:
                self._set_status(f"the server rejected the update: {text}", error=True)
            return
        session = event.get("session") or {}
        entries = diff_sessions(self._sent, session, protocol=self.protocol)
        diff.show_diff(entries)
        self.last_applied = to_flat(session)
        n = len(diff.differences)
        ignored = [e.path for e in entries if e.status == "ignored"]
        note = f" ({self.protocol} ignores {', '.join(ignored)})" if ignored else ""
        self._set_status((f"applied; {n} difference{'s' if n != 1 else ''} from what was sent"
                          if n else "applied as sent") + note)
        self.action_show_tab("tab-answer")
        self.post_message(self.SessionApplied(copy.deepcopy(self._sent), session, entries))
        if self._close_when_applied:
            self._close_when_applied = False
            self.dismiss(self.last_applied)
