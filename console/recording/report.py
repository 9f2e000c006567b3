"""The `inspect` report: pure functions from an indexed `Recording` to a JSON-ready dict.

The fields are documented in `REPORT.md` next to this file; `analysis.py` does the pass
over the events, `usage.py` the token and cost sums.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .analysis import analyse_recording
from .linting import lint_counts, recording_linter
from .prices import PriceTable
from .reader import Recording
from .timeline import span_stats
from .turn_cost import turn_cost, unheard_totals
from .usage import estimate_cost, usage_totals

REPORT_VERSION = 1
#: Bad lines listed one by one in `format.problems` (the counts are always exact).
MAX_LISTED_PROBLEMS = 50


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "min": None, "median": None, "p90": None, "max": None, "mean": None}
    arr = np.sort(np.asarray(values, dtype=np.float64))
    nearest = lambda q: float(arr[min(len(arr) - 1, max(0, int(np.ceil(q * len(arr))) - 1))])  # noqa: E731
    return {"count": len(arr), "min": float(arr[0]), "median": nearest(0.5), "p90": nearest(0.9),
            "max": float(arr[-1]), "mean": round(float(arr.mean()), 1)}


def build_report(
    rec: Recording,
    prices: PriceTable | None = None,
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    lint: bool = False,
) -> dict[str, Any]:
    """The full inspect report of an indexed recording (see REPORT.md for every field).

    Args:
        rec: an indexed recording.
        prices: the price table (default: the built-in one).
        model: price as this model instead of the recorded one.
        progress: called with (events done, events to parse) now and then.
        lint: end the report with the protocol linter's counts (`lint`), from the same
            pass over the events (each is read and parsed once for both).
    """
    prices = prices or PriceTable()
    linter = recording_linter(rec) if lint else None
    analyser = analyse_recording(rec, progress, linter)
    counts = rec.type_counts()
    by_type: dict[str, dict[str, int]] = {"client": {}, "server": {}}
    for (source, etype), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
        by_type[source][etype] = count
    turns = [t.to_dict(analyser.transcripts, analyser.timeline(t)) for t in analyser.turns]
    recorded_model = model or rec.model or analyser.session_model
    for turn, analysed in zip(turns, analyser.turns):
        if turn["user"]:
            turn["user"].pop("_speech_start_ms", None)
        turn["cost"] = turn_cost(analysed.usage, turn["timeline"], recorded_model, prices)
    lat = lambda key: [t["latency"][key] for t in turns if t["latency"][key] is not None]  # noqa: E731
    usage = usage_totals(t.usage for t in analyser.turns)
    header = rec.header if isinstance(rec.header, dict) else None
    statuses = analyser.statuses
    problems = line_problems(rec, analyser.problems)
    warnings = rec.warnings()
    if analyser.problems:
        first = analyser.problems[0]
        warnings.append(f"{len(analyser.problems)} event(s) could not be analysed, the first at line {first['line']} "
                        f"({first['type']}): {first['reason']}")
    report = {
        "report_version": REPORT_VERSION,
        "file": str(rec.path),
        "format": {
            "kind": rec.kind,
            "protocol": rec.protocol,
            "model": recorded_model,
            "started_at": _text(header.get("started_at")) if header else None,
            "endpoint": _text(header.get("endpoint")) if header else None,
            "recorded_by": f"{header.get('tool')} {header.get('version')}" if header else None,
            "times_synthesised": rec.times_synthesised,
            "times_known": rec.times_known,
            "truncated_last_line": rec.truncated,
            "bad_lines": rec.bad_lines,
            "problems": problems[:MAX_LISTED_PROBLEMS],
            "warnings": warnings,
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
        "timeline_ms": span_stats(t["timeline"] for t in turns),
        "responses": response_counts(statuses),
        "interruptions": analyser.interruptions,
        "truncations": list(analyser.truncations.values()),
        "errors": analyser.errors,
        "usage": usage,
        "cost": {**estimate_cost(usage, recorded_model, prices, audio_input_s=input_audio_s(rec, analyser.input_codec)),
                 "unheard_audio": unheard_totals(t["cost"] for t in turns)},
    }
    if linter is not None:
        report["lint"] = lint_counts(linter.finish())
    return report


def response_counts(statuses: dict[str, int]) -> dict[str, int]:
    """The report's `responses`: `response.done` statuses counted (also the summaries')."""
    return {"total": sum(statuses.values()), "completed": statuses.get("completed", 0),
            "cancelled": statuses.get("cancelled", 0), "failed": statuses.get("failed", 0),
            "incomplete": statuses.get("incomplete", 0)}


#: Bytes of encoded input audio per millisecond, by codec.
_INPUT_BYTES_PER_MS = {"pcm16": 48.0, "g711_ulaw": 8.0, "g711_alaw": 8.0}


def input_audio_s(rec: Recording, codec: str = "pcm16") -> float | None:
    """Seconds of input audio the client streamed (`input_audio_buffer.append`), from the
    lines' sizes (one line is parsed to learn what is not payload); None without appends.
    What a model billed per minute of audio is priced on."""
    rows = rec.rows_of_type("input_audio_buffer.append")
    if not len(rows):
        return None
    lengths = rec.index.lengths[rows]
    try:
        audio = rec.event(int(rows[0])).get("audio")
    except (ValueError, IndexError, OSError):
        return None
    if not isinstance(audio, str):
        return None
    overhead = int(lengths[0]) - len(audio)
    chars = max(0, int(lengths.sum()) - overhead * len(rows))
    return round(chars * 3 / 4 / _INPUT_BYTES_PER_MS.get(codec, 48.0) / 1000.0, 3)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def line_problems(rec: Recording, analysis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every skipped or unanalysable line, by line number: {"line", "event", "reason"}
    (`event` is the event number when the line was indexed as one, else null)."""
    found = [{"line": p.line, "event": None, "reason": p.reason} for p in rec.line_problems()]
    events = {rec.line_of(n): n for n in rec.unreadable}
    for entry in found:
        entry["event"] = events.get(entry["line"])
    found += [{"line": p["line"], "event": p["event"], "reason": f"{p['type']} not analysed: {p['reason']}"}
              for p in analysis]
    return sorted(found, key=lambda p: (p["line"] or 0))


def sanitise(value: Any, depth: int = 0) -> Any:
    """A JSON-safe copy: non-finite numbers (`1e999`) become null, and nesting deeper
    than any report field has is cut (raw fields such as `usage` come from the file)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > 40:
        return "[nested too deeply]"
    if isinstance(value, dict):
        return {str(k): sanitise(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [sanitise(v, depth + 1) for v in value]
    return value


def report_json(report: dict[str, Any]) -> str:
    """The report as one JSON document (always valid JSON: no `Infinity` or `NaN`)."""
    try:
        return json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False)
    except (ValueError, RecursionError):
        return json.dumps(sanitise(report), indent=2, ensure_ascii=False, allow_nan=False)
