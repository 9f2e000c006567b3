"""The multi-hour GA session the recording, replay and lint benchmarks read.

One generator, so the benchmarks measure the same kind of file: server-VAD turns with
microphone appends every 100 ms, streamed audio and transcript deltas, usage, and a
barge-in every 9th turn, written through the real `SessionRecorder`. The lint benchmark
also asks for a tool round trip every few turns and a longer pause (the answer plays out
before the user speaks again), since those are what its rules look at.
"""

from __future__ import annotations

import json
from pathlib import Path


def write_long_session(path: Path, size_mb: float, *, tool_every: int | None = None,
                       pause_ms: int = 800) -> tuple[int, float]:
    """Write a GA session of about `size_mb` MB to `path`; return (events, session seconds)."""
    from console.recording.synthetic import SessionBuilder
    from console.recording.writer import SessionRecorder

    target = int(size_mb * 1024 * 1024)
    builder = SessionBuilder(protocol="ga", fast_audio=True)
    recorder = SessionRecorder(path, endpoint="wss://api.openai.com/v1/realtime?model=gpt-realtime",
                               protocol="ga", model="gpt-realtime", started_at=builder.iso(0.0))
    builder.sink = recorder.record
    builder.session()
    turn = 0
    while recorder.bytes_written < target:
        turn += 1
        builder.user_speech(3000 + 500 * (turn % 5), f"user sentence number {turn} about something")
        if tool_every and turn % tool_every == 0:
            call = builder.response(function_call=("get_weather", json.dumps({"city": f"city {turn}"})))
            builder.function_output(call["call_id"], json.dumps({"temp_c": turn % 30}))
            builder.response_create()
        builder.response(latency_ms=300 + 37 * (turn % 11), audio_ms=4000 + 300 * (turn % 7),
                         transcript=" ".join(["word"] * 40), delta_gap_ms=25,
                         cancel_after_deltas=10 if turn % 9 == 0 else None)
        builder.wait(pause_ms)
    recorder.close()
    return recorder.events_written, builder.t
