"""Client event checks: upstream's error codes for malformed client events.

`check_client_event` checks the envelope and the fields of every client event type of
a protocol (unknown types, missing or wrongly typed fields, unknown keys); sessions are
checked by `session.py`, and `parse_item` turns a checked item into the store's `Item`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from console.realtime.audio import base64_to_bytes, decode
from console.realtime.protocol import CLIENT_EVENTS, AudioCodec, Protocol, new_event_id

from .conversation import Item, Part, audio_part
from .errors import ApiError
from .images import image_part
from .mcp_schema import APPROVAL_RESPONSE
from .schema import ANY_OBJECT, BOOLEAN, STRING, ListOf, Nullable, Obj, OneOf, Scalar, enum, obj, tagged
from .session import (BETA_FORMATS, BETA_SESSION, GA_FORMAT, GA_SESSION, GA_TOOL_CHOICE, SessionSettings, max_tokens,
                      tool_list, voice_name)

_ITEM_COMMON: dict[str, Any] = dict(id=STRING, object=enum("realtime.item"), status=enum("completed", "incomplete", "in_progress"))


def _content(types: tuple[str, ...]) -> Obj:
    return obj(("type",), type=enum(*types), text=STRING, audio=STRING, transcript=Nullable(STRING),
               id=STRING, image_url=STRING, detail=enum("auto", "low", "high"))


def _message(content_types: tuple[str, ...]) -> Obj:
    return obj(("type", "role", "content"), type=STRING, role=STRING, content=ListOf(_content(content_types)), **_ITEM_COMMON)


_FUNCTION_CALL = obj(("type", "name", "arguments"), type=STRING, name=STRING, arguments=STRING, call_id=STRING, **_ITEM_COMMON)
_FUNCTION_OUTPUT = obj(("type", "call_id", "output"), type=STRING, call_id=STRING, output=STRING, **_ITEM_COMMON)
_BETA_CONTENT = ("input_text", "input_audio", "item_reference", "text", "audio")


def _role_tagged(roles: dict[str, Obj], **more: Any) -> Any:
    message = tagged("role", roles)
    return tagged("type", {"message": message, "function_call": _FUNCTION_CALL, "function_call_output": _FUNCTION_OUTPUT,
                           **more})


ITEM = {
    "beta": _role_tagged({role: _message(_BETA_CONTENT) for role in ("user", "assistant", "system")}),
    "ga": _role_tagged({
        "user": _message(("input_text", "input_audio", "input_image")),
        "assistant": _message(("output_text", "output_audio")),
        "system": _message(("input_text",)),
    }, mcp_approval_response=APPROVAL_RESPONSE),
}
_REFERENCE = obj(("type", "id"), type=STRING, id=STRING)


def _input_list(protocol: Protocol) -> Any:
    item = ITEM[protocol]

    def check_entry(value: Any, path: str) -> None:
        if isinstance(value, dict) and value.get("type") == "item_reference":
            _REFERENCE(value, path)
        else:
            item(value, path)

    return ListOf(check_entry)


_RESPONSE_COMMON: dict[str, Any] = dict(
    conversation=OneOf(((lambda v: isinstance(v, str), enum("auto", "none")),), "'auto' or 'none'"),
    instructions=STRING,
    metadata=Nullable(ANY_OBJECT),
    tools=tool_list,
)
RESPONSE = {
    "beta": obj((), input=_input_list("beta"), max_response_output_tokens=max_tokens,
                modalities=ListOf(enum("text", "audio"), min_items=1), output_audio_format=enum(*BETA_FORMATS),
                temperature=Scalar("number", minimum=0.6, maximum=1.2), tool_choice=STRING, voice=voice_name,
                **_RESPONSE_COMMON),
    "ga": obj((), input=_input_list("ga"), max_output_tokens=max_tokens,
              output_modalities=ListOf(enum("text", "audio"), min_items=1),
              audio=obj((), output=obj((), format=GA_FORMAT, voice=voice_name)), parallel_tool_calls=BOOLEAN,
              prompt=Nullable(ANY_OBJECT), reasoning=ANY_OBJECT, tool_choice=GA_TOOL_CHOICE, **_RESPONSE_COMMON),
}

_NON_NEGATIVE = Scalar("integer", minimum=0)
#: Fields of each client event type (besides `type` and `event_id`), required ones first.
EVENT_FIELDS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "session.update": (("session",), {"session": ANY_OBJECT}),
    "transcription_session.update": (("session",), {"session": ANY_OBJECT}),
    "input_audio_buffer.append": (("audio",), {"audio": STRING}),
    "input_audio_buffer.commit": ((), {}),
    "input_audio_buffer.clear": ((), {}),
    "output_audio_buffer.clear": ((), {}),
    "conversation.item.create": (("item",), {"item": ANY_OBJECT, "previous_item_id": Nullable(STRING)}),
    "conversation.item.delete": (("item_id",), {"item_id": STRING}),
    "conversation.item.retrieve": (("item_id",), {"item_id": STRING}),
    "conversation.item.truncate": (("item_id", "content_index", "audio_end_ms"),
                                   {"item_id": STRING, "content_index": _NON_NEGATIVE, "audio_end_ms": _NON_NEGATIVE}),
    "response.create": ((), {"response": ANY_OBJECT}),
    "response.cancel": ((), {"response_id": STRING}),
}


def client_event_id(event: Any) -> str | None:
    """The event's own id if it has a usable one (echoed in `error.event_id`)."""
    if isinstance(event, dict) and isinstance(event.get("event_id"), str):
        return event["event_id"]
    return None


def check_client_event(event: Any, protocol: Protocol) -> str:
    """Check a decoded client event's envelope and fields; returns its type."""
    if not isinstance(event, dict):
        raise ApiError("invalid_type", "Expected an object at the top level of the event.", None)
    if "type" not in event:
        raise ApiError("missing_required_parameter", "Missing required parameter: 'type'.", "type")
    event_type = event["type"]
    if not isinstance(event_type, str) or event_type not in CLIENT_EVENTS[protocol]:
        hint = " (GA-only shapes need no OpenAI-Beta header)" if protocol == "beta" else ""
        raise ApiError("invalid_value", f"Invalid value: {event_type!r}. Unknown event type for the {protocol} protocol{hint}.", "type")
    required, fields = EVENT_FIELDS[event_type]
    Obj({"type": STRING, "event_id": STRING, **fields}, frozenset(required))(event, "")
    return event_type


def check_shapes(event: Any, protocol: Protocol) -> str:
    """Every shape check the simulator makes of a client event before acting on it, in
    one call: the envelope and fields (`check_client_event`), and the nested session of a
    `session.update`, item of a `conversation.item.create` and response of a
    `response.create`. Returns the event's type; raises `ApiError` naming the parameter.

    The console's `/send` uses it, so what it lets through is what the simulator takes.
    """
    event_type = check_client_event(event, protocol)
    if event_type == "session.update":
        (BETA_SESSION if protocol == "beta" else GA_SESSION)(event["session"], "session")
    elif event_type == "conversation.item.create":
        ITEM[protocol](event["item"], "item")
    elif event_type == "response.create" and "response" in event:
        RESPONSE[protocol](event["response"], "response")
    return event_type


def decode_audio(data: str, codec: AudioCodec, param: str) -> np.ndarray:
    """Decode base64 wire audio for `codec`; bad base64 or odd PCM16 is `invalid_value` at `param`."""
    try:
        raw = base64_to_bytes(data)
    except ValueError as exc:
        raise ApiError("invalid_value", str(exc), param) from None
    if codec == "pcm16" and len(raw) % 2:
        raise ApiError("invalid_value", "PCM16 audio must have an even number of bytes.", param)
    return decode(raw, codec)


def parse_item(raw: dict[str, Any], protocol: Protocol, settings: SessionSettings) -> Item:
    """Check an item for `conversation.item.create` and build the store's `Item`.

    User audio is decoded with the session's input codec, assistant audio with its output
    codec; if it is the simulator's own voice its transcript is known, otherwise it is
    labelled by its length.
    """
    ITEM[protocol](raw, "item")
    item = Item(id=raw.get("id") or new_event_id("item_"), type=raw["type"], role=raw.get("role"),
                status="completed", name=raw.get("name"), call_id=raw.get("call_id"),
                arguments=raw.get("arguments"), output=raw.get("output"))
    if item.type == "function_call" and not item.call_id:
        item.call_id = new_event_id("call_")
    for index, content in enumerate(raw.get("content") or ()):
        kind = {"output_text": "text", "output_audio": "audio"}.get(content["type"], content["type"])
        if kind in ("input_audio", "audio") and "audio" in content:
            codec = settings.output_codec if item.role == "assistant" else settings.input_codec
            samples = decode_audio(content["audio"], codec, f"item.content[{index}].audio")
            item.content.append(audio_part(kind, samples, codec, content.get("transcript")))
        elif kind in ("input_audio", "audio"):
            item.content.append(Part(kind, transcript=content.get("transcript")))
        elif kind == "input_image":
            item.content.append(image_part(content, f"item.content[{index}]"))
        else:
            extra = {k: content[k] for k in ("id", "image_url", "detail") if k in content}
            item.content.append(Part(kind, text=content.get("text"), extra=extra))
    return item
