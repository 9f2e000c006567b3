"""Audio input rules: commit-too-small, append-too-fast, append-bad-size.

Sizes come from base64 lengths, never from decoding, so a long recording of microphone
appends costs one length check per append.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from .context import Context, b64_size, error_label, error_of, text

#: The least audio a commit may carry.
MIN_COMMIT_MS = 100.0
#: Window over which the append rate is measured, and the factor over real time that is flagged.
WINDOW_S = 3.0
MAX_FACTOR = 4.0


class AudioInputCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.buffered_ms = 0.0
        self.reported: set[int] = set()
        self.window: deque[tuple[float, float, int]] = deque()  # (time, ms, event)
        self.window_ms = 0.0
        self.burst: tuple[int, float, int] | None = None  # (first event, peak factor, peak event)

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if source == "client":
            if ctype == "input_audio_buffer.append":
                self.append(n, ev, t)
            elif ctype == "input_audio_buffer.commit":
                self.commit(n, ev)
            elif ctype == "input_audio_buffer.clear":
                self.buffered_ms = 0.0
        elif ctype in ("input_audio_buffer.committed", "input_audio_buffer.cleared"):
            self.buffered_ms = 0.0  # server VAD commits by itself
        elif ctype == "error":
            err = error_of(ev)
            if err.get("code") == "input_audio_buffer_commit_empty":
                self.ctx.claimed.add(n)
                cause = self.ctx.cause_of(err)
                if cause is None or cause[0] not in self.reported:
                    where = f"commit at event {cause[0]}" if cause else "a commit"
                    self.ctx.emit("commit-too-small", f"{where} refused by error event {n} ({error_label(err)})",
                                  [e for e in (cause[0] if cause else None, n) if e is not None],
                                  [text(err.get("event_id"))])

    def append(self, n: int, ev: dict[str, Any], t: float) -> None:
        audio = ev.get("audio")
        size = b64_size(audio)
        if size is None:
            self.ctx.emit("append-bad-size", f"append at event {n}: the audio is not base64 "
                          f"({'length ' + str(len(audio)) + ' is not a multiple of 4' if isinstance(audio, str) else 'not a string'})",
                          [n], [text(ev.get("event_id"))])
            return
        if self.ctx.input_codec == "pcm16" and size % 2:
            self.ctx.emit("append-bad-size", f"append at event {n} carries {size} bytes: odd for PCM16 "
                          "(2 bytes per sample)", [n], [text(ev.get("event_id"))])
        ms = size / self.ctx.in_bytes_per_ms
        self.buffered_ms += ms
        if self.ctx.times_known:
            self.rate(n, ms, t)

    def rate(self, n: int, ms: float, t: float) -> None:
        """Audio appended within the last WINDOW_S seconds, against real time."""
        self.window.append((t, ms, n))
        self.window_ms += ms
        while self.window and self.window[0][0] <= t - WINDOW_S:
            self.window_ms -= self.window.popleft()[1]
        factor = self.window_ms / (WINDOW_S * 1000.0)
        if factor > MAX_FACTOR:
            if self.burst is None:
                self.burst = (self.window[0][2], factor, n)
            elif factor > self.burst[1]:
                self.burst = (self.burst[0], factor, n)
        elif self.burst is not None and not self.window_ms / (WINDOW_S * 1000.0) > MAX_FACTOR:
            self.end_burst()

    def end_burst(self) -> None:
        if self.burst is None:
            return
        first, factor, peak = self.burst
        self.burst = None
        self.ctx.emit("append-too-fast",
                      f"input audio appended at up to {factor:.1f}x real time over {WINDOW_S:g} s "
                      f"(events {first}..{peak}); a live microphone sends 1x", [first, peak])

    def commit(self, n: int, ev: dict[str, Any]) -> None:
        if self.buffered_ms < MIN_COMMIT_MS:
            self.reported.add(n)
            self.ctx.emit("commit-too-small", f"commit at event {n} with {self.buffered_ms:.0f} ms of audio since "
                          f"the last commit or clear (needs {MIN_COMMIT_MS:.0f} ms)", [n], [text(ev.get("event_id"))])
        self.buffered_ms = 0.0

    def finish(self) -> None:
        self.end_burst()
