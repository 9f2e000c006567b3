"""JSON text parsed at the rate a relay or a whole-file pass needs it.

`json.loads` spends about as long in its Python wrappers (a type check, a decoder looked
up, a whitespace regex on both ends) as the C scanner spends on a short event. `decode_json`
calls the scanner alone and hands anything it does not take whole (surrounding
whitespace, an error) to the full decoder, so its results and errors are those of
`json.loads`: the proxy parses every relayed frame with it, and whole-file passes every
line.
"""

from __future__ import annotations

import json
from typing import Any

_DECODER = json.JSONDecoder()
_SCAN = _DECODER.scan_once


def decode_json(text: str) -> Any:
    """`json.loads(text)` for a `str`, less the Python wrappers around the C scanner when
    the text has no surrounding whitespace (a recorder's lines and a server's frames never
    do); anything else, and any error, goes through the whole decoder, which raises what
    `json.loads` raises."""
    try:
        obj, end = _SCAN(text, 0)
    except StopIteration:
        return _DECODER.decode(text)
    return obj if end == len(text) else _DECODER.decode(text)


def parse_event_text(text: str | bytes) -> dict[str, Any] | None:
    """The Realtime event a frame's text holds: a JSON object with a string `type`; None
    for anything else (binary, not JSON, too deeply nested, not an event). Never raises."""
    if type(text) is not str:
        return None
    try:
        event = decode_json(text)
    except (ValueError, RecursionError):
        return None
    return event if type(event) is dict and type(event.get("type")) is str else None
