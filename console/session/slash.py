"""Slash commands typed in the input line: parsing and validation, no I/O.

Everything a user types that starts with `/` is parsed here into a `SlashCommand`, or
refused with a `SlashError` whose message is shown under the input line. `/send {json}`
is validated against the protocol's client events (known type for the session's
protocol, a JSON object, the protocol's required fields) before anything
goes on the wire, because the server's answer to a malformed event is an asynchronous
`error` that is easy to miss. `/image FILE [text]` is split into the file and the text
here; the file is read and checked (type, size) by the app, which reports a bad one.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from console.realtime.protocol import CLIENT_EVENTS, SERVER_EVENTS, VOICES

#: Required fields of each client event (both protocols agree where both have it).
CLIENT_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "conversation.item.create": ("item",),
    "conversation.item.delete": ("item_id",),
    "conversation.item.retrieve": ("item_id",),
    "conversation.item.truncate": ("audio_end_ms", "content_index", "item_id"),
    "input_audio_buffer.append": ("audio",),
    "input_audio_buffer.clear": (),
    "input_audio_buffer.commit": (),
    "output_audio_buffer.clear": (),
    "response.cancel": (),
    "response.create": (),
    "session.update": ("session",),
    "transcription_session.update": ("session",),
}

#: Expected JSON types of fields a client event may carry (checked when present).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "item": (dict,),
    "session": (dict,),
    "response": (dict,),
    "item_id": (str,),
    "audio": (str,),
    "event_id": (str,),
    "response_id": (str,),
    "previous_item_id": (str, type(None)),
    "audio_end_ms": (int,),
    "content_index": (int,),
}


@dataclass(frozen=True)
class CommandSpec:
    """One slash command: its name, argument hint and one-line help."""

    name: str
    usage: str
    help: str
    needs_argument: bool = False


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("cancel", "/cancel", "cancel the response in progress (truncating what was heard)"),
    CommandSpec("vad", "/vad", "let server voice activity detection decide turns"),
    CommandSpec("ptt", "/ptt", "push-to-talk: a key toggles recording, stopping asks for a response"),
    CommandSpec("instructions", "/instructions TEXT", "replace the session instructions", True),
    CommandSpec("voice", "/voice NAME", f"change the output voice ({', '.join(VOICES)})", True),
    CommandSpec("send", "/send {json}", "send any client event (validated first)", True),
    CommandSpec("image", "/image FILE [text]", "send a PNG or JPEG image (up to 10 MB), with optional text (GA only)", True),
    CommandSpec("retrieve", "/retrieve", "compare the local conversation with the server's and flag drift"),
    CommandSpec("delete", "/delete ITEM_ID", "delete an item from the conversation", True),
    CommandSpec("reconnect", "/reconnect", "connect again (a new session)"),
    CommandSpec("disconnect", "/disconnect", "close the connection"),
    CommandSpec("help", "/help", "list the slash commands"),
)
COMMANDS_BY_NAME: dict[str, CommandSpec] = {c.name: c for c in COMMANDS}


class SlashError(ValueError):
    """A command the console refuses, with a message fit to show the user as is."""


@dataclass(frozen=True)
class SlashCommand:
    """A parsed, validated command.

    `argument` is the text after the name; for `/send`, `event_type` and `data` hold the
    event to hand to `client.realtime.send(event_type, data)` (without its `type`); for
    `/image`, `data` is `{"path": FILE, "text": the rest}`.
    """

    name: str
    argument: str = ""
    event_type: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def is_command(text: str) -> bool:
    """Input starting with `/` is a command; `//text` sends the literal text `/text`."""
    return text.startswith("/") and not text.startswith("//")


def help_text() -> str:
    """Every command with its usage, one per line (what `/help` shows)."""
    width = max(len(c.usage) for c in COMMANDS)
    return "\n".join(f"{c.usage:<{width}}  {c.help}" for c in COMMANDS)


def completions() -> list[str]:
    """Command prefixes for the input line's suggester."""
    return [f"/{c.name}" + (" " if c.needs_argument else "") for c in COMMANDS]


def validate_client_event(event: Any, protocol: str) -> tuple[str, dict[str, Any]]:
    """Check a raw client event before it is sent.

    Returns (type, the remaining fields). Raises `SlashError` naming the first problem:
    not an object, no type, a server event, an event of the other protocol, an unknown
    type, a missing required field or a field of the wrong JSON type.
    """
    if not isinstance(event, dict):
        raise SlashError(f"an event must be a JSON object, not {_json_kind(event)}")
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise SlashError('the event needs a "type", e.g. {"type": "response.create"}')
    client_types = CLIENT_EVENTS.get(protocol, CLIENT_EVENTS["ga"])
    if event_type not in client_types:
        other = "beta" if protocol == "ga" else "ga"
        if event_type in CLIENT_EVENTS[other]:
            raise SlashError(f"{event_type} is a {other} event; this session speaks {protocol}")
        if any(event_type in s for s in SERVER_EVENTS.values()):
            raise SlashError(f"{event_type} is a server event; /send takes client events")
        raise SlashError(f"unknown client event type {event_type!r}")
    missing = [f for f in CLIENT_REQUIRED_FIELDS.get(event_type, ()) if f not in event]
    if missing:
        raise SlashError(f"{event_type} needs {', '.join(repr(m) for m in missing)}")
    for key, value in event.items():
        expected = _FIELD_TYPES.get(key)
        if expected is None:
            continue
        if not isinstance(value, expected) or (isinstance(value, bool) and int in expected):
            names = " or ".join(_TYPE_NAMES[t] for t in expected)
            raise SlashError(f"{event_type}: {key!r} must be {names}, not {_json_kind(value)}")
        if key in ("audio_end_ms", "content_index") and isinstance(value, int) and value < 0:
            raise SlashError(f"{event_type}: {key!r} must not be negative")
    _check_nested_shapes(event, event_type, protocol)
    data = {k: v for k, v in event.items() if k != "type"}
    return event_type, data


def _check_nested_shapes(event: dict[str, Any], event_type: str, protocol: str) -> None:
    """The whole event against the protocol's shapes, as the simulator checks it (its
    session, item or response included), so a malformed nested field is refused here
    with the parameter's path instead of coming back as the server's `error`."""
    from console.simulator.errors import ApiError
    from console.simulator.validation import check_shapes

    try:
        check_shapes(event, "beta" if protocol == "beta" else "ga")
    except ApiError as error:
        where = f" ({error.param})" if error.param else ""
        raise SlashError(f"{event_type}: {error.message}{where}") from None


_TYPE_NAMES: dict[type, str] = {dict: "an object", str: "a string", int: "an integer", type(None): "null"}


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


def parse(text: str, protocol: str = "ga") -> SlashCommand:
    """Parse one line of input that `is_command`. Raises `SlashError` with a user message."""
    body = text.strip()[1:]
    name, _, argument = body.partition(" ")
    name = name.lower()
    argument = argument.strip()
    spec = COMMANDS_BY_NAME.get(name)
    if spec is None:
        matches = [c.name for c in COMMANDS if c.name.startswith(name)] if name else []
        hint = f" (did you mean /{matches[0]}?)" if len(matches) == 1 else ""
        raise SlashError(f"unknown command /{name}{hint}; /help lists them")
    if spec.needs_argument and not argument:
        raise SlashError(f"usage: {spec.usage}")
    if not spec.needs_argument and argument:
        raise SlashError(f"/{name} takes no argument (usage: {spec.usage})")
    if name == "voice":
        voice = argument.lower()
        if voice not in VOICES:
            raise SlashError(f"unknown voice {argument!r}; one of {', '.join(VOICES)}")
        return SlashCommand(name, voice)
    if name == "send":
        try:
            event = json.loads(argument)
        except json.JSONDecodeError as exc:
            raise SlashError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
        event_type, data = validate_client_event(event, protocol)
        return SlashCommand(name, argument, event_type=event_type, data=data)
    if name == "image":
        if protocol == "beta":
            raise SlashError("/image needs the GA protocol: beta has no image input")
        path, text = split_image_argument(argument)
        return SlashCommand(name, argument, data={"path": path, "text": text})
    return SlashCommand(name, argument)


def split_image_argument(argument: str) -> tuple[str, str]:
    """(file, text) of `/image FILE [text]`: the first word, or a quoted path with spaces
    (`/image "my cat.png" what is it?`)."""
    if argument[:1] in ("'", '"'):
        lexer = shlex.shlex(argument, posix=True)
        lexer.whitespace_split = True
        try:
            path = lexer.get_token() or ""
        except ValueError:
            raise SlashError("unclosed quote in the file name (usage: /image FILE [text])") from None
        rest = lexer.instream.read() if hasattr(lexer.instream, "read") else ""
        return path, rest.strip()
    path, _, text = argument.partition(" ")
    return path, text.strip()
