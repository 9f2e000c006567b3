"""A preallocated int16 ring buffer for handing audio from one thread to another.

Why: the sounddevice callback runs on PortAudio's thread and must never block, allocate
much or wait for the UI loop. It copies its block into this buffer (one numpy slice
assignment) and returns. Readers on the asyncio loop pull what is new on their own clock,
and the waveform reads the latest samples whenever it draws.

Contract: exactly one writer thread and one sequential reader of `read()`; any number of
`latest()` callers (they only copy). No locks: the writer stores samples first and then
publishes the new total (`written`, a Python int, assigned atomically under the GIL);
a reader that finds the writer has lapped it skips ahead and counts the lost samples in
`overruns`, so it never returns torn data silently.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """Fixed-capacity ring of int16 samples with overrun counting.

    Args:
        capacity: number of samples kept; older ones are overwritten.
    """

    __slots__ = ("_data", "capacity", "written", "_read_pos", "overruns")

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("ring buffer capacity must be positive")
        self._data = np.zeros(capacity, dtype=np.int16)
        self.capacity = capacity
        #: Total samples ever written (monotonic); readers compare it to detect news.
        self.written = 0
        self._read_pos = 0
        #: Samples the reader lost because the writer lapped it.
        self.overruns = 0

    # --- writer side -----------------------------------------------------------------

    def write(self, samples: np.ndarray) -> None:
        """Copy samples in (writer thread only). Never blocks, never allocates for
        blocks smaller than the capacity."""
        n = len(samples)
        if n == 0:
            return
        cap = self.capacity
        if n >= cap:
            samples = samples[n - cap :]
            start = (self.written + n - cap) % cap
            m = cap
        else:
            start = self.written % cap
            m = n
        first = min(m, cap - start)
        self._data[start : start + first] = samples[:first]
        if first < m:
            self._data[: m - first] = samples[first:m]
        self.written += n  # publish after the data is in place

    # --- reader side -----------------------------------------------------------------

    @property
    def available(self) -> int:
        """Samples not yet returned by `read()` (may exceed capacity after an overrun)."""
        return self.written - self._read_pos

    def read(self, max_samples: int | None = None) -> np.ndarray:
        """Return (a copy of) the unread samples, oldest first, up to `max_samples`.

        If the writer lapped the reader, the lost samples are counted in `overruns` and
        reading resumes at the oldest sample still intact.
        """
        end = self.written
        start = self._read_pos
        cap = self.capacity
        if end - start > cap:
            self.overruns += end - start - cap
            start = end - cap
        if max_samples is not None:
            end = min(end, start + max_samples)
        out = self._copy(start, end)
        # The writer may have overwritten the front of what we copied meanwhile.
        lapped = self.written - cap - start
        if lapped > 0:
            drop = min(lapped, len(out))
            self.overruns += drop
            out = out[drop:]
        self._read_pos = end
        return out

    def latest(self, count: int) -> np.ndarray:
        """A copy of the most recent `count` samples (zeros where nothing was written
        yet). For meters and waveforms: does not move the `read()` position."""
        count = max(0, min(count, self.capacity))
        end = self.written
        out = self._copy(max(0, end - count), end)
        if len(out) < count:
            out = np.concatenate([np.zeros(count - len(out), dtype=np.int16), out])
        return out

    def clear(self) -> None:
        """Forget unread samples (reader side): the next `read()` returns only new ones."""
        self._read_pos = self.written

    def _copy(self, start: int, end: int) -> np.ndarray:
        n = end - start
        if n <= 0:
            return np.zeros(0, dtype=np.int16)
        cap = self.capacity
        s = start % cap
        if s + n <= cap:
            return self._data[s : s + n].copy()
        first = cap - s
        out = np.empty(n, dtype=np.int16)
        out[:first] = self._data[s:]
        out[first:] = self._data[: n - first]
        return out
