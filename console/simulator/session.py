"""Session state for one simulated connection, in the connection's own protocol shape.

The session is kept exactly as the client's protocol writes it (flat for beta, nested
GA otherwise), so `session.created` / `session.updated` echo what upstream would, and a
`SessionSettings` view (read through `session_to_flat`) gives the rest of the simulator
one shape to read. An update is checked completely before anything is applied: an
invalid update is dropped whole, as upstream drops it. That includes upstream's one
stateful rule: once the model has produced audio, the voice can no longer change
(`cannot_update_voice`).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

from console.realtime.protocol import (
    VOICES,
    AudioCodec,
    Protocol,
    audio_codec,
    new_event_id,
    sample_rate,
    session_to_flat,
)

from .errors import ApiError
from .mcp_schema import MCP_TOOL, check_unique_labels, masked_tool
from .schema import (
    ANY_OBJECT,
    BOOLEAN,
    STRING,
    ListOf,
    Nullable,
    OneOf,
    Scalar,
    enum,
    obj,
    tagged,
)

BETA_FORMATS = ("pcm16", "g711_ulaw", "g711_alaw")
DEFAULT_INSTRUCTIONS = (
    "You are the realtime-console simulator: you repeat what you hear, follow a few "
    "rules (greetings, 'count to N', 'tell me a long story') and call tools by name."
)
DEFAULT_TURN_DETECTION: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 500,
    "create_response": True,
    "interrupt_response": True,
}


def voice_name(value: Any, path: str) -> None:
    """Check a voice name against upstream's voices."""
    enum(*VOICES)(value, path)


def max_tokens(value: Any, path: str) -> None:
    """Check an output token limit: 1..4096 or "inf"."""
    if value == "inf":
        return
    Scalar("integer", minimum=1, maximum=4096)(value, path)


_TOOL = obj(
    ("type", "name"),
    type=enum("function"),
    name=STRING,
    description=STRING,
    parameters=ANY_OBJECT,
)


_BETA_TOOL = tagged("type", {"function": _TOOL})  # beta has no MCP tools


def tool_list(value: Any, path: str, check: Any = _BETA_TOOL) -> None:
    """Check function tool definitions; names must be unique, as upstream requires."""
    ListOf(check)(value, path)
    names = [tool.get("name") for tool in value]
    for index, name in enumerate(names):
        if name is not None and names.index(name) != index:
            raise ApiError("invalid_value", f"Duplicate tool name '{name}'.", f"{path}[{index}].name")


_GA_TOOL = tagged("type", {"function": _TOOL, "mcp": MCP_TOOL})


def ga_tool_list(value: Any, path: str) -> None:
    """GA tools: functions and remote MCP servers (labels unique too)."""
    tool_list(value, path, _GA_TOOL)
    check_unique_labels(value, path)


_TRANSCRIPTION = obj((), model=STRING, language=STRING, prompt=STRING)
_NOISE = obj((), type=enum("near_field", "far_field"))
_VAD_COMMON = dict(create_response=BOOLEAN, interrupt_response=BOOLEAN)
_SERVER_VAD = dict(
    type=STRING,
    threshold=Scalar("number", minimum=0.0, maximum=1.0),
    prefix_padding_ms=Scalar("integer", minimum=0),
    silence_duration_ms=Scalar("integer", minimum=0),
    **_VAD_COMMON,
)
_SEMANTIC_VAD = obj(("type",), type=STRING, eagerness=enum("low", "medium", "high", "auto"), **_VAD_COMMON)
#: Beta's turn detection; GA's adds `idle_timeout_ms` to server VAD.
_BETA_TURN_DETECTION = tagged("type", {"server_vad": obj(("type",), **_SERVER_VAD), "semantic_vad": _SEMANTIC_VAD})
_GA_TURN_DETECTION = tagged("type", {
    "server_vad": obj(("type",), idle_timeout_ms=Nullable(Scalar("integer", minimum=5000, maximum=30000)), **_SERVER_VAD),
    "semantic_vad": _SEMANTIC_VAD,
})
_TRACING = OneOf((
    (lambda v: isinstance(v, str), enum("auto")),
    (lambda v: v is None or isinstance(v, dict), Nullable(obj((), group_id=STRING, metadata=ANY_OBJECT, workflow_name=STRING))),
), "'auto' or a tracing configuration")

BETA_SESSION = obj(
    (),
    model=STRING,
    modalities=ListOf(enum("text", "audio"), min_items=1),
    instructions=STRING,
    voice=voice_name,
    input_audio_format=enum(*BETA_FORMATS),
    output_audio_format=enum(*BETA_FORMATS),
    input_audio_transcription=Nullable(_TRANSCRIPTION),
    input_audio_noise_reduction=Nullable(_NOISE),
    turn_detection=Nullable(_BETA_TURN_DETECTION),
    tools=tool_list,
    tool_choice=STRING,
    temperature=Scalar("number", minimum=0.6, maximum=1.2),
    max_response_output_tokens=max_tokens,
    speed=Scalar("number", minimum=0.25, maximum=1.5),
    tracing=_TRACING,
)

GA_FORMAT = tagged("type", {
    "audio/pcm": obj(("type",), type=STRING, rate=Scalar("integer", values=(24000,))),
    "audio/pcmu": obj(("type",), type=STRING),
    "audio/pcma": obj(("type",), type=STRING),
})
GA_TOOL_CHOICE = OneOf((
    (lambda v: isinstance(v, str), enum("none", "auto", "required")),
    (lambda v: isinstance(v, dict), obj(("type", "name"), type=enum("function"), name=STRING)),
), "'none', 'auto', 'required' or a function choice")
GA_SESSION = obj(
    ("type",),
    type=enum("realtime"),
    model=STRING,
    output_modalities=ListOf(enum("text", "audio"), min_items=1),
    instructions=STRING,
    audio=obj(
        (),
        input=obj(
            (),
            format=GA_FORMAT,
            transcription=Nullable(_TRANSCRIPTION),
            noise_reduction=Nullable(_NOISE),
            turn_detection=Nullable(_GA_TURN_DETECTION),
        ),
        output=obj((), format=GA_FORMAT, voice=voice_name, speed=Scalar("number", minimum=0.25, maximum=1.5)),
    ),
    tools=ga_tool_list,
    tool_choice=GA_TOOL_CHOICE,
    max_output_tokens=max_tokens,
    tracing=_TRACING,
    truncation=Nullable(enum("auto", "disabled")),
    include=Nullable(ListOf(enum("item.input_audio_transcription.logprobs"))),
    parallel_tool_calls=BOOLEAN,
    prompt=Nullable(ANY_OBJECT),
)


@dataclass(frozen=True)
class SessionSettings:
    """What the rest of the simulator needs from a session, whatever its shape."""

    modalities: tuple[str, ...]
    instructions: str
    voice: str
    input_codec: AudioCodec
    output_codec: AudioCodec
    transcription: bool
    turn_detection: dict[str, Any] | None
    tools: tuple[dict[str, Any], ...]
    tool_choice: Any

    @property
    def input_rate(self) -> int:
        return sample_rate(self.input_codec)

    @property
    def output_rate(self) -> int:
        return sample_rate(self.output_codec)


def _merge(base: dict[str, Any], update: dict[str, Any]) -> None:
    """Deep-merge GA objects (`audio.input` etc.); lists, nulls and VAD configs replace."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and key in ("audio", "input", "output"):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def _fill_turn_detection(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") == "server_vad":
        return {**DEFAULT_TURN_DETECTION, **value}
    if isinstance(value, dict):
        return {"create_response": True, "interrupt_response": True, "eagerness": "auto", **value}
    return value


class Session:
    """One connection's session: defaults, validated updates, and a settings view."""

    def __init__(self, protocol: Protocol, model: str, duration_s: float) -> None:
        self.protocol = protocol
        self.created_at = time.time()
        self.expires_at = int(self.created_at + duration_s)
        self.data = self._defaults(model)
        self.settings = self._settings()
        self.voice_locked = False  #: the model has produced audio: the voice may not change any more

    def lock_voice(self) -> None:
        """Called when the model produces audio; later voice changes are refused, as upstream does."""
        self.voice_locked = True

    def _check_voice_change(self, update: dict[str, Any]) -> None:
        if self.protocol == "beta":
            voice, param = update.get("voice"), "session.voice"
        else:
            voice, param = ((update.get("audio") or {}).get("output") or {}).get("voice"), "session.audio.output.voice"
        # Re-sending the current voice is not a change (clients often send the whole session).
        if voice is not None and voice != self.settings.voice:
            raise ApiError("cannot_update_voice",
                           "Cannot update a conversation's voice if assistant audio is present.", param)

    def _defaults(self, model: str) -> dict[str, Any]:
        common = {"id": new_event_id("sess_"), "object": "realtime.session", "model": model, "expires_at": self.expires_at}
        if self.protocol == "beta":
            return {
                **common,
                "modalities": ["text", "audio"],
                "instructions": DEFAULT_INSTRUCTIONS,
                "voice": "alloy",
                "input_audio_format": "pcm16",
                "output_audio_format": "pcm16",
                "input_audio_transcription": None,
                "input_audio_noise_reduction": None,
                "turn_detection": dict(DEFAULT_TURN_DETECTION),
                "tools": [],
                "tool_choice": "auto",
                "temperature": 0.8,
                "max_response_output_tokens": "inf",
                "speed": 1.0,
                "tracing": None,
            }
        return {
            "type": "realtime",
            **common,
            "output_modalities": ["audio"],
            "instructions": DEFAULT_INSTRUCTIONS,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": dict(DEFAULT_TURN_DETECTION),
                },
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy", "speed": 1.0},
            },
            "tools": [],
            "tool_choice": "auto",
            "max_output_tokens": "inf",
            "tracing": None,
            "truncation": "auto",
            "prompt": None,
            "include": None,
        }

    def update(self, update: Any) -> None:
        """Validate and apply a `session.update` payload (all or nothing)."""
        if self.protocol == "beta":
            BETA_SESSION(update, "session")
        else:
            GA_SESSION(update, "session")
            modalities = update.get("output_modalities")
            if modalities is not None and len(set(modalities)) > 1:
                raise ApiError("invalid_value", "output_modalities must be ['audio'] or ['text'], not both.",
                               "session.output_modalities")
        if self.voice_locked:
            self._check_voice_change(update)
        candidate = copy.deepcopy(self.data)
        _merge(candidate, update)
        if self.protocol == "beta":
            candidate["turn_detection"] = _fill_turn_detection(candidate.get("turn_detection"))
        else:
            audio_in = candidate["audio"]["input"]
            audio_in["turn_detection"] = _fill_turn_detection(audio_in.get("turn_detection"))
        self.data = candidate
        self.settings = self._settings()

    def _settings(self) -> SessionSettings:
        flat = session_to_flat(self.data)
        modalities = tuple(flat.get("modalities") or ("text",))
        return SessionSettings(
            modalities=modalities,
            instructions=str(flat.get("instructions") or ""),
            voice=str(flat.get("voice") or "alloy"),
            input_codec=audio_codec(flat.get("input_audio_format")),
            output_codec=audio_codec(flat.get("output_audio_format")),
            transcription=flat.get("input_audio_transcription") is not None,
            turn_detection=flat.get("turn_detection"),
            tools=tuple(flat.get("tools") or ()),
            tool_choice=flat.get("tool_choice", "auto"),
        )

    def snapshot(self) -> dict[str, Any]:
        """The session as `session.created` / `session.updated` carry it (MCP secrets hidden)."""
        data = copy.deepcopy(self.data)
        if any(isinstance(t, dict) and t.get("type") == "mcp" for t in data.get("tools") or ()):
            data["tools"] = [masked_tool(t) if t.get("type") == "mcp" else t for t in data["tools"]]
        return data
