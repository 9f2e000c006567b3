"""One-line summaries of Realtime events, for the event log's summary column.

Pure functions over event dicts (no Textual): the log renders a summary only for rows on
screen, so these run a few dozen times per repaint, never once per logged event.
Events may be full (base64 audio present) or abbreviated by the event store (audio
replaced by a marker such as ``<base64 audio: 4800 bytes = 100 ms at 24 kHz>``, and an
image's data URL by ``<image data URL: image/png 34567 bytes 640×480>``); both give the
same summary.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from console.realtime.images import ImageError, describe_data_url, human_size
from console.realtime.images import decoded_size as base64_decoded_size  # the log's name for it
from console.realtime.protocol import AUDIO_PAYLOAD_KEYS, canonical_type

_MARKER = re.compile(r"^<base64 audio: (\d+) bytes = (\d+) ms at (\d+) kHz>$")
_IMAGE_MARKER = re.compile(r"^<image data URL: (\S+) (\d+) bytes (\?|\d+)×(\?|\d+)>$")
_MAX_TEXT = 48


def audio_duration_ms(n_bytes: int, codec: str = "pcm16") -> int:
    """Milliseconds of audio in `n_bytes` of a codec (PCM16 24 kHz or G.711 8 kHz)."""
    if codec in ("g711_ulaw", "g711_alaw"):
        return n_bytes // 8
    return n_bytes // 48


def audio_marker(n_bytes: int, codec: str = "pcm16") -> str:
    """The text that stands in for a base64 audio payload in the log and detail pane."""
    khz = 8 if codec in ("g711_ulaw", "g711_alaw") else 24
    return f"<base64 audio: {n_bytes} bytes = {audio_duration_ms(n_bytes, codec)} ms at {khz} kHz>"


def audio_size(payload: Any, codec: str = "pcm16") -> tuple[int, int]:
    """(bytes, ms) of an audio payload given as base64 or as a store marker."""
    if not isinstance(payload, str):
        return 0, 0
    m = _MARKER.match(payload)
    if m:
        return int(m.group(1)), int(m.group(2))
    n = base64_decoded_size(payload)
    return n, audio_duration_ms(n, codec)


def image_marker(url: str) -> str:
    """The text that stands in for an image's data URL in the log and detail pane: its type,
    size and dimensions, read from the header (the URL itself is never decoded whole)."""
    try:
        info = describe_data_url(url)
    except ImageError:
        return f"<image_url: {len(url)} characters, not a base64 data URL>"
    return f"<image data URL: {info.mime} {info.size} bytes {info.dimensions}>"


def is_image_data_url(value: Any) -> bool:
    """A string worth abbreviating as an image: a data URL (anything else is shown as is)."""
    return isinstance(value, str) and value[:5].lower() == "data:"


def image_desc(value: Any) -> str:
    """`image 640×480 34 KB` for an image's data URL or its store marker."""
    if not isinstance(value, str):
        return "image"
    m = _IMAGE_MARKER.match(value)
    if m is None:
        if not is_image_data_url(value):
            return "image"
        m = _IMAGE_MARKER.match(image_marker(value))
        if m is None:
            return "image (not a data URL)"
    return f"image {m.group(3)}×{m.group(4)} {human_size(int(m.group(2)))}"


def delta_size(event: dict[str, Any]) -> int:
    """The size a fold row adds up: audio bytes for audio deltas, characters otherwise."""
    etype = str(event.get("type", ""))
    key = AUDIO_PAYLOAD_KEYS.get(etype)
    if key is not None:
        return audio_size(event.get(key))[0]
    delta = event.get("delta")
    return len(delta) if isinstance(delta, str) else 0


def short(text: Any, limit: int = _MAX_TEXT) -> str:
    """A quoted, single-line, length-capped rendering of a text value."""
    s = str(text).replace("\r", " ").replace("\n", "⏎")
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return f'"{s}"'


def _join(*parts: str) -> str:
    return "  ".join(p for p in parts if p)


def _item_desc(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    bits = [str(item.get("id") or "")]
    kind = item.get("type")
    role = item.get("role")
    if kind == "message" and role:
        bits.append(str(role))
    elif kind:
        bits.append(str(kind))
    if kind == "function_call" and item.get("name"):
        bits.append(f"{item['name']}()")
    if kind == "function_call_output" and item.get("call_id"):
        bits.append(f"for {item['call_id']}")
    if item.get("status"):
        bits.append(str(item["status"]))
    content = item.get("content")
    if isinstance(content, list):
        bits += [image_desc(p.get("image_url")) for p in content if isinstance(p, dict) and p.get("type") == "input_image"]
    return " ".join(b for b in bits if b)


def _response_desc(resp: Any) -> str:
    if not isinstance(resp, dict):
        return ""
    bits = [str(resp.get("id") or ""), str(resp.get("status") or "")]
    details = resp.get("status_details")
    if isinstance(details, dict):
        reason = details.get("reason")
        if not reason and isinstance(details.get("error"), dict):
            reason = details["error"].get("code") or details["error"].get("type")
        if reason:
            bits.append(f"({reason})")
    usage = resp.get("usage")
    if isinstance(usage, dict) and usage.get("total_tokens") is not None:
        bits.append(f"{usage['total_tokens']} tokens")
    return " ".join(b for b in bits if b)


def _session_desc(session: Any) -> str:
    if not isinstance(session, dict):
        return ""
    keys = [k for k in session if k not in ("type", "object", "id", "expires_at")]
    head = str(session.get("id") or "")
    if len(keys) > 6:
        listed = ", ".join(keys[:6]) + f", +{len(keys) - 6}"
    else:
        listed = ", ".join(keys)
    return _join(head, listed)


def _error(event: dict[str, Any]) -> str:
    err = event.get("error")
    if not isinstance(err, dict):
        return short(err) if err else ""
    code = err.get("code") or err.get("type") or "error"
    msg = err.get("message") or ""
    cause = err.get("event_id")
    return _join(str(code), short(msg, 80) if msg else "", f"← {cause}" if cause else "")


def error_text(event: dict[str, Any]) -> str:
    """`code: message` of an `error` event, for notes shown in the conversation."""
    error = event.get("error") if isinstance(event.get("error"), dict) else {}
    code = error.get("code") or error.get("type") or "error"
    message = error.get("message") or ""
    return f"{code}: {message}" if message else str(code)


def status_reason(response: dict[str, Any]) -> str | None:
    """Why a response ended as it did (`status_details` reason and error message), if said."""
    details = response.get("status_details")
    if not isinstance(details, dict):
        return None
    reason = details.get("reason")
    error = details.get("error")
    if isinstance(error, dict) and error.get("message"):
        return f"{reason}: {error['message']}" if reason else str(error["message"])
    return str(reason) if reason else None


def _delta(event: dict[str, Any]) -> str:
    etype = str(event.get("type", ""))
    key = AUDIO_PAYLOAD_KEYS.get(etype)
    if key is not None:
        n, ms = audio_size(event.get(key))
        return _join(str(event.get("item_id") or ""), f"+{n} B audio = {ms} ms")
    delta = event.get("delta")
    text = delta if isinstance(delta, str) else ""
    return _join(str(event.get("item_id") or ""), f"+{len(text)} chars", short(text, 32) if text else "")


def _item_event(event: dict[str, Any]) -> str:
    if "item" in event:
        return _item_desc(event["item"])
    return str(event.get("item_id") or "")


def _rate_limits(event: dict[str, Any]) -> str:
    limits = event.get("rate_limits")
    if not isinstance(limits, list):
        return ""
    parts = []
    for lim in limits:
        if isinstance(lim, dict):
            parts.append(f"{lim.get('name')} {lim.get('remaining')}/{lim.get('limit')}")
    return ", ".join(parts)


def _truncate(event: dict[str, Any]) -> str:
    return _join(str(event.get("item_id") or ""), f"at {event.get('audio_end_ms')} ms")


def _vad(event: dict[str, Any]) -> str:
    ms = event.get("audio_start_ms", event.get("audio_end_ms"))
    return _join(str(event.get("item_id") or ""), f"@{ms} ms" if ms is not None else "")


def _transcript_done(event: dict[str, Any]) -> str:
    text = event.get("transcript", event.get("text", event.get("arguments")))
    return _join(str(event.get("item_id") or ""), short(text) if isinstance(text, str) else "")


def _append(event: dict[str, Any]) -> str:
    n, ms = audio_size(event.get("audio"))
    return f"+{n} B audio = {ms} ms"


def _response_create(event: dict[str, Any]) -> str:
    resp = event.get("response")
    if not isinstance(resp, dict):
        return ""
    return ", ".join(k for k in resp) or ""


_BY_TYPE: dict[str, Callable[[dict[str, Any]], str]] = {
    "error": _error,
    "session.created": lambda e: _session_desc(e.get("session")),
    "session.updated": lambda e: _session_desc(e.get("session")),
    "session.update": lambda e: _session_desc(e.get("session")),
    "transcription_session.update": lambda e: _session_desc(e.get("session")),
    "transcription_session.updated": lambda e: _session_desc(e.get("session")),
    "response.created": lambda e: _response_desc(e.get("response")),
    "response.done": lambda e: _response_desc(e.get("response")),
    "response.create": _response_create,
    "response.cancel": lambda e: str(e.get("response_id") or ""),
    "conversation.item.create": _item_event,
    "conversation.item.created": _item_event,
    "conversation.item.done": _item_event,
    "conversation.item.retrieved": _item_event,
    "response.output_item.added": _item_event,
    "response.output_item.done": _item_event,
    "conversation.item.truncate": _truncate,
    "conversation.item.truncated": _truncate,
    "input_audio_buffer.speech_started": _vad,
    "input_audio_buffer.speech_stopped": _vad,
    "input_audio_buffer.append": _append,
    "rate_limits.updated": _rate_limits,
    "conversation.item.input_audio_transcription.completed": _transcript_done,
    "conversation.item.input_audio_transcription.segment": _transcript_done,
    "response.audio_transcript.done": _transcript_done,
    "response.text.done": _transcript_done,
    "response.function_call_arguments.done": _transcript_done,
    "conversation.item.input_audio_transcription.failed": lambda e: _join(
        str(e.get("item_id") or ""), _error(e)
    ),
    "output_audio_buffer.started": lambda e: str(e.get("response_id") or ""),
    "output_audio_buffer.stopped": lambda e: str(e.get("response_id") or ""),
    "output_audio_buffer.cleared": lambda e: str(e.get("response_id") or ""),
}


def summarize(event: dict[str, Any]) -> str:
    """A one-line human summary of an event (never raises, whatever the event holds)."""
    if not isinstance(event, dict):
        return short(event)
    etype = str(event.get("type", ""))
    canon = canonical_type(etype)
    try:
        fn = _BY_TYPE.get(canon)
        if fn is not None:
            return fn(event)
        if etype.endswith(".delta") or etype in AUDIO_PAYLOAD_KEYS:
            return _delta(event)
        if "item" in event:
            return _item_desc(event["item"])
        for key in ("item_id", "response_id"):
            if event.get(key):
                return str(event[key])
    except Exception as exc:  # a malformed event must still get a row
        return f"(unreadable: {type(exc).__name__})"
    return ""


_TOKENS = re.compile(r'"[^"]*"|\S+|\s+')
#: A token that states a number ("+4800", "100", "12/30", "(3", "@120"): never cut.
_NUMBER = re.compile(r"[(\[@+×←-]*\d[\d.,:/]*[%)\],;]*")
_MIN_TOKEN = 6


def fit_summary(text: str, width: int) -> str:
    """`text` in at most `width` characters without ever cutting a number.

    A summary cut at the column's edge could turn `+4800 B` into `+480`. Instead quoted
    text shortens first (from its end), then the longest words (item ids, codes) from
    their middle (`item_C…9x`); if that is not enough, whole trailing words go and an
    ellipsis says so.
    """
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    tokens = _TOKENS.findall(text)
    excess = len(text) - width
    while excess > 0:
        words = [(len(t), i) for i, t in enumerate(tokens)
                 if not t.isspace() and not _NUMBER.fullmatch(t) and len(t) > _MIN_TOKEN]
        quoted = [(n, i) for n, i in words if tokens[i].startswith('"')]
        candidates = quoted or words  # free text gives way before codes and ids
        if not candidates:
            break
        length, i = max(candidates)
        token = tokens[i]
        keep = max(_MIN_TOKEN, length - excess)
        if token.startswith('"'):
            tokens[i] = token[: keep - 2] + '…"'
        else:
            head = (keep - 1) // 2 + 1
            tokens[i] = token[:head] + "…" + token[len(token) - (keep - 1 - head):] if keep - 1 - head > 0 else token[: keep - 1] + "…"
        excess -= length - len(tokens[i])
    out = "".join(tokens)
    if len(out) <= width:
        return out
    while tokens and len("".join(tokens).rstrip()) + 2 > width:
        tokens.pop()  # whole words go, never part of one
    return ("".join(tokens).rstrip() + " …")[:width] if tokens else "…"[:width]


def summarize_fold(event: dict[str, Any], count: int, total: int, codec: str = "pcm16") -> str:
    """Summary of a folded row: the run's item and the size its `count` events add up to."""
    etype = str(event.get("type", ""))
    item = str(event.get("item_id") or "")
    if etype in AUDIO_PAYLOAD_KEYS:
        return _join(item, f"+{total} B audio = {audio_duration_ms(total, codec)} ms")
    return _join(item, f"+{total} chars")
