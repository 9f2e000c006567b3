"""The session editor's form: one control per common session field, errors inline.

The form turns a flat session into widget values (`populate`) and back (`collect`),
reporting each unparsable or invalid value under its own field (`show_errors`). It
knows nothing about clients or the server: the session editor screen decides what to
do with the values. Fields the form has no control for (audio formats, session tools)
are carried through from the `base` session given to `collect`.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from console.realtime.protocol import VOICES
from console.session.editable import (
    EAGERNESS,
    FORM_FIELDS,
    SERVER_VAD_DEFAULTS,
    TOOL_CHOICE_MODES,
    TRANSCRIPTION_MODELS,
    Errors,
    normalise_tool_choice,
    parse_max_tokens,
    parse_number,
    parse_temperature,
    validate_session,
)

_NO_TRANSCRIPTION = "none"
_MODALITIES = {"text,audio": ["text", "audio"], "text": ["text"]}
_LABEL_WIDTH = 22


class SessionForm(VerticalScroll):
    """Instructions, voice, modalities, turn detection, transcription, temperature,
    max output tokens and tool choice, each with an inline error line.

    Args:
        protocol: "ga" or "beta": GA shows that temperature is ignored and takes a
            function tool choice as an object, beta as a plain name.
        tool_names: the function names tool choice may name (besides the session's own tools).
    """

    DEFAULT_CSS = f"""
    SessionForm {{
        height: 1fr;
        padding: 0 1;
    }}
    SessionForm .field-row {{
        height: auto;
    }}
    SessionForm .field-line {{
        height: auto;
    }}
    SessionForm .field-label {{
        width: {_LABEL_WIDTH};
        color: $text-muted;
    }}
    SessionForm .field-row.-invalid .field-label {{
        color: $text-error;
        text-style: bold;
    }}
    SessionForm .field-line > Select, SessionForm .field-line > Input {{
        width: 1fr;
        max-width: 48;
    }}
    SessionForm .field-error {{
        color: $text-error;
        height: auto;
    }}
    SessionForm .field-row .field-error {{
        padding-left: {_LABEL_WIDTH};
    }}
    SessionForm .field-note {{
        color: $text-warning;
        height: auto;
        padding-left: {_LABEL_WIDTH};
    }}
    SessionForm TextArea.instructions {{
        height: 5;
        width: 1fr;
    }}
    SessionForm .vad-params {{
        height: auto;
        padding-left: {_LABEL_WIDTH};
    }}
    SessionForm .vad-params > Label {{
        padding: 0 1 0 0;
    }}
    SessionForm .vad-params > Input {{
        width: 12;
    }}
    SessionForm .vad-params > Select {{
        width: 20;
    }}
    SessionForm .vad-params > Checkbox {{
        margin-right: 2;
    }}
    """

    def __init__(self, *, protocol: str = "ga", tool_names: Iterable[str] = (), name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.protocol = protocol
        self.tool_names: list[str] = list(tool_names)

    # --- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self._field("instructions", "Instructions",
                               TextArea(id="instructions", soft_wrap=True, classes="instructions",
                                        tab_behavior="focus"))  # Tab leaves: nobody is trapped
        yield from self._field("voice", "Voice",
                               Select([(v, v) for v in VOICES], id="voice", allow_blank=False, compact=True))
        yield from self._field("modalities", "Modalities", Select(
            [("text + audio", "text,audio"), ("text only", "text")], id="modalities", allow_blank=False,
            compact=True))
        yield from self._turn_detection_fields()
        yield from self._field("input_audio_transcription", "Input transcription", Select(
            [("none", _NO_TRANSCRIPTION)] + [(m, m) for m in TRANSCRIPTION_MODELS],
            id="input_audio_transcription", allow_blank=False, compact=True))
        yield from self._field("temperature", "Temperature", Input(id="temperature", placeholder="0.8", compact=True))
        if self.protocol == "ga":
            yield Static("GA ignores temperature: it is kept here but not sent.", id="temperature-note",
                         classes="field-note")
        yield from self._field("max_response_output_tokens", "Max output tokens",
                               Input(id="max_response_output_tokens", placeholder='4096 or "inf"', compact=True))
        yield from self._field("tool_choice", "Tool choice",
                               Select(self._tool_choice_options(None, {}), id="tool_choice", allow_blank=False,
                                      compact=True))
        yield Static("", id="other-errors", classes="field-error")

    @staticmethod
    def _field(field: str, label: str, control: Any) -> ComposeResult:
        with Vertical(classes="field-row", id=f"row-{field}"):
            with Horizontal(classes="field-line"):
                yield Label(label, classes="field-label")
                yield control
            yield Static("", id=f"{field}-error", classes="field-error")

    def _turn_detection_fields(self) -> ComposeResult:
        with Vertical(classes="field-row", id="row-turn_detection"):
            with Horizontal(classes="field-line"):
                yield Label("Turn detection", classes="field-label")
                yield Select([("none (push-to-talk)", "none"), ("server VAD", "server_vad"),
                              ("semantic VAD", "semantic_vad")], id="td-type", allow_blank=False, compact=True)
            with Horizontal(id="server-vad-params", classes="vad-params"):
                yield Label("threshold")
                yield Input(id="td-threshold", placeholder="0.5", compact=True)
                yield Label("prefix ms")
                yield Input(id="td-prefix", placeholder="300", compact=True)
                yield Label("silence ms")
                yield Input(id="td-silence", placeholder="200", compact=True)
            with Horizontal(id="semantic-vad-params", classes="vad-params"):
                yield Label("eagerness")
                yield Select([(e, e) for e in EAGERNESS], id="td-eagerness", allow_blank=False, compact=True)
            with Horizontal(id="vad-flags", classes="vad-params"):
                yield Checkbox("create response", True, id="td-create-response", compact=True)
                yield Checkbox("interrupt response", True, id="td-interrupt-response", compact=True)
            yield Static("", id="turn_detection-error", classes="field-error")

    def _tool_choice_options(self, current: Any, flat: dict[str, Any]) -> list[tuple[str, str]]:
        names = list(self.tool_names)
        for tool in flat.get("tools") or []:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str) and tool["name"] not in names:
                names.append(tool["name"])
        current = normalise_tool_choice(current)
        if isinstance(current, dict) and isinstance(current.get("name"), str) and current["name"] not in names:
            names.append(current["name"])
        return [(m, m) for m in TOOL_CHOICE_MODES] + [(f"function: {n}", f"fn:{n}") for n in names]

    # --- values in ----------------------------------------------------------------------------

    def populate(self, flat: dict[str, Any]) -> None:
        """Set every control from a flat session (absent fields get the API's defaults)."""
        self.query_one("#instructions", TextArea).text = str(flat.get("instructions", ""))
        voice = flat.get("voice")
        if voice in VOICES:
            self.query_one("#voice", Select).value = voice
        modalities = flat.get("modalities") or ["text", "audio"]
        self.query_one("#modalities", Select).value = "text,audio" if "audio" in modalities else "text"
        td = flat.get("turn_detection")
        kind = td.get("type") if isinstance(td, dict) else None
        kind = kind if kind in ("server_vad", "semantic_vad") else "none"
        self.query_one("#td-type", Select).value = kind
        params = {**SERVER_VAD_DEFAULTS, **(td if isinstance(td, dict) else {})}
        self.query_one("#td-threshold", Input).value = str(params.get("threshold", 0.5))
        self.query_one("#td-prefix", Input).value = str(params.get("prefix_padding_ms", 300))
        self.query_one("#td-silence", Input).value = str(params.get("silence_duration_ms", 200))
        eagerness = params.get("eagerness", "auto")
        self.query_one("#td-eagerness", Select).value = eagerness if eagerness in EAGERNESS else "auto"
        self.query_one("#td-create-response", Checkbox).value = bool(params.get("create_response", True))
        self.query_one("#td-interrupt-response", Checkbox).value = bool(params.get("interrupt_response", True))
        self._show_vad_params(kind)
        transcription = flat.get("input_audio_transcription")
        model = transcription.get("model") if isinstance(transcription, dict) else None
        self.query_one("#input_audio_transcription", Select).value = (
            model if model in TRANSCRIPTION_MODELS else _NO_TRANSCRIPTION)
        self.query_one("#temperature", Input).value = str(flat.get("temperature", 0.8))
        self.query_one("#max_response_output_tokens", Input).value = str(
            flat.get("max_response_output_tokens", "inf"))
        choice = flat.get("tool_choice", "auto")
        select = self.query_one("#tool_choice", Select)
        select.set_options(self._tool_choice_options(choice, flat))
        normal = normalise_tool_choice(choice)
        if isinstance(normal, dict) and isinstance(normal.get("name"), str):
            select.value = f"fn:{normal['name']}"
        else:
            select.value = normal if normal in TOOL_CHOICE_MODES else "auto"
        self.show_errors({})

    def _show_vad_params(self, kind: str) -> None:
        self.query_one("#server-vad-params").display = kind == "server_vad"
        self.query_one("#semantic-vad-params").display = kind == "semantic_vad"
        self.query_one("#vad-flags").display = kind != "none"

    @on(Select.Changed, "#td-type")
    def _turn_detection_changed(self, event: Select.Changed) -> None:
        self._show_vad_params(str(event.value))

    # --- values out ---------------------------------------------------------------------------

    def collect(self, base: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
        """The flat session the form describes, on top of `base`, and its errors (field -> message)."""
        flat = copy.deepcopy(base)
        errors: Errors = {}
        flat["instructions"] = self.query_one("#instructions", TextArea).text
        flat["voice"] = self.query_one("#voice", Select).value
        flat["modalities"] = list(_MODALITIES[str(self.query_one("#modalities", Select).value)])
        try:
            flat["turn_detection"] = self._collect_turn_detection(base.get("turn_detection"))
        except ValueError as exc:
            errors["turn_detection"] = str(exc)
        model = self.query_one("#input_audio_transcription", Select).value
        previous = base.get("input_audio_transcription")
        if model == _NO_TRANSCRIPTION:
            flat["input_audio_transcription"] = None
        else:  # keep a language or prompt set through the JSON view
            flat["input_audio_transcription"] = {**(previous if isinstance(previous, dict) else {}), "model": model}
        try:
            flat["temperature"] = parse_temperature(self.query_one("#temperature", Input).value)
        except ValueError as exc:
            errors["temperature"] = str(exc)
        try:
            flat["max_response_output_tokens"] = parse_max_tokens(
                self.query_one("#max_response_output_tokens", Input).value)
        except ValueError as exc:
            errors["max_response_output_tokens"] = str(exc)
        choice = str(self.query_one("#tool_choice", Select).value)
        if choice.startswith("fn:"):
            # GA takes {"type": "function", "name"}; beta's tool_choice is a plain string.
            flat["tool_choice"] = {"type": "function", "name": choice[3:]} if self.protocol == "ga" else choice[3:]
        else:
            flat["tool_choice"] = choice
        for field, message in validate_session(flat, tool_names=self.tool_names).items():
            errors.setdefault(field, message)
        return flat, errors

    def _collect_turn_detection(self, previous: Any) -> dict[str, Any] | None:
        kind = self.query_one("#td-type", Select).value
        if kind == "none":
            return None
        flags = {
            "create_response": self.query_one("#td-create-response", Checkbox).value,
            "interrupt_response": self.query_one("#td-interrupt-response", Checkbox).value,
        }
        if kind == "semantic_vad":
            return {"type": "semantic_vad", "eagerness": self.query_one("#td-eagerness", Select).value, **flags}
        # idle_timeout_ms has no control: keep one set through the JSON view.
        extra = {"idle_timeout_ms": previous["idle_timeout_ms"]} if (
            isinstance(previous, dict) and previous.get("type") == "server_vad"
            and previous.get("idle_timeout_ms") is not None) else {}
        return {
            "type": "server_vad",
            "threshold": parse_number(self.query_one("#td-threshold", Input).value, "VAD threshold", low=0, high=1),
            "prefix_padding_ms": parse_number(self.query_one("#td-prefix", Input).value, "prefix padding",
                                              low=0, integer=True),
            "silence_duration_ms": parse_number(self.query_one("#td-silence", Input).value, "silence duration",
                                                low=0, integer=True),
            **flags,
            **extra,
        }

    def show_errors(self, errors: Errors) -> None:
        """Write each error next to its field; errors of fields the form lacks go below it."""
        for field in FORM_FIELDS:
            widget = self.query_one(f"#{field}-error", Static)
            message = errors.get(field, "")
            widget.update(message)
            widget.display = bool(message)
            self.query_one(f"#row-{field}").set_class(bool(message), "-invalid")
        others = [f"{k}: {v}" for k, v in errors.items() if k not in FORM_FIELDS]
        other = self.query_one("#other-errors", Static)
        other.update("\n".join(others))
        other.display = bool(others)
