"""`decode_json` reads what `json.loads` reads, and `parse_event_text` finds the events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from console.recording.json_text import decode_json, parse_event_text


@pytest.mark.parametrize("text", ['{"a": [1, {"b": null}]}', "  {}", '{"a":1}  ', '{"a":1} x', "", "{", "[1,2]",
                                  "NaN", '"x"', '{"a": "\\u00e9"}', '{"a": "\\ud83d"}', '{"a": "x\ny"}',
                                  '{"a": 1,}', "\n{}\n"])
def test_decode_json_reads_as_json_loads_reads(text: str) -> None:
    try:
        expected: Any = ("ok", json.loads(text))
    except ValueError as exc:
        expected = ("error", type(exc).__name__, str(exc))
    try:
        got: Any = ("ok", decode_json(text))
    except ValueError as exc:
        got = ("error", type(exc).__name__, str(exc))
    assert repr(got) == repr(expected)


@pytest.mark.parametrize(("text", "event"), [
    ('{"type": "response.done", "response": {}}', {"type": "response.done", "response": {}}),
    (' {"type":"x"} ', {"type": "x"}),
    ('{"type": 3}', None),
    ('{"kind": "x"}', None),
    ('[{"type": "x"}]', None),
    ('{"type": "x"', None),
    ("not json", None),
    ("", None),
    (b'{"type": "x"}', None),  # a binary frame is never an event
    ("[" * 100_000 + "]" * 100_000, None),  # nested past the recursion limit
])
def test_parse_event_text_returns_events_only(text: str | bytes, event: dict[str, Any] | None) -> None:
    assert parse_event_text(text) == event
