"""Checks and views of events that several layers need (no I/O, no state).

`redact_event` makes an event safe and short enough to log: base64 audio and image data
URLs are replaced by a note of their length (the reference printed whole audio payloads
in debug mode).
"""

from __future__ import annotations

from typing import Any

from .protocol import AUDIO_PAYLOAD_KEYS

#: Keys that hold base64 audio or images inside nested objects (item content parts).
_NESTED_AUDIO_KEYS = ("audio", "image_url")


def _elided(value: Any) -> Any:
    if isinstance(value, str):
        return f"<{len(value)} base64 chars>"
    return value


def redact_event(event: dict[str, Any]) -> dict[str, Any]:
    """A copy of `event` with its base64 audio elided; the input is not modified."""
    out = dict(event)
    key = AUDIO_PAYLOAD_KEYS.get(str(event.get("type")))
    if key and key in out:
        out[key] = _elided(out[key])
    item = out.get("item")
    if isinstance(item, dict) and isinstance(item.get("content"), list):
        item = dict(item)
        item["content"] = [
            {k: (_elided(v) if k in _NESTED_AUDIO_KEYS else v) for k, v in part.items()} if isinstance(part, dict) else part
            for part in item["content"]
        ]
        out["item"] = item
    return out


def require_fields(event: dict[str, Any], *names: str) -> list[str]:
    """The names among `names` that `event` lacks (an empty list when all are present)."""
    return [name for name in names if event.get(name) is None]
