"""The editable session, without any UI: validation, presets and the sent-versus-applied diff.

The session editor screen, the `--session FILE.json` option and tests all need the same
answers to "is this session valid?" and "what did the server change?". Keeping those
answers here, free of Textual, lets them be tested directly and reused by the CLI.

A session here is always the *flat* (beta-style) field dict that
`RealtimeClient.update_session(**fields)` accepts; GA-shaped input is flattened with
`session_to_flat` first, so one validator serves both protocols.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Literal

from console.realtime.protocol import FLAT_SESSION_FIELDS, VOICES, flat_to_ga_session, session_to_flat
from console.tools.schema import ToolSpecError, validate_definition

#: Fields the form edits (the raw JSON view edits every flat field).
FORM_FIELDS: tuple[str, ...] = (
    "instructions",
    "voice",
    "modalities",
    "turn_detection",
    "input_audio_transcription",
    "temperature",
    "max_response_output_tokens",
    "tool_choice",
)

#: Keys a server echoes in `session.created` / `session.updated` that a client cannot set.
#: They are dropped silently when a server session is pasted or loaded as a preset.
READ_ONLY_KEYS: frozenset[str] = frozenset(
    {"id", "object", "model", "expires_at", "client_secret", "type"}
)

#: GA session settings the console does not edit but a server's `session.created` echoes
#: (`"tracing": null`, `"truncation": "auto"`...): dropped when a session is pasted or
#: loaded, so a saved server session works as a preset.
UNEDITED_GA_KEYS: frozenset[str] = frozenset({"include", "tracing", "prompt", "truncation"})

#: GA session fields with no beta counterpart that `session_to_flat` gives flat names;
#: accepted (and checked) in presets and the raw view, and sent as given.
EXTRA_SESSION_FIELDS: tuple[str, ...] = ("input_audio_noise_reduction", "speed")

#: Every flat key a session here may hold.
SESSION_FIELDS: tuple[str, ...] = (*FLAT_SESSION_FIELDS, *EXTRA_SESSION_FIELDS)
NOISE_REDUCTION_TYPES: tuple[str, ...] = ("near_field", "far_field")
#: The output speech speed range the API documents.
SPEED_RANGE: tuple[float, float] = (0.25, 1.5)

TURN_DETECTION_TYPES: tuple[str, ...] = ("none", "server_vad", "semantic_vad")
EAGERNESS: tuple[str, ...] = ("auto", "low", "medium", "high")
TRANSCRIPTION_MODELS: tuple[str, ...] = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-transcribe-diarize",
)
AUDIO_FORMATS: tuple[str, ...] = ("pcm16", "g711_ulaw", "g711_alaw")
TOOL_CHOICE_MODES: tuple[str, ...] = ("auto", "none", "required")
#: The API's documented temperature range for Realtime (beta only; GA has no temperature).
TEMPERATURE_RANGE: tuple[float, float] = (0.6, 1.2)
MAX_OUTPUT_TOKENS: int = 4096

#: Default server VAD parameters (as the reference client documents them).
SERVER_VAD_DEFAULTS: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
    "create_response": True,
    "interrupt_response": True,
}
SEMANTIC_VAD_DEFAULTS: dict[str, Any] = {
    "type": "semantic_vad",
    "eagerness": "auto",
    "create_response": True,
    "interrupt_response": True,
}

_SERVER_VAD_KEYS = frozenset(SERVER_VAD_DEFAULTS) | {"idle_timeout_ms"}
_SEMANTIC_VAD_KEYS = frozenset(SEMANTIC_VAD_DEFAULTS)
_TRANSCRIPTION_KEYS = frozenset({"model", "language", "prompt"})

#: Field name -> one-line message. Empty means valid.
Errors = dict[str, str]


class SessionFileError(ValueError):
    """A session preset or raw JSON text that cannot be used; the message is one clear line."""


# --- parsing of single form values -----------------------------------------------------------


def parse_temperature(text: str) -> float:
    """Parse the temperature input; raises ValueError with a message fit to show inline."""
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"temperature must be a number, not {text.strip()!r}") from None
    _check_temperature(value)
    return value


def parse_max_tokens(text: str) -> int | Literal["inf"]:
    """Parse max output tokens: a whole number from 1 to 4096, or "inf"."""
    stripped = text.strip().lower()
    if stripped == "inf":
        return "inf"
    try:
        value = int(stripped)
    except ValueError:
        raise ValueError(f'max output tokens must be a whole number or "inf", not {text.strip()!r}') from None
    _check_max_tokens(value)
    return value


def parse_number(text: str, label: str, *, low: float | None = None, high: float | None = None,
                 integer: bool = False) -> float | int:
    """Parse a bounded number typed into a form field (VAD threshold, durations)."""
    stripped = text.strip()
    try:
        value: float | int = int(stripped) if integer else float(stripped)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"{label} must be {kind}, not {stripped!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number")
    if low is not None and value < low:
        raise ValueError(f"{label} must be at least {low:g}")
    if high is not None and value > high:
        raise ValueError(f"{label} must be at most {high:g}")
    return value


def _check_temperature(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError("temperature must be a number")
    low, high = TEMPERATURE_RANGE
    if not low <= value <= high:
        raise ValueError(f"temperature must be between {low:g} and {high:g}")


def _check_max_tokens(value: Any) -> None:
    if value == "inf":
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError('max output tokens must be a whole number or "inf"')
    if not 1 <= value <= MAX_OUTPUT_TOKENS:
        raise ValueError(f'max output tokens must be between 1 and {MAX_OUTPUT_TOKENS}, or "inf"')


# --- whole-session validation ----------------------------------------------------------------


def normalise_tool_choice(value: Any) -> Any:
    """A bare function name means "call that function": the GA object form is what is sent."""
    if isinstance(value, str) and value not in TOOL_CHOICE_MODES:
        return {"type": "function", "name": value}
    return value


def validate_session(flat: dict[str, Any], *, tool_names: Iterable[str] | None = None) -> Errors:
    """Check every field of a flat session; return field -> message for each bad one.

    Args:
        flat: the flat session fields to check (a partial dict is fine).
        tool_names: function names a `tool_choice` may name; None skips that check.

    Returns:
        An empty dict when the session can be sent.
    """
    errors: Errors = {}
    for key in flat:
        if key not in SESSION_FIELDS:
            errors[key] = f"unknown session field {key!r} (editable: {', '.join(SESSION_FIELDS)})"
    checks = {
        "instructions": _check_instructions,
        "voice": _check_voice,
        "modalities": _check_modalities,
        "turn_detection": _check_turn_detection,
        "input_audio_transcription": _check_transcription,
        "temperature": _check_temperature,
        "max_response_output_tokens": _check_max_tokens,
        "input_audio_format": _check_audio_format,
        "output_audio_format": _check_audio_format,
        "tools": _check_tools,
        "input_audio_noise_reduction": _check_noise_reduction,
        "speed": _check_speed,
    }
    for key, check in checks.items():
        if key in flat:
            try:
                check(flat[key])
            except ValueError as exc:
                errors[key] = str(exc)
    if "tool_choice" in flat:
        names = set(tool_names) if tool_names is not None else None
        if "tools" in flat and isinstance(flat["tools"], list) and names is not None:
            names |= {t.get("name") for t in flat["tools"] if isinstance(t, dict)}
        try:
            _check_tool_choice(flat["tool_choice"], names)
        except ValueError as exc:
            errors["tool_choice"] = str(exc)
    return errors


def _check_instructions(value: Any) -> None:
    if not isinstance(value, str):
        raise ValueError("instructions must be text")


def _check_voice(value: Any) -> None:
    if value not in VOICES:
        raise ValueError(f"unknown voice {value!r} (one of: {', '.join(VOICES)})")


def _check_modalities(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValueError('modalities must be a non-empty list such as ["text", "audio"]')
    bad = [m for m in value if m not in ("text", "audio")]
    if bad:
        raise ValueError(f"unknown modality {bad[0]!r} (text or audio)")
    if len(set(value)) != len(value):
        raise ValueError("modalities lists a modality twice")


def _check_audio_format(value: Any) -> None:
    if value not in AUDIO_FORMATS:
        raise ValueError(f"unknown audio format {value!r} (one of: {', '.join(AUDIO_FORMATS)})")


def _check_turn_detection(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValueError('turn detection must be null or an object with a "type"')
    kind = value.get("type")
    if kind in (None, "none"):
        if set(value) - {"type"}:
            raise ValueError("turn detection of type none takes no parameters")
        return
    if kind == "server_vad":
        allowed = _SERVER_VAD_KEYS
    elif kind == "semantic_vad":
        allowed = _SEMANTIC_VAD_KEYS
    else:
        raise ValueError(f"unknown turn detection type {kind!r} (none, server_vad or semantic_vad)")
    extra = sorted(set(value) - allowed)
    if extra:
        raise ValueError(f"{kind} does not take {extra[0]!r}")
    for flag in ("create_response", "interrupt_response"):
        if flag in value and not isinstance(value[flag], bool):
            raise ValueError(f"{flag} must be true or false")
    if kind == "server_vad":
        threshold = value.get("threshold", 0.5)
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
            raise ValueError("VAD threshold must be a number from 0.0 to 1.0")
        for key in ("prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms"):
            if key in value and value[key] is not None:
                number = value[key]
                if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                    raise ValueError(f"{key} must be a whole number of milliseconds, 0 or more")
    elif "eagerness" in value and value["eagerness"] not in EAGERNESS:
        raise ValueError(f"unknown eagerness {value['eagerness']!r} (one of: {', '.join(EAGERNESS)})")


def _check_transcription(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or "model" not in value:
        raise ValueError('input transcription must be null or {"model": ...}')
    extra = sorted(set(value) - _TRANSCRIPTION_KEYS)
    if extra:
        raise ValueError(f"input transcription does not take {extra[0]!r}")
    if value["model"] not in TRANSCRIPTION_MODELS:
        raise ValueError(
            f"unknown transcription model {value['model']!r} (one of: {', '.join(TRANSCRIPTION_MODELS)})"
        )
    for key in ("language", "prompt"):
        if key in value and not isinstance(value[key], str):
            raise ValueError(f"transcription {key} must be text")


def _check_noise_reduction(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) != {"type"} or value["type"] not in NOISE_REDUCTION_TYPES:
        raise ValueError(f'noise reduction must be null or {{"type": {" or ".join(NOISE_REDUCTION_TYPES)}}}')


def _check_speed(value: Any) -> None:
    low, high = SPEED_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"speed must be a number from {low:g} to {high:g}")


def _check_tools(value: Any) -> None:
    if not isinstance(value, list):
        raise ValueError("tools must be a list of function definitions")
    for index, definition in enumerate(value):
        try:
            validate_definition(definition)
        except ToolSpecError as exc:
            raise ValueError(f"tool {index + 1}: {exc}") from None


def _check_tool_choice(value: Any, names: set[str] | None) -> None:
    value = normalise_tool_choice(value)
    if isinstance(value, str):
        return
    if not isinstance(value, dict) or value.get("type") != "function" or not isinstance(value.get("name"), str):
        raise ValueError('tool choice must be auto, none, required or a function name')
    if names is not None and value["name"] not in names:
        raise ValueError(f"tool choice names {value['name']!r}, which is not a defined tool")


# --- raw JSON and presets --------------------------------------------------------------------


def to_flat(session: dict[str, Any]) -> dict[str, Any]:
    """Flatten a session of either shape and drop server-only keys (id, model, expires_at...)."""
    flat = session_to_flat(session)
    return {k: v for k, v in flat.items() if k not in READ_ONLY_KEYS}


def parse_session_json(text: str) -> dict[str, Any]:
    """Parse session JSON typed or loaded by the user into a flat field dict.

    Accepts the flat shape, the GA shape, a whole `session.update` / `session.updated`
    event (its `session` is used), or `{"session": {...}}` alone. Server-only keys and the
    GA settings the console does not edit (`UNEDITED_GA_KEYS`) are dropped. Raises
    SessionFileError with line and column on bad JSON.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionFileError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SessionFileError("invalid JSON: nested too deeply") from None
    if isinstance(data, dict) and isinstance(data.get("session"), dict) and ("type" in data or len(data) == 1):
        data = data["session"]
    if not isinstance(data, dict):
        raise SessionFileError(f"a session must be a JSON object of session fields, not {_json_kind(data)}")
    return {k: v for k, v in to_flat(data).items() if k not in UNEDITED_GA_KEYS}


def _json_kind(value: Any) -> str:
    """How a user would name a JSON value's type ("an array", not "list")."""
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def dump_session(flat: dict[str, Any]) -> str:
    """The JSON text the raw view and presets show: indented, key order kept."""
    return json.dumps(flat, indent=2, ensure_ascii=False)


def load_preset(path: str | Path, *, tool_names: Iterable[str] | None = None) -> dict[str, Any]:
    """Read and validate a session preset file (flat or GA shape, or a `session.update`).

    The one loader of session files: the editor's "load preset" and the `--session FILE`
    option both come here, so a file gets the same per-field checks and messages
    wherever it is loaded.

    Args:
        path: the file (`~` is expanded).
        tool_names: function names a `tool_choice` may name besides the file's own tools;
            None skips that check.

    Raises:
        SessionFileError: one line naming the file and the first problem.
    """
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SessionFileError(f"cannot read session file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SessionFileError(f"session file {path} is not UTF-8 text") from None
    try:
        flat = parse_session_json(text)
    except SessionFileError as exc:
        raise SessionFileError(f"{path}: {exc}") from None
    errors = validate_session(flat, tool_names=tool_names)
    if errors:
        field, message = next(iter(errors.items()))
        raise SessionFileError(f"{path}: {field}: {message}")
    return flat


def save_preset(path: str | Path, flat: dict[str, Any]) -> Path:
    """Write a flat session as a preset; raises SessionFileError if the file cannot be written."""
    path = Path(path)
    try:
        path.write_text(dump_session(flat) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SessionFileError(f"cannot write session file {path}: {exc.strerror or exc}") from None
    return path


# --- sent versus applied ---------------------------------------------------------------------

DiffStatus = Literal["same", "changed", "missing", "added", "ignored"]


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One field of the sent-versus-applied comparison.

    status: "same"; "changed" (the server applied another value); "missing" (sent, absent
    from the answer); "added" (the server reports a field that was not sent, e.g. a
    default); "ignored" (the protocol drops the field, e.g. temperature in GA).
    """

    path: str
    sent: Any
    applied: Any
    status: DiffStatus

    @property
    def is_difference(self) -> bool:
        """Whether the server did not apply what was sent (a change or an omission).

        "ignored" entries are marked too but not counted: the protocol, not the server,
        dropped them (temperature in GA would otherwise be "a difference" on every apply).
        """
        return self.status in ("changed", "missing")

    @property
    def is_marked(self) -> bool:
        """Whether a view should highlight the entry."""
        return self.status in ("changed", "missing", "ignored")


_ABSENT = object()


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _flatten(sub, f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def _comparable(flat: dict[str, Any]) -> dict[str, Any]:
    prepared = dict(flat)
    td = prepared.get("turn_detection", _ABSENT)
    if isinstance(td, dict) and td.get("type") in (None, "none"):
        prepared["turn_detection"] = None
    if "tool_choice" in prepared:
        prepared["tool_choice"] = normalise_tool_choice(prepared["tool_choice"])
    if isinstance(prepared.get("tools"), list):
        prepared["tools"] = [
            {"type": "function", **t} if isinstance(t, dict) and "type" not in t else t for t in prepared["tools"]
        ]
    return prepared


def diff_sessions(sent: dict[str, Any], applied: dict[str, Any], *, protocol: str = "ga") -> list[DiffEntry]:
    """Compare the flat session sent with the session the server answered (either shape).

    For GA the sent fields are first put through the same GA translation the client uses,
    so only the server's own changes are marked, plus fields GA has no place for.

    Nested objects are compared key by key (`turn_detection.threshold`), lists as a whole.
    Sent entries come first in their order, then fields only the server reports.
    """
    if protocol == "ga":
        # Compare with what actually went over the wire: the GA translation of the flat
        # fields (modalities ["text", "audio"] becomes ["audio"], temperature is dropped).
        sent = {**to_flat(flat_to_ga_session(sent)), **({"temperature": sent["temperature"]}
                                                       if "temperature" in sent else {})}
    sent_c = _comparable(sent)
    applied_c = _comparable(to_flat(applied))
    sent_paths: dict[str, Any] = {}
    applied_paths: dict[str, Any] = {}
    _flatten(sent_c, "", sent_paths)
    _flatten(applied_c, "", applied_paths)
    ignored_roots = {"temperature"} if protocol == "ga" else set()
    entries: list[DiffEntry] = []
    for path, value in sent_paths.items():
        other = _lookup(applied_c, path)
        if other is _ABSENT:
            status: DiffStatus = "ignored" if path.split(".", 1)[0] in ignored_roots else "missing"
            entries.append(DiffEntry(path, value, None, status))
        elif other == value:
            entries.append(DiffEntry(path, value, other, "same"))
        else:
            entries.append(DiffEntry(path, value, other, "changed"))
    for path, value in applied_paths.items():
        covered = path in sent_paths or any(
            path.startswith(p + ".") or p.startswith(path + ".") for p in sent_paths
        )
        if not covered:
            entries.append(DiffEntry(path, None, value, "added"))
    return entries


def _lookup(tree: dict[str, Any], path: str) -> Any:
    """The value at a dotted path; where the branch stops early (null, a scalar), that value."""
    current: Any = tree
    for key in path.split("."):
        if not isinstance(current, dict):
            return current
        if key not in current:
            return _ABSENT
        current = current[key]
    return current
