"""The client's session configuration: defaults, field updates and the `session.update` payload.

`RealtimeClient.session_config` is a flat, beta-style dict (the reference's shape, which
the console's editors use for both protocols); this module owns the rules for changing it
and for turning it, plus the tools added with `add_tool`, into the `session` object of a
`session.update` in the protocol's own shape.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from .protocol import FLAT_SESSION_FIELDS, flat_to_ga_session, normalise_turn_detection

logger = logging.getLogger("console.realtime")

#: The reference's default session (flat beta-style fields), voice "verse" as its latest.
DEFAULT_SESSION: dict[str, Any] = {
    "modalities": ["text", "audio"],
    "instructions": "",
    "voice": "verse",
    "input_audio_format": "pcm16",
    "output_audio_format": "pcm16",
    "input_audio_transcription": None,
    "turn_detection": None,
    "tools": [],
    "tool_choice": "auto",
    "temperature": 0.8,
    "max_response_output_tokens": 4096,
}
#: Server VAD settings the reference documents (for `update_session(turn_detection=...)`).
DEFAULT_SERVER_VAD: dict[str, Any] = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
}


def apply_session_fields(config: dict[str, Any], fields: dict[str, Any]) -> None:
    """Store `fields` (copies) in `config`: `turn_detection` normalised (`{"type": "none"}`
    is None), `tools` a list (None is []; anything else TypeError), unknown keys kept and
    logged (the server judges them)."""
    for key, value in fields.items():
        if key == "turn_detection":
            value = normalise_turn_detection(value)
        elif key == "tools":
            if value is None:
                value = []
            if not isinstance(value, list):
                raise TypeError("tools must be a list of tool definitions")
        elif key not in FLAT_SESSION_FIELDS:
            logger.info("session field %r is not a flat session field; sent as given", key)
        config[key] = copy.deepcopy(value)


def session_payload(config: dict[str, Any], tools: dict[str, dict[str, Any]], protocol: str,
                    mcp_tools: list[dict[str, Any]] | tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """The `session` of a `session.update`: `config`'s tools then the added `tools`
    (`{name: {"definition", ...}}`), each typed `function`, then `mcp_tools` (GA only:
    a beta session has none); GA-shaped for protocol "ga".

    Raises:
        ValueError: a tool is both in `config["tools"]` and in `tools`.
    """
    session = copy.deepcopy(config)
    definitions = []
    for definition in session.get("tools") or []:
        definition = dict(definition)
        definition.setdefault("type", "function")
        if definition.get("name") in tools:
            raise ValueError(f"tool {definition.get('name')!r} is both in session tools and added with add_tool")
        definitions.append(definition)
    for tool in tools.values():
        definitions.append({"type": "function", **tool["definition"]})
    if protocol == "ga":
        definitions.extend(copy.deepcopy(dict(tool)) for tool in mcp_tools)
    session["tools"] = definitions
    if protocol == "ga":
        return flat_to_ga_session(session)
    return session
