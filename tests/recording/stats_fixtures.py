"""Directories of synthetic recordings for the `stats` and summary-cache tests.

Not a test module: imported as `tests.recording.stats_fixtures`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from console.recording.summaries import summarise_file
from console.recording.summary import Summary
from console.recording.synthetic import SessionBuilder
from console.recording.writer import SessionRecorder

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)


def session(n: int, model: str = "gpt-realtime", day_offset: int = 0) -> SessionBuilder:
    """A session whose figures vary with `n`: latencies, a barge-in, an error on every third."""
    b = SessionBuilder(model=model, start=START + timedelta(days=day_offset, minutes=n))
    b.session()
    b.user_speech(600 + 50 * n, f"question {n}")
    b.response(latency_ms=250 + 37 * n, audio_ms=400)
    b.user_text(f"typed {n}")
    if n % 2:
        b.response(latency_ms=500 + 11 * n, audio_ms=600, cancel_after_deltas=2)
        b.user_speech(300, "sorry")
    b.response(latency_ms=320 + 13 * n, text_only=True, transcript="All right.")
    if n % 3 == 0:
        b.error("invalid_value", "bad value", caused_by="evt_0001")
    if n % 4 == 1:
        b.error("rate_limit_exceeded", "slow down", error_type="rate_limit_error")
    return b


def write(builder: SessionBuilder, path: Path, source: str | None = None) -> Path:
    """Write a builder's events; `source` adds the header field a proxy or attach writes."""
    extra = {"source": source} if source else None
    with SessionRecorder(path, endpoint="ws://127.0.0.1:8765/v1/realtime", protocol=builder.protocol,
                         model=builder.model, started_at=builder.iso(0.0), header_extra=extra) as rec:
        for t, src, event in builder.events:
            rec.record(t, src, event)
    return path


def make_directory(root: Path, count: int = 8) -> list[Path]:
    """`count` recordings over two models, two days and all three sources."""
    paths = []
    for n in range(count):
        model = "gpt-realtime-mini" if n % 3 == 2 else "gpt-realtime"
        source = (None, "proxy", "attach")[n % 3]
        paths.append(write(session(n, model, day_offset=n % 2), root / f"rec-{n:02d}.jsonl", source))
    return paths


class CountingReader:
    """`summarise_file`, counting the files it reads (a summary cache's reader in tests)."""

    def __init__(self) -> None:
        self.read: list[Path] = []

    def __call__(self, path: Path) -> Summary:
        self.read.append(path)
        return summarise_file(path)
