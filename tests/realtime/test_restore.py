"""`plan_restore`: what a new session is given, within the budget, and what is left out."""

from __future__ import annotations

import numpy as np

from console.realtime.audio import base64_to_bytes
from console.realtime.restore import TRANSCRIPT_MARK, plan_restore


def message(item_id: str, role: str, text: str = "", transcript: str = "", audio: np.ndarray | None = None) -> dict:
    content = [{"type": "input_audio" if role == "user" else "audio", "transcript": transcript}] if audio is not None or transcript else []
    if text:
        content.append({"type": "input_text" if role == "user" else "text", "text": text})
    formatted = {"text": text, "transcript": transcript, "audio": audio if audio is not None else np.zeros(0, np.int16)}
    return {"id": item_id, "type": "message", "role": role, "status": "completed", "content": content, "formatted": formatted}


def plan(items: list[dict], budget: int = 28_000, protocol: str = "ga"):
    return plan_restore(items, protocol=protocol, budget_tokens=budget, input_codec="pcm16", input_rate=24_000)


def test_assistant_audio_becomes_its_transcript_in_the_protocols_part_type() -> None:
    items = [message("a", "assistant", transcript="Hi there", audio=np.ones(2400, np.int16))]
    assert plan(items).entries[0].payload["content"] == [{"type": "output_text", "text": "Hi there"}]
    assert plan(items, protocol="beta").entries[0].payload["content"] == [{"type": "text", "text": "Hi there"}]


def test_user_audio_that_does_not_fit_is_sent_as_its_marked_transcript() -> None:
    audio = np.arange(24_000 * 30, dtype=np.int16)  # 30 s: ~300 tokens
    items = [message("u", "user", transcript="what time is it", audio=audio)]
    fits = plan(items, budget=1000).entries[0]
    assert fits.kind == "audio"
    assert base64_to_bytes(fits.payload["content"][0]["audio"]) == audio.tobytes()
    squeezed = plan(items, budget=50).entries[0]
    assert squeezed.kind == "transcript"
    assert squeezed.payload["content"] == [{"type": "input_text", "text": TRANSCRIPT_MARK + "what time is it"}]


def test_the_newest_run_that_fits_is_kept_and_older_items_are_reported() -> None:
    items = [message("1", "user", text="x" * 400), message("2", "assistant", text="short"), message("3", "user", text="hi")]
    result = plan(items, budget=30)
    assert [e.item_id for e in result.entries] == ["2", "3"]
    assert result.skipped == [{"id": "1", "reason": "over the restore budget"}]
    assert result.tokens <= 30


def test_an_output_without_its_call_and_an_unfinished_call_are_skipped() -> None:
    call = {"id": "c", "type": "function_call", "status": "incomplete", "call_id": "k", "name": "f", "arguments": "{",
            "formatted": {"tool": {"call_id": "k", "name": "f", "arguments": "{"}}}
    output = {"id": "o", "type": "function_call_output", "status": "completed", "call_id": "k", "output": "1", "formatted": {}}
    result = plan([call, output])
    assert result.entries == []
    assert [s["id"] for s in result.skipped] == ["c", "o"]
