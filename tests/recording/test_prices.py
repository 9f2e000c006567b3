"""The price table: which model a name is priced as (exact or dated snapshot only), image
tokens, models billed per minute of audio, and the per-turn and never-heard costs that
`inspect` reports on a generated recording with a truncation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.recording import Recording
from console.recording.prices import DEFAULT_PRICES, PriceFileError, PriceTable, load_prices, no_price_note
from console.recording.report import build_report
from console.recording.synthetic import SessionBuilder, default_usage
from console.recording.turn_cost import turn_cost, unheard_audio_ms
from console.recording.usage import estimate_cost, usage_totals

TABLE = PriceTable()


def cost_of(usage: dict, model: str | None, table: PriceTable = TABLE, **kw) -> dict:
    return estimate_cost(usage_totals([usage]), model, table, **kw)


@pytest.mark.parametrize(("model", "priced_as"), [
    ("gpt-realtime", "gpt-realtime"),
    ("gpt-realtime-2025-08-28", "gpt-realtime"),           # dated snapshot
    ("gpt-realtime-mini-2025-12-15", "gpt-realtime-mini"),
    ("gpt-realtime-2.1", "gpt-realtime-2.1"),
    ("gpt-realtime-2.1-mini", "gpt-realtime-2.1-mini"),     # its own entry, never gpt-realtime's
    ("gpt-realtime-2.1-mini-2026-11-01", "gpt-realtime-2.1-mini"),
    ("gpt-realtime-translate", "gpt-realtime-translate"),
])
def test_names_match_exactly_or_by_dated_snapshot(model: str, priced_as: str) -> None:
    assert TABLE.lookup(model)[0] == priced_as


@pytest.mark.parametrize("model", ["gpt-realtime-9", "gpt-realtime-2.1-nano", "gpt-realtime-mini-preview",
                                   "gpt-realtime-2025-08", "my-gpt-realtime", "gpt-realtimex"])
def test_no_prefix_rule_prices_a_neighbour(model: str) -> None:
    assert TABLE.lookup(model) is None
    cost = cost_of(default_usage(), model)
    assert cost["total"] is None and cost["priced_as"] is None
    assert cost["note"] == f"no price for model {model} (use --prices)" == no_price_note(model)


def test_the_mini_trap_costs_mini_prices() -> None:
    """The old prefix rule priced gpt-realtime-2.1-mini as gpt-realtime: 3-6x too high."""
    usage = default_usage(text_in=1000, audio_in=1000, cached_text=0, cached_audio=0, text_out=1000, audio_out=1000)
    mini = cost_of(usage, "gpt-realtime-2.1-mini")["total"]
    full = cost_of(usage, "gpt-realtime")["total"]
    p = DEFAULT_PRICES["gpt-realtime-2.1-mini"]
    assert mini == pytest.approx((p["text_input"] + p["audio_input"] + p["text_output"] + p["audio_output"]) * 1000 / 1e6)
    assert full / mini > 3


def image_usage(images: int, cached_images: int) -> dict:
    usage = default_usage(text_in=100, audio_in=0, cached_text=0, cached_audio=0, text_out=10, audio_out=0)
    usage["input_tokens"] += images
    usage["input_token_details"]["image_tokens"] = images
    usage["input_token_details"]["cached_tokens"] = cached_images
    usage["input_token_details"]["cached_tokens_details"]["image_tokens"] = cached_images
    return usage


def test_image_tokens_are_priced_at_the_image_rates() -> None:
    usage = image_usage(images=2000, cached_images=500)
    assert usage_totals([usage])["input"]["image"] == 2000
    cost = cost_of(usage, "gpt-realtime-2.1")
    p = DEFAULT_PRICES["gpt-realtime-2.1"]
    assert cost["breakdown"]["image_input"] == pytest.approx(1500 * p["image_input"] / 1e6)
    assert cost["breakdown"]["image_cached_input"] == pytest.approx(500 * p["image_cached_input"] / 1e6)
    without = cost_of(image_usage(0, 0), "gpt-realtime-2.1")["total"]
    assert cost["total"] == pytest.approx(without + (1500 * 5.0 + 500 * 0.5) / 1e6)


def test_image_tokens_without_an_image_price_give_no_total() -> None:
    """gpt-realtime's entry has no image prices: the images are not counted as free."""
    cost = cost_of(image_usage(1000, 0), "gpt-realtime")
    assert cost["total"] is None and "no image price for model gpt-realtime" in cost["note"]
    assert cost_of(image_usage(0, 0), "gpt-realtime")["total"] is not None  # no images: priced as before


def test_per_minute_models_are_priced_on_input_audio_duration() -> None:
    assert cost_of(default_usage(), "gpt-realtime-translate", audio_input_s=90.0)["total"] == pytest.approx(1.5 * 0.034)
    unknown = cost_of(default_usage(), "gpt-realtime-whisper")
    assert unknown["total"] is None and "per minute" in unknown["note"]


def test_price_file_per_minute_and_image_fields(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"date": "2027-02-01", "models": {
        "my-translator": {"audio_per_minute": 0.05},
        "gpt-realtime": {"image_input": 4.0, "image_cached_input": 0.4}}}))
    table = load_prices(path)
    assert cost_of(default_usage(), "my-translator", table, audio_input_s=60)["total"] == pytest.approx(0.05)
    assert cost_of(image_usage(1000, 0), "gpt-realtime", table)["breakdown"]["image_input"] == pytest.approx(0.004)
    for bad, says in (({"x": {"audio_per_minute": 1, "text_input": 1}}, "mixes audio_per_minute"),
                      ({"x": {"text_input": 1}}, "or give only audio_per_minute"),
                      ({"x": {"audio_per_minute": -1}}, "non-negative"),
                      ({"x": {"video_input": 1}}, "unknown field 'video_input'")):
        path.write_text(json.dumps({"models": bad}))
        with pytest.raises(PriceFileError, match=says):
            load_prices(path)


# --- per turn, and the audio nobody heard ----------------------------------------------


def truncated_session(model: str = "gpt-realtime") -> tuple[SessionBuilder, dict]:
    """A full answer, then one cut after 4 audio deltas (400 ms received) at 200 ms."""
    b = SessionBuilder(model=model)
    f: dict = {}
    b.session()
    b.user_speech(1000, "Hello?")
    f["r1"] = b.response(latency_ms=300, audio_ms=600, usage=default_usage(audio_out=120))
    b.user_speech(800, "Tell me a long story")
    f["r2"] = b.response(latency_ms=400, audio_ms=3000, cancel_after_deltas=4, usage=default_usage(audio_out=60))
    b.user_speech(600, "Stop.")
    f["r3"] = b.response(latency_ms=200, audio_ms=300)
    return b, f


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    b, _ = truncated_session()
    path = tmp_path / "cut.jsonl"
    b.write(path)
    return path


def test_each_turn_has_its_cost_and_the_cut_one_its_unheard_audio(recorded: Path) -> None:
    with Recording.open(recorded) as rec:
        report = build_report(rec)
    turns = report["turns"]
    assert len(turns) == 3
    p = DEFAULT_PRICES["gpt-realtime"]
    one = estimate_cost(usage_totals([default_usage(audio_out=120)]), "gpt-realtime", TABLE)["total"]
    assert turns[0]["cost"]["total"] == one and turns[0]["cost"]["unheard_audio_ms"] is None
    cut = turns[1]["cost"]
    assert turns[1]["timeline"]["audio_ms"] == 400 and turns[1]["timeline"]["truncated_at_ms"] == 200
    assert cut["unheard_audio_ms"] == 200.0
    assert cut["unheard_audio_tokens"] == 30.0              # 60 audio output tokens × 200/400 ms
    assert cut["unheard_audio_usd"] == pytest.approx(30 * p["audio_output"] / 1e6)
    assert sum(t["cost"]["total"] for t in turns) == pytest.approx(report["cost"]["total"])
    assert report["cost"]["unheard_audio"] == {"turns": 1, "ms": 200.0, "tokens": 30.0,
                                               "usd": pytest.approx(30 * p["audio_output"] / 1e6)}


def test_inspect_text_shows_turn_costs_and_unheard_audio(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(recorded)]) == 0
    out = capsys.readouterr().out
    cut_line = next(line for line in out.splitlines() if line.strip().startswith("#2"))
    assert "$0.00" in cut_line and "200 ms unheard ≈ $0.0019" in cut_line
    assert "Generated but never heard: 200 ms unheard ≈ $0.0019 in 1 truncated turn(s), about 30 audio output tokens" in out
    assert main(["inspect", str(recorded), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["turns"][1]["cost"]["unheard_audio_ms"] == 200.0


def test_unpriced_model_turns_have_no_cost_but_still_the_unheard_audio(tmp_path: Path) -> None:
    b, _ = truncated_session(model="gpt-realtime-9")
    path = tmp_path / "unpriced.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        report = build_report(rec)
    assert report["cost"]["note"] == "no price for model gpt-realtime-9 (use --prices)"
    cut = report["turns"][1]["cost"]
    assert cut["total"] is None and cut["unheard_audio_ms"] == 200.0 and cut["unheard_audio_usd"] is None


def test_turn_cost_without_truncation_or_usage() -> None:
    assert unheard_audio_ms({"audio_ms": 500.0, "truncated_at_ms": None}) is None
    assert unheard_audio_ms({"audio_ms": 500.0, "truncated_at_ms": 900}) == 0.0  # cut past the end
    assert turn_cost(None, {"audio_ms": 500.0, "truncated_at_ms": 100}, "gpt-realtime", TABLE)["total"] is None


def test_inspect_prices_a_per_minute_model_on_the_audio_streamed(tmp_path: Path) -> None:
    b = SessionBuilder(model="gpt-realtime-translate")
    b.session()
    b.user_speech(5000, "Bonjour")
    b.response(latency_ms=300, audio_ms=500)
    b.user_speech(4000, "Merci")
    path = tmp_path / "translate.jsonl"
    b.write(path)
    with Recording.open(path) as rec:
        cost = build_report(rec)["cost"]
    assert b.input_ms == 300 + 5000 + 200 + 300 + 4000 + 200
    assert cost["priced_as"] == "gpt-realtime-translate"
    assert cost["total"] == pytest.approx(b.input_ms / 60_000 * 0.034, rel=1e-4)
    assert f"{b.input_ms / 1000:.1f} s of input audio" in cost["note"]


def test_inspect_counts_and_prices_image_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = SessionBuilder(model="gpt-realtime-2.1")
    b.session()
    b.user_text("What is in this picture?")
    b.response_create()
    b.response(text_only=True, transcript="A cat.", usage=image_usage(images=1200, cached_images=200))
    path = tmp_path / "image.jsonl"
    b.write(path)
    assert main(["inspect", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["usage"]["input"]["image"] == 1200 and doc["usage"]["input"]["cached_image"] == 200
    p = DEFAULT_PRICES["gpt-realtime-2.1"]
    assert doc["cost"]["breakdown"]["image_input"] == pytest.approx(1000 * p["image_input"] / 1e6)
    assert doc["turns"][0]["cost"]["total"] == doc["cost"]["total"]
    assert main(["inspect", str(path)]) == 0
    assert "image 1200, cached 200: text 0, audio 0, image 200)" in capsys.readouterr().out
