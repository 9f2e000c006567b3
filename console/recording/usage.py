"""Token usage totals from `response.done` and their estimated cost.

Input tokens are summed per modality: `text`, `audio` and `image` (GA's
`input_token_details.image_tokens`, for `input_image` parts), each with its cached share
(`cached_text`, `cached_audio`, `cached_image`). The cost breakdown names each priced
part `<modality>_input` / `<modality>_cached_input` / `<modality>_output`, as the price
table does. Image tokens are priced at the model's `image_input` / `image_cached_input`;
a model without image prices gets no total rather than a low one (images are never
counted as free), with a note saying how to price them. A model billed per minute of
audio (`prices.PER_MINUTE_FIELD`) is priced from the input audio's duration instead of
the tokens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .prices import IMAGE_FIELDS, PER_MINUTE_FIELD, PriceTable, is_per_minute, no_price_note


def _num(value: Any) -> int:
    """A token count: a finite JSON number, else 0 (`1e999` parses as infinity)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if math.isfinite(value) else 0


def usage_totals(usages: Iterable[dict[str, Any] | None]) -> dict[str, Any]:
    """Sum `response.done` usage blocks (missing fields count as 0)."""
    tot = {"text": 0, "audio": 0, "image": 0, "cached": 0, "cached_text": 0, "cached_audio": 0, "cached_image": 0}
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
        image_in = _num(ind.get("image_tokens"))
        if not ind:  # a usage block without details: count its input as text at the full rate
            text_in = _num(usage.get("input_tokens"))
        cd = ind.get("cached_tokens_details") if isinstance(ind.get("cached_tokens_details"), dict) else None
        if cd is not None:
            cached_text, cached_audio = _num(cd.get("text_tokens")), _num(cd.get("audio_tokens"))
            cached_image = _num(cd.get("image_tokens"))
        else:  # older usage blocks: attribute cached tokens to text first
            cached_text = min(cached, text_in)
            cached_audio = cached - cached_text
            cached_image = 0
        tot["text"] += text_in
        tot["audio"] += audio_in
        tot["image"] += image_in
        tot["cached"] += cached
        tot["cached_text"] += cached_text
        tot["cached_audio"] += cached_audio
        tot["cached_image"] += cached_image
        out["text"] += _num(outd.get("text_tokens")) if outd else _num(usage.get("output_tokens"))
        out["audio"] += _num(outd.get("audio_tokens"))
    return {"responses_with_usage": responses, "total_tokens": total_tokens,
            "input": {"total": input_total, **tot}, "output": {"total": output_total, **out}}


def estimate_cost(usage: dict[str, Any], model: str | None, prices: PriceTable,
                  audio_input_s: float | None = None) -> dict[str, Any]:
    """USD cost of summed usage for a model, with the price table's date and source.

    Args:
        usage: `usage_totals(...)`.
        audio_input_s: seconds of input audio streamed, for a model billed per minute.
    """
    base = {"currency": "USD", "model": model, "priced_as": None, "prices_date": prices.date,
            "prices_source": prices.source, "total": None, "breakdown": None, "note": None}
    found = prices.lookup(model)
    if found is None:
        base["note"] = no_price_note(model)
        return base
    key, p = found
    base["priced_as"] = key
    if is_per_minute(p):
        if audio_input_s is None:
            base["note"] = f"{key} is billed per minute of input audio, and its duration is unknown here"
            return base
        cost = audio_input_s / 60.0 * p[PER_MINUTE_FIELD]
        base.update(total=round(cost, 6), breakdown={PER_MINUTE_FIELD: round(cost, 6)},
                    note=f"{audio_input_s:.1f} s of input audio at ${p[PER_MINUTE_FIELD]:g}/min")
        return base
    inp, out = usage["input"], usage["output"]
    parts: dict[str, float | None] = {
        "text_input": max(0, inp["text"] - inp["cached_text"]) * p["text_input"],
        "text_cached_input": inp["cached_text"] * p["text_cached_input"],
        "audio_input": max(0, inp["audio"] - inp["cached_audio"]) * p["audio_input"],
        "audio_cached_input": inp["cached_audio"] * p["audio_cached_input"],
        "text_output": out["text"] * p["text_output"],
        "audio_output": out["audio"] * p["audio_output"],
    }
    note = "input transcription (e.g. whisper-1) is billed separately and not included"
    images = {"image_input": max(0, inp.get("image", 0) - inp.get("cached_image", 0)),
              "image_cached_input": inp.get("cached_image", 0)}
    if any(images.values()):
        if all(f in p for f in IMAGE_FIELDS):
            parts.update({f: images[f] * p[f] for f in IMAGE_FIELDS})
        else:  # never count images as free: no total rather than a low one
            base["breakdown"] = {k: round(v / 1e6, 6) for k, v in parts.items() if v is not None}
            base["note"] = (f"no image price for model {key} ({sum(images.values())} image tokens; "
                            "add image_input and image_cached_input with --prices)")
            return base
    breakdown = {k: round(v / 1e6, 6) for k, v in parts.items() if v is not None}
    base.update(total=round(sum(v for v in parts.values() if v is not None) / 1e6, 6), breakdown=breakdown,
                note=note)
    return base


def audio_output_cost(tokens: float, model: str | None, prices: PriceTable) -> float | None:
    """USD of `tokens` audio output tokens for `model` (None: no token price for it)."""
    found = prices.lookup(model)
    if found is None or is_per_minute(found[1]):
        return None
    return round(tokens * found[1]["audio_output"] / 1e6, 6)
