"""Rebuild the conversation a recording's client saw, with the library's own
`RealtimeConversation`.

`ConversationRebuilder` feeds a `Recording`'s events, in order, to a `RealtimeConversation`
exactly as `RealtimeClient` does live: server events through `process_event` with the
client's input audio (rebuilt from its `input_audio_buffer.append` events), manual-mode
commits queued as input audio, audio formats taken from the session. So the items export
writes (and the replay shows) are the items the live client had, truncations included.

Events the conversation cannot apply are collected in `errors` (the live client reports
them the same way) instead of stopping the rebuild. That includes whatever else one odd
event makes the conversation raise (a content part whose `type` is a list, a delta onto a
part whose text is not a string, `audio_end_ms` of `1e999`): the library should raise only
`ConversationError`, but a recording is replayed whatever the library version, so every
exception one event causes is caught here, reported with the event's line, and the rebuild
goes on with the next event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from console.realtime import ConversationError, RealtimeConversation
from console.realtime.audio import base64_to_bytes, decode
from console.realtime.input_audio import InputAudioBuffer
from console.realtime.protocol import audio_codec, canonical_type, normalise_turn_detection, session_audio_codecs, session_to_flat

from .reader import Recording, UnreadableEventError

#: Input audio kept before the earliest sample VAD may still slice (prefix padding margin).
KEEP_MARGIN_S = 2


@dataclass(frozen=True)
class RebuildError:
    """An event the conversation could not apply: its number, type and the reason."""

    event: int
    type: str
    message: str
    #: The event's 1-based line in the file (None when the source cannot say).
    line: int | None = None


class ConversationRebuilder:
    """Replays a recording into a `RealtimeConversation`, one event at a time.

    Use `advance_to(n)` to apply events up to (not including) event `n`; seeking back means
    `reset()` and advancing again (a replay UI keeps its own checkpoints if it needs them).
    """

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.reset()

    def state(self) -> dict[str, Any]:
        """Everything the rebuild has accumulated (not the recording itself).

        A replay checkpoint deep-copies this and later hands it to `restore_state`, so
        seeking back does not replay from the first event.
        """
        return {key: value for key, value in vars(self).items() if key != "rec"}

    def restore_state(self, state: dict[str, Any]) -> None:
        """Return to a `state()` taken earlier from this rebuilder."""
        vars(self).update(state)

    def reset(self) -> None:
        self.conversation = RealtimeConversation()
        self.position = 0  # the next event to apply
        self.errors: list[RebuildError] = []
        self._input = InputAudioBuffer(margin_s=KEEP_MARGIN_S)
        self._input_codec = "pcm16"
        self._client_turn_detection: Any = ...  # ... = the client never sent one
        self._server_turn_detection: Any = None

    def new_session(self) -> None:
        """A reconnect: the next events are a new server session (see `chain.py`), which
        rebuilds the conversation from its restore. The input codec and turn detection
        the client chose carry over (it re-sends them)."""
        self.conversation = RealtimeConversation()
        self._input = InputAudioBuffer(margin_s=KEEP_MARGIN_S)

    @property
    def input_audio(self) -> np.ndarray:
        """The client's input audio not yet committed at this point (int16, a view)."""
        return self._input.view()

    @property
    def input_codec(self) -> str:
        """The codec the client declared for its input audio (in its `session.update`)."""
        return self._input_codec

    @property
    def manual_turns(self) -> bool:
        """Whether the client committed turns itself (no turn detection), as it configured."""
        td = self._client_turn_detection if self._client_turn_detection is not ... else self._server_turn_detection
        return not isinstance(td, dict)

    def advance_to(self, stop: int | None = None) -> None:
        """Apply events `position .. stop-1` (all remaining if `stop` is None)."""
        stop = len(self.rec) if stop is None else min(stop, len(self.rec))
        for n in range(self.position, stop):
            self.apply(n)

    def apply(self, n: int) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Apply event `n` (must be `position`); returns the conversation's (item, delta)."""
        self.position = n + 1
        try:
            record = self.rec.record(n)
        except UnreadableEventError as exc:
            self._error(n, self.rec.type_of(n), str(exc))
            return None, None
        try:
            return self._apply(record.type, record.source, record.event)
        except ConversationError as exc:
            self._error(n, record.type, str(exc))
        except Exception as exc:  # noqa: BLE001 - one odd event is reported, the rebuild goes on
            self._error(n, record.type, f"{exc.__class__.__name__}: {str(exc)[:160]}")
        return None, None

    def _error(self, n: int, etype: str, message: str) -> None:
        line_of = getattr(self.rec, "line_of", None)
        try:
            line = int(line_of(n)) if line_of is not None else None
        except (IndexError, ValueError, TypeError):
            line = None
        self.errors.append(RebuildError(n, etype, message, line))

    def _apply(
        self, etype: str, source: str, event: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        ctype = canonical_type(etype)
        if source == "client":
            self._client_event(ctype, event)
            return None, None
        if ctype in ("session.created", "session.updated") and isinstance(event.get("session"), dict):
            session = event["session"]
            codecs = session_audio_codecs(session)
            self.conversation.set_audio_formats(*codecs)
            flat = session_to_flat(session)
            if "turn_detection" in flat:
                self._server_turn_detection = normalise_turn_detection(flat["turn_detection"])
        result = self.conversation.process_event(event, self._input.view(), self._input.offset)
        if ctype == "input_audio_buffer.speech_started":
            self._input.speech_started(_finite(event.get("audio_start_ms")))
        elif ctype == "input_audio_buffer.speech_stopped":
            self._input.speech_stopped()
            self._input.trim_to(_finite(event.get("audio_end_ms")), self.conversation.input_rate)
        return result

    def _client_event(self, ctype: str, event: dict[str, Any]) -> None:
        if ctype == "session.update" and isinstance(event.get("session"), dict):
            flat = session_to_flat(event["session"])
            if "turn_detection" in flat:
                self._client_turn_detection = normalise_turn_detection(flat["turn_detection"])
            if "input_audio_format" in flat:
                self._input_codec = audio_codec(flat["input_audio_format"])  # unknown: PCM16, as the API
        elif ctype == "input_audio_buffer.append":
            audio = event.get("audio")
            if isinstance(audio, str):
                try:
                    data = base64_to_bytes(audio)
                except ValueError:
                    return
                if self._input_codec == "pcm16" and len(data) % 2:
                    data = data[:-1]
                self._input.append(decode(data, self._input_codec))
                if not self.manual_turns:  # VAD may slice it: keep only what it still can
                    self._input.bound(self.conversation.input_rate)
        elif ctype == "input_audio_buffer.commit":
            if self.manual_turns and len(self._input):
                self.conversation.queue_input_audio(self._input.take())
            else:
                self._input.discard()
        elif ctype == "input_audio_buffer.clear":
            self._input.discard()

    def items(self) -> list[dict[str, Any]]:
        """The conversation's items so far (live objects: copy before changing them)."""
        return self.conversation.get_items()


def _finite(value: Any) -> float | int | None:
    """A finite JSON number, else None (`1e999` parses as infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def item_audio(item: dict[str, Any]) -> np.ndarray:
    """An item's audio as int16 (empty if it has none)."""
    audio = (item.get("formatted") or {}).get("audio")
    return np.asarray(audio, dtype=np.int16) if audio is not None else np.zeros(0, np.int16)
