"""GA server VAD's `idle_timeout_ms`: prompt the user when nobody speaks after a reply.

Upstream starts the timeout when the assistant's audio has finished playing and fires
`input_audio_buffer.timeout_triggered` (then commits the silent audio and responds) if no
speech came. The simulator measures it on two clocks and fires on whichever is first:
the input-audio clock (milliseconds of audio the client streamed, so fast-mode tests are
deterministic and need no waiting) and, in real-time mode, the wall clock (a client that
stopped streaming is still prompted).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

Fire = Callable[[int], Awaitable[None]]  #: called with the input-clock ms the silence began
Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Task[None]"]


class IdleTimer:
    """Armed after a response, disarmed by speech or a new response; fires at most once."""

    def __init__(self, fire: Fire, spawn: Spawn) -> None:
        self._fire = fire
        self._spawn = spawn
        self.start_ms: int | None = None
        self.deadline_ms: int | None = None
        self._wall: asyncio.Task[None] | None = None

    @property
    def armed(self) -> bool:
        return self.deadline_ms is not None

    def arm(self, start_ms: int, timeout_ms: int, wall_clock: bool) -> None:
        self.disarm()
        self.start_ms = start_ms
        self.deadline_ms = start_ms + timeout_ms
        if wall_clock:
            self._wall = self._spawn(self._wait(timeout_ms / 1000))

    def disarm(self) -> None:
        self.start_ms = self.deadline_ms = None
        if self._wall is not None and self._wall is not asyncio.current_task():
            self._wall.cancel()
        self._wall = None

    async def check(self, now_ms: int) -> None:
        """Fire if the input-audio clock has reached the deadline."""
        if self.deadline_ms is not None and now_ms >= self.deadline_ms:
            await self._trigger()

    async def _wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if self.armed:
            await self._trigger()

    async def _trigger(self) -> None:
        start_ms = self.start_ms or 0
        self.disarm()
        await self._fire(start_ms)
