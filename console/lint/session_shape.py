"""The GA session's shape, object by object, and what a `session.update` does wrong against it.

A GA session is nested: `audio.input.format`, `audio.output.voice` and so on, where the beta
session had flat fields (`input_audio_format`, `voice`). `GA_SESSION_FIELDS` lists the fields
each checked object may hold, as the API's own types declare them (the `openai` package's
`openai.types.realtime` session, audio, format, transcription and turn-detection types; a
test keeps this table a superset of them). Free-form objects (tools, prompt, tracing, a
voice given as an object) are not descended into.

`problems` walks a sent session and sorts what does not fit into:
- beta fields: a beta-only name (the library's `BETA_TO_GA_PATH`) anywhere in the session,
  with the GA path it belongs at (None when GA has no such field), and beta format strings
  (`"pcm16"`) where GA wants a format object;
- unknown fields: any other name a checked object does not have, with the GA paths where a
  field of that name does live (a field one level off, say `audio.voice`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from console.realtime.protocol import BETA_TO_GA_PATH

_TURN_DETECTION = frozenset({"type", "create_response", "interrupt_response", "idle_timeout_ms", "prefix_padding_ms",
                             "silence_duration_ms", "threshold", "eagerness"})
_FORMAT = frozenset({"type", "rate"})

#: The fields of each checked object of a GA session, by its dotted path ("" is the session).
GA_SESSION_FIELDS: dict[str, frozenset[str]] = {
    "": frozenset({"type", "model", "instructions", "output_modalities", "audio", "include", "max_output_tokens",
                   "parallel_tool_calls", "prompt", "reasoning", "tool_choice", "tools", "tracing", "truncation"}),
    "audio": frozenset({"input", "output"}),
    "audio.input": frozenset({"format", "noise_reduction", "transcription", "turn_detection"}),
    "audio.output": frozenset({"format", "speed", "voice"}),
    "audio.input.format": _FORMAT,
    "audio.output.format": _FORMAT,
    "audio.input.noise_reduction": frozenset({"type", "strength"}),
    "audio.input.transcription": frozenset({"model", "language", "languages", "prompt", "delay", "keywords"}),
    "audio.input.turn_detection": _TURN_DETECTION,
}
#: Beta format names, and the GA format object each became.
_BETA_FORMATS: dict[str, str] = {"pcm16": '{"type": "audio/pcm", "rate": 24000}', "g711_ulaw": '{"type": "audio/pcmu"}',
                                 "g711_alaw": '{"type": "audio/pcma"}'}


@dataclass(frozen=True)
class Misfit:
    """One field of a sent session that does not fit the GA shape.

    `path` is where it was sent (`audio.voice`); `ga` says where it belongs: the GA path(s)
    of that field, or what GA wants instead; empty when GA has nothing like it.
    """

    path: str
    ga: tuple[str, ...] = ()

    def describe(self) -> str:
        """`voice (GA: audio.output.voice)`, `temperature (not in GA)`."""
        if not self.ga:
            return f"{self.path} (not in GA)"
        return f"{self.path} (GA: {' or '.join(self.ga)})"


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key


def _homes(key: str) -> tuple[str, ...]:
    """Every GA path where a field named `key` lives."""
    return tuple(_join(path, key) for path, fields in GA_SESSION_FIELDS.items() if key in fields)


def _walk(obj: dict[str, Any], path: str) -> Iterator[tuple[str, str, Any]]:
    """(object path, key, value) of every key of the checked objects under `obj`."""
    for key, value in obj.items():
        yield path, str(key), value
        child = _join(path, str(key))
        if isinstance(value, dict) and child in GA_SESSION_FIELDS and key in GA_SESSION_FIELDS[path]:
            yield from _walk(value, child)


def problems(session: dict[str, Any]) -> tuple[list[Misfit], list[Misfit]]:
    """(beta-shaped fields, unknown fields) of a GA `session` object, in the order sent."""
    beta: list[Misfit] = []
    unknown: list[Misfit] = []
    for parent, key, value in _walk(session, ""):
        path = _join(parent, key)
        fields = GA_SESSION_FIELDS[parent]
        if key in fields:
            if key == "format" and isinstance(value, str) and parent in ("audio.input", "audio.output"):
                beta.append(Misfit(f"{path} {value!r}", (_BETA_FORMATS.get(value, "a format object"),)))
            continue
        if key in BETA_TO_GA_PATH:
            target = BETA_TO_GA_PATH[key]
            beta.append(Misfit(path, (".".join(target),) if target else ()))
        else:
            unknown.append(Misfit(path, _homes(key)))
    return beta, unknown
