"""`inspect --fail-on`: conditions over a report that make the command exit with status 1.

So a CI job can record a session against the simulator (or a staging deployment) and gate
on it: `realtime-console inspect run.jsonl --fail-on error --fail-on latency>1200`.

Conditions:
    error         any `error` event, failed input transcription, failed MCP call, or a
                  response that ended `failed`.
    cancelled     any response that ended `cancelled` (a barge-in or `response.cancel`).
    latency>MS    any turn whose first output (first audio, else first text, else
                  `response.done`) came more than MS milliseconds after its latency origin.
    SPAN>MS       the worst turn's timeline span SPAN (`first_audio`, `end_to_end`, ...:
                  any name of `timeline.SPANS`, with or without `_ms`) exceeds MS: the
                  maximum over turns is compared, not a percentile, so one slow turn fails
                  the gate; turns without that span are not counted.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .format import printable
from .report import report_json
from .timeline import SPANS, span_name

_LATENCY = re.compile(r"^latency\s*>\s*(\d+(?:\.\d+)?)\s*(?:ms)?$")
_SPAN = re.compile(r"^([a-z_]+)\s*>\s*(\d+(?:\.\d+)?)\s*(?:ms)?$")
CONDITION_HELP = "error | cancelled | latency>MS | SPAN>MS, SPAN one of " + ", ".join(
    s.removesuffix("_ms") for s in SPANS) + " (the worst turn is compared)"


@dataclass(frozen=True)
class Condition:
    kind: str  # "error", "cancelled", "latency" or "span"
    threshold_ms: float | None = None
    text: str = ""
    span: str | None = None  # for "span": the `timeline.spans_ms` key


def parse_condition(text: str) -> Condition:
    """Parse one `--fail-on` value.

    Raises:
        ValueError: the value is not one of the documented conditions.
    """
    value = text.strip().lower()
    if value in ("error", "errors"):
        return Condition("error", text=text)
    if value in ("cancelled", "canceled"):
        return Condition("cancelled", text=text)
    m = _LATENCY.match(value)
    if m:
        return Condition("latency", float(m.group(1)), text=text)
    m = _SPAN.match(value)
    if m and span_name(m.group(1)) is not None:
        return Condition("span", float(m.group(2)), text=text, span=span_name(m.group(1)))
    raise ValueError(f"unknown --fail-on condition {text!r} (expected {CONDITION_HELP})")


def first_output_ms(turn: dict[str, Any]) -> float | None:
    """A turn's time to first output: first audio, else first text, else done."""
    lat = turn["latency"]
    for key in ("first_audio_ms", "first_text_ms", "done_ms"):
        if lat.get(key) is not None:
            return float(lat[key])
    return None


def evaluate(report: dict[str, Any], conditions: list[Condition]) -> list[dict[str, Any]]:
    """For each condition: {"condition", "held", "detail"}."""
    results = []
    for cond in conditions:
        if cond.kind == "error":
            n = len(report["errors"])
            held, detail = n > 0, f"{n} error(s)"
            if n:
                first = report["errors"][0]
                detail += f", first: {first.get('code') or first.get('type') or first['kind']} at event {first['event']}"
        elif cond.kind == "cancelled":
            n = report["responses"]["cancelled"]
            held, detail = n > 0, f"{n} cancelled response(s)"
        elif cond.kind == "span":
            held, detail = span_over(report, cond)
        else:
            assert cond.threshold_ms is not None
            slow = [(t["number"], ms) for t in report["turns"]
                    if (ms := first_output_ms(t)) is not None and ms > cond.threshold_ms]
            held = bool(slow)
            detail = f"{len(slow)} turn(s) over {cond.threshold_ms:g} ms"
            if slow:
                worst = max(slow, key=lambda s: s[1])
                detail += f", worst: turn {worst[0]} at {worst[1]:g} ms"
        results.append({"condition": cond.text, "held": held, "detail": detail})
    return results


def span_over(report: dict[str, Any], cond: Condition) -> tuple[bool, str]:
    """Whether the worst turn's span `cond.span` exceeds the threshold, and a one-line detail."""
    assert cond.span is not None and cond.threshold_ms is not None
    values = [(t["number"], t["timeline"]["spans_ms"][cond.span]) for t in report["turns"]
              if t.get("timeline") and t["timeline"]["spans_ms"].get(cond.span) is not None]
    if not values:
        return False, f"no turn has {cond.span}"
    slow = [v for v in values if v[1] > cond.threshold_ms]
    worst = max(values, key=lambda v: v[1])
    detail = (f"{len(slow)} of {len(values)} turn(s) over {cond.threshold_ms:g} ms, "
              f"worst: turn {worst[0]} at {worst[1]:g} ms")
    return bool(slow), detail


def print_and_gate(document: dict[str, Any], results: list[dict[str, Any]], *, as_json: bool,
                   render: Callable[[dict[str, Any]], str]) -> int:
    """Print `document` (its `--json` form, or `render`ed as text) with the `--fail-on`
    `results` in it, then each condition that held on stderr; returns the exit status
    (1 when one held). `inspect` and `stats` end this way.
    """
    document["fail_on"] = results
    print(printable(report_json(document) if as_json else render(document)))
    failed = [r for r in results if r["held"]]
    for r in failed:
        print(printable(f"fail-on {r['condition']}: {r['detail']}"), file=sys.stderr)
    return 1 if failed else 0
