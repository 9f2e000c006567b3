"""What one conversation item or note says, as Rich text (pure: no app, no widget).

`ConversationView` wraps this text once per change of an item and paints the wrapped
lines itself; `item_text` is what "copy" puts on the clipboard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from console.realtime.images import ImageInfo
from console.session.annotations import ItemMarks
from widgets.conversation_mcp_render import is_mcp_item, mcp_item_text, render_mcp_item

AUDIO_RATE = 24_000
_MAX_BODY = 4_000


def item_text(item: dict[str, Any]) -> str:
    """The plain text of an item, for copying: message text or transcript, call, output."""
    if is_mcp_item(item):
        return mcp_item_text(item)
    formatted = item.get("formatted") or {}
    kind = item.get("type")
    if kind == "function_call":
        tool = formatted.get("tool") or {}
        return f"{tool.get('name') or item.get('name')}({tool.get('arguments') or item.get('arguments') or ''})"
    if kind == "function_call_output":
        return str(formatted.get("output") or item.get("output") or "")
    parts = [p for p in (formatted.get("text"), formatted.get("transcript")) if isinstance(p, str) and p.strip()]
    return "\n".join(image_placeholders(item) + parts)


def image_placeholders(item: dict[str, Any]) -> list[str]:
    """`[image cat.png 34 KB 640×480]` for each image of a message (never its data)."""
    images = (item.get("formatted") or {}).get("images")
    if not isinstance(images, list):
        return []
    return [f"[image {ImageInfo.from_dict(image).label()}]" for image in images if isinstance(image, dict)]


def audio_seconds(item: dict[str, Any], rate: int = AUDIO_RATE) -> float:
    """Seconds of audio the client holds for an item (0 when none)."""
    audio = (item.get("formatted") or {}).get("audio")
    return 0.0 if audio is None else len(audio) / rate


@dataclass(frozen=True)
class Streamed:
    """What streamed into an item before a truncation wiped it.

    On `conversation.item.truncated` the client library (like the API) empties the item's
    transcript and cuts its audio to what was played, so the item alone no longer says
    what the model was saying. The card remembers the longest transcript and audio it
    showed (`ItemCard.refresh_item`) and passes them here.
    """

    transcript: str = ""
    samples: int = 0


def heard_split(transcript: str, truncated_ms: int, samples: int, rate: int = AUDIO_RATE) -> int | None:
    """Where the heard part of `transcript` probably ends: the share of the audio played
    (`truncated_ms` of `samples` at `rate`) applied to its characters, moved on to the end
    of the word it falls in. None when there is no audio to measure against.
    """
    total_ms = samples * 1000 / rate
    if not transcript or total_ms <= 0:
        return None
    share = min(1.0, max(0.0, truncated_ms / total_ms))
    cut = round(len(transcript) * share)
    while 0 < cut < len(transcript) and not transcript[cut].isspace():
        cut += 1
    return cut


def _truncation(body: Text, formatted: dict[str, Any], role: str, truncated_ms: int, streamed: Streamed | None,
                rate: int) -> None:
    """The transcript that streamed, heard part plain and the rest struck through and
    dimmed, then a line saying where it was cut and that the split is an estimate."""
    seconds = truncated_ms / 1000
    shown = formatted.get("transcript") or ""
    transcript = shown if isinstance(shown, str) and shown.strip() else (streamed.transcript if streamed else "")
    samples = max(streamed.samples if streamed else 0, len(formatted.get("audio") if formatted.get("audio") is not None else ()))
    cut = heard_split(transcript, truncated_ms, samples, rate)
    if transcript.strip() and role != "user":
        if body:
            body.append("\n")
        if cut is None:
            body.append(_clip(transcript))
        else:
            body.append(_clip(transcript[:cut]))
            if cut < len(transcript):
                body.append(_clip(transcript[cut:]), style="dim strike")
    note = f"✂ not heard after {seconds:.2f} s"
    if transcript.strip() and cut is not None and cut < len(transcript):
        note += f" of {samples / rate:.2f} s: struck text is the estimated unheard part (by share of audio played)"
    elif transcript.strip() and cut is not None:
        note += f" (all {samples / rate:.2f} s of audio received was played)"
    elif transcript.strip():
        note += " (no audio to place the cut in the text)"
    elif isinstance(formatted.get("text"), str) and formatted["text"]:
        note += " (the rest was not heard)"
    else:
        note += " (its transcript was dropped with the truncation)"
    body.append(("\n" if body else "") + note, style="bold yellow")


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_BODY else text[:_MAX_BODY] + f"… ({len(text) - _MAX_BODY} more characters)"


def render_item(item: dict[str, Any], marks: ItemMarks | None = None, rate: int = AUDIO_RATE,
                streamed: Streamed | None = None) -> Text:
    """One card's content as Rich text (pure: tested without an app).

    `streamed`: what the item held before a truncation emptied its transcript (see
    `Streamed`); used only when `marks.truncated_ms` is set.
    """
    marks = marks or ItemMarks()
    if is_mcp_item(item):
        return _with_response_end(render_mcp_item(item), marks)
    formatted = item.get("formatted") or {}
    kind = str(item.get("type") or "item")
    role = str(item.get("role") or {"function_call": "tool call", "function_call_output": "tool output"}.get(kind, kind))
    status = str(item.get("status") or "")
    out = Text()
    out.append(f"{role}", style=f"bold {_ROLE_STYLE.get(role, '')}".strip())
    if kind != "message":
        out.append(f"  {kind}", style="dim")
    if status:
        out.append(f"  {status}", style=_STATUS_STYLE.get(status, "dim"))
    seconds = audio_seconds(item, rate)
    if seconds:
        out.append(f"  ♪ {seconds:.1f} s", style="dim")
    out.append(f"  {item.get('id', '')}", style="dim italic")
    body = Text()
    if kind == "function_call":
        tool = formatted.get("tool") or {}
        body.append(str(tool.get("name") or item.get("name") or "?"), style="bold")
        body.append("(" + _clip(str(tool.get("arguments") or item.get("arguments") or "")))
        body.append(")" if status != "in_progress" else "▌")
        if item.get("call_id"):
            body.append(f"  call {item['call_id']}", style="dim")
    elif kind == "function_call_output":
        output = formatted.get("output", item.get("output"))
        body.append("→ ", style="bold")
        body.append(_clip(output if isinstance(output, str) else json.dumps(output)))
        if item.get("call_id"):
            body.append(f"  call {item['call_id']}", style="dim")
    else:
        text = formatted.get("text") or ""
        transcript = formatted.get("transcript") or ""
        for placeholder in image_placeholders(item):
            body.append(("\n" if body else "") + placeholder, style="bold magenta")
        if isinstance(text, str) and text:
            body.append(("\n" if body else "") + _clip(text))
        if marks.truncated_ms is not None and role != "user":
            pass  # the transcript, heard and unheard parts, goes with the truncation line
        elif isinstance(transcript, str) and transcript.strip():
            if body:
                body.append("\n")
            if role == "user":
                body.append("(heard) ", style="dim")
            body.append(_clip(transcript), style="italic" if role == "user" else "")
        elif role == "user" and seconds and not text and "transcript_error" not in formatted:
            body.append("(audio, no transcript yet)", style="dim")
        if status == "in_progress" and role == "assistant":
            body.append("▌", style="bold")
    error = formatted.get("transcript_error")
    if error:
        message = error.get("message") if isinstance(error, dict) else str(error)
        body.append(("\n" if body else "") + f"transcription failed: {message}", style="bold red")
    if marks.truncated_ms is not None:
        _truncation(body, formatted, role, marks.truncated_ms, streamed, rate)
    if marks.response_status and marks.response_status != "completed":
        reason = f": {marks.response_reason}" if marks.response_reason else ""
        body.append(("\n" if body else "") + f"⚠ response {marks.response_status}{reason}", style="bold yellow")
    if body:
        out.append("\n")
        out.append_text(body)
    return out


def _with_response_end(card: Text, marks: ItemMarks) -> Text:
    """A card followed by its response's bad end, if any (as every card shows it)."""
    if marks.response_status and marks.response_status != "completed":
        reason = f": {marks.response_reason}" if marks.response_reason else ""
        card.append(f"\n⚠ response {marks.response_status}{reason}", style="bold yellow")
    return card


_ROLE_STYLE = {"user": "cyan", "assistant": "green", "system": "magenta", "tool call": "yellow", "tool output": "yellow"}
_STATUS_STYLE = {"completed": "dim green", "in_progress": "yellow", "incomplete": "bold yellow", "cancelled": "bold yellow", "failed": "bold red"}


NOTE_PREFIX = {"error": "✖ ", "response": "⚠ ", "drift": "≠ ", "lint": "⚑ "}


def render_note(text: str, kind: str) -> Text:
    """A note's text with its kind's prefix (an error, a response's bad end, drift, info)."""
    return Text(NOTE_PREFIX.get(kind, "• ") + text)
