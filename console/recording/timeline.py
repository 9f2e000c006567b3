"""Where the time of each turn goes: its timeline points and the spans between them.

`analysis.py` collects, per turn, the time of each point (speech started, stopped,
committed, response.created, first text / audio delta, response.done, playback ended);
this module turns them into the `turns[].timeline` object of the report and the per-span
percentiles across turns. The names are a stable interface (documented in REPORT.md,
gated by `inspect --fail-on SPAN>MS`), so they are declared once here.

Every point may be missing (a text turn has no speech, a WebRTC session no audio deltas,
an old recording no output-buffer events): a span is null unless both of its ends exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

#: Timeline points, in the order they normally happen: (report key, analysis mark).
POINTS: tuple[tuple[str, str], ...] = (
    ("speech_started_s", "speech_started"),
    ("speech_stopped_s", "speech_stopped"),
    ("commit_s", "commit"),
    ("committed_s", "committed"),
    ("item_create_s", "item.create"),
    ("response_create_s", "response.create"),
    ("response_created_s", "response.created"),
    ("first_text_s", "first_text"),
    ("first_audio_s", "first_audio"),
    ("done_s", "done"),
    ("playback_end_s", "playback_end"),
)

#: Span names (milliseconds), in timeline order; each is documented in REPORT.md.
SPANS: tuple[str, ...] = (
    "speech_ms",
    "commit_ms",
    "to_response_ms",
    "first_text_ms",
    "first_audio_ms",
    "generation_ms",
    "playback_ms",
    "end_to_end_ms",
)

#: Where `end_to_end_ms` is measured from, in order of preference: the end of the user's
#: speech (VAD), the push-to-talk commit, the user's message, the server's commit, the request.
END_TO_END_ORIGINS: tuple[str, ...] = ("speech_stopped", "commit", "item.create", "committed", "response.create")

PERCENTILES: tuple[tuple[str, float], ...] = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))


def span_name(text: str) -> str | None:
    """The span a `--fail-on` name means (`first_audio` or `first_audio_ms`), else None."""
    name = text.strip().lower()
    name = name if name.endswith("_ms") else name + "_ms"
    return name if name in SPANS else None


def _ms(start: float | None, end: float | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start) * 1000.0, 1)


def build_timeline(
    marks: Mapping[str, float],
    *,
    audio_ms: float | None = None,
    truncated_at_ms: float | None = None,
    truncated_s: float | None = None,
    playback_end_source: str | None = None,
) -> dict[str, Any]:
    """One turn's `timeline` object.

    Args:
        marks: analysis marks (seconds from the session start), first occurrence each.
        audio_ms: the turn's audio received, estimated from its audio deltas' sizes.
        truncated_at_ms: where the client (or server) truncated the answer's audio.
        truncated_s: when that truncation happened.
        playback_end_source: which event `playback_end` came from, when it is in `marks`.
    """
    marks = dict(marks)
    source = playback_end_source if "playback_end" in marks else None
    if "playback_end" not in marks:
        # No output-buffer event: a truncation is when playback stopped; else the audio
        # played from its first delta for as long as it lasts (a client plays as it receives).
        if truncated_s is not None and "first_audio" in marks:
            marks["playback_end"], source = truncated_s, "truncation"
        elif audio_ms is not None and "first_audio" in marks:
            marks["playback_end"], source = marks["first_audio"] + audio_ms / 1000.0, "estimated"
    points = {key: (round(marks[mark], 3) if mark in marks else None) for key, mark in POINTS}
    get = marks.get
    speech_end = get("speech_stopped")
    commit_from = get("speech_stopped") if "speech_stopped" in marks else get("commit")
    created = get("response.created")
    # The request the response answers: the later of the server's commit and the client's
    # response.create that came before response.created (PTT sends both), else the message.
    requests = [get(m) for m in ("committed", "response.create") if m in marks]
    requests = [t for t in requests if created is None or t <= created]
    request = max(requests) if requests else get("item.create")
    origin = next((get(m) for m in END_TO_END_ORIGINS if m in marks), None)
    ends: dict[str, tuple[float | None, float | None]] = {
        "speech_ms": (get("speech_started"), speech_end),
        "commit_ms": (commit_from, get("committed")),
        "to_response_ms": (request, created),
        "first_text_ms": (created, get("first_text")),
        "first_audio_ms": (created, get("first_audio")),
        "generation_ms": (created, get("done")),
        "playback_ms": (get("done"), get("playback_end")),
        "end_to_end_ms": (origin, get("first_audio")),
    }
    spans = {name: _ms(start, end) for name, (start, end) in ends.items()}
    bounds = {name: ([round(start, 3), round(end, 3)] if start is not None and end is not None else None)
              for name, (start, end) in ends.items()}
    return {
        "points_s": points,
        "spans_ms": spans,
        "span_bounds_s": bounds,
        "playback_end_source": source,
        "audio_ms": None if audio_ms is None else round(audio_ms, 1),
        "truncated_at_ms": truncated_at_ms,
    }


def nearest_rank(values: list[float], q: float) -> float:
    """The nearest-rank percentile `q` (0..1] of non-empty `values`: a value that occurred."""
    arr = np.sort(np.asarray(values, dtype=np.float64))
    return float(arr[min(len(arr) - 1, max(0, int(np.ceil(q * len(arr))) - 1))])


def span_stats(timelines: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Across turns, per span: `count`, `p50`, `p90`, `p99` (nearest rank) and `max`,
    with `max_turn` the 1-based turn that had the max (null when no turn has the span)."""
    rows = list(timelines)
    out: dict[str, dict[str, Any]] = {}
    for span in SPANS:
        found = [(i + 1, t["spans_ms"][span]) for i, t in enumerate(rows) if t["spans_ms"].get(span) is not None]
        values = [v for _, v in found]
        entry: dict[str, Any] = {"count": len(values)}
        for key, q in PERCENTILES:
            entry[key] = nearest_rank(values, q) if values else None
        worst = max(found, key=lambda f: f[1]) if found else None
        entry["max"] = worst[1] if worst else None
        entry["max_turn"] = worst[0] if worst else None
        out[span] = entry
    return out
