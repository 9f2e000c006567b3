"""The playback jitter buffer: queued response audio, pulled by the device clock.

Why a separate, device-free class: the exact count of samples *played* per item is what
makes interruption honest (`cancel_response(item_id, samples_played)` truncates the
conversation at what the user heard), so it is tested without any sound card. The
`Speaker` pulls from it in the PortAudio callback, or on a virtual clock when there is
no device.

Behaviour:
- Prebuffering: after being empty, playback waits until `prebuffer` samples are queued,
  or until it has waited that long (a short item still plays), to ride out network
  jitter. Underrun mid-stream plays silence and prebuffers again.
- `flush()` stops at once, forgets queued audio, and ignores late deltas of the items it
  flushed (deltas already in flight after a cancel must not resume playback).

Threading: `push`/`flush` run on the asyncio loop, `pull` on the audio thread; a lock
guards the short critical sections (a deque append, or a copy of one block).
"""

from __future__ import annotations

import threading
from collections import deque

import numpy as np


class JitterBuffer:
    """Queued audio segments tagged with item ids, with per-item played counts.

    Args:
        prebuffer: samples to accumulate (or wait for) before playback starts.
    """

    def __init__(self, prebuffer: int) -> None:
        self.prebuffer = max(0, prebuffer)
        self._lock = threading.Lock()
        self._segments: deque[list] = deque()  # [item_id, samples, offset]
        self._buffered = 0
        self._played: dict[str, int] = {}
        self._current: str | None = None
        self._waiting = True
        self._waited = 0
        self._flushed: set[str] = set()
        #: Times playback ran dry after having started (end of an item or an underrun).
        self.drained = 0
        #: Total samples pulled (audio and silence): the device clock.
        self.clock = 0

    @property
    def buffered(self) -> int:
        """Samples queued and not yet played."""
        return self._buffered

    def push(self, item_id: str, samples: np.ndarray) -> bool:
        """Queue samples of an item. Returns False (and drops them) if the item was
        flushed by an interruption."""
        if len(samples) == 0:
            return True
        with self._lock:
            if item_id in self._flushed:
                return False
            self._segments.append([item_id, samples, 0])
            self._buffered += len(samples)
            self._played.setdefault(item_id, 0)
        return True

    def pull(self, out: np.ndarray) -> int:
        """Fill `out` completely (audio, then silence). Returns audio samples written."""
        n = len(out)
        with self._lock:
            self.clock += n
            if self._waiting:
                if self._buffered == 0:
                    self._waited = 0
                    out[:] = 0
                    return 0
                if self._buffered < self.prebuffer and self._waited < self.prebuffer:
                    self._waited += n
                    out[:] = 0
                    return 0
                self._waiting = False
            filled = 0
            segments = self._segments
            while filled < n and segments:
                seg = segments[0]
                item_id, data, off = seg
                take = min(n - filled, len(data) - off)
                out[filled : filled + take] = data[off : off + take]
                filled += take
                self._played[item_id] += take
                self._current = item_id
                if off + take == len(data):
                    segments.popleft()
                else:
                    seg[2] = off + take
            self._buffered -= filled
            if filled < n:
                out[filled:] = 0
                self._waiting = True
                self._waited = 0
                self.drained += 1
            return filled

    def played(self, item_id: str) -> int:
        """Samples of `item_id` pulled so far."""
        return self._played.get(item_id, 0)

    @property
    def current(self) -> str | None:
        """The item most recently played from (None after a flush)."""
        return self._current

    def is_playing(self) -> bool:
        """True while audio is queued or being played."""
        return self._buffered > 0

    def flush(self) -> tuple[str | None, int]:
        """Stop now and forget queued audio.

        Returns:
            (item, samples of it played) for the item most recently played from, or the
            first queued item if playback had not started yet; (None, 0) if nothing was
            played or queued since the last flush.
        """
        with self._lock:
            item = self._current
            if item is None and self._segments:
                item = self._segments[0][0]
            self._flushed.update(seg[0] for seg in self._segments)
            if item is not None:
                self._flushed.add(item)
            self._segments.clear()
            self._buffered = 0
            self._current = None
            self._waiting = True
            self._waited = 0
            return item, (self._played.get(item, 0) if item is not None else 0)
