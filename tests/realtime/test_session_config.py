"""session_config: field rules and the `session.update` payload, without a connection."""

from __future__ import annotations

import copy
import logging

import pytest

from console.realtime.session_config import DEFAULT_SESSION, apply_session_fields, session_payload

WEATHER = {"name": "weather", "description": "d", "parameters": {"type": "object", "properties": {}}}


def test_fields_are_normalised_copied_and_unknown_keys_kept(caplog: pytest.LogCaptureFixture) -> None:
    config = copy.deepcopy(DEFAULT_SESSION)
    tools = [dict(WEATHER)]
    with caplog.at_level(logging.INFO, logger="console.realtime"):
        apply_session_fields(config, {"turn_detection": {"type": "none"}, "tools": tools, "shiny": 1})
    assert config["turn_detection"] is None and config["shiny"] == 1
    assert "shiny" in caplog.text
    tools[0]["name"] = "changed"
    assert config["tools"][0]["name"] == "weather"  # the caller's objects are not aliased
    apply_session_fields(config, {"tools": None})
    assert config["tools"] == []
    with pytest.raises(TypeError):
        apply_session_fields(config, {"tools": "weather"})


def test_payload_lists_session_then_added_tools_in_the_protocols_shape() -> None:
    config = copy.deepcopy(DEFAULT_SESSION)
    apply_session_fields(config, {"tools": [WEATHER]})
    added = {"clock": {"definition": {"name": "clock"}, "handler": print}}
    beta = session_payload(config, added, "beta")
    assert [t["name"] for t in beta["tools"]] == ["weather", "clock"]
    assert all(t["type"] == "function" for t in beta["tools"]) and beta["temperature"] == 0.8
    ga = session_payload(config, added, "ga")
    assert ga["type"] == "realtime" and "temperature" not in ga and len(ga["tools"]) == 2
    assert "type" not in config["tools"][0]  # the stored config is not changed
    with pytest.raises(ValueError, match="both in session tools"):
        session_payload(config, {"weather": {"definition": {"name": "weather"}}}, "ga")
