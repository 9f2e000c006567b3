"""What one turn cost, and what the audio nobody heard cost.

A response is billed for every token it generated, heard or not. When an answer is cut
(a barge-in truncates its item at `audio_end_ms`), the audio generated after that point was
paid for and never played. Its share is estimated proportionally: the turn's audio output
tokens × (audio after the truncation point ÷ all the audio the turn received). Both audio
lengths come from the turn's timeline (`timeline.build_timeline`: `audio_ms` from the audio
deltas' sizes, `truncated_at_ms` from the truncation), so the live console and `inspect`
compute it from the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .prices import PriceTable
from .usage import audio_output_cost, estimate_cost, usage_totals


def unheard_audio_ms(timeline: Mapping[str, Any] | None) -> float | None:
    """Audio received after the truncation point (None: not truncated, or length unknown)."""
    if not timeline:
        return None
    audio, cut = timeline.get("audio_ms"), timeline.get("truncated_at_ms")
    if audio is None or cut is None:
        return None
    return round(max(0.0, float(audio) - float(cut)), 1)


def turn_cost(usage: Mapping[str, Any] | None, timeline: Mapping[str, Any] | None,
              model: str | None, prices: PriceTable) -> dict[str, Any]:
    """One turn's `cost` object: `total` (USD, None when the model or its tokens have no
    price, or the turn has no usage), `unheard_audio_ms`, `unheard_audio_tokens` and
    `unheard_audio_usd` (None when nothing was cut or it cannot be estimated)."""
    out: dict[str, Any] = {"total": None, "unheard_audio_ms": None, "unheard_audio_tokens": None,
                           "unheard_audio_usd": None}
    if not isinstance(usage, Mapping):
        return out
    totals = usage_totals([dict(usage)])
    out["total"] = estimate_cost(totals, model, prices)["total"]
    unheard = unheard_audio_ms(timeline)
    audio = (timeline or {}).get("audio_ms")
    if unheard is None or not audio:
        return out
    tokens = round(totals["output"]["audio"] * min(1.0, unheard / float(audio)), 1)
    out.update(unheard_audio_ms=unheard, unheard_audio_tokens=tokens,
               unheard_audio_usd=audio_output_cost(tokens, model, prices))
    return out


def unheard_totals(costs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Summed over turns: `ms`, `tokens`, `usd` (None when no turn's could be priced),
    `turns` (how many turns had audio cut)."""
    rows = [c for c in costs if c.get("unheard_audio_ms") is not None]
    priced = [c["unheard_audio_usd"] for c in rows if c.get("unheard_audio_usd") is not None]
    return {"turns": len(rows), "ms": round(sum(c["unheard_audio_ms"] for c in rows), 1),
            "tokens": round(sum(c["unheard_audio_tokens"] or 0 for c in rows), 1),
            "usd": round(sum(priced), 6) if priced else None}
