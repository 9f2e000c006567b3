"""State every check shares while events stream through the linter: the session's audio
formats, the client events by `event_id` (to find what an `error` answers), and `emit`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from console.realtime.protocol import session_audio_codecs

from .findings import Finding
from .rules import RULES

#: Bytes of encoded audio per millisecond, by codec (PCM16 at 24 kHz, G.711 at 8 kHz).
BYTES_PER_MS: dict[str, float] = {"pcm16": 48.0, "g711_ulaw": 8.0, "g711_alaw": 8.0}


def b64_size(data: Any) -> int | None:
    """Decoded byte count of a base64 string, from its length alone (no decoding), or None
    when it cannot be base64 (not a string, or a length that is not a multiple of 4)."""
    if not isinstance(data, str) or len(data) % 4:
        return None
    return len(data) // 4 * 3 - data[-2:].count("=")


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return float(value)


class Context:
    """Shared per-recording state; checks read it and report through `emit`."""

    def __init__(self, sink: Callable[[Finding], None], protocol: str = "ga", times_known: bool = True,
                 start_epoch: float | None = None) -> None:
        self._sink = sink
        self.protocol = protocol
        self.times_known = times_known
        self.start_epoch = start_epoch
        self.input_codec = "pcm16"
        self.output_codec = "pcm16"
        #: Whether `session.created` was seen: the recording then holds every item of the session.
        self.session_started = False
        #: {client event_id: (event number, type)}, to find the request an `error` answers.
        self.client_events: dict[str, tuple[int, str]] = {}
        #: (event number, type) of the latest client event.
        self.last_client: tuple[int, str] | None = None
        #: `error` events a specific rule explained (the rest become `server-error`).
        self.claimed: set[int] = set()
        #: Every event some finding named: an `error` answering one of them says nothing new.
        self.reported_events: set[int] = set()
        self.last_time = 0.0

    @property
    def in_bytes_per_ms(self) -> float:
        return BYTES_PER_MS.get(self.input_codec, 48.0)

    @property
    def out_bytes_per_ms(self) -> float:
        return BYTES_PER_MS.get(self.output_codec, 48.0)

    def session_seen(self, session: Any) -> None:
        """Adopt the audio formats of a `session.created` / `session.updated`."""
        if isinstance(session, dict):
            try:
                self.input_codec, self.output_codec = session_audio_codecs(session)
            except (TypeError, ValueError, AttributeError):
                pass

    def cause_of(self, error: dict[str, Any]) -> tuple[int, str] | None:
        """(event number, type) of the client event an `error` names in `error.event_id`."""
        eid = error.get("event_id")
        return self.client_events.get(eid) if isinstance(eid, str) else None

    def emit(self, rule_id: str, message: str, events: Iterable[int], ids: Iterable[Any] = ()) -> None:
        """Report one finding of `rule_id` (severity from the catalogue)."""
        rule = RULES[rule_id]
        events = tuple(dict.fromkeys(events))
        self.reported_events.update(events)
        clean_ids = tuple(dict.fromkeys(str(i) for i in ids if isinstance(i, str) and i))
        self._sink(Finding(rule_id, rule.severity, message, events, clean_ids))


def error_of(event: dict[str, Any]) -> dict[str, Any]:
    err = event.get("error")
    return err if isinstance(err, dict) else {}


def error_label(err: dict[str, Any]) -> str:
    """`code: message` of an error object, for messages."""
    code = text(err.get("code")) or text(err.get("type")) or "error"
    message = text(err.get("message"))
    if message:
        message = " ".join(message.split())
        message = message if len(message) <= 120 else message[:119] + "…"
        return f"{code}: {message}"
    return code
