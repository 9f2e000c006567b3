"""`WavMicrophone`: a WAV file played into the console as if it were the microphone.

Why: reproducible voice tests (`--input-wav FILE`). The file is converted once to
24 kHz mono int16 and delivered in `block_ms` blocks on a real-time clock (deadlines
from the start time, so pacing never drifts); `speed` > 1 runs faster for tests.

Decisions:
- While `muted`, the file is paused (not skipped): with push-to-talk, the file is what
  you say once you press the key.
- When the file's audio has been delivered, `finished` is set, then `trailing_silence_ms`
  (1 s) of silence follows so server VAD sees the end of speech, then `done` is set and
  `blocks()` ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import numpy as np

from .source import BlockSource
from .wavfile import WavInfo, read_wav


class WavMicrophone(BlockSource):
    """Feeds a WAV file as microphone blocks, paced in real time.

    Args:
        path: any integer-PCM WAV; read and converted immediately (raises `WavError`).
        block_ms: block length.
        samplerate: delivered rate (24 kHz for the API).
        speed: pacing factor (1.0 = real time; tests may use more).
        trailing_silence_ms: silence appended after the file before the stream ends.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        block_ms: int = 20,
        samplerate: int = 24_000,
        speed: float = 1.0,
        trailing_silence_ms: int = 1000,
    ) -> None:
        super().__init__(block_ms=block_ms, samplerate=samplerate)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.path = Path(path)
        self.samples, self.info = read_wav(self.path, samplerate)
        self.speed = speed
        self.trailing = samplerate * trailing_silence_ms // 1000
        #: Set when the whole file has been delivered (trailing silence follows).
        self.finished = asyncio.Event()
        #: Set when the trailing silence has been delivered too and the stream ended.
        self.done = asyncio.Event()
        self.position = 0  # samples of file + silence delivered
        self._task: asyncio.Task[None] | None = None

    @property
    def file_info(self) -> WavInfo:
        return self.info

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.samplerate

    async def start(self) -> None:
        """Start delivering blocks (idempotent)."""
        if self._task is None:
            self._closed = False
            self._task = asyncio.create_task(self._run(), name="wav-microphone")

    def _next_block(self) -> np.ndarray | None:
        total = len(self.samples) + self.trailing
        if self.position >= total:
            return None
        end = min(self.position + self.block_size, total)
        block = np.zeros(end - self.position, dtype=np.int16)
        file_end = min(end, len(self.samples))
        if self.position < file_end:
            block[: file_end - self.position] = self.samples[self.position : file_end]
        self.position = end
        return block

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        period = self.block_ms / 1000 / self.speed
        deadline = loop.time()
        try:
            while True:
                if not self.muted:
                    block = self._next_block()
                    if block is None:
                        break
                    self._deliver(block)
                    if self.position >= len(self.samples):
                        self.finished.set()
                deadline += period
                delay = deadline - loop.time()
                if delay < -0.2:  # the loop stalled: resume from now, do not burst
                    deadline = loop.time()
                    delay = 0.0
                await asyncio.sleep(delay if delay > 0 else 0)
        finally:
            if self.position >= len(self.samples) + self.trailing:
                self.done.set()
            self._close()

    async def stop(self) -> None:
        """Stop early; `blocks()` ends after the already queued blocks."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._close()
