"""One-line summaries per event type (pure functions, no Textual)."""

from __future__ import annotations

import base64
import re

from console.session.event_summary import audio_size, summarize, summarize_fold


def test_summaries_of_the_common_types() -> None:
    audio = base64.b64encode(bytes(9600)).decode()
    cases = [
        ({"type": "response.output_audio.delta", "item_id": "item_1", "delta": audio}, "item_1  +9600 B audio = 200 ms"),
        ({"type": "response.text.delta", "item_id": "item_1", "delta": "Hi\nthere"}, 'item_1  +8 chars  "Hi⏎there"'),
        ({"type": "input_audio_buffer.append", "audio": audio}, "+9600 B audio = 200 ms"),
        ({"type": "error", "error": {"type": "invalid_request_error", "code": None, "message": "Bad"}},
         'invalid_request_error  "Bad"'),
        ({"type": "response.done", "response": {"id": "resp_1", "status": "failed", "status_details": {
            "type": "failed", "error": {"type": "server_error", "code": "rate_limited"}}}},
         "resp_1 failed (rate_limited)"),
        ({"type": "response.done", "response": {"id": "resp_2", "status": "incomplete", "status_details": {
            "reason": "max_output_tokens"}, "usage": {"total_tokens": 42}}},
         "resp_2 incomplete (max_output_tokens) 42 tokens"),
        ({"type": "conversation.item.create", "item": {"type": "function_call_output", "call_id": "call_9"}},
         "function_call_output for call_9"),
        ({"type": "conversation.item.added", "item": {"id": "item_u", "type": "message", "role": "user",
                                                      "status": "completed"}}, "item_u user completed"),
        ({"type": "rate_limits.updated", "rate_limits": [{"name": "tokens", "remaining": 9, "limit": 10}]},
         "tokens 9/10"),
        ({"type": "conversation.item.truncated", "item_id": "item_a", "audio_end_ms": 1500}, "item_a  at 1500 ms"),
        ({"type": "input_audio_buffer.speech_started", "item_id": "item_u", "audio_start_ms": 120}, "item_u  @120 ms"),
        ({"type": "session.updated", "session": {"id": "sess_1", "type": "realtime", "instructions": "x",
                                                 "voice": "ash"}}, "sess_1  instructions, voice"),
        ({"type": "mcp_list_tools.completed", "item_id": "item_m"}, "item_m"),
        ({"type": "brand.new.event"}, ""),
    ]
    for event, expected in cases:
        assert summarize(event) == expected, event["type"]


def test_summaries_never_raise_on_malformed_events() -> None:
    for event in ({"type": "error", "error": "plain string"}, {"type": "response.done", "response": None},
                  {"type": "rate_limits.updated", "rate_limits": "x"}, {"type": "session.updated", "session": 3},
                  {"type": "response.output_audio.delta", "delta": 5}, {}, "not a dict"):
        assert isinstance(summarize(event), str)  # type: ignore[arg-type]


def test_audio_sizes_from_markers_and_fold_totals() -> None:
    assert audio_size("<base64 audio: 800 bytes = 100 ms at 8 kHz>") == (800, 100)
    assert audio_size(base64.b64encode(bytes(800)).decode(), "g711_ulaw") == (800, 100)
    assert summarize_fold({"type": "response.output_audio.delta", "item_id": "i"}, 3, 1600, "g711_alaw") == (
        "i  +1600 B audio = 200 ms")
    assert summarize_fold({"type": "response.text.delta", "item_id": "i"}, 3, 12) == "i  +12 chars"


def test_fit_summary_shortens_words_and_never_cuts_a_number() -> None:
    from console.session.event_summary import fit_summary

    line = "item_CXk2j3abcdefghijk99  +4800 B audio = 100 ms"
    assert fit_summary(line, 80) == line
    for width in range(1, len(line)):
        fitted = fit_summary(line, width)
        assert len(fitted) <= width
        numbers = re.findall(r"(?<!\S)\+?(\d+)(?!\S)", fitted)  # standalone numbers only
        assert all(n in ("4800", "100") for n in numbers), (width, fitted)
    assert fit_summary(line, 30) == "ite…99  +4800 B audio = 100 ms"
    assert fit_summary('err_code  "a long free-text message here"', 24).startswith("err_code  ")
