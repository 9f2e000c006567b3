"""What every microphone-like source shares: fixed-size blocks handed to asyncio.

Why: the console, the PTT logic and the tests should not care whether audio comes from a
sound card (`Microphone`) or a file (`WavMicrophone`). Both cut their audio into blocks
of exactly `block_ms` at 24 kHz, mirror every block into `level_ring` for the waveform,
and queue it for the consumer unless `muted`.

Consumption: `async for block in source.blocks()` (ends after `stop()` or at the end of
a file), or `read_nowait()` polled on your own clock. The queue is bounded (`max_queue_ms`,
2 s): a consumer that stalls loses the oldest blocks, counted in `dropped_blocks`,
instead of growing memory without bound.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

import numpy as np

from console.realtime.audio import Int16Buffer

from .ring import RingBuffer

LEVEL_RING_SECONDS = 5


class BlockSource:
    """Base for audio sources producing mono int16 blocks at `samplerate`.

    Args:
        block_ms: block length; the API works well with 20-40 ms.
        samplerate: rate of delivered blocks (the API's 24 kHz by default).
        max_queue_ms: how much undelivered audio is kept for a slow consumer.
    """

    def __init__(self, *, block_ms: int = 20, samplerate: int = 24_000, max_queue_ms: int = 2000) -> None:
        if not 5 <= block_ms <= 200:
            raise ValueError("block_ms must be between 5 and 200")
        self.block_ms = block_ms
        self.samplerate = samplerate
        self.block_size = samplerate * block_ms // 1000
        #: Recent delivered-or-muted samples, for meters and waveforms (UI reads only).
        self.level_ring = RingBuffer(samplerate * LEVEL_RING_SECONDS)
        #: When True, audio is still captured (and shown in `level_ring`) but no blocks
        #: are queued for `blocks()`: push-to-talk "not talking".
        self.muted = False
        #: Blocks lost because the consumer fell more than `max_queue_ms` behind.
        self.dropped_blocks = 0
        #: Blocks queued for the consumer since start (muted ones excluded).
        self.delivered_blocks = 0
        self._queue: deque[np.ndarray] = deque()
        self._max_queue = max(1, max_queue_ms // block_ms)
        self._ready = asyncio.Event()
        self._closed = False
        self._carry = Int16Buffer(capacity=self.block_size * 4)

    @property
    def closed(self) -> bool:
        """True once the source has ended (stopped, or a file ran out)."""
        return self._closed

    def _push_samples(self, samples: np.ndarray, *, final: bool = False) -> None:
        """Cut samples into whole blocks and deliver them; at `final`, deliver the
        remainder as a last, shorter block."""
        self._carry.append(samples)
        size = self.block_size
        view = self._carry.view()
        whole = len(view) - len(view) % size
        for start in range(0, whole, size):
            self._deliver(view[start : start + size].copy())
        self._carry.drop_front(whole)
        if final and len(self._carry):
            self._deliver(self._carry.view().copy())
            self._carry.clear()

    def _deliver(self, block: np.ndarray) -> None:
        self.level_ring.write(block)
        if self.muted:
            return
        if len(self._queue) >= self._max_queue:
            self._queue.popleft()
            self.dropped_blocks += 1
        self._queue.append(block)
        self.delivered_blocks += 1
        self._ready.set()

    def _close(self) -> None:
        self._closed = True
        self._ready.set()

    def read_nowait(self) -> np.ndarray | None:
        """The oldest undelivered block, or None if there is none right now."""
        return self._queue.popleft() if self._queue else None

    def discard_pending(self) -> int:
        """Drop queued blocks (e.g. when push-to-talk starts); returns how many."""
        n = len(self._queue)
        self._queue.clear()
        return n

    async def blocks(self) -> AsyncIterator[np.ndarray]:
        """Yield blocks as they arrive; returns when the source is stopped or ends.

        One consumer at a time. Waiting costs nothing: the producer sets an event at
        most once per block.
        """
        while True:
            while self._queue:
                yield self._queue.popleft()
            if self._closed:
                return
            self._ready.clear()
            if self._queue or self._closed:
                continue
            await self._ready.wait()
