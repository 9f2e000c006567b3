"""The turn-by-turn analysis behind the `inspect` report and the console's turn view.

`TurnAnalyser` takes events one at a time, so the same rules serve a recording (driven
over the file by `analyse_recording`, for `inspect`, the summaries and the export) and a
live or replayed session (fed as events arrive, through `console.session.turn_timelines`).

Over a file, audio events (`input_audio_buffer.append`, audio deltas) are never parsed,
only counted from the index, except the one audio delta per response whose response
cannot be told from context: that is what keeps `inspect` of a 1 GB recording to seconds.
When the pass also feeds the linter (which reads every payload), each event is parsed
once for both. A small file may be read whole rather than indexed (`load_small`): the same
loop feeds the same analyser from it, and there the server events of types the analysis
does not read (`reads`) are not parsed either.

Older recordings and WebRTC sessions are expected: every field read from an event may be
missing, so everything here uses `.get` and reports `None` rather than failing. Fields of
the wrong type (a number where text belongs, `1e999`) are read as missing, and an event
that still cannot be analysed is listed in `problems` with its line number while the pass
goes on: one odd event never costs the rest of the report.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import Any, Protocol

import numpy as np

from console.realtime.protocol import canonical_type, session_audio_codecs

from .index import SOURCE_SERVER
from .mcp_items import MCP_ITEM_TYPES, mcp_fields
from .reader import LoadedRecording, Recording, UnreadableEventError, type_mask
from .timeline import build_timeline
from .turns import TurnRule

_AUDIO_DELTAS = frozenset({"response.audio.delta", "response.output_audio.delta"})
#: The same as `canonical_type` names them (what `handle` compares against).
_AUDIO_DELTAS_CANONICAL = frozenset({canonical_type(t) for t in _AUDIO_DELTAS})
_TEXT_DELTAS = frozenset({"response.text.delta", "response.output_text.delta"})
_TRANSCRIPT_DELTAS = frozenset({"response.audio_transcript.delta", "response.output_audio_transcript.delta"})
_SKIPPED = frozenset({"input_audio_buffer.append"}) | _AUDIO_DELTAS
#: Events the analysis never reads (the microphone's appends, most of a session's lines).
_IGNORED = frozenset({"input_audio_buffer.append"})
_RESPONSE_ID = re.compile(rb'"response_id"\s*:\s*"([^"\\]*)"')
_ITEM_ID = re.compile(rb'"item_id"\s*:\s*"([^"\\]*)"')
_BUFFER_EVENTS = ("output_audio_buffer.started", "output_audio_buffer.stopped", "output_audio_buffer.cleared")
#: The event types `TurnAnalyser.handle` reads (by `canonical_type`; `reads` adds the
#: `.failed` ones). A server event of any other type only counts for the turn rule, so a
#: small file's driver leaves it unparsed (`test_loaded_recording` checks this against `handle`).
_READ_TYPES = frozenset({
    *_AUDIO_DELTAS_CANONICAL, *_TEXT_DELTAS, *_TRANSCRIPT_DELTAS, *_BUFFER_EVENTS,
    "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped", "input_audio_buffer.commit",
    "input_audio_buffer.committed", "conversation.item.create", "conversation.item.created",
    "conversation.item.done", "response.create", "response.created", "response.output_item.added",
    "response.output_item.done", "response.text.done", "response.audio_transcript.done",
    "response.function_call_arguments.done", "response.done", "response.cancel", "conversation.item.truncate",
    "conversation.item.truncated", "conversation.item.input_audio_transcription.completed", "error",
    "session.created", "session.updated",
})


@lru_cache(maxsize=4096)
def reads(event_type: str) -> bool:
    """Whether `TurnAnalyser.handle` reads a server event of this type (else it only
    counts for the turn rule: `observe` does nothing more with it). Cached: every file's
    driver asks it of each of its types."""
    ctype = canonical_type(event_type)
    return ctype in _READ_TYPES or (ctype.endswith(".failed") and ctype != "response.failed")


#: Bytes of encoded output audio per millisecond, by codec.
_BYTES_PER_MS = {"pcm16": 48.0, "g711_ulaw": 8.0, "g711_alaw": 8.0}
#: Where latency is measured from, in order of preference.
LATENCY_ORIGINS: tuple[str, ...] = ("speech_stopped", "commit", "committed", "response.create", "item.create")


@dataclass
class _Turn:
    number: int
    start_event: int
    start_s: float
    trigger: str
    user: dict[str, Any] | None = None
    response_id: str | None = None
    status: str | None = None
    status_reason: str | None = None
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    usage: dict[str, Any] | None = None
    marks: dict[str, float] = field(default_factory=dict)
    first_audio_source: str | None = None
    #: {event: time} of the `response.create` requests it holds (a live refusal drops one).
    requests: dict[int, float] = field(default_factory=dict)
    response_out_of_band: bool = False
    interrupted: bool = False
    playback_end_source: str | None = None
    #: The turn's audio deltas: how many, and their base64 payloads' total length (what
    #: `audio_ms` is estimated from).
    audio_deltas: int = 0
    audio_chars: int = 0

    def mark(self, name: str, t: float) -> None:
        self.marks.setdefault(name, t)

    def user_part(self) -> dict[str, Any]:
        if self.user is None:
            self.user = {"item_id": None, "kind": None, "text": None, "transcript": None, "speech_ms": None}
        return self.user

    def latency(self) -> dict[str, Any]:
        """The report's `latency` of this turn: from its origin to first text, first audio
        and `response.done`, in ms (what the summaries keep for percentiles, too)."""
        origin = next((o for o in LATENCY_ORIGINS if o in self.marks), None)
        latency: dict[str, Any] = {"from": origin, "first_text_ms": None, "first_audio_ms": None, "done_ms": None,
                                   "first_audio_source": self.first_audio_source}
        if origin is not None:
            t0 = self.marks[origin]
            for key, mark in (("first_text_ms", "first_text"), ("first_audio_ms", "first_audio"), ("done_ms", "done")):
                if mark in self.marks:
                    latency[key] = round((self.marks[mark] - t0) * 1000.0, 1)
        return latency

    def to_dict(self, transcripts: dict[str, Any], timeline: dict[str, Any] | None = None) -> dict[str, Any]:
        user = self.user
        if user is not None and user.get("item_id") in transcripts:
            user = {**user, **transcripts[user["item_id"]]}
        latency = self.latency()
        assistant = None
        if self.response_id is not None or self.items:
            assistant = {
                "response_id": self.response_id,
                "status": self.status,
                "status_reason": self.status_reason,
                "items": list(self.items.values()),
                "usage": self.usage,
            }
        return {
            "number": self.number,
            "start_event": self.start_event,
            "start_s": round(self.start_s, 3),
            "trigger": self.trigger,
            "user": user,
            "assistant": assistant,
            "latency": latency,
            "timeline": timeline,
            "interrupted": self.interrupted,
        }


_TRIGGERS = {
    "input_audio_buffer.speech_started": "speech",
    "input_audio_buffer.commit": "commit",
    "conversation.item.create": "item.create",
    "response.create": "response.create",
    "response.created": "server",
}


def finite(value: Any) -> float | int | None:
    """A JSON number that is finite (`1e999` reads as infinity), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _content_text(content: Any, kinds: Iterable[str]) -> str | None:
    if not isinstance(content, list):
        return None
    texts = [str(p.get("text") or "") for p in content if isinstance(p, dict) and p.get("type") in kinds]
    return "".join(texts) if texts else None


def _content_transcript(content: Any) -> str | None:
    if not isinstance(content, list):
        return None
    parts = [p.get("transcript") for p in content if isinstance(p, dict) and isinstance(p.get("transcript"), str)]
    return "".join(parts) if parts else None


class TurnAnalyser:
    """The turn-by-turn analysis, fed one event at a time (`observe`).

    The same object serves a whole recording (`analyse_recording` drives it over the file,
    for `inspect`, the summaries and the export) and a live or replayed session (the
    console's `TurnTimelines` feeds it each event as it arrives), so the rules that find
    turns, mark their timelines and attribute costs exist once.

    It fills `turns`, `interruptions`, `truncations`, `errors`, `statuses` (response.done
    status counts) and `transcripts` (input transcriptions by item).

    Args:
        refusals: {refused `response.create` event: the `error` that refused it}, when
            known in advance (a recording: see `refusals.py`). Without it (a live session)
            a request is taken as refused when an `error` names its `event_id` before any
            response, and a turn it alone opened is dropped then.
    """

    def __init__(self, refusals: Mapping[int, int] | None = None) -> None:
        self.turns: list[_Turn] = []
        self.rule = TurnRule()
        self.learn_refusals = refusals is None
        self.turn_by_item: dict[str, _Turn] = {}
        self.turn_by_response: dict[str, _Turn] = {}
        self.in_progress: dict[str, _Turn] = {}
        self.transcripts: dict[str, dict[str, Any]] = {}
        self.client_event_types: dict[str, str] = {}
        #: {client `event_id`: event number} of `response.create` requests (live refusals).
        self.create_events: dict[str, int] = {}
        self.interruptions: list[dict[str, Any]] = []
        self.truncations: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.statuses: dict[str, int] = {}
        self.session_model: str | None = None
        #: Events that could not be analysed: {"event", "type", "reason"} (the file's
        #: driver adds each one's "line").
        self.problems: list[dict[str, Any]] = []
        #: {error event: the refused `response.create` it answers} (see `refusals.py`).
        self.refusal_of_error = {e: c for c, e in (refusals or {}).items()}
        self.refused = set(self.refusal_of_error.values())
        #: Responses whose audio is playing (`output_audio_buffer.started`, not yet stopped).
        self.playing: dict[str, _Turn] = {}
        self.buffered_responses: set[str] = set()
        self.output_codec = "pcm16"
        self.input_codec = "pcm16"
        #: Items shown in a turn that came before any turn began (an MCP server's tools,
        #: listed on the first session.update): they join the first turn when it begins.
        self.before_first_turn: list[dict[str, Any]] = []

    def positional(self, n: int) -> _Turn | None:
        """The turn event `n` falls in: the latest one begun (events come in order)."""
        return self.turns[-1] if self.turns else None

    def by_response(self, event: dict[str, Any], n: int) -> _Turn | None:
        rid = event.get("response_id")
        if isinstance(rid, str) and rid in self.turn_by_response:
            return self.turn_by_response[rid]
        return self.positional(n)

    def track_turn(self, n: int, etype: str, t: float) -> None:
        """Begin a turn at event `n` when the turn rule (`turns.py`) says so."""
        if n not in self.refused and self.rule.starts(etype):
            self.turns.append(_Turn(len(self.turns) + 1, n, t, _TRIGGERS.get(etype, "other")))
            early, self.before_first_turn = self.before_first_turn, []
            for item in early:  # e.g. MCP tools listed on the first session.update
                self.assistant_item(self.turns[0], item)

    def observe(self, n: int, source: str, event: dict[str, Any], t: float) -> bool:
        """Account for event `n` ("client" or "server", `t` seconds from event 0); True
        when the analysis changed (an event it does not read changes nothing)."""
        etype = event.get("type")
        if not isinstance(etype, str) or etype in _IGNORED:
            return False
        self.track_turn(n, etype, t)
        try:
            return self.handle(n, t, etype, source, event)
        except Exception as exc:  # noqa: BLE001 - one odd event is reported, the pass goes on
            self.problem(n, etype, f"{exc.__class__.__name__}: {str(exc)[:120]}")
            return True

    def problem(self, n: int, etype: str, reason: str) -> None:
        self.problems.append({"event": n, "type": etype, "reason": reason})

    # --- per event ----------------------------------------------------------------------

    def delta_turn(self, n: int, t: float, response_id: Callable[[], str | None]) -> _Turn | None:
        """The turn audio delta `n` belongs to (`response_id` is asked only when more than
        one response is in progress), after marking its first audio; None when no
        response is in progress."""
        if not self.in_progress:
            return None
        if len(self.in_progress) == 1:
            turn: _Turn | None = next(iter(self.in_progress.values()))
        else:
            turn = self.turn_by_response.get(response_id() or "") or self.positional(n)
        if turn is not None and "first_audio" not in turn.marks:
            turn.mark("first_audio", t)
            turn.first_audio_source = "audio_delta"
        return turn

    def audio_received(self, turn: _Turn, chars: int) -> None:
        """`chars` base64 characters of audio for `turn` (one delta's payload)."""
        turn.audio_deltas += 1
        turn.audio_chars += max(0, chars)

    def audio_ms(self, turn: _Turn) -> float | None:
        """The audio received for `turn`, from its deltas' sizes at the session's output format."""
        if not turn.audio_deltas:
            return None
        return turn.audio_chars * 3 / 4 / _BYTES_PER_MS.get(self.output_codec, 48.0)

    def timeline(self, turn: _Turn) -> dict[str, Any]:
        """`turn`'s timeline points and spans (see `timeline.py`)."""
        cut = next((e for e in self.truncations.values() if e["turn"] == turn.number), None)
        return build_timeline(turn.marks, audio_ms=self.audio_ms(turn),
                              truncated_at_ms=cut["audio_end_ms"] if cut else None,
                              truncated_s=cut["time_s"] if cut else None,
                              playback_end_source=turn.playback_end_source)

    def playback_ended(self, turn: _Turn, t: float, source: str) -> None:
        if "playback_end" not in turn.marks:
            turn.mark("playback_end", t)
            turn.playback_end_source = source

    def handle(self, n: int, t: float, etype: str, source: str, ev: dict[str, Any]) -> bool:
        """Apply event `n` to the turns; False when its type is none the analysis reads."""
        ctype = canonical_type(etype)
        if source == "client" and isinstance(ev.get("event_id"), str):
            self.client_event_types[ev["event_id"]] = etype
            if ctype == "response.create" and self.learn_refusals:
                self.create_events[ev["event_id"]] = n
        if ctype in _AUDIO_DELTAS_CANONICAL:
            turn = self.delta_turn(n, t, lambda: text_or_none(ev.get("response_id")))
            delta = ev.get("delta")
            if turn is not None and isinstance(delta, str):
                self.audio_received(turn, len(delta))
            return turn is not None
        if ctype == "input_audio_buffer.speech_started":
            turn = self.positional(n)
            if turn is not None:
                turn.mark("speech_started", t)
            # Speech while a response is generated, or while its audio still plays after
            # `response.done` (WebRTC, or any client that plays after generation ends).
            for rid, active in [*self.in_progress.items(), *self.playing.items()]:
                if active is not turn:
                    self.interrupt(active, n, t, "speech_started", rid)
            if turn is not None and turn.start_event == n:
                user = turn.user_part()
                user["kind"] = "audio"
                user["item_id"] = text_or_none(ev.get("item_id"))
                user["_speech_start_ms"] = finite(ev.get("audio_start_ms"))
                if isinstance(ev.get("item_id"), str):
                    self.turn_by_item[ev["item_id"]] = turn
        elif ctype == "input_audio_buffer.speech_stopped":
            turn = self.turn_by_item.get(str(ev.get("item_id"))) or self.positional(n)
            if turn is not None:
                turn.mark("speech_stopped", t)
                user = turn.user_part()
                start, end = user.get("_speech_start_ms"), finite(ev.get("audio_end_ms"))
                if start is not None and end is not None:
                    user["speech_ms"] = end - start
        elif ctype == "input_audio_buffer.commit":
            turn = self.positional(n)
            if turn is not None:
                turn.mark("commit", t)
                turn.user_part()["kind"] = turn.user_part()["kind"] or "audio"
        elif ctype == "input_audio_buffer.committed":
            item_id = ev.get("item_id")
            turn = self.turn_by_item.get(str(item_id)) or self.positional(n)
            if turn is not None:
                turn.mark("committed", t)
                user = turn.user_part()
                user["kind"] = user["kind"] or "audio"
                user["item_id"] = user["item_id"] or text_or_none(item_id)
                if isinstance(item_id, str):
                    self.turn_by_item[item_id] = turn
        elif ctype == "conversation.item.create":
            self.client_item(n, t, ev)
        elif ctype in ("conversation.item.created", "conversation.item.done"):
            self.server_item(n, ev.get("item"))
        elif ctype == "response.create":
            turn = self.positional(n)
            if turn is not None and n not in self.refused:  # a refused request is no origin
                turn.mark("response.create", t)
                turn.requests[n] = t
        elif ctype == "response.created":
            self.response_created(n, t, ev)
        elif ctype == "response.output_item.added" or ctype == "response.output_item.done":
            turn = self.by_response(ev, n)
            if turn is not None and isinstance(ev.get("item"), dict):
                self.assistant_item(turn, ev["item"])
        elif ctype in _TEXT_DELTAS or ctype in _TRANSCRIPT_DELTAS:
            turn = self.by_response(ev, n)
            if turn is not None:
                turn.mark("first_text", t)
                item = self.item_entry(turn, ev.get("item_id"))
                key = "text" if ctype in _TEXT_DELTAS else "transcript"
                item[key] = (item.get(key) or "") + str(ev.get("delta") or "")
        elif ctype in ("response.text.done", "response.audio_transcript.done"):
            turn = self.by_response(ev, n)
            if turn is not None:
                key = "text" if ctype == "response.text.done" else "transcript"
                if isinstance(ev.get(key), str):
                    self.item_entry(turn, ev.get("item_id"))[key] = ev[key]
        elif ctype == "response.function_call_arguments.done":
            turn = self.by_response(ev, n)
            if turn is not None:
                item = self.item_entry(turn, ev.get("item_id"))
                item["type"] = "function_call"
                item["arguments"] = ev.get("arguments")
                item["name"] = ev.get("name") or item.get("name")
        elif ctype == "output_audio_buffer.started":
            turn = self.by_response(ev, n)
            if turn is not None:
                if "first_audio" not in turn.marks:
                    turn.mark("first_audio", t)
                    turn.first_audio_source = "output_audio_buffer.started"
                rid = ev.get("response_id")
                key = rid if isinstance(rid, str) else str(turn.response_id)
                self.playing.clear()  # one output buffer: a new answer replaces any older one
                self.playing[key] = turn
                self.buffered_responses.add(key)
        elif ctype == "output_audio_buffer.stopped":
            rid = ev.get("response_id")
            stopped = [rid] if isinstance(rid, str) and rid in self.playing else list(self.playing)
            for key in stopped:
                self.playback_ended(self.playing.pop(key), t, "output_audio_buffer.stopped")
        elif ctype == "output_audio_buffer.cleared":
            # The server cut the audio that was still playing (a barge-in or a client clear).
            for rid, turn in list(self.playing.items()):
                self.interrupt(turn, n, t, "output_audio_buffer.cleared", rid)
                self.playback_ended(turn, t, "output_audio_buffer.cleared")
            self.playing.clear()
        elif ctype == "response.done":
            self.response_done(n, t, ev)
        elif ctype == "response.cancel":
            # Only a cancel that meets a response in progress interrupts anything (one that
            # does not is answered by a `response_cancel_not_active` error, reported there).
            rid = ev.get("response_id") or next(reversed(self.in_progress), None)
            target = self.in_progress.get(str(rid)) if rid else None
            if target is not None:
                self.interrupt(target, n, t, "response.cancel", rid)
        elif ctype in ("conversation.item.truncate", "conversation.item.truncated"):
            self.truncation(n, t, ctype, ev)
        elif ctype == "conversation.item.input_audio_transcription.completed":
            item_id = str(ev.get("item_id"))
            self.transcripts[item_id] = {"transcript": text_or_none(ev.get("transcript"))}
        elif ctype == "conversation.item.input_audio_transcription.failed":
            item_id = str(ev.get("item_id"))
            self.transcripts[item_id] = {"transcript": None, "transcription_failed": True}
            self.error(n, t, "conversation.item.input_audio_transcription.failed", ev.get("error"))
        elif ctype == "error":
            if self.learn_refusals:
                self.learn_refusal(n, ev.get("error"))
            self.error(n, t, "error", ev.get("error"))
        elif ctype in ("session.created", "session.updated"):
            session = ev.get("session")
            if isinstance(session, dict):
                if isinstance(session.get("model"), str):
                    self.session_model = session["model"]
                self.input_codec, self.output_codec = session_audio_codecs(session)
        elif ctype.endswith(".failed") and ctype != "response.failed":
            self.error(n, t, etype, ev.get("error"))
        else:
            return False
        return True

    def learn_refusal(self, n: int, err: Any) -> None:
        """Live: error `n` names a `response.create` of the current turn, still unanswered:
        that request was refused, so it is no origin, and a turn it alone opened is
        dropped (as `refusals.py` decides for a recording, which also sees what follows)."""
        event_id = err.get("event_id") if isinstance(err, dict) else None
        create = self.create_events.pop(event_id, None) if isinstance(event_id, str) else None
        turn = self.positional(n)
        if create is None or turn is None or create < turn.start_event or "response.created" in turn.marks:
            return
        self.refused.add(create)
        self.refusal_of_error[n] = create
        turn.requests.pop(create, None)
        if turn.start_event == create and set(turn.marks) <= {"response.create"}:
            self.turns.pop()
            self.rule.answered = True
        elif turn.requests:
            turn.marks["response.create"] = min(turn.requests.values())
        else:
            turn.marks.pop("response.create", None)

    def interrupt(self, turn: _Turn, n: int, t: float, kind: str, rid: Any) -> None:
        """Mark `turn`'s response interrupted, once, at the first event that interrupted it."""
        if turn.interrupted:
            return
        turn.interrupted = True
        self.interruptions.append({"event": n, "time_s": round(t, 3), "kind": kind,
                                   "response_id": rid, "turn": turn.number})

    def client_item(self, n: int, t: float, ev: dict[str, Any]) -> None:
        turn = self.positional(n)
        item = ev.get("item")
        if turn is None or not isinstance(item, dict):
            return
        turn.mark("item.create", t)
        user = turn.user_part()
        if item.get("type") == "function_call_output":
            user.update(kind="function_call_output", text=str(item.get("output")))
        elif item.get("type") == "mcp_approval_response":
            user.update(kind="mcp_approval_response", type="mcp_approval_response", **mcp_fields(item))
        elif item.get("type", "message") == "message":
            role = item.get("role")
            user.update(kind="text" if role == "user" else f"{role}_message",
                        text=_content_text(item.get("content"), ("input_text", "text", "output_text")))
            if user["text"] is None:
                user["transcript"] = _content_transcript(item.get("content"))
                if user["transcript"] is not None or any(
                    isinstance(p, dict) and p.get("type") == "input_audio" for p in item.get("content") or []
                ):
                    user["kind"] = "audio"
        if isinstance(item.get("id"), str):
            user["item_id"] = item["id"]
            self.turn_by_item[item["id"]] = turn

    def server_item(self, n: int, item: Any) -> None:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            return
        if item.get("type") == "mcp_list_tools":  # listed on session.update: shown in the turn it falls in
            turn = self.positional(n)
            if turn is not None:
                self.assistant_item(turn, item)
            else:
                self.before_first_turn.append(item)
            return
        if item.get("role") != "user" and item.get("type") != "function_call_output":
            return
        turn = self.turn_by_item.get(item["id"])
        if turn is None:
            turn = self.positional(n)
            if turn is None or (turn.user is not None and turn.user.get("item_id") not in (None, item["id"])):
                return
            self.turn_by_item[item["id"]] = turn
        user = turn.user_part()
        user["item_id"] = item["id"]
        text = _content_text(item.get("content"), ("input_text", "text"))
        if text is not None:
            user["text"] = text
            user["kind"] = user["kind"] or "text"
        transcript = _content_transcript(item.get("content"))
        if transcript:
            self.transcripts.setdefault(item["id"], {"transcript": transcript})

    def response_created(self, n: int, t: float, ev: dict[str, Any]) -> None:
        response = ev.get("response") if isinstance(ev.get("response"), dict) else {}
        rid = response.get("id")
        turn = self.positional(n)
        if turn is None:
            return
        if turn.response_id is None:
            turn.response_id = rid
        turn.mark("response.created", t)
        if isinstance(rid, str):
            self.turn_by_response[rid] = turn
            # Only one response runs in a conversation at a time: one still "in progress"
            # here never got its response.done (a dropped connection) and must not be
            # taken for the target of later audio deltas or interruptions.
            if response.get("conversation") != "none":
                for old in [r for r, tn in self.in_progress.items() if tn.response_out_of_band is False]:
                    del self.in_progress[old]
            turn.response_out_of_band = response.get("conversation") == "none"
            self.in_progress[rid] = turn

    def item_entry(self, turn: _Turn, item_id: Any) -> dict[str, Any]:
        key = str(item_id)
        if key not in turn.items:
            turn.items[key] = {"item_id": item_id, "type": "message", "role": "assistant",
                               "text": None, "transcript": None, "heard_ms": None, "audio_ms": None}
        return turn.items[key]

    def assistant_item(self, turn: _Turn, item: dict[str, Any]) -> None:
        entry = self.item_entry(turn, item.get("id"))
        itype = item.get("type") or entry["type"]
        entry["type"] = itype
        if item.get("role"):
            entry["role"] = item["role"]
        if item.get("status"):
            entry["status"] = item["status"]
        if itype == "function_call":
            entry["name"] = item.get("name") or entry.get("name")
            if item.get("arguments"):
                entry["arguments"] = item["arguments"]
        elif itype in MCP_ITEM_TYPES:
            entry.update(mcp_fields(item))
        content = item.get("content")
        text = _content_text(content, ("output_text", "text"))
        if text:
            entry["text"] = text
        transcript = _content_transcript(content)
        if transcript:
            entry["transcript"] = transcript

    def response_done(self, n: int, t: float, ev: dict[str, Any]) -> None:
        response = ev.get("response") if isinstance(ev.get("response"), dict) else {}
        rid = response.get("id")
        turn = self.turn_by_response.get(str(rid)) if rid else None
        if turn is None:
            turn = self.positional(n)
        if turn is None:
            return
        self.in_progress.pop(str(rid), None)
        turn.mark("done", t)
        turn.response_id = turn.response_id or rid
        status = response.get("status")
        turn.status = status
        details = response.get("status_details")
        if isinstance(details, dict):
            err = details.get("error")
            turn.status_reason = details.get("reason") or (err.get("code") if isinstance(err, dict) else None)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status == "failed":
            err = details.get("error") if isinstance(details, dict) else None
            self.error(n, t, "response.done", err if isinstance(err, dict) else {"type": "response_failed"})
        if isinstance(response.get("usage"), dict):
            turn.usage = response["usage"]
        output = response.get("output")
        for item in output if isinstance(output, list) else []:
            if isinstance(item, dict):
                self.assistant_item(turn, item)

    def truncation(self, n: int, t: float, ctype: str, ev: dict[str, Any]) -> None:
        item_id = str(ev.get("item_id"))
        entry = self.truncations.get(item_id)
        if entry is None or (ctype == "conversation.item.truncate" and entry["requested_by_client"]):
            turn = self.turn_by_item.get(item_id)
            if turn is None:
                turn = next((tn for tn in reversed(self.turns) if item_id in tn.items), None)
            entry = {"event": n, "time_s": round(t, 3), "item_id": ev.get("item_id"),
                     "audio_end_ms": finite(ev.get("audio_end_ms")), "audio_ms": None, "requested_by_client": False,
                     "confirmed_by_server": False, "turn": turn.number if turn else None}
            self.truncations[item_id] = entry
            # Without output-buffer events (a WebSocket client playing the audio itself), a
            # truncation is the evidence that the user cut the answer short, even after
            # `response.done`; with them, speech_started / cleared above already told.
            if turn is not None and str(turn.response_id) not in self.buffered_responses:
                self.interrupt(turn, n, t, ctype, turn.response_id)
        if ctype == "conversation.item.truncate":
            entry["requested_by_client"] = True
        else:
            entry["confirmed_by_server"] = True
            end = finite(ev.get("audio_end_ms"))
            entry["audio_end_ms"] = end if end is not None else entry["audio_end_ms"]

    def error(self, n: int, t: float, kind: str, err: Any) -> None:
        err = err if isinstance(err, dict) else {}
        caused_by = err.get("event_id")
        turn = self.positional(n)
        refused = self.refusal_of_error.get(n)
        self.errors.append({
            "event": n, "time_s": round(t, 3), "kind": kind, "type": err.get("type"), "code": err.get("code"),
            "message": err.get("message"), "param": err.get("param"), "caused_by": caused_by,
            "caused_by_type": self.client_event_types.get(str(caused_by)) if caused_by else None,
            "refused_request": refused,
            "turn": turn.number if turn else None,
        })


#: Events per sweep of `Recording.iter_events` (bounds the index slices held at once).
_BLOCK = 65_536


class _Linter(Protocol):
    def observe(self, index: int, source: str, event: dict[str, Any], time: float) -> None: ...


def analyse_recording(rec: Recording | LoadedRecording, progress: Callable[[int, int], None] | None = None,
                      linter: _Linter | None = None, truncated_audio: bool = True) -> TurnAnalyser:
    """One pass over `rec`: every event the analysis reads goes to a `TurnAnalyser`, and,
    with `linter`, every event also to it (the same parse serves both).

    `rec` is an indexed `Recording`, or a small file read whole (`LoadedRecording`, which
    parsed the events it holds as it split its lines: `load_small`); the two differ only
    in where each event's type, time, source, line length and payload come from, and the
    same loop below feeds them to the analyser.

    `truncated_audio=False` leaves out `measure_truncated_audio` (the audio length of each
    truncated item, a second look at those items' deltas): the summaries, which hold no
    per-item figures, skip it.

    Without a linter, audio events are never parsed, only counted from the index (their
    payload length is the line's length less what one parsed delta per turn shows is not
    payload), except the few whose response cannot be told from context: that is what
    keeps `inspect` of a 1 GB recording to seconds. With a linter, which reads every
    payload, each event is parsed once for both, and deltas are still measured from their
    lines' lengths, so the report does not depend on whether the lint came along.
    """
    analyser = TurnAnalyser(refusals=rec.refusals())
    types = rec.types if isinstance(rec, LoadedRecording) else rec.index.types
    audio_ids = {i for i, t in enumerate(types) if t in _AUDIO_DELTAS}
    skip_ids = set() if linter is not None else {i for i, t in enumerate(types) if t in _SKIPPED}
    unread_ids: set[int] = set()
    blocks: Iterable[_Block]
    if isinstance(rec, LoadedRecording):
        if linter is None:
            # Server events of types the analysis does not read are not parsed either: the
            # analysis is the same, and a small file's summary has no use for the note a
            # damaged one leaves in an indexed recording's `warnings()`, which `inspect` shows.
            unread_ids = {i for i, t in enumerate(types) if not reads(t)}
        total, blocks = _loaded_block(rec, linter is not None, skip_ids, unread_ids)
    else:
        total, blocks = _indexed_blocks(rec, linter is not None)
    unparsed = _UnparsedDeltas(analyser, rec)
    observe = analyser.observe
    lint = linter.observe if linter is not None else None
    start = 0
    for rows, block_types, block_times, block_sources, block_lengths, events in blocks:
        for k, n in enumerate(rows):
            tid = block_types[k]
            if tid in skip_ids:
                unparsed.delta(n, block_times[k], block_lengths[k], None)
                continue
            if tid in unread_ids and block_sources[k] == SOURCE_SERVER:  # left unparsed
                analyser.track_turn(n, types[tid], block_times[k])
                continue
            _, event = next(events)
            if event is None:  # damaged line: noted by the recording; its indexed type still counts
                if tid in audio_ids:
                    unparsed.delta(n, block_times[k], block_lengths[k], None)
                else:
                    analyser.track_turn(n, types[tid], block_times[k])
                continue
            source = "client" if block_sources[k] == 0 else "server"
            if lint is not None:
                lint(n, source, event, block_times[k])
            if tid in audio_ids:  # measured as when unparsed: the report is the same either way
                unparsed.delta(n, block_times[k], block_lengths[k], event)
            else:
                observe(n, source, event, block_times[k])
            if progress is not None and (start + k) % 4096 == 0:
                progress(start + k, total)
        start += len(rows)
    try:
        if truncated_audio:
            measure_truncated_audio(analyser, rec)
    except Exception as exc:  # noqa: BLE001 - an estimate, never worth the report
        analyser.problem(len(rec) - 1, "audio", f"audio length of truncated items unknown: {exc.__class__.__name__}")
    for problem in analyser.problems:
        n = problem["event"]
        problem["line"] = rec.line_of(n) if 0 <= n < len(rec) else None
    return analyser


#: One sweep's events: (event numbers, type ids, times, sources, line lengths, and the
#: (n, payload) of those not skipped, in order).
_Block = tuple[Sequence[int], Sequence[int], Sequence[float], Sequence[int], Sequence[int],
               Iterator[tuple[int, dict[str, Any] | None]]]


def _indexed_blocks(rec: Recording, everything: bool) -> tuple[int, Iterator[_Block]]:
    """How many events the analysis goes over in an indexed recording, and those events in
    sweeps of `_BLOCK`: all of them (`everything`, for the linter) or all but the skipped
    audio, which are measured from their lines' lengths (audio deltas listed, appends
    left out)."""
    index = rec.index
    types, type_ids = index.types, index.type_ids
    if everything:
        skipped = type_mask(len(types), ())
        rows = np.arange(len(rec), dtype=np.int64)
    else:
        skipped = type_mask(len(types), (i for i, t in enumerate(types) if t in _SKIPPED))
        audio = type_mask(len(types), (i for i, t in enumerate(types) if t in _AUDIO_DELTAS))
        rows = np.flatnonzero(~skipped[type_ids] | audio[type_ids])

    def sweeps() -> Iterator[_Block]:
        for start in range(0, len(rows), _BLOCK):
            block = rows[start:start + _BLOCK]
            wanted = block if everything else block[~skipped[type_ids[block]]]
            yield (block.tolist(), type_ids[block].tolist(), index.times[block].tolist(),
                   index.sources[block].tolist(), index.lengths[block].tolist(), rec.iter_events(wanted))

    return len(rows), sweeps()


def _loaded_block(rec: LoadedRecording, everything: bool, skipped: set[int],
                  unread: set[int]) -> tuple[int, list[_Block]]:
    """A small file's events in one sweep, as `_indexed_blocks` gives an indexed one's:
    the events of the types `skipped` (audio measured from their lines) and the server
    events of the types `unread` (types the analysis does not read) listed, not parsed."""
    type_ids, sources, times, lengths = rec.type_ids, rec.sources, rec.times, rec.lengths
    if everything:
        rows = list(range(len(rec)))
        return len(rows), [(rows, type_ids, times, sources, lengths, rec.iter_events(rows))]
    types = rec.types
    ignored = {i for i, t in enumerate(types) if t in _IGNORED}
    if ignored:
        rows = [n for n, tid in enumerate(type_ids) if tid not in ignored]
        pick = itemgetter(*rows) if len(rows) > 1 else lambda column: (column[rows[0]],) if rows else ()
        type_ids, sources, times, lengths = pick(type_ids), pick(sources), pick(times), pick(lengths)
    else:
        rows = list(range(len(rec)))
    events = rec.events
    if rec.rules == (_SKIPPED, reads):  # `load_small`: parsed exactly the events read here
        wanted = [(n, events[n]) for n in rows if events[n] is not None]
    else:
        wanted = list(rec.iter_events([n for n, tid, source in zip(rows, type_ids, sources)
                                       if tid not in skipped and (tid not in unread or source != SOURCE_SERVER)]))
    return len(rows), [(rows, type_ids, times, sources, lengths, iter(wanted))]


def load_small(path: str | os.PathLike[str]) -> LoadedRecording | None:
    """A small recording read whole for `analyse_recording`, its audio left unparsed as
    the indexed driver leaves it, and the server events the analysis does not read (None:
    read it as a `Recording`; see `LoadedRecording`)."""
    return LoadedRecording.load(path, _SKIPPED, reads)


class _UnparsedDeltas:
    """Audio deltas measured from the index alone (see `analyse_recording`)."""

    def __init__(self, analyser: TurnAnalyser, rec: Recording) -> None:
        self.analyser = analyser
        self.rec = rec
        #: {turn number: bytes of its deltas' lines that are not payload}.
        self.overhead: dict[int, int | None] = {}

    def delta(self, n: int, t: float, length: int, event: dict[str, Any] | None) -> None:
        """Audio delta `n`, a `length`-byte line (`event`: its payload, if parsed anyway)."""
        if event is not None:
            rid = text_or_none(event.get("response_id"))
            turn = self.analyser.delta_turn(n, t, lambda: rid)
        else:
            turn = self.analyser.delta_turn(n, t, lambda: self.response_id(n))
        if turn is None:
            return
        overhead = self.overhead.get(turn.number)
        if overhead is None:  # the turn's first delta (or the first readable one)
            overhead = self.overhead[turn.number] = self.line_overhead(n, length, event)
        if overhead is not None:
            self.analyser.audio_received(turn, length - overhead)

    def line_overhead(self, n: int, length: int, event: dict[str, Any] | None) -> int | None:
        """The bytes of audio delta `n`'s line that are not its base64 payload (the other
        deltas of a response have the same fields, so their payload is length minus this)."""
        try:
            delta = (event if event is not None else self.rec.event(n)).get("delta")
        except UnreadableEventError:
            return None
        return length - len(delta) if isinstance(delta, str) else None

    def response_id(self, n: int) -> str | None:
        """The `response_id` of audio delta `n`, from the line's first bytes when it is
        there (it precedes the payload in what the API sends), else from a full parse."""
        m = _RESPONSE_ID.search(self.rec.peek(n, 512))
        if m is not None:
            return m.group(1).decode("utf-8", "replace")
        try:
            rid = self.rec.event(n).get("response_id")
        except UnreadableEventError:
            return None
        return rid if isinstance(rid, str) else None


def measure_truncated_audio(analyser: TurnAnalyser, rec: Recording) -> None:
    """Each truncated assistant item's audio length, from its audio deltas.

    Only the deltas of truncated items are parsed (their item id is read from the
    line's first bytes), so the export can say which share of the answer was heard.
    """
    wanted = {key: entry for key, entry in analyser.truncations.items() if entry["turn"] is not None}
    for key, entry in wanted.items():
        item = analyser.turns[entry["turn"] - 1].items.get(key)
        if item is not None:
            item["heard_ms"] = entry["audio_end_ms"]
    rows = rec.rows_of_type(*_AUDIO_DELTAS)
    if not wanted or not len(rows):
        return
    totals: dict[str, int] = {}
    first = min(analyser.turns[entry["turn"] - 1].start_event for entry in wanted.values())
    last = max(entry["event"] for entry in wanted.values())
    for n in rows[(rows >= first) & (rows < last)].tolist():
        m = _ITEM_ID.search(rec.peek(n, 512))
        if m is None or m.group(1).decode("utf-8", "replace") not in wanted:
            continue
        event = rec.iter_events([n])
        _, ev = next(event)
        delta = ev.get("delta") if ev is not None else None
        if isinstance(delta, str):
            key = m.group(1).decode("utf-8", "replace")
            size = len(delta) * 3 // 4 - delta[-2:].count("=")
            totals[key] = totals.get(key, 0) + max(0, size)
    per_ms = _BYTES_PER_MS.get(analyser.output_codec, 48.0)
    for key, entry in wanted.items():
        audio_ms = round(totals[key] / per_ms, 1) if key in totals else None
        entry["audio_ms"] = audio_ms
        turn = analyser.turns[entry["turn"] - 1]
        if key in turn.items:
            turn.items[key]["audio_ms"] = audio_ms
            turn.items[key]["heard_ms"] = entry["audio_end_ms"]
