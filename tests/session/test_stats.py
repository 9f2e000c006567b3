"""Session statistics from plain event dicts: usage and cost, rate limits, latency, age."""

from __future__ import annotations

import pytest

from console.recording.prices import DEFAULT_PRICES, PriceTable
from console.recording.report import build_report
from console.session.stats import SessionStats, usage_cost

USAGE = {
    "total_tokens": 1300,
    "input_tokens": 1000,
    "output_tokens": 300,
    "input_token_details": {
        "text_tokens": 400,
        "audio_tokens": 600,
        "cached_tokens": 200,
        "cached_tokens_details": {"text_tokens": 100, "audio_tokens": 100},
    },
    "output_token_details": {"text_tokens": 100, "audio_tokens": 200},
}


def test_cost_follows_the_token_breakdown() -> None:
    p = DEFAULT_PRICES["gpt-realtime"]
    expected = (300 * p["text_input"] + 100 * p["text_cached_input"] + 500 * p["audio_input"]
                + 100 * p["audio_cached_input"] + 100 * p["text_output"] + 200 * p["audio_output"]) / 1e6
    assert usage_cost(USAGE, "gpt-realtime") == pytest.approx(expected)
    # A usage block without details counts as text at the full rate.
    assert usage_cost({"input_tokens": 1_000_000, "output_tokens": 0}, "gpt-realtime") == pytest.approx(p["text_input"])


def test_price_lookup_matches_exact_names_and_dated_snapshots_only() -> None:
    mini = DEFAULT_PRICES["gpt-realtime-mini"]
    assert usage_cost({"input_tokens": 1_000_000}, "gpt-realtime-mini-2025-10-06") == pytest.approx(mini["text_input"])
    # no prefix guessing: another model is not priced as the family it starts like
    assert usage_cost(USAGE, "gpt-realtime-9-nano") is None
    assert usage_cost(USAGE, "some-simulator-model") is None
    # gpt-realtime-2.1-mini has its own (mini) prices, far below gpt-realtime's
    assert usage_cost(USAGE, "gpt-realtime-2.1-mini") < usage_cost(USAGE, "gpt-realtime") / 3


def test_an_unpriced_model_shows_no_figure_in_the_header() -> None:
    s = SessionStats(model="gpt-realtime-9-nano")
    s.observe("server", {"type": "response.done", "response": {"status": "completed", "usage": USAGE}}, 1.0)
    assert s.unpriced_model == "gpt-realtime-9-nano" and s.cost_usd == 0.0
    from widgets.status_header import render_status

    assert "no price" in render_status(s, 2.0, 200).plain
    # A user's price table is honoured.
    table = PriceTable()
    table.models["gpt-realtime"] = {k: 0.0 for k in table.models["gpt-realtime"]}
    assert usage_cost(USAGE, "gpt-realtime", table) == 0.0


def test_response_done_accumulates_usage() -> None:
    s = SessionStats(model="gpt-realtime")
    done = {"type": "response.done", "response": {"status": "completed", "usage": USAGE}}
    assert s.observe("server", done, 1.0)
    s.observe("server", done, 2.0)
    assert (s.input_tokens, s.output_tokens, s.responses) == (2000, 600, 2)
    assert s.cost_usd == pytest.approx(2 * usage_cost(USAGE, "gpt-realtime"))
    s.observe("server", {"type": "response.done", "response": {"status": "failed"}}, 3.0)
    assert s.responses == 3 and s.input_tokens == 2000


def test_session_id_age_and_expiry() -> None:
    s = SessionStats()
    s.observe("server", {"type": "session.created", "session": {"id": "sess_1", "expires_at": 4600, "model": "m"}}, 1000.0)
    assert s.session_id == "sess_1" and s.model == "m"
    assert s.age_seconds(1060.0) == 60.0 and s.remaining_seconds(1060.0) == 3540.0
    s.reset_session()
    assert s.session_id is None and s.age_seconds(2000.0) is None


def test_latency_from_response_create_or_end_of_speech_to_first_audio() -> None:
    s = SessionStats()
    s.observe("client", {"type": "response.create"}, 10.0)
    assert s.observe("server", {"type": "response.output_audio.delta", "delta": ""}, 10.25)
    assert s.last_latency_ms == pytest.approx(250.0)
    # later deltas of the same response do not change it
    assert not s.observe("server", {"type": "response.output_audio.delta", "delta": ""}, 11.0)
    s.observe("server", {"type": "input_audio_buffer.speech_stopped"}, 20.0)
    s.observe("server", {"type": "response.audio.delta"}, 20.5)  # beta name counts too
    assert s.last_latency_ms == pytest.approx(500.0)


def test_rate_limits_and_errors() -> None:
    s = SessionStats()
    s.observe("server", {"type": "rate_limits.updated", "rate_limits": [
        {"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
        {"name": "tokens", "limit": 50000, "remaining": 48000, "reset_seconds": 1.5},
    ]}, 5.0)
    assert s.rate_limits["tokens"].remaining == 48000 and s.rate_limits["requests"].limit == 1000
    s.observe("server", {"type": "error", "error": {"message": "x"}}, 6.0)
    assert s.errors == 1


def test_header_cost_equals_the_inspect_report_cost(tmp_path) -> None:
    """The live header and `inspect` price one session with one table and one formula."""
    from console.recording.reader import Recording
    from console.recording.synthetic import SessionBuilder

    builder = SessionBuilder(model="gpt-realtime-mini")
    builder.session()
    builder.user_text("hello")
    builder.response_create()
    builder.response(transcript="hi there", audio_ms=300)
    builder.user_text("again")
    builder.response_create()
    builder.response(transcript="and again", text_only=True)
    path = tmp_path / "session.jsonl"
    builder.write(path)

    stats = SessionStats(model="gpt-realtime-mini")
    for source, event in ((e[1], e[2]) for e in builder.events):
        stats.observe(source, event, 0.0)
    report = build_report(Recording.open(path))
    assert report["cost"]["total"] > 0
    # The report rounds each total to micro-dollars; the header sums per response.
    assert stats.cost_usd == pytest.approx(report["cost"]["total"], abs=1e-5)


def test_a_reconnect_says_the_usage_spans_sessions_and_forgets_the_old_latency() -> None:
    from widgets.status_header import render_status

    s = SessionStats(model="gpt-realtime")
    s.observe("server", {"type": "session.created", "session": {"id": "sess_1", "model": "gpt-realtime"}}, 1.0)
    s.observe("client", {"type": "response.create"}, 2.0)
    s.observe("server", {"type": "response.output_audio.delta", "delta": ""}, 2.3)
    s.observe("server", {"type": "response.done", "response": {"status": "completed", "usage": USAGE}}, 3.0)
    assert "(2 sessions)" not in render_status(s, 4.0, 200).plain
    s.reset_session()  # a reconnect
    assert s.sessions == 2 and s.last_latency_ms is None and s.input_tokens == 1000
    shown = render_status(s, 5.0, 200).plain
    assert "(2 sessions)" in shown and "latency —" in shown


def test_header_shows_the_cost_of_audio_never_heard_while_there_is_room() -> None:
    from widgets.status_header import render_status

    s = SessionStats(model="gpt-realtime", cost_usd=0.0412, unheard_ms=2300.0, unheard_usd=0.0029)
    assert "≈$0.0412 (≈$0.0029 unheard)" in render_status(s, 2.0, 200).plain
    narrow = render_status(s, 2.0, 60).plain
    assert "≈$0.0412" in narrow and "unheard" not in narrow  # it gives way before the cost itself
    s.unheard_usd = None  # cut, but the model has no price: the length is still worth saying
    assert "(2.3 s unheard)" in render_status(s, 2.0, 200).plain
