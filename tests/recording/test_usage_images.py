"""Image tokens in usage sums and cost: `input_token_details.image_tokens` is summed as
`input.image` (cached share as `input.cached_image`) and priced as `image_input` /
`image_cached_input` when the price table has them."""

from __future__ import annotations

from console.recording.prices import DEFAULT_PRICES, PriceTable
from console.recording.usage import estimate_cost, usage_totals


def _usage(text: int, image: int, cached_image: int) -> dict:
    return {"total_tokens": text + image + 10, "input_tokens": text + image, "output_tokens": 10,
            "input_token_details": {"text_tokens": text, "audio_tokens": 0, "image_tokens": image,
                                    "cached_tokens": cached_image,
                                    "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0,
                                                              "image_tokens": cached_image}},
            "output_token_details": {"text_tokens": 10, "audio_tokens": 0}}


def test_image_tokens_are_summed_with_their_cached_share() -> None:
    totals = usage_totals([_usage(20, 425, 0), _usage(30, 425, 425), None])
    assert totals["input"]["image"] == 850
    assert totals["input"]["cached_image"] == 425
    assert totals["input"]["total"] == 50 + 850
    old = usage_totals([{"input_tokens": 5, "input_token_details": {"text_tokens": 5, "cached_tokens": 2}}])
    assert (old["input"]["image"], old["input"]["cached_image"], old["input"]["cached_text"]) == (0, 0, 2)


def test_image_tokens_are_priced_when_the_table_prices_them() -> None:
    prices = PriceTable(models={"gpt-realtime": {**DEFAULT_PRICES["gpt-realtime"],
                                                 "image_input": 5.0, "image_cached_input": 0.5}})
    cost = estimate_cost(usage_totals([_usage(0, 1_000_000, 200_000)]), "gpt-realtime", prices)
    assert cost["breakdown"]["image_input"] == 4.0  # 800k uncached at $5 / 1M
    assert cost["breakdown"]["image_cached_input"] == 0.1  # 200k cached at $0.50 / 1M
    assert cost["total"] == round(4.0 + 0.1 + 10 * 16.0 / 1e6, 6)


def test_unpriced_image_tokens_leave_no_total_and_say_how_to_price_them() -> None:
    prices = PriceTable(models={"gpt-realtime": dict(DEFAULT_PRICES["gpt-realtime"])})
    cost = estimate_cost(usage_totals([_usage(0, 425, 0)]), "gpt-realtime", prices)
    assert "image_input" not in cost["breakdown"] and cost["total"] is None  # never counted as free
    assert cost["note"] == ("no image price for model gpt-realtime (425 image tokens; "
                            "add image_input and image_cached_input with --prices)")
    plain = estimate_cost(usage_totals([_usage(10, 0, 0)]), "gpt-realtime", prices)
    assert plain["note"] == "input transcription (e.g. whisper-1) is billed separately and not included"
