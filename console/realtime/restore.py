"""Rebuilding a conversation on a new session: which items to re-create, and as what.

A Realtime session ends after 60 minutes (`session_expired`) or when the connection drops,
and the server forgets the conversation with it. The client still holds every item, so a
new session can be given the same context with `conversation.item.create`. This module is
pure (no I/O): it turns the client's items into the `item` objects to send, newest first
within a token budget, and says what it left out and why, so the client only sends.

What each item becomes: user and system text as `input_text`; user audio as
`input_audio` (base64 in the session's input codec) when it fits the budget, else its
transcript as `input_text` marked with `TRANSCRIPT_MARK`; assistant answers as text
(`text` parts in beta, `output_text` in GA: assistant audio cannot be re-created, so an
audio answer becomes its transcript); function calls and their outputs as they were; a
user message with images as its text and images in their order, each image costed by the
vision tile rule (`images.image_tokens`), or, when that is over the budget, its text with
each image named in its place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .audio import encode_base64
from .conversation_items import AUDIO_PART_TYPES, TEXT_PART_TYPES, part_type
from .images import ImageError, describe_data_url, image_tokens

#: Default restore budget, in tokens: a conservative share of a realtime model's context.
DEFAULT_RESTORE_BUDGET_TOKENS = 28_000
#: Estimates: characters per text token, tokens per second of audio, tokens per item.
CHARS_PER_TOKEN = 4
AUDIO_TOKENS_PER_SECOND = 10
ITEM_OVERHEAD_TOKENS = 4
#: Prefix of a user audio turn restored as its transcript (the model should know it was spoken).
TRANSCRIPT_MARK = "[spoken, transcript] "


@dataclass
class RestoreEntry:
    """One item to re-create: the local item's id, the `item` to send, how it was restored."""

    item_id: str
    payload: dict[str, Any]
    kind: str  # "audio" | "text" | "transcript" | "image" | "function_call" | "function_call_output"
    tokens: int


@dataclass
class RestorePlan:
    """Items to re-create, oldest first, and the ids of those left out with the reason."""

    entries: list[RestoreEntry] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"id", "reason"}
    tokens: int = 0


def text_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def audio_tokens(samples: int, rate: int) -> int:
    return math.ceil(samples / rate * AUDIO_TOKENS_PER_SECOND) if rate > 0 else 0


def plan_restore(
    items: list[dict[str, Any]],
    *,
    protocol: str,
    budget_tokens: int,
    input_codec: str,
    input_rate: int,
) -> RestorePlan:
    """The newest contiguous run of `items` that fits `budget_tokens`, as payloads.

    Walks from the newest item back and stops at the first that does not fit (an older
    item restored after a gap would give the model a conversation that never happened);
    a user audio turn that does not fit as audio is tried as its marked transcript.
    Items with nothing to restore (an empty answer, an unfinished function call) are
    skipped on their own; a function call output whose call is not restored is skipped.
    """
    plan = RestorePlan()
    chosen: list[RestoreEntry] = []
    cut_at: int | None = None
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        candidates, reason = _candidates(item, protocol, input_codec, input_rate)
        if not candidates:
            plan.skipped.append({"id": item["id"], "reason": reason})
            continue
        fitting = next((c for c in candidates if plan.tokens + c.tokens <= budget_tokens), None)
        if fitting is None:
            cut_at = index
            break
        chosen.append(fitting)
        plan.tokens += fitting.tokens
    if cut_at is not None:
        for item in items[: cut_at + 1]:
            plan.skipped.append({"id": item["id"], "reason": "over the restore budget"})
    chosen.reverse()
    calls = set()
    for entry in chosen:
        payload = entry.payload
        if payload["type"] == "function_call":
            calls.add(payload.get("call_id"))
        elif payload["type"] == "function_call_output" and payload.get("call_id") not in calls:
            plan.skipped.append({"id": entry.item_id, "reason": "its function call is not restored"})
            plan.tokens -= entry.tokens
            continue
        plan.entries.append(entry)
    order = {item["id"]: i for i, item in enumerate(items)}
    plan.skipped.sort(key=lambda s: order.get(s["id"], -1))
    return plan


def _candidates(
    item: dict[str, Any], protocol: str, input_codec: str, input_rate: int
) -> tuple[list[RestoreEntry], str]:
    """Ways to restore one item, preferred first; or none and why."""
    item_id = item["id"]
    kind = item.get("type")
    formatted = item.get("formatted") or {}
    if kind == "function_call":
        tool = formatted.get("tool") or {}
        arguments = item.get("arguments") or tool.get("arguments") or ""
        if item.get("status") != "completed":
            return [], "unfinished function call"
        payload = {"type": "function_call", "call_id": item.get("call_id") or tool.get("call_id"),
                   "name": item.get("name") or tool.get("name"), "arguments": arguments}
        return [RestoreEntry(item_id, payload, "function_call", ITEM_OVERHEAD_TOKENS + text_tokens(arguments))], ""
    if kind == "function_call_output":
        output = item.get("output")
        output = output if isinstance(output, str) else str(formatted.get("output") or "")
        payload = {"type": "function_call_output", "call_id": item.get("call_id"), "output": output}
        return [RestoreEntry(item_id, payload, "function_call_output", ITEM_OVERHEAD_TOKENS + text_tokens(output))], ""
    if kind != "message":
        return [], f"item type {kind!r} cannot be re-created"
    role = item.get("role")
    content = item.get("content") if isinstance(item.get("content"), list) else []
    if role == "assistant":
        text = formatted.get("text") or formatted.get("transcript") or ""
        if not text.strip():
            return [], "no text or transcript to restore"
        part_kind = "output_text" if protocol == "ga" else "text"
        payload = {"type": "message", "role": "assistant", "content": [{"type": part_kind, "text": text}]}
        return [RestoreEntry(item_id, payload, "text", ITEM_OVERHEAD_TOKENS + text_tokens(text))], ""
    if role not in ("user", "system"):
        return [], f"role {role!r} cannot be re-created"
    texts = [p["text"] for p in content if part_type(p) in TEXT_PART_TYPES and isinstance(p.get("text"), str)]
    has_audio = any(part_type(p) in AUDIO_PART_TYPES for p in content)
    text_parts = [{"type": "input_text", "text": t} for t in texts]
    base = ITEM_OVERHEAD_TOKENS + sum(text_tokens(t) for t in texts)
    images = _image_parts(content) if role == "user" else []
    if images:
        return _image_candidates(item_id, content, base), ""
    if not has_audio or role == "system":
        if not text_parts:
            if any(part_type(p) == "input_image" for p in content):
                return [], "its image's data URL is not held (nothing to send again)"
            return [], "no content to restore"
        payload = {"type": "message", "role": role, "content": text_parts}
        return [RestoreEntry(item_id, payload, "text", base)], ""
    candidates = []
    samples = formatted.get("audio")
    if isinstance(samples, np.ndarray) and len(samples):
        audio_part = {"type": "input_audio", "audio": encode_base64(samples, input_codec)}
        payload = {"type": "message", "role": "user", "content": [*text_parts, audio_part]}
        candidates.append(RestoreEntry(item_id, payload, "audio", base + audio_tokens(len(samples), input_rate)))
    transcript = (formatted.get("transcript") or "").strip()
    if transcript:
        marked = TRANSCRIPT_MARK + transcript
        payload = {"type": "message", "role": "user", "content": [*text_parts, {"type": "input_text", "text": marked}]}
        candidates.append(RestoreEntry(item_id, payload, "transcript", base + text_tokens(marked)))
    elif text_parts and not candidates:
        payload = {"type": "message", "role": "user", "content": text_parts}
        candidates.append(RestoreEntry(item_id, payload, "text", base))
    if not candidates:
        return [], "audio without samples or transcript"
    return candidates, ""


def _sendable_image(part: Any) -> bool:
    """An `input_image` part that can be sent again: one holding its data URL."""
    return (part_type(part) == "input_image" and isinstance(part.get("image_url"), str)
            and part["image_url"][:5].lower() == "data:")


def _image_parts(content: list[Any]) -> list[dict[str, Any]]:
    return [p for p in content if _sendable_image(p)]


def _image_candidates(item_id: str, content: list[Any], base: int) -> list[RestoreEntry]:
    """A user message with images: whole, text and images in their order (each image
    costed by the tile rule), else, when that does not fit, its text with each image
    named in its place (`[image not restored: 640×480 PNG]`). Audio in such a message
    (rare: `/image` sends text and images) goes as its transcript, if any."""
    whole: list[dict[str, Any]] = []
    named: list[dict[str, Any]] = []
    tokens = base
    named_tokens = base
    for part in content:
        kind = part_type(part)
        if kind in TEXT_PART_TYPES and isinstance(part.get("text"), str):
            whole.append({"type": "input_text", "text": part["text"]})
            named.append(whole[-1])
        elif _sendable_image(part):
            try:
                info = describe_data_url(part["image_url"], detail=part.get("detail"))
            except ImageError:
                continue  # not an image the API would take again: left out of both
            whole.append({k: part[k] for k in ("type", "image_url", "detail") if k in part})
            tokens += image_tokens(info)
            note = f"[image not restored: {info.dimensions} {info.format_name}]"
            named.append({"type": "input_text", "text": note})
            named_tokens += text_tokens(note)
        elif kind in AUDIO_PART_TYPES and isinstance(part.get("transcript"), str) and part["transcript"].strip():
            spoken = {"type": "input_text", "text": TRANSCRIPT_MARK + part["transcript"].strip()}
            whole.append(spoken)
            named.append(spoken)
            tokens += text_tokens(spoken["text"])
            named_tokens += text_tokens(spoken["text"])
    if not whole:
        return []
    return [RestoreEntry(item_id, {"type": "message", "role": "user", "content": whole}, "image", tokens),
            RestoreEntry(item_id, {"type": "message", "role": "user", "content": named}, "text", named_tokens)]
