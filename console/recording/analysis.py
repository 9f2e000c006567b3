"""The turn-by-turn analysis behind the `inspect` report: one pass over a `Recording`.

Audio events (`input_audio_buffer.append`, audio deltas) are never parsed, only counted
from the index, except the one audio delta per response whose response cannot be told
from context: that is what keeps `inspect` of a 1 GB recording to seconds.

Older recordings and WebRTC sessions are expected: every field read from an event may be
missing, so everything here uses `.get` and reports `None` rather than failing. Fields of
the wrong type (a number where text belongs, `1e999`) are read as missing, and an event
that still cannot be analysed is listed in `problems` with its line number while the pass
goes on: one odd event never costs the rest of the report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from console.realtime.protocol import canonical_type, session_audio_codecs

from .mcp_items import MCP_ITEM_TYPES, mcp_fields
from .reader import Recording, UnreadableEventError
from .timeline import build_timeline

_AUDIO_DELTAS = frozenset({"response.audio.delta", "response.output_audio.delta"})
_TEXT_DELTAS = frozenset({"response.text.delta", "response.output_text.delta"})
_TRANSCRIPT_DELTAS = frozenset({"response.audio_transcript.delta", "response.output_audio_transcript.delta"})
_SKIPPED = frozenset({"input_audio_buffer.append"}) | _AUDIO_DELTAS
_RESPONSE_ID = re.compile(rb'"response_id"\s*:\s*"([^"\\]*)"')
_ITEM_ID = re.compile(rb'"item_id"\s*:\s*"([^"\\]*)"')
_BUFFER_EVENTS = ("output_audio_buffer.started", "output_audio_buffer.stopped", "output_audio_buffer.cleared")
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
    response_out_of_band: bool = False
    interrupted: bool = False
    playback_end_source: str | None = None
    #: The turn's audio deltas: how many, their lines' total size, and the bytes of a line
    #: that are not the base64 payload (from one parsed delta), for `audio_ms` estimates.
    audio_deltas: int = 0
    audio_line_bytes: int = 0
    delta_overhead: int | None = None

    def mark(self, name: str, t: float) -> None:
        self.marks.setdefault(name, t)

    def user_part(self) -> dict[str, Any]:
        if self.user is None:
            self.user = {"item_id": None, "kind": None, "text": None, "transcript": None, "speech_ms": None}
        return self.user

    def to_dict(self, transcripts: dict[str, Any], timeline: dict[str, Any] | None = None) -> dict[str, Any]:
        user = self.user
        if user is not None and user.get("item_id") in transcripts:
            user = {**user, **transcripts[user["item_id"]]}
        origin = next((o for o in LATENCY_ORIGINS if o in self.marks), None)
        latency: dict[str, Any] = {"from": origin, "first_text_ms": None, "first_audio_ms": None, "done_ms": None,
                                   "first_audio_source": self.first_audio_source}
        if origin is not None:
            t0 = self.marks[origin]
            for key, mark in (("first_text_ms", "first_text"), ("first_audio_ms", "first_audio"), ("done_ms", "done")):
                if mark in self.marks:
                    latency[key] = round((self.marks[mark] - t0) * 1000.0, 1)
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
    """The single pass: `run()` fills `turns`, `interruptions`, `truncations`, `errors`,
    `statuses` (response.done status counts) and `transcripts` (input transcriptions by item)."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.starts = rec.turn_starts()
        self.turns: list[_Turn] = [
            _Turn(i + 1, int(row), rec.time_of(int(row)), _TRIGGERS.get(rec.type_of(int(row)), "other"))
            for i, row in enumerate(self.starts)
        ]
        self.turn_by_item: dict[str, _Turn] = {}
        self.turn_by_response: dict[str, _Turn] = {}
        self.in_progress: dict[str, _Turn] = {}
        self.transcripts: dict[str, dict[str, Any]] = {}
        self.client_event_types: dict[str, str] = {}
        self.interruptions: list[dict[str, Any]] = []
        self.truncations: dict[str, dict[str, Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.statuses: dict[str, int] = {}
        self.session_model: str | None = None
        self.parsed_lines = 0
        #: Events that could not be analysed: {"event", "line", "type", "reason"}.
        self.problems: list[dict[str, Any]] = []
        #: {error event: the refused `response.create` it answers} (see `refusals.py`).
        self.refusal_of_error = {e: c for c, e in rec.refusals().items()}
        self.refused = set(self.refusal_of_error.values())
        #: Responses whose audio is playing (`output_audio_buffer.started`, not yet stopped).
        self.playing: dict[str, _Turn] = {}
        self.buffered_responses: set[str] = set()
        self.output_codec = "pcm16"
        self.input_codec = "pcm16"

    def positional(self, n: int) -> _Turn | None:
        i = int(np.searchsorted(self.starts, n, side="right")) - 1
        return self.turns[i] if i >= 0 else None

    def by_response(self, event: dict[str, Any], n: int) -> _Turn | None:
        rid = event.get("response_id")
        if isinstance(rid, str) and rid in self.turn_by_response:
            return self.turn_by_response[rid]
        return self.positional(n)

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        rec = self.rec
        types = rec.index.types
        type_ids = rec.index.type_ids
        times = rec.index.times
        skip_ids = {i for i, t in enumerate(types) if t in _SKIPPED}
        audio_ids = {i for i, t in enumerate(types) if t in _AUDIO_DELTAS}
        rows = np.flatnonzero(~np.isin(type_ids, list(skip_ids))) if skip_ids else np.arange(len(rec))
        # First audio delta per response: only rows that could be one are looked at.
        audio_rows = np.flatnonzero(np.isin(type_ids, list(audio_ids))) if audio_ids else np.zeros(0, np.int64)
        merged = np.union1d(rows, audio_rows) if len(audio_rows) else rows
        total = len(merged)
        merged_types = type_ids[merged].tolist()
        merged_times = times[merged].tolist()
        merged_sources = rec.index.sources[merged].tolist()
        merged_lengths = rec.index.lengths[merged].tolist()
        events = rec.iter_events(rows)
        for k, n in enumerate(merged.tolist()):
            tid = merged_types[k]
            if tid in audio_ids:
                self.audio_delta(n, merged_times[k], merged_lengths[k])
                continue
            _, event = next(events)
            if event is None:  # damaged line: noted by the recording, skipped here
                continue
            self.parsed_lines += 1
            try:
                self.handle(n, merged_times[k], types[tid], "client" if merged_sources[k] == 0 else "server", event)
            except Exception as exc:  # noqa: BLE001 - one odd event is reported, the pass goes on
                self.problem(n, types[tid], f"{exc.__class__.__name__}: {str(exc)[:120]}")
            if progress is not None and k % 4096 == 0:
                progress(k, total)
        try:
            self.measure_truncated_audio()
        except Exception as exc:  # noqa: BLE001 - an estimate, never worth the report
            self.problem(len(rec) - 1, "audio", f"audio length of truncated items unknown: {exc.__class__.__name__}")

    def problem(self, n: int, etype: str, reason: str) -> None:
        self.problems.append({"event": n, "line": self.rec.line_of(n) if 0 <= n < len(self.rec) else None,
                              "type": etype, "reason": reason})

    # --- per event ----------------------------------------------------------------------

    def audio_delta(self, n: int, t: float, length: int) -> None:
        """Count audio delta `n` (a `length`-byte line) for its turn; the turn's first one
        is its first audio. Only one delta per turn is parsed (see `delta_overhead`)."""
        if not self.in_progress:
            return
        if len(self.in_progress) == 1:
            turn: _Turn | None = next(iter(self.in_progress.values()))
        else:
            turn = self.turn_by_response.get(self.delta_response_id(n) or "") or self.positional(n)
        if turn is None:
            return
        if "first_audio" not in turn.marks:
            turn.mark("first_audio", t)
            turn.first_audio_source = "audio_delta"
        if turn.delta_overhead is None:
            turn.delta_overhead = self.delta_line_overhead(n, length)
            if turn.delta_overhead is None:
                return
        turn.audio_deltas += 1
        turn.audio_line_bytes += length

    def delta_line_overhead(self, n: int, length: int) -> int | None:
        """The bytes of audio delta `n`'s line that are not its base64 payload (the other
        deltas of a response have the same fields, so their payload is length minus this)."""
        self.parsed_lines += 1
        try:
            delta = self.rec.event(n).get("delta")
        except UnreadableEventError:
            return None
        return length - len(delta) if isinstance(delta, str) else None

    def audio_ms(self, turn: _Turn) -> float | None:
        """The audio received for `turn`, from its deltas' sizes at the session's output format."""
        if not turn.audio_deltas or turn.delta_overhead is None:
            return None
        chars = max(0, turn.audio_line_bytes - turn.audio_deltas * turn.delta_overhead)
        return chars * 3 / 4 / _BYTES_PER_MS.get(self.output_codec, 48.0)

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

    def delta_response_id(self, n: int) -> str | None:
        """The `response_id` of audio delta `n`, from the line's first bytes when it is
        there (it precedes the payload in what the API sends), else from a full parse."""
        m = _RESPONSE_ID.search(self.rec.peek(n, 512))
        if m is not None:
            return m.group(1).decode("utf-8", "replace")
        self.parsed_lines += 1
        try:
            rid = self.rec.event(n).get("response_id")
        except UnreadableEventError:
            return None
        return rid if isinstance(rid, str) else None

    def handle(self, n: int, t: float, etype: str, source: str, ev: dict[str, Any]) -> None:
        ctype = canonical_type(etype)
        if source == "client" and isinstance(ev.get("event_id"), str):
            self.client_event_types[ev["event_id"]] = etype
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
            self.error(n, t, "error", ev.get("error"))
        elif ctype in ("session.created", "session.updated"):
            session = ev.get("session")
            if isinstance(session, dict):
                if isinstance(session.get("model"), str):
                    self.session_model = session["model"]
                self.input_codec, self.output_codec = session_audio_codecs(session)
        elif ctype.endswith(".failed") and ctype != "response.failed":
            self.error(n, t, etype, ev.get("error"))

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
            turn = self.positional(n) or (self.turns[0] if self.turns else None)
            if turn is not None:
                self.assistant_item(turn, item)
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

    def measure_truncated_audio(self) -> None:
        """Each truncated assistant item's audio length, from its audio deltas.

        Only the deltas of truncated items are parsed (their item id is read from the
        line's first bytes), so the export can say which share of the answer was heard.
        """
        wanted = {key: entry for key, entry in self.truncations.items() if entry["turn"] is not None}
        for key, entry in wanted.items():
            item = self.turns[entry["turn"] - 1].items.get(key)
            if item is not None:
                item["heard_ms"] = entry["audio_end_ms"]
        rows = self.rec.rows_of_type(*_AUDIO_DELTAS)
        if not wanted or not len(rows):
            return
        totals: dict[str, int] = {}
        first = min(self.turns[entry["turn"] - 1].start_event for entry in wanted.values())
        last = max(entry["event"] for entry in wanted.values())
        for n in rows[(rows >= first) & (rows < last)].tolist():
            m = _ITEM_ID.search(self.rec.peek(n, 512))
            if m is None or m.group(1).decode("utf-8", "replace") not in wanted:
                continue
            event = self.rec.iter_events([n])
            _, ev = next(event)
            delta = ev.get("delta") if ev is not None else None
            if isinstance(delta, str):
                key = m.group(1).decode("utf-8", "replace")
                size = len(delta) * 3 // 4 - delta[-2:].count("=")
                totals[key] = totals.get(key, 0) + max(0, size)
        per_ms = _BYTES_PER_MS.get(self.output_codec, 48.0)
        for key, entry in wanted.items():
            audio_ms = round(totals[key] / per_ms, 1) if key in totals else None
            entry["audio_ms"] = audio_ms
            turn = self.turns[entry["turn"] - 1]
            if key in turn.items:
                turn.items[key]["audio_ms"] = audio_ms
                turn.items[key]["heard_ms"] = entry["audio_end_ms"]
