"""The tool editor: list, add, edit and remove the console's function tools.

Edits go straight into the `ToolRegistry`, which mirrors them on the connected client
(`add_tool` / `remove_tool` update the session), so a saved tool is live at once. Every
part of a tool is checked before anything changes, and each problem is shown next to
its field: name pattern, JSON syntax of the parameters, the basic shape of the schema,
the fixed reply's JSON, and whether a `module:function` handler can be imported.

The same editor adds and edits remote MCP servers (GA sessions only): the "Entry" select
switches the form between a function tool and an MCP server (label, URL, allowed tools,
approval, authorization typed into a password field and never shown). A function tool
may "ask before running": each call then waits for the user's approve / deny.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from console.app.screens.editor_commands import EditorCommands, PaletteCommand
from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
from console.app.screens.editor_screen import EditorScreen
from console.app.screens.unsaved_changes import Choice
from console.tools.mcp import APPROVAL_CHOICES, DEMO_SERVER_URL, GA_ONLY, McpServer
from console.tools.registry import (
    DEMO_DEFINITIONS,
    HANDLER_KINDS,
    ToolRegistry,
    ToolSpec,
    ToolSpecError,
    parse_json_text,
    resolve_callable,
    validate_name,
    validate_parameters,
)
from widgets.console_footer import ConsoleFooter

_EMPTY_SCHEMA = '{\n  "type": "object",\n  "properties": {},\n  "required": []\n}'
_KIND_LABELS = {
    "demo": "built-in demo",
    "fixed": "fixed JSON reply",
    "python": "Python callable (module:function)",
    "manual": "manual (you answer)",
}
#: Footer labels for when the full ones do not fit (`ConsoleFooter`): the app's own keys
#: shorten as on the main screen, the editor's lose the "tool" every one of them repeats.
SHORT_LABELS_HERE = SHORT_LABELS | {"save": "Save", "new": "New", "remove": "Remove"}

#: `_form_values()` of the form `action_new` shows: a new tool "changed" once it differs.
_BLANK_FORM = ("", "", _EMPTY_SCHEMA, "manual", "get_weather", '{"ok": true}', "", "False")
#: `_mcp_values()` of a blank MCP server form.
_BLANK_MCP = ("", DEMO_SERVER_URL, "", "always", "")

_FIELDS = ("name", "description", "parameters", "kind", "demo", "reply", "target")
_MCP_FIELDS = ("mcp-label", "mcp-url", "mcp-allowed", "mcp-approval", "mcp-auth")
#: List option ids of MCP servers (tool names cannot contain ':').
_MCP_PREFIX = "mcp:"


def _comparable(spec: ToolSpec) -> tuple[Any, ...]:
    """What the form can change about a tool, with defaults made explicit."""
    config = dict(spec.config)
    if spec.kind == "demo":
        config = {"demo": config.get("demo", spec.name)}
    return (json.dumps(spec.definition, sort_keys=True), spec.kind, json.dumps(config, sort_keys=True, default=str),
            spec.ask)


class ToolEditorScreen(EditorScreen[None]):
    """Edit the tools of a `ToolRegistry` (changes apply to the registry's client at once)."""

    CSS_PATH = Path(__file__).with_name("editors.tcss")
    COMMANDS = {EditorCommands}
    BINDINGS = [
        Binding("ctrl+s", "save", "Save tool", id="tool_editor.save", tooltip="Validate and save the tool"),
        Binding("ctrl+n", "new", "New tool", id="tool_editor.new", tooltip="Start a new tool"),
        Binding("ctrl+d", "remove", "Remove tool", id="tool_editor.remove", tooltip="Remove the selected tool"),
        Binding("escape", "close", "Close", id="tool_editor.close",
                tooltip="Back to the console (asks first when there are unsaved edits)"),
        # Shown only while a text area has focus (`check_action`): says how to leave it.
        Binding("tab", "next_field", "Next field", id="tool_editor.next_field",
                tooltip="Leave the text area for the next field"),
    ]

    class ToolsChanged(Message):
        """The registry changed (a tool was added, edited or removed)."""

        def __init__(self, names: list[str]) -> None:
            super().__init__()
            self.names = names

    def __init__(self, registry: ToolRegistry, *, tools_path: str = "tools.json", name: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.registry = registry
        self._tools_path = tools_path
        self.editing: str | None = None  # name of the tool (or label of the server) in the form; None: new
        self.entry = "function"  # what the form edits: "function" or "mcp"

    def compose(self) -> ComposeResult:
        yield Static("Tool editor", id="editor-title")
        with Horizontal(id="tool-body"):
            yield OptionList(id="tool-list")
            with VerticalScroll(id="tool-form"):
                yield Select([("function tool", "function"), ("MCP server (GA sessions only)", "mcp")],
                             id="tool-entry", value="function", allow_blank=False)
                yield Static("", id="tool-mcp-note", classes="field-error")
                yield from self._row("mcp-label", "Server label", Input(id="tool-mcp-label", placeholder="demo"))
                yield from self._row("mcp-url", "Server URL",
                                     Input(DEMO_SERVER_URL, id="tool-mcp-url", placeholder="https://host/mcp"))
                yield from self._row("mcp-allowed", "Allowed tools (comma-separated; empty: all)",
                                     Input(id="tool-mcp-allowed", placeholder="add, forecast"))
                yield from self._row("mcp-approval", "Require approval",
                                     Select([(c, c) for c in APPROVAL_CHOICES], id="tool-mcp-approval",
                                            value="always", allow_blank=False))
                yield from self._row("mcp-auth", "Authorization (never shown; empty: keep / none)",
                                     Input(id="tool-mcp-auth", password=True, placeholder="Bearer token"))
                yield from self._row("name", "Name", Input(id="tool-name", placeholder="get_weather"))
                yield from self._row("description", "Description",
                                     TextArea(id="tool-description", soft_wrap=True, tab_behavior="focus"))
                yield from self._row("parameters", "Parameters (JSON schema)",
                                     TextArea(_EMPTY_SCHEMA, id="tool-parameters", soft_wrap=False,
                                              tab_behavior="focus"))
                yield from self._row("kind", "Handler", Select([(label, kind) for kind, label in _KIND_LABELS.items()],
                                                               id="tool-kind", value="manual", allow_blank=False))
                yield from self._row("demo", "Demo", Select([(d, d) for d in DEMO_DEFINITIONS], id="tool-demo",
                                                            value="get_weather", allow_blank=False))
                yield from self._row("reply", "Fixed reply (JSON)",
                                     TextArea('{"ok": true}', id="tool-reply", soft_wrap=True, tab_behavior="focus"))
                yield from self._row("target", "Python handler",
                                     Input(id="tool-target", placeholder="package.module:function"))
                yield Checkbox("Ask before running (approve / deny each call)", id="tool-ask")
        with Horizontal(id="tool-actions"):
            yield Button("New", id="tool-new", tooltip="ctrl+n")
            yield Button("Save", id="tool-save", variant="primary", tooltip="ctrl+s")
            yield Button("Remove", id="tool-remove", variant="error", tooltip="ctrl+d")
            yield Input(self._tools_path, id="tools-path", placeholder="tools file (.json)")
            yield Button("Load", id="tools-load", tooltip="Add the tools of this file (a --tools file)")
            yield Button("Save all", id="tools-save", tooltip="Write every tool to this file, for --tools")
            yield Button("Close", id="tool-close")
        yield Static("", id="tool-status")
        yield ConsoleFooter(SHORT_LABELS_HERE, NARROW_DROP)

    @staticmethod
    def _row(field: str, label: str, control: Any) -> ComposeResult:
        with Vertical(classes="field-row", id=f"tool-row-{field}"):
            yield Label(label, classes="field-label")
            yield control
            yield Static("", id=f"tool-{field}-error", classes="field-error")

    def on_mount(self) -> None:
        self._refresh_list()
        self._show_entry("function")
        specs = self.registry.specs()
        if specs:
            self._load(specs[0])
        else:
            self.action_new()

    # --- list and form -------------------------------------------------------------------

    def _refresh_list(self) -> None:
        tool_list = self.query_one("#tool-list", OptionList)
        tool_list.clear_options()
        tool_list.add_options(Option(f"{s.name}  [{s.kind}{', asks' if s.ask else ''}]", id=s.name)
                              for s in self.registry.specs())
        tool_list.add_options(Option(f"{m.label}  [mcp]", id=_MCP_PREFIX + m.label)
                              for m in self.registry.mcp_servers())
        ids = self.registry.names() + [_MCP_PREFIX + m.label for m in self.registry.mcp_servers()]
        current = (_MCP_PREFIX if self.entry == "mcp" else "") + (self.editing or "")
        if self.editing is not None and current in ids:
            tool_list.highlighted = ids.index(current)

    def _entry_of(self, option_id: str | None) -> ToolSpec | McpServer | None:
        option_id = option_id or ""
        if option_id.startswith(_MCP_PREFIX):
            return self.registry.get_mcp(option_id[len(_MCP_PREFIX):])
        return self.registry.get(option_id)

    def _is_editing(self, entry: ToolSpec | McpServer) -> bool:
        if isinstance(entry, McpServer):
            return self.entry == "mcp" and entry.label == self.editing
        return self.entry == "function" and entry.name == self.editing

    def _show(self, entry: ToolSpec | McpServer) -> None:
        if isinstance(entry, McpServer):
            self._load_mcp(entry)
        else:
            self._load(entry)

    @on(OptionList.OptionHighlighted, "#tool-list")
    def _tool_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Browsing the list shows each tool, unless that would throw away unsaved edits."""
        spec = self._entry_of(event.option.id)
        if spec is None or self._is_editing(spec):
            return
        if self.has_unsaved_changes():
            label = spec.label if isinstance(spec, McpServer) else spec.name
            self._set_status(f"unsaved changes to {self.editing or 'the new entry'}: ctrl+s saves them, "
                             f"enter on {label} discards them", error=True)
            return
        self._show(spec)

    @on(OptionList.OptionSelected, "#tool-list")
    def _tool_selected(self, event: OptionList.OptionSelected) -> None:
        """Choosing a tool explicitly (enter, click) shows it, discarding unsaved edits."""
        spec = self._entry_of(event.option.id)
        if spec is not None and not self._is_editing(spec):
            self._show(spec)

    def has_unsaved_changes(self) -> bool:
        """Whether the form differs from the saved tool (or, for a new tool, from the blank form)."""
        if self.entry == "mcp":
            saved_server = self.registry.get_mcp(self.editing) if self.editing is not None else None
            if saved_server is None:
                return self._mcp_values() != _BLANK_MCP
            server, _errors = self.collect_mcp()
            return server is None or server.definition() != saved_server.definition()
        if self.editing is None:
            return self._form_values() != _BLANK_FORM
        saved = self.registry.get(self.editing)
        spec, errors = self.collect()
        if spec is None or saved is None:
            return True
        return _comparable(spec) != _comparable(saved)

    def _form_values(self) -> tuple[str, ...]:
        """Every control's value as text, the kind-specific ones included."""
        return (
            self.query_one("#tool-name", Input).value.strip(),
            self.query_one("#tool-description", TextArea).text.strip(),
            self.query_one("#tool-parameters", TextArea).text.strip(),
            str(self.query_one("#tool-kind", Select).value),
            str(self.query_one("#tool-demo", Select).value),
            self.query_one("#tool-reply", TextArea).text.strip(),
            self.query_one("#tool-target", Input).value.strip(),
            str(self.query_one("#tool-ask", Checkbox).value),
        )

    def _mcp_values(self) -> tuple[str, ...]:
        """Every MCP control's value as text."""
        return (
            self.query_one("#tool-mcp-label", Input).value.strip(),
            self.query_one("#tool-mcp-url", Input).value.strip(),
            self.query_one("#tool-mcp-allowed", Input).value.strip(),
            str(self.query_one("#tool-mcp-approval", Select).value),
            self.query_one("#tool-mcp-auth", Input).value,
        )

    def _show_entry(self, entry: str) -> None:
        """Show the function tool rows or the MCP server rows."""
        self.entry = entry
        mcp = entry == "mcp"
        for field in _MCP_FIELDS:
            self.query_one(f"#tool-row-{field}").display = mcp
        for field in ("name", "description", "parameters", "kind"):
            self.query_one(f"#tool-row-{field}").display = not mcp
        self.query_one("#tool-ask").display = not mcp
        if mcp:
            for field in ("demo", "reply", "target"):
                self.query_one(f"#tool-row-{field}").display = False
        else:
            self._show_kind(str(self.query_one("#tool-kind", Select).value))
        note = self.query_one("#tool-mcp-note", Static)
        beta = mcp and self.registry.protocol == "beta"
        note.update(GA_ONLY if beta else "")
        note.display = beta
        select = self.query_one("#tool-entry", Select)
        if select.value != entry:
            with select.prevent(Select.Changed):
                select.value = entry

    @on(Select.Changed, "#tool-entry")
    def _entry_changed(self, event: Select.Changed) -> None:
        """Switching what the form edits starts a new entry of that kind."""
        if str(event.value) == self.entry:
            return
        if str(event.value) == "mcp":
            self.action_new_mcp()
        else:
            self.action_new()

    def _load_mcp(self, server: McpServer) -> None:
        """Show an MCP server in the form (its authorization stays hidden: empty keeps it)."""
        self._show_entry("mcp")
        self.editing = server.label
        self.query_one("#tool-mcp-label", Input).value = server.label
        self.query_one("#tool-mcp-url", Input).value = server.url
        self.query_one("#tool-mcp-allowed", Input).value = ", ".join(server.allowed_tools or [])
        self.query_one("#tool-mcp-approval", Select).value = server.require_approval
        self.query_one("#tool-mcp-auth", Input).value = ""
        self._show_errors({})
        secret = " (authorization set: type a new one to replace it)" if server.authorization else ""
        self._set_status(f"editing MCP server {server.label}{secret}")

    def collect_mcp(self) -> tuple[McpServer | None, dict[str, str]]:
        """Build an MCP server from the form; (None, errors) when a field is bad."""
        label, url, allowed_text, approval, auth = self._mcp_values()
        saved = self.registry.get_mcp(self.editing) if self.editing is not None else None
        allowed = [name.strip() for name in allowed_text.split(",") if name.strip()] or None
        server = McpServer(label, url, allowed, approval, dict(saved.headers) if saved else {},
                           auth or (saved.authorization if saved else None), saved.description if saved else None)
        errors: dict[str, str] = {}
        try:
            McpServer(label, DEMO_SERVER_URL).validate()
        except ToolSpecError as exc:
            errors["mcp-label"] = str(exc)
        try:
            McpServer("x", url).validate()
        except ToolSpecError as exc:
            errors["mcp-url"] = str(exc).removeprefix("MCP server x: ")
        if errors:
            return None, errors
        try:
            server.validate()
        except ToolSpecError as exc:
            return None, {"mcp-allowed": str(exc)}
        return server, {}

    def _load(self, spec: ToolSpec) -> None:
        """Show a tool in the form."""
        self._show_entry("function")
        self.editing = spec.name
        definition = spec.definition
        self.query_one("#tool-name", Input).value = spec.name
        self.query_one("#tool-description", TextArea).text = definition.get("description", "")
        self.query_one("#tool-parameters", TextArea).text = json.dumps(definition.get("parameters", {}), indent=2)
        self.query_one("#tool-kind", Select).value = spec.kind
        self.query_one("#tool-demo", Select).value = spec.config.get("demo", spec.name) \
            if spec.config.get("demo", spec.name) in DEMO_DEFINITIONS else "get_weather"
        self.query_one("#tool-reply", TextArea).text = json.dumps(spec.config.get("reply", {"ok": True}), indent=2)
        self.query_one("#tool-target", Input).value = str(spec.config.get("target", ""))
        self.query_one("#tool-ask", Checkbox).value = spec.ask
        self._show_kind(spec.kind)
        self._show_errors({})
        self._set_status(f"editing {spec.name}")

    def _show_kind(self, kind: str) -> None:
        if self.entry == "mcp":
            return
        self.query_one("#tool-row-demo").display = kind == "demo"
        self.query_one("#tool-row-reply").display = kind == "fixed"
        self.query_one("#tool-row-target").display = kind == "python"

    @on(Select.Changed, "#tool-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_kind(str(event.value))

    def _show_errors(self, errors: dict[str, str]) -> None:
        for field in _FIELDS + _MCP_FIELDS:
            widget = self.query_one(f"#tool-{field}-error", Static)
            widget.update(errors.get(field, ""))
            widget.display = field in errors
            self.query_one(f"#tool-row-{field}").set_class(field in errors, "-invalid")

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#tool-status", Static)
        status.update(message)
        status.set_class(error, "-error")

    def collect(self) -> tuple[ToolSpec | None, dict[str, str]]:
        """Build a spec from the form, checking every field; (None, errors) when any is bad."""
        errors: dict[str, str] = {}
        name = self.query_one("#tool-name", Input).value.strip()
        try:
            validate_name(name)
        except ToolSpecError as exc:
            errors["name"] = str(exc)
        parameters: Any = None
        try:
            parameters = validate_parameters(
                parse_json_text(self.query_one("#tool-parameters", TextArea).text, "parameters"))
        except ToolSpecError as exc:
            errors["parameters"] = str(exc)
        kind = str(self.query_one("#tool-kind", Select).value)
        config: dict[str, Any] = {}
        if kind == "demo":
            config["demo"] = str(self.query_one("#tool-demo", Select).value)
        elif kind == "fixed":
            try:
                config["reply"] = parse_json_text(self.query_one("#tool-reply", TextArea).text, "reply")
            except ToolSpecError as exc:
                errors["reply"] = str(exc)
        elif kind == "python":
            target = self.query_one("#tool-target", Input).value.strip()
            try:
                resolve_callable(target)
                config["target"] = target
            except ToolSpecError as exc:
                errors["target"] = str(exc)
        elif kind not in HANDLER_KINDS:
            errors["kind"] = f"unknown handler kind {kind!r}"
        if errors:
            return None, errors
        definition = {
            "type": "function",
            "name": name,
            "description": self.query_one("#tool-description", TextArea).text.strip(),
            "parameters": parameters,
        }
        ask = bool(self.query_one("#tool-ask", Checkbox).value)
        return ToolSpec(definition, kind, config, ask=ask), {}  # type: ignore[arg-type]

    # --- actions ------------------------------------------------------------------------------

    def action_new(self) -> None:
        """Clear the form for a new tool."""
        self._show_entry("function")
        self.editing = None
        self.query_one("#tool-list", OptionList).highlighted = None
        self.query_one("#tool-name", Input).value = ""
        self.query_one("#tool-description", TextArea).text = ""
        self.query_one("#tool-parameters", TextArea).text = _EMPTY_SCHEMA
        self.query_one("#tool-kind", Select).value = "manual"
        self.query_one("#tool-demo", Select).value = "get_weather"
        self.query_one("#tool-reply", TextArea).text = '{"ok": true}'
        self.query_one("#tool-target", Input).value = ""
        self.query_one("#tool-ask", Checkbox).value = False
        self._show_kind("manual")
        self._show_errors({})
        self._set_status("new tool: fill in the fields and save")
        self.query_one("#tool-name", Input).focus()

    def action_new_mcp(self) -> None:
        """Clear the form for a new MCP server (the simulator's demo server filled in)."""
        self._show_entry("mcp")
        self.editing = None
        self.query_one("#tool-list", OptionList).highlighted = None
        for selector, value in zip(("#tool-mcp-label", "#tool-mcp-url", "#tool-mcp-allowed"), _BLANK_MCP):
            self.query_one(selector, Input).value = value
        self.query_one("#tool-mcp-approval", Select).value = "always"
        self.query_one("#tool-mcp-auth", Input).value = ""
        self._show_errors({})
        self._set_status(f"new MCP server: a label and a URL ({DEMO_SERVER_URL} is the simulator's demo server)")
        self.query_one("#tool-mcp-label", Input).focus()

    def action_save(self) -> None:
        """Validate the form and add or replace the tool; nothing changes while it is invalid."""
        self._save()

    def _save_mcp(self) -> bool:
        """Save the MCP server in the form; True when saved."""
        server, errors = self.collect_mcp()
        self._show_errors(errors)
        if server is None:
            self._set_status("not saved: fix the marked fields", error=True)
            return False
        try:
            if self.editing is None:
                self.registry.add_mcp(server)
            else:
                self.registry.replace_mcp(self.editing, server)
        except ToolSpecError as exc:
            if "already exists" in str(exc):
                self._show_errors({"mcp-label": str(exc)})
            self._set_status(f"not saved: {exc}", error=True)
            return False
        verb = "added" if self.editing is None else "saved"
        self.editing = server.label
        self.query_one("#tool-mcp-auth", Input).value = ""
        self._refresh_list()
        self._set_status(f"{verb} MCP server {server.label}: {server.summary()}")
        self.post_message(self.ToolsChanged(self.registry.names()))
        return True

    def _save(self) -> bool:
        """`action_save`; True when the tool was saved."""
        if self.entry == "mcp":
            return self._save_mcp()
        spec, errors = self.collect()
        self._show_errors(errors)
        if spec is None:
            self._set_status("not saved: fix the marked fields", error=True)
            return False
        try:
            if self.editing is None:
                self.registry.add(spec)
            else:
                self.registry.replace(self.editing, spec)
        except ToolSpecError as exc:
            field = "name" if "already exists" in str(exc) else None
            if field:
                self._show_errors({field: str(exc)})
            self._set_status(f"not saved: {exc}", error=True)
            return False
        verb = "added" if self.editing is None else "saved"
        self.editing = spec.name
        self._refresh_list()
        self._set_status(f"{verb} {spec.name}")
        self.post_message(self.ToolsChanged(self.registry.names()))
        return True

    def action_remove(self) -> None:
        """Remove the tool shown in the form."""
        if self.editing is None:
            self._set_status("nothing to remove: this tool is not saved", error=True)
            return
        name = self.editing
        try:
            if self.entry == "mcp":
                self.registry.remove_mcp(name)
            else:
                self.registry.remove(name)
        except ToolSpecError as exc:
            self._set_status(str(exc), error=True)
            return
        self.editing = None
        self._refresh_list()
        specs = self.registry.specs()
        if specs:
            self._load(specs[0])
        else:
            self.action_new()
        self._set_status(f"removed {name}")
        self.post_message(self.ToolsChanged(self.registry.names()))

    def unsaved_subject(self) -> str:
        if self.entry == "mcp":
            return f"MCP server {self.editing}" if self.editing else "the new MCP server"
        return f"tool {self.editing}" if self.editing else "the new tool"

    def close_result(self) -> None:
        return None

    def leave_chosen(self, choice: Choice | None) -> None:
        if choice == "discard" or (choice == "save" and self._save()):
            self.dismiss(None)
        # "keep", or a refused save (its problems shown next to the fields): stay

    def palette_commands(self) -> list[PaletteCommand]:
        """What the command palette offers on this screen."""
        return [
            ("Tools: new tool", "Start a new function tool", self.action_new),
            ("Tools: new MCP server", "Add a remote MCP server (GA sessions only)", self.action_new_mcp),
            ("Tools: save tool", "Validate and save the tool in the form", self.action_save),
            ("Tools: remove tool", "Remove the tool in the form", self.action_remove),
            ("Tools: load tools file", "Add the tools of the file in the path box", self.load_tools_file),
            ("Tools: save tools file", "Write every tool to the file in the path box", self.save_tools_file),
            ("Tools: close editor", "Back to the console", self.action_close),
        ]

    @on(Button.Pressed, "#tools-load")
    def load_tools_file(self) -> None:
        """Add the tools of the file in the path box; all or nothing, each problem in one line."""
        path = self.query_one("#tools-path", Input).value.strip()
        if not path:
            self._set_status("type a tools file path first", error=True)
            return
        try:
            added = self.registry.load_file(Path(path).expanduser())
        except ToolSpecError as exc:
            self._set_status(f"not loaded: {exc}", error=True)
            return
        self.editing = added[-1].name if added else self.editing
        self._refresh_list()
        if added:
            self._load(added[-1])
        self._set_status(f"loaded {len(added)} tool{'s' if len(added) != 1 else ''} from {path}")
        self.post_message(self.ToolsChanged(self.registry.names()))

    @on(Button.Pressed, "#tools-save")
    def save_tools_file(self) -> None:
        """Write every tool with its handler to the file in the path box (what --tools reads)."""
        path = self.query_one("#tools-path", Input).value.strip()
        if not path:
            self._set_status("type a tools file path first", error=True)
            return
        try:
            written = self.registry.save_file(Path(path).expanduser())
        except ToolSpecError as exc:
            self._set_status(str(exc), error=True)
            return
        self._set_status(f"saved {len(self.registry)} tools to {written}")

    @on(Button.Pressed, "#tool-new")
    def _new_pressed(self) -> None:
        self.action_new()

    @on(Button.Pressed, "#tool-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#tool-remove")
    def _remove_pressed(self) -> None:
        self.action_remove()

    @on(Button.Pressed, "#tool-close")
    def _close_pressed(self) -> None:
        self.action_close()
