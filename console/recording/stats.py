"""`stats`: one report over many recordings, from their cached `Summary`s.

Pure functions: `aggregate` turns summaries into a JSON-ready dict (fields documented in
`STATS.md`), `evaluate` checks `--fail-on` conditions against it. Every figure is a sum of,
or a percentile over, what each file's `inspect` report says, so the two never disagree.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .prices import PriceTable
from .summary import SPANS, Summary

STATS_VERSION = 1
#: Percentiles listed per latency span (nearest rank, as `inspect`'s `p90`).
PERCENTILES: tuple[int, ...] = (50, 90, 95, 99)
CONDITION_HELP = "error | cancelled | latency>MS (p95 first output) | error-rate>X (0.05 or 5%)"

_ERROR_RATE = re.compile(r"^error[-_ ]?rate\s*>\s*(\d+(?:\.\d+)?)\s*(%?)$")


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (`q` in 0..100) of sorted values, as `inspect` takes `p90`."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def span_stats(values: Iterable[float]) -> dict[str, Any]:
    """count, min, p50, p90, p95, p99, max and mean of one latency span (ms)."""
    ordered = sorted(values)
    out: dict[str, Any] = {"count": len(ordered), "min": ordered[0] if ordered else None}
    for q in PERCENTILES:
        out[f"p{q}"] = percentile(ordered, q)
    out["max"] = ordered[-1] if ordered else None
    out["mean"] = round(sum(ordered) / len(ordered), 1) if ordered else None
    return out


def sum_usage(usages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Field-by-field sum of `inspect` `usage` objects."""
    total: dict[str, Any] = {"responses_with_usage": 0, "total_tokens": 0,
                             "input": {"total": 0, "text": 0, "audio": 0, "image": 0, "cached": 0, "cached_text": 0,
                                       "cached_audio": 0, "cached_image": 0},
                             "output": {"total": 0, "text": 0, "audio": 0}}
    for usage in usages:
        if not usage:
            continue
        total["responses_with_usage"] += int(usage.get("responses_with_usage", 0))
        total["total_tokens"] += int(usage.get("total_tokens", 0))
        for part in ("input", "output"):
            for key in total[part]:
                total[part][key] += int((usage.get(part) or {}).get(key, 0))
    return total


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _group(summaries: list[Summary], costs: list[float | None], key: str) -> list[dict[str, Any]]:
    """Recordings, turns, tokens and cost per model or per day, sorted by the key
    (`costs[i]` is `summaries[i]`'s, priced once for the whole document)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(summaries):
        groups[str(getattr(s, key) or "unknown")].append(i)
    out = []
    for name in sorted(groups):
        members = [summaries[i] for i in groups[name]]
        member_costs = [costs[i] for i in groups[name]]
        priced = [c for c in member_costs if c is not None]
        out.append({key: name, "recordings": len(members), "turns": sum(s.turns for s in members),
                    "errors": sum(s.errors for s in members), "total_tokens": sum(s.total_tokens for s in members),
                    "cost": round(sum(priced), 6) if priced else None,
                    "unpriced_recordings": len(member_costs) - len(priced)})
    return out


def aggregate(summaries: Iterable[Summary], prices: PriceTable | None = None,
              skipped: Iterable[Summary] = ()) -> dict[str, Any]:
    """The `stats` document over readable summaries (see STATS.md for every field).

    Args:
        summaries: one per recording read (those with `problem` set are moved to `skipped`).
        prices: the price table (default: the built-in one).
        skipped: files that could not be read, listed with their reason.
    """
    prices = prices or PriceTable()
    good: list[Summary] = []
    bad = list(skipped)
    for s in summaries:
        (good if s.ok else bad).append(s)
    turns = sum(s.turns for s in good)
    errors = sum(s.errors for s in good)
    responses: Counter[str] = Counter()
    for s in good:
        responses.update(s.responses)
    codes: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for s in good:
        for code, cause in s.error_codes:
            name = code or "unknown"
            counts[name] += 1
            if cause:
                codes[name][cause] += 1
    interruptions = sum(s.interruptions for s in good)
    truncations = sum(s.truncations for s in good)
    costs = [s.cost(prices) for s in good]
    priced = [c for c in costs if c is not None]
    with_errors = sum(1 for s in good if s.errors)
    usage = sum_usage(s.usage for s in good)
    days = sorted(s.day for s in good if s.day)
    return {
        "stats_version": STATS_VERSION,
        "recordings": len(good),
        "files": sum(max(1, len(s.files)) for s in good),
        "skipped": [{"file": s.path, "reason": s.problem} for s in bad],
        "first_day": days[0] if days else None,
        "last_day": days[-1] if days else None,
        "duration_s": round(sum(s.duration_s for s in good), 3),
        "events": {"total": sum(s.events for s in good),
                   "by_source": {"client": sum(s.client_events for s in good),
                                 "server": sum(s.server_events for s in good)}},
        "turns": turns,
        "errors": errors,
        "recordings_with_errors": with_errors,
        "error_rate": _rate(with_errors, len(good)),
        "error_codes": [{"code": code, "count": n, "caused_by": dict(codes[code].most_common())}
                        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))],
        "responses": {k: responses.get(k, 0) for k in ("total", "completed", "cancelled", "failed", "incomplete")},
        "latency_ms": {span: span_stats(v for s in good for v in s.latency_ms.get(span, [])) for span in SPANS},
        "interruptions": {"count": interruptions, "interrupted_turns": sum(s.interrupted_turns for s in good),
                          "rate": _rate(sum(s.interrupted_turns for s in good), turns)},
        "truncations": {"count": truncations, "rate": _rate(truncations, turns)},
        "usage": usage,
        "cost": {"currency": "USD", "total": round(sum(priced), 6) if priced else (0.0 if not good else None),
                 "prices_date": prices.date, "prices_source": prices.source,
                 "unpriced_recordings": len(costs) - len(priced)},
        "by_model": _group(good, costs, "model"),
        "by_day": _group(good, costs, "day"),
    }


# --- --fail-on ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A `stats --fail-on` condition: `inspect`'s, or `error-rate>X` (`threshold` a fraction)."""

    kind: str  # "error", "cancelled", "latency" or "error_rate"
    threshold: float | None = None
    text: str = ""


def parse_condition(text: str) -> Condition:
    """Parse one `--fail-on` value.

    Raises:
        ValueError: not one of the documented conditions.
    """
    m = _ERROR_RATE.match(text.strip().lower())
    if m:
        value = float(m.group(1)) / (100 if m.group(2) else 1)
        if value > 1:
            raise ValueError(f"--fail-on {text!r}: an error rate is a fraction (0.05) or a percentage (5%)")
        return Condition("error_rate", value, text)
    from . import gates  # the report's gates (and the analysis): only for a --fail-on

    try:
        inner = gates.parse_condition(text)
    except ValueError:
        raise ValueError(f"unknown --fail-on condition {text!r} (expected {CONDITION_HELP})") from None
    return Condition(inner.kind, inner.threshold_ms, text)


def evaluate(stats: dict[str, Any], conditions: list[Condition]) -> list[dict[str, Any]]:
    """For each condition: {"condition", "held", "detail"}, over the aggregate."""
    results = []
    for cond in conditions:
        if cond.kind == "error":
            n = stats["errors"]
            held, detail = n > 0, f"{n} error(s) in {stats['recordings_with_errors']} recording(s)"
        elif cond.kind == "cancelled":
            n = stats["responses"]["cancelled"]
            held, detail = n > 0, f"{n} cancelled response(s)"
        elif cond.kind == "latency":
            assert cond.threshold is not None
            p95 = stats["latency_ms"]["first_output"]["p95"]
            held = p95 is not None and p95 > cond.threshold
            detail = ("no turn with an output" if p95 is None
                      else f"p95 first output {p95:g} ms (limit {cond.threshold:g} ms)")
        else:
            assert cond.threshold is not None
            rate = stats["error_rate"]
            held = rate is not None and rate > cond.threshold
            detail = ("no recordings" if rate is None else
                      f"{stats['recordings_with_errors']} of {stats['recordings']} recording(s) with errors "
                      f"({rate:.2%}, limit {cond.threshold:.2%})")
        results.append({"condition": cond.text, "held": held, "detail": detail})
    return results
