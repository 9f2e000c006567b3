"""The `inspect` report: pure functions from a `Recording` to a JSON-ready dict.

One pass over the events. Audio events (`input_audio_buffer.append`, audio deltas) are
never parsed, only counted from the index, except the one audio delta per response whose
response cannot be told from context: that is what keeps `inspect` of a 1 GB recording
to seconds. Field meanings are documented in `REPORT.md` next to this file.

Older recordings and WebRTC sessions are expected: every field read from an event may be
missing, so everything here uses `.get` and reports `null` rather than failing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from console.realtime.protocol import canonical_type

from .prices import PriceTable
from .reader import Recording, UnreadableEventError

REPORT_VERSION = 1

_AUDIO_DELTAS = frozenset({"response.audio.delta", "response.output_audio.delta"})
_TEXT_DELTAS = frozenset({"response.text.delta", "response.output_text.delta"})
_TRANSCRIPT_DELTAS = frozenset({"response.audio_transcript.delta", "response.output_audio_transcript.delta"})
_SKIPPED = frozenset({"input_audio_buffer.append"}) | _AUDIO_DELTAS
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
    interrupted: bool = False

    def mark(self, name: str, t: float) -> None:
        self.marks.setdefault(name, t)

    def user_part(self) -> dict[str, Any]:
        if self.user is None:
            self.user = {"item_id": None, "kind": None, "text": None, "transcript": None, "speech_ms": None}
        return self.user

    def to_dict(self, transcripts: dict[str, Any]) -> dict[str, Any]:
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
            "interrupted": self.interrupted,
        }


_TRIGGERS = {
    "input_audio_buffer.speech_started": "speech",
    "input_audio_buffer.commit": "commit",
    "conversation.item.create": "item.create",
    "response.create": "response.create",
    "response.created": "server",
}


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


class _Analyser:
    """State of the single pass; `build_report` is the public entry point."""

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
        events = rec.iter_events(rows)
        for k, n in enumerate(merged.tolist()):
            tid = merged_types[k]
            if tid in audio_ids:
                self.audio_delta(n, merged_times[k])
                continue
            _, event = next(events)
            if event is None:  # damaged line: noted by the recording, skipped here
                continue
            self.parsed_lines += 1
            self.handle(n, merged_times[k], types[tid], "client" if merged_sources[k] == 0 else "server", event)
            if progress is not None and k % 4096 == 0:
                progress(k, total)

    # --- per event ----------------------------------------------------------------------

    def audio_delta(self, n: int, t: float) -> None:
        waiting = [turn for turn in self.in_progress.values() if "first_audio" not in turn.marks]
        if not waiting:
            return
        if len(waiting) == 1 and len(self.in_progress) == 1:
            turn = waiting[0]
        else:
            self.parsed_lines += 1
            try:
                turn = self.by_response(self.rec.event(n), n)
            except UnreadableEventError:
                turn = self.positional(n)
        if turn is not None and "first_audio" not in turn.marks:
            turn.mark("first_audio", t)
            turn.first_audio_source = "audio_delta"

    def handle(self, n: int, t: float, etype: str, source: str, ev: dict[str, Any]) -> None:
        ctype = canonical_type(etype)
        if source == "client" and isinstance(ev.get("event_id"), str):
            self.client_event_types[ev["event_id"]] = etype
        if ctype == "input_audio_buffer.speech_started":
            turn = self.positional(n)
            for rid, active in self.in_progress.items():
                if active is not turn:
                    active.interrupted = True
                    self.interruptions.append({"event": n, "time_s": round(t, 3), "kind": "speech_started",
                                               "response_id": rid, "turn": active.number})
            if turn is not None and turn.start_event == n:
                user = turn.user_part()
                user["kind"] = "audio"
                user["item_id"] = ev.get("item_id")
                user["_speech_start_ms"] = ev.get("audio_start_ms")
                if isinstance(ev.get("item_id"), str):
                    self.turn_by_item[ev["item_id"]] = turn
        elif ctype == "input_audio_buffer.speech_stopped":
            turn = self.turn_by_item.get(str(ev.get("item_id"))) or self.positional(n)
            if turn is not None:
                turn.mark("speech_stopped", t)
                user = turn.user_part()
                start, end = user.get("_speech_start_ms"), ev.get("audio_end_ms")
                if isinstance(start, (int, float)) and isinstance(end, (int, float)):
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
                user["item_id"] = user["item_id"] or item_id
                if isinstance(item_id, str):
                    self.turn_by_item[item_id] = turn
        elif ctype == "conversation.item.create":
            self.client_item(n, t, ev)
        elif ctype in ("conversation.item.created", "conversation.item.done"):
            self.server_item(n, ev.get("item"))
        elif ctype == "response.create":
            turn = self.positional(n)
            if turn is not None:
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
            if turn is not None and "first_audio" not in turn.marks:
                turn.mark("first_audio", t)
                turn.first_audio_source = "output_audio_buffer.started"
        elif ctype == "response.done":
            self.response_done(n, t, ev)
        elif ctype == "response.cancel":
            # Only a cancel that meets a response in progress interrupts anything (one that
            # does not is answered by a `response_cancel_not_active` error, reported there).
            rid = ev.get("response_id") or next(reversed(self.in_progress), None)
            target = self.in_progress.get(str(rid)) if rid else None
            if target is not None:
                target.interrupted = True
                self.interruptions.append({"event": n, "time_s": round(t, 3), "kind": "response.cancel",
                                           "response_id": rid, "turn": target.number})
        elif ctype in ("conversation.item.truncate", "conversation.item.truncated"):
            self.truncation(n, t, ctype, ev)
        elif ctype == "conversation.item.input_audio_transcription.completed":
            item_id = str(ev.get("item_id"))
            self.transcripts[item_id] = {"transcript": ev.get("transcript")}
        elif ctype == "conversation.item.input_audio_transcription.failed":
            item_id = str(ev.get("item_id"))
            self.transcripts[item_id] = {"transcript": None, "transcription_failed": True}
            self.error(n, t, "conversation.item.input_audio_transcription.failed", ev.get("error"))
        elif ctype == "error":
            self.error(n, t, "error", ev.get("error"))
        elif ctype in ("session.created", "session.updated"):
            session = ev.get("session")
            if isinstance(session, dict) and isinstance(session.get("model"), str):
                self.session_model = session["model"]
        elif ctype.endswith(".failed") and ctype != "response.failed":
            self.error(n, t, etype, ev.get("error"))

    def client_item(self, n: int, t: float, ev: dict[str, Any]) -> None:
        turn = self.positional(n)
        item = ev.get("item")
        if turn is None or not isinstance(item, dict):
            return
        turn.mark("item.create", t)
        user = turn.user_part()
        if item.get("type") == "function_call_output":
            user.update(kind="function_call_output", text=str(item.get("output")))
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
            self.in_progress[rid] = turn

    def item_entry(self, turn: _Turn, item_id: Any) -> dict[str, Any]:
        key = str(item_id)
        if key not in turn.items:
            turn.items[key] = {"item_id": item_id, "type": "message", "role": "assistant",
                               "text": None, "transcript": None}
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
            turn.status_reason = details.get("reason") or (details.get("error") or {}).get("code")
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if status == "failed":
            err = details.get("error") if isinstance(details, dict) else None
            self.error(n, t, "response.done", err if isinstance(err, dict) else {"type": "response_failed"})
        if isinstance(response.get("usage"), dict):
            turn.usage = response["usage"]
        for item in response.get("output") or []:
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
                     "audio_end_ms": ev.get("audio_end_ms"), "requested_by_client": False,
                     "confirmed_by_server": False, "turn": turn.number if turn else None}
            self.truncations[item_id] = entry
        if ctype == "conversation.item.truncate":
            entry["requested_by_client"] = True
        else:
            entry["confirmed_by_server"] = True
            entry["audio_end_ms"] = ev.get("audio_end_ms", entry["audio_end_ms"])

    def error(self, n: int, t: float, kind: str, err: Any) -> None:
        err = err if isinstance(err, dict) else {}
        caused_by = err.get("event_id")
        turn = self.positional(n)
        self.errors.append({
            "event": n, "time_s": round(t, 3), "kind": kind, "type": err.get("type"), "code": err.get("code"),
            "message": err.get("message"), "param": err.get("param"), "caused_by": caused_by,
            "caused_by_type": self.client_event_types.get(str(caused_by)) if caused_by else None,
            "turn": turn.number if turn else None,
        })


# --- summaries -----------------------------------------------------------------------------


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "min": None, "median": None, "p90": None, "max": None, "mean": None}
    arr = np.sort(np.asarray(values, dtype=np.float64))
    nearest = lambda q: float(arr[min(len(arr) - 1, max(0, int(np.ceil(q * len(arr))) - 1))])  # noqa: E731
    return {"count": len(arr), "min": float(arr[0]), "median": nearest(0.5), "p90": nearest(0.9),
            "max": float(arr[-1]), "mean": round(float(arr.mean()), 1)}


def _num(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def usage_totals(usages: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """Sum `response.done` usage blocks (missing fields count as 0)."""
    tot = {"text": 0, "audio": 0, "cached": 0, "cached_text": 0, "cached_audio": 0}
    out = {"text": 0, "audio": 0}
    responses = 0
    total_tokens = input_total = output_total = 0
    for usage in usages:
        if not isinstance(usage, dict):
            continue
        responses += 1
        total_tokens += _num(usage.get("total_tokens"))
        input_total += _num(usage.get("input_tokens"))
        output_total += _num(usage.get("output_tokens"))
        ind = usage.get("input_token_details") if isinstance(usage.get("input_token_details"), dict) else {}
        outd = usage.get("output_token_details") if isinstance(usage.get("output_token_details"), dict) else {}
        text_in, audio_in, cached = _num(ind.get("text_tokens")), _num(ind.get("audio_tokens")), _num(ind.get("cached_tokens"))
        cd = ind.get("cached_tokens_details") if isinstance(ind.get("cached_tokens_details"), dict) else None
        if cd is not None:
            cached_text, cached_audio = _num(cd.get("text_tokens")), _num(cd.get("audio_tokens"))
        else:  # older usage blocks: attribute cached tokens to text first
            cached_text = min(cached, text_in)
            cached_audio = cached - cached_text
        tot["text"] += text_in
        tot["audio"] += audio_in
        tot["cached"] += cached
        tot["cached_text"] += cached_text
        tot["cached_audio"] += cached_audio
        out["text"] += _num(outd.get("text_tokens"))
        out["audio"] += _num(outd.get("audio_tokens"))
    return {"responses_with_usage": responses, "total_tokens": total_tokens,
            "input": {"total": input_total, **tot}, "output": {"total": output_total, **out}}


def estimate_cost(usage: dict[str, Any], model: str | None, prices: PriceTable) -> dict[str, Any]:
    """USD cost of summed usage for a model, with the price table's date and source."""
    base = {"currency": "USD", "model": model, "priced_as": None, "prices_date": prices.date,
            "prices_source": prices.source, "total": None, "breakdown": None, "note": None}
    found = prices.lookup(model)
    if found is None:
        base["note"] = (f"no price for model {model!r}; pass --model or add it with --prices" if model
                        else "model unknown (no header or session.created); pass --model")
        return base
    key, p = found
    inp, out = usage["input"], usage["output"]
    parts = {
        "text_input": max(0, inp["text"] - inp["cached_text"]) * p["text_input"],
        "text_cached_input": inp["cached_text"] * p["text_cached_input"],
        "audio_input": max(0, inp["audio"] - inp["cached_audio"]) * p["audio_input"],
        "audio_cached_input": inp["cached_audio"] * p["audio_cached_input"],
        "text_output": out["text"] * p["text_output"],
        "audio_output": out["audio"] * p["audio_output"],
    }
    breakdown = {k: round(v / 1e6, 6) for k, v in parts.items()}
    base.update(priced_as=key, total=round(sum(parts.values()) / 1e6, 6), breakdown=breakdown,
                note="input transcription (e.g. whisper-1) is billed separately and not included")
    return base


def build_report(
    rec: Recording,
    prices: PriceTable | None = None,
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The full inspect report of an indexed recording (see REPORT.md for every field).

    Args:
        rec: an indexed recording.
        prices: the price table (default: the built-in one).
        model: price as this model instead of the recorded one.
        progress: called with (events done, events to parse) now and then.
    """
    prices = prices or PriceTable()
    analyser = _Analyser(rec)
    analyser.run(progress)
    counts = rec.type_counts()
    by_type: dict[str, dict[str, int]] = {"client": {}, "server": {}}
    for (source, etype), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
        by_type[source][etype] = count
    turns = [t.to_dict(analyser.transcripts) for t in analyser.turns]
    for turn in turns:
        if turn["user"]:
            turn["user"].pop("_speech_start_ms", None)
    lat = lambda key: [t["latency"][key] for t in turns if t["latency"][key] is not None]  # noqa: E731
    recorded_model = model or rec.model or analyser.session_model
    usage = usage_totals(t.usage for t in analyser.turns)
    header = rec.header
    statuses = analyser.statuses
    return {
        "report_version": REPORT_VERSION,
        "file": str(rec.path),
        "format": {
            "kind": rec.kind,
            "protocol": rec.protocol,
            "model": recorded_model,
            "started_at": header.get("started_at") if header else None,
            "endpoint": header.get("endpoint") if header else None,
            "recorded_by": f"{header.get('tool')} {header.get('version')}" if header else None,
            "times_synthesised": rec.times_synthesised,
            "truncated_last_line": rec.truncated,
            "bad_lines": rec.bad_lines,
            "warnings": rec.warnings(),
        },
        "duration_s": round(rec.duration, 3),
        "events": {
            "total": len(rec),
            "by_source": {s: sum(by_type[s].values()) for s in ("client", "server")},
            "by_type": by_type,
        },
        "turns": turns,
        "latency_ms": {"first_text": _stats(lat("first_text_ms")), "first_audio": _stats(lat("first_audio_ms")),
                       "done": _stats(lat("done_ms"))},
        "responses": {"total": sum(statuses.values()), "completed": statuses.get("completed", 0),
                      "cancelled": statuses.get("cancelled", 0), "failed": statuses.get("failed", 0),
                      "incomplete": statuses.get("incomplete", 0)},
        "interruptions": analyser.interruptions,
        "truncations": list(analyser.truncations.values()),
        "errors": analyser.errors,
        "usage": usage,
        "cost": estimate_cost(usage, recorded_model, prices),
    }


def report_json(report: dict[str, Any]) -> str:
    """The report as one JSON document."""
    return json.dumps(report, indent=2, ensure_ascii=False)
