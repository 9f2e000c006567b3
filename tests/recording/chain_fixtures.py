"""Linked recordings (a reconnected session's chain of files) for the chain tests.

Not a test module: imported as `tests.recording.chain_fixtures`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from console.recording.synthetic import SessionBuilder
from console.recording.writer import SessionRecorder

from .stats_fixtures import START


def part(n: int, protocol: str = "ga", minutes: float = 0.0) -> SessionBuilder:
    """One file's worth of a session: a session, then `n` spoken turns."""
    b = SessionBuilder(protocol=protocol, start=START + timedelta(minutes=minutes))
    b.session()
    for k in range(n):
        b.user_speech(500, f"question {k}")
        b.response(latency_ms=300 + 10 * k, audio_ms=300)
    return b


def session_id(b: SessionBuilder) -> str:
    """The id of the builder's `session.created`."""
    return next(e["session"]["id"] for _, s, e in b.events if e["type"] == "session.created")


def write_chain(directory: Path, parts: list[SessionBuilder], stem: str = "chain") -> list[Path]:
    """Write `parts` as linked files `stem-1.jsonl`, `stem-2.jsonl`, ... as the console does
    on a reconnect: each later header `continues` the previous file, each earlier file ends
    with the `continued` trailer."""
    paths = [directory / f"{stem}-{k + 1}.jsonl" for k in range(len(parts))]
    for k, (b, path) in enumerate(zip(parts, paths)):
        extra = None
        if k:
            extra = {"continues": {"file": paths[k - 1].name, "session_id": session_id(parts[k - 1]),
                                   "reconnect": {"attempt": 1, "reason": "session_expired", "restored": 2,
                                                 "skipped": 0}}}
        rec = SessionRecorder(path, endpoint="ws://127.0.0.1:8765/v1/realtime", protocol=b.protocol,
                              model=b.model, started_at=b.iso(0.0), header_extra=extra)
        for t, src, event in b.events:
            rec.record(t, src, event)
        if k + 1 < len(parts):
            rec.finish_continued(paths[k + 1], session_id(parts[k + 1]))
        rec.close()
    return paths
