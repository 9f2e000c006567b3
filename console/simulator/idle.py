"""GA server VAD's `idle_timeout_ms`: prompt the user when nobody speaks after a reply.

Upstream starts the timeout when the assistant's audio has finished playing and fires
`input_audio_buffer.timeout_triggered` (then commits the silent audio and responds) if no
speech came. The simulator measures it on two clocks and fires on whichever is first:
the input-audio clock (milliseconds of audio the client streamed, so fast-mode tests are
deterministic and need no waiting) and, in real-time mode, the wall clock (a client that
stopped streaming is still prompted).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class IdleTimer:
    """Armed after a response; `due` says when the input clock passed the deadline."""

    start_ms: int | None = None  #: input-clock time the silence counts from
    deadline_ms: int | None = None

    @property
    def armed(self) -> bool:
        return self.deadline_ms is not None

    def arm(self, start_ms: int, timeout_ms: int) -> None:
        self.start_ms = start_ms
        self.deadline_ms = start_ms + timeout_ms

    def disarm(self) -> None:
        self.start_ms = self.deadline_ms = None

    def due(self, now_ms: int) -> bool:
        return self.deadline_ms is not None and now_ms >= self.deadline_ms
