"""Sample-rate conversion with numpy: one-shot for files, streaming for devices.

Why not linear interpolation alone: downsampling (e.g. a 48 kHz microphone to the API's
24 kHz) folds everything above the new Nyquist frequency back into the voice band. Both
paths therefore low-pass first with a short windowed-sinc FIR when the rate drops, then
interpolate linearly. Positions are computed from integer sample counters, so a stream
resampled block by block never drifts and matches the one-shot result.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

_TAPS = 63


@lru_cache(maxsize=16)
def _lowpass(src_rate: int, dst_rate: int) -> np.ndarray:
    """A Blackman-windowed sinc low-pass at 90 % of the destination Nyquist rate."""
    cutoff = 0.9 * (dst_rate / 2) / src_rate  # cycles per input sample
    n = np.arange(_TAPS) - (_TAPS - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(_TAPS)
    return h / h.sum()


def _to_int16(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x), -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Resample a whole mono int16 signal. Returns int16 (the input itself if the rates
    are equal)."""
    samples = np.asarray(samples, dtype=np.int16)
    if src_rate == dst_rate or len(samples) == 0:
        return samples
    stream = StreamResampler(src_rate, dst_rate)
    return np.concatenate([stream.process(samples), stream.flush()])


class StreamResampler:
    """Block-by-block resampler that keeps its filter and phase state between calls.

    `process(block)` returns the output samples whose input neighbourhood is complete;
    `flush()` returns the rest at the end of the stream. Latency: half the filter length
    (31 input samples) when downsampling, one input sample otherwise.
    """

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.src_rate = int(src_rate)
        self.dst_rate = int(dst_rate)
        self._fir = _lowpass(self.src_rate, self.dst_rate) if dst_rate < src_rate else None
        # FIR history (the last taps-1 input samples) and its group delay.
        self._hist = np.zeros(_TAPS - 1 if self._fir is not None else 0, dtype=np.float64)
        self._delay = (_TAPS - 1) // 2 if self._fir is not None else 0
        # Filtered samples not yet fully used by interpolation, and the index (in the
        # filtered stream) of their first element.
        self._pending = np.zeros(0, dtype=np.float64)
        self._pending_start = 0
        self._filtered_total = 0  # filtered samples produced so far (incl. the delay)
        self._out_count = 0

    def _filter(self, x: np.ndarray) -> np.ndarray:
        if self._fir is None:
            return x
        buf = np.concatenate([self._hist, x])
        y = np.convolve(buf, self._fir, mode="valid")
        self._hist = buf[len(buf) - (_TAPS - 1) :]
        return y

    def _emit(self, final: bool) -> np.ndarray:
        # Filtered index i corresponds to input time i - delay. Output k sits at input
        # time k*src/dst, i.e. filtered position k*src/dst + delay.
        src, dst = self.src_rate, self.dst_rate
        if len(self._pending) == 0:
            return np.zeros(0, dtype=np.int16)
        # Mid-stream, emit every k whose position is at most the last filtered index, so
        # both interpolation neighbours exist.
        last = self._pending_start + len(self._pending) - 1
        num = (last - self._delay) * dst
        k_end = num // src + 1 if num >= 0 else 0  # exclusive
        if final:
            # At the end, emit up to the input length (the last position clamps).
            total_in = self._filtered_total - self._delay
            k_end = -(-total_in * dst // src) if total_in > 0 else 0
        if k_end <= self._out_count:
            return np.zeros(0, dtype=np.int16)
        k = np.arange(self._out_count, k_end, dtype=np.int64)
        pos = (k * src).astype(np.float64) / dst + self._delay - self._pending_start
        xp = np.arange(len(self._pending), dtype=np.float64)
        out = np.interp(pos, xp, self._pending)
        self._out_count = k_end
        # Drop filtered samples no future output needs (keep one before the next pos).
        next_pos = (k_end * src) // dst + self._delay
        keep_from = max(0, min(len(self._pending), next_pos - self._pending_start))
        self._pending = self._pending[keep_from:]
        self._pending_start += keep_from
        return _to_int16(out)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed a block of int16 input; return the int16 output ready so far."""
        if self.src_rate == self.dst_rate:
            return np.asarray(block, dtype=np.int16)
        x = np.asarray(block, dtype=np.float64)
        if len(x) == 0:
            return np.zeros(0, dtype=np.int16)
        y = self._filter(x)
        self._filtered_total += len(y)
        self._pending = np.concatenate([self._pending, y]) if len(self._pending) else y
        return self._emit(final=False)

    def flush(self) -> np.ndarray:
        """End of stream: push the filter tail through and return the remaining output."""
        if self.src_rate == self.dst_rate:
            return np.zeros(0, dtype=np.int16)
        if self._fir is not None and self._delay:
            tail = self._filter(np.zeros(self._delay, dtype=np.float64))
            self._filtered_total += len(tail)
            self._pending = np.concatenate([self._pending, tail])
        return self._emit(final=True)
