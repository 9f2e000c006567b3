"""Recordings with known lint findings, shared by the inspect, summary and browser tests.

Not a test module: imported as `tests.lint.lint_recordings`.
"""

from __future__ import annotations

from pathlib import Path

from console.recording.synthetic import SessionBuilder

from tests.lint.helpers import started


def flawed_session() -> SessionBuilder:
    """A truncate beyond the audio received (error), a cancel with nothing active (warning),
    and a function output that is not JSON (info)."""
    b = started()
    b.user_speech(800, "hi")
    facts = b.response(audio_ms=1000)
    b.emit("client", {"type": "conversation.item.truncate", "item_id": facts["item_id"], "content_index": 0,
                      "audio_end_ms": 1500})
    b.wait(2000)
    b.emit("client", {"type": "response.cancel"})
    b.wait(2000)
    b.user_text("weather?")
    call = b.response(function_call=("get_weather", '{"city":"Paris"}'))
    b.function_output(call["call_id"], "sunny")
    b.response_create()
    b.response(text_only=True)
    return b


def clean_session() -> SessionBuilder:
    b = started()
    b.user_speech(800, "hi")
    b.response(audio_ms=1000)
    return b


def write_flawed(path: Path) -> Path:
    flawed_session().write(path)
    return path


def write_clean(path: Path) -> Path:
    clean_session().write(path)
    return path
