"""Protocol facts shared by the client library, the simulator and the console.

Pure data and pure functions: event type catalogues for both protocol shapes (beta and
GA), the GA<->beta event renames, session-shape translation and audio format helpers.
Nothing here does I/O, so every consumer (client, simulator, recorder, UI) agrees on one
definition instead of growing its own copy.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any, Literal

Protocol = Literal["ga", "beta"]
PROTOCOLS: tuple[str, ...] = ("ga", "beta")

DEFAULT_URL = "wss://api.openai.com/v1/realtime"
DEFAULT_MODEL = "gpt-realtime"
BETA_HEADER = ("OpenAI-Beta", "realtime=v1")

#: Upstream's fatal close codes (sent after a successful upgrade, with one `error` event).
CLOSE_AUTH_FAILED = 3000
CLOSE_BAD_REQUEST = 4000

PCM_RATE = 24_000
G711_RATE = 8_000

VOICES: tuple[str, ...] = (
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar",
)

# --- event type catalogues (taken from the official `openai` package's unions) -----------

_COMMON_CLIENT = (
    "conversation.item.create",
    "conversation.item.delete",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "input_audio_buffer.append",
    "input_audio_buffer.clear",
    "input_audio_buffer.commit",
    "output_audio_buffer.clear",
    "response.cancel",
    "response.create",
    "session.update",
)
CLIENT_EVENTS: dict[str, frozenset[str]] = {
    "ga": frozenset(_COMMON_CLIENT),
    "beta": frozenset(_COMMON_CLIENT + ("transcription_session.update",)),
}

_COMMON_SERVER = (
    "conversation.created",
    "conversation.item.created",
    "conversation.item.deleted",
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.failed",
    "conversation.item.retrieved",
    "conversation.item.truncated",
    "error",
    "input_audio_buffer.cleared",
    "input_audio_buffer.committed",
    "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped",
    "output_audio_buffer.cleared",
    "output_audio_buffer.started",
    "output_audio_buffer.stopped",
    "rate_limits.updated",
    "response.content_part.added",
    "response.content_part.done",
    "response.created",
    "response.done",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.added",
    "response.output_item.done",
    "session.created",
    "session.updated",
)
SERVER_EVENTS: dict[str, frozenset[str]] = {
    "ga": frozenset(
        _COMMON_SERVER
        + (
            "conversation.item.added",
            "conversation.item.done",
            "conversation.item.input_audio_transcription.segment",
            "input_audio_buffer.dtmf_event_received",
            "input_audio_buffer.timeout_triggered",
            "mcp_list_tools.completed",
            "mcp_list_tools.failed",
            "mcp_list_tools.in_progress",
            "response.mcp_call.completed",
            "response.mcp_call.failed",
            "response.mcp_call.in_progress",
            "response.mcp_call_arguments.delta",
            "response.mcp_call_arguments.done",
            "response.output_audio.delta",
            "response.output_audio.done",
            "response.output_audio_transcript.delta",
            "response.output_audio_transcript.done",
            "response.output_text.delta",
            "response.output_text.done",
        )
    ),
    "beta": frozenset(
        _COMMON_SERVER
        + (
            "response.audio.delta",
            "response.audio.done",
            "response.audio_transcript.delta",
            "response.audio_transcript.done",
            "response.text.delta",
            "response.text.done",
            "transcription_session.updated",
        )
    ),
}

#: Every event type of either protocol, client and server: what a type picker offers.
ALL_EVENT_TYPES: tuple[str, ...] = tuple(
    sorted(CLIENT_EVENTS["ga"] | CLIENT_EVENTS["beta"] | SERVER_EVENTS["ga"] | SERVER_EVENTS["beta"])
)

#: GA server event names and the beta names of the same events.
GA_TO_BETA: dict[str, str] = {
    "conversation.item.added": "conversation.item.created",
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
}
BETA_TO_GA: dict[str, str] = {beta: ga for ga, beta in GA_TO_BETA.items()}

#: Streaming event types whose consecutive occurrences a log may fold into one row.
DELTA_EVENTS: frozenset[str] = frozenset(
    t for t in ALL_EVENT_TYPES if t.endswith(".delta")
) | frozenset({"input_audio_buffer.append"})

#: Event types whose payload carries base64 audio, and the key that holds it.
AUDIO_PAYLOAD_KEYS: dict[str, str] = {
    "input_audio_buffer.append": "audio",
    "response.audio.delta": "delta",
    "response.output_audio.delta": "delta",
}


def canonical_type(event_type: str) -> str:
    """The beta name of an event type (GA names map onto beta ones; others are unchanged).

    The conversation core is written once against the beta names, as the reference is,
    and handles GA traffic through this mapping.
    """
    return GA_TO_BETA.get(event_type, event_type)


def new_event_id(prefix: str = "evt_") -> str:
    """A unique id in the style upstream uses (`evt_` + 21 random characters)."""
    return prefix + secrets.token_urlsafe(16)[:21]


# --- audio formats --------------------------------------------------------------------

AudioCodec = Literal["pcm16", "g711_ulaw", "g711_alaw"]

_GA_FORMAT_TO_CODEC = {"audio/pcm": "pcm16", "audio/pcmu": "g711_ulaw", "audio/pcma": "g711_alaw"}
_CODEC_TO_GA_FORMAT = {v: k for k, v in _GA_FORMAT_TO_CODEC.items()}


def audio_codec(fmt: Any) -> AudioCodec:
    """Normalise a beta format string or a GA format object to a codec name.

    Unknown or missing formats are treated as PCM16, the API's default.
    """
    if isinstance(fmt, dict):
        return _GA_FORMAT_TO_CODEC.get(str(fmt.get("type")), "pcm16")  # type: ignore[return-value]
    if fmt in ("g711_ulaw", "g711_alaw"):
        return fmt  # type: ignore[return-value]
    return "pcm16"


def sample_rate(fmt: Any) -> int:
    """Samples per second of an audio format (24 kHz PCM16, 8 kHz G.711)."""
    return PCM_RATE if audio_codec(fmt) == "pcm16" else G711_RATE


def ga_audio_format(codec: str) -> dict[str, Any]:
    """The GA format object for a beta codec name."""
    ga_type = _CODEC_TO_GA_FORMAT.get(audio_codec(codec), "audio/pcm")
    return {"type": ga_type, "rate": PCM_RATE} if ga_type == "audio/pcm" else {"type": ga_type}


# --- session shapes -------------------------------------------------------------------

#: The flat (beta-style) session fields `RealtimeClient.update_session` accepts.
FLAT_SESSION_FIELDS: tuple[str, ...] = (
    "modalities",
    "instructions",
    "voice",
    "input_audio_format",
    "output_audio_format",
    "input_audio_transcription",
    "turn_detection",
    "tools",
    "tool_choice",
    "temperature",
    "max_response_output_tokens",
)


#: Where each beta-only session field lives in a GA session, as a path of keys (None: GA
#: has no such field). Fields named alike in both shapes (`instructions`, `tools`,
#: `tool_choice`) are not listed. `flat_to_ga_session` places fields by it, and the
#: linter names the GA path of a beta field it finds in a GA session.
BETA_TO_GA_PATH: dict[str, tuple[str, ...] | None] = {
    "modalities": ("output_modalities",),
    "voice": ("audio", "output", "voice"),
    "input_audio_format": ("audio", "input", "format"),
    "output_audio_format": ("audio", "output", "format"),
    "input_audio_transcription": ("audio", "input", "transcription"),
    "input_audio_noise_reduction": ("audio", "input", "noise_reduction"),
    "turn_detection": ("audio", "input", "turn_detection"),
    "speed": ("audio", "output", "speed"),
    "max_response_output_tokens": ("max_output_tokens",),
    "temperature": None,
}


def normalise_turn_detection(value: Any) -> Any:
    """`{"type": "none"}` (as the reference README writes it) means no turn detection."""
    if isinstance(value, dict) and value.get("type") in (None, "none"):
        return None
    return value


def _ga_value(key: str, value: Any) -> Any:
    """A flat field's value as its GA counterpart holds it."""
    if key == "modalities":
        return ["audio"] if "audio" in value else ["text"]
    if key in ("input_audio_format", "output_audio_format") and isinstance(value, str):
        return ga_audio_format(value)
    if key == "turn_detection":
        return normalise_turn_detection(value)
    return value


def flat_to_ga_session(flat: dict[str, Any]) -> dict[str, Any]:
    """Translate a flat beta-style session into the GA session shape (`BETA_TO_GA_PATH`
    says where each field goes).

    Only the keys present in `flat` are translated, so a partial update stays partial.
    `temperature` has no GA counterpart and is dropped. Keys that are already GA-shaped
    (`type`, `audio`, `output_modalities`, `max_output_tokens`, ...) pass through.
    """
    ga: dict[str, Any] = {"type": "realtime"}
    audio: dict[str, dict[str, Any]] = {"input": {}, "output": {}}
    for key, value in flat.items():
        value = copy.deepcopy(value)
        if key == "audio" and isinstance(value, dict):
            audio["input"].update(value.get("input") or {})
            audio["output"].update(value.get("output") or {})
            continue
        if key not in BETA_TO_GA_PATH:
            ga[key] = value
            continue
        path = BETA_TO_GA_PATH[key]
        if path is None or (key == "modalities" and value is None):
            continue
        value = _ga_value(key, value)
        if len(path) == 3:
            audio[path[1]][path[2]] = value
        else:
            ga[path[0]] = value
    if audio["input"] or audio["output"]:
        ga["audio"] = {side: fields for side, fields in audio.items() if fields}
    return ga


def session_to_flat(session: dict[str, Any]) -> dict[str, Any]:
    """A flat (beta-style) view of a session of either shape.

    Used wherever one view must show sessions from both protocols (the session editor,
    the applied-versus-sent diff). Keys without a flat counterpart are kept as they are.
    """
    if "audio" not in session and "output_modalities" not in session and session.get("type") != "realtime":
        return copy.deepcopy(session)
    flat: dict[str, Any] = {}
    for key, value in session.items():
        value = copy.deepcopy(value)
        if key == "type" and value == "realtime":
            continue
        if key == "output_modalities":
            flat["modalities"] = value
        elif key == "max_output_tokens":
            flat["max_response_output_tokens"] = value
        elif key == "audio" and isinstance(value, dict):
            # Anything but an object (a server bug, a hand-edited file) has nothing to read.
            audio_in = value.get("input") if isinstance(value.get("input"), dict) else {}
            audio_out = value.get("output") if isinstance(value.get("output"), dict) else {}
            if "format" in audio_in:
                flat["input_audio_format"] = audio_codec(audio_in["format"])
            if "transcription" in audio_in:
                flat["input_audio_transcription"] = audio_in["transcription"]
            if "turn_detection" in audio_in:
                flat["turn_detection"] = audio_in["turn_detection"]
            for extra in ("noise_reduction",):
                if extra in audio_in:
                    flat["input_audio_noise_reduction"] = audio_in[extra]
            if "voice" in audio_out:
                flat["voice"] = audio_out["voice"]
            if "format" in audio_out:
                flat["output_audio_format"] = audio_codec(audio_out["format"])
            if "speed" in audio_out:
                flat["speed"] = audio_out["speed"]
        else:
            flat[key] = value
    return flat


def session_audio_codecs(session: dict[str, Any]) -> tuple[AudioCodec, AudioCodec]:
    """(input codec, output codec) of a session of either shape.

    What `session_to_flat` would give for the two formats, read in place: the analysis of
    a recording asks this for every session event, and a copy of the whole session (its
    instructions and tools) cost more than the rest of that event's analysis.
    """
    if "audio" not in session and "output_modalities" not in session and session.get("type") != "realtime":
        return audio_codec(session.get("input_audio_format")), audio_codec(session.get("output_audio_format"))
    formats: dict[str, Any] = {}
    for key, value in session.items():  # in order: a later key overrides, as in the flat view
        if key in ("input_audio_format", "output_audio_format"):
            formats[key] = value
        elif key == "audio" and isinstance(value, dict):
            for side in ("input", "output"):
                part = value.get(side)
                if isinstance(part, dict) and "format" in part:
                    formats[f"{side}_audio_format"] = audio_codec(part["format"])
    return audio_codec(formats.get("input_audio_format")), audio_codec(formats.get("output_audio_format"))
