"""Audio helpers shared by the client library, the simulator and the console.

Everything is vectorised with numpy: no per-sample Python loops. Conventions:
samples are mono numpy int16 arrays; PCM16 on the wire is little-endian and base64
encoded; G.711 (mu-law / A-law) is one byte per sample at 8 kHz.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from typing import Any

import numpy as np

from .protocol import AudioCodec

Samples = np.ndarray


def float_to_int16(samples: np.ndarray) -> Samples:
    """Convert float audio in [-1, 1] to int16 as the reference does.

    Values are clamped; negatives scale by 0x8000 and positives by 0x7FFF, truncating
    toward zero like a JS `Int16Array` store.
    """
    f = np.clip(np.asarray(samples, dtype=np.float64), -1.0, 1.0)
    return np.where(f < 0, f * 0x8000, f * 0x7FFF).astype(np.int16)


def to_int16(samples: Any) -> Samples:
    """Accept int16 arrays, float arrays in [-1, 1], or little-endian PCM16 bytes.

    Returns a contiguous int16 array that owns or views only the given samples (a view
    over a larger buffer is never widened to the whole buffer, unlike the reference).
    """
    if isinstance(samples, (bytes, bytearray, memoryview)):
        raw = bytes(samples)
        if len(raw) % 2:
            raise ValueError("PCM16 audio must have an even number of bytes")
        return np.frombuffer(raw, dtype="<i2").astype(np.int16, copy=False)
    arr = np.asarray(samples)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == np.int16:
        return np.ascontiguousarray(arr)
    if np.issubdtype(arr.dtype, np.floating):
        return float_to_int16(arr)
    if np.issubdtype(arr.dtype, np.integer):
        return np.clip(arr, -32768, 32767).astype(np.int16)
    raise TypeError(f"unsupported audio sample type {arr.dtype!r}")


def pcm16_to_base64(samples: Samples) -> str:
    """Base64 of little-endian PCM16 for the given samples only."""
    return base64.b64encode(np.ascontiguousarray(samples, dtype="<i2").tobytes()).decode("ascii")


def base64_to_bytes(data: str) -> bytes:
    """Decode base64, raising ValueError with a readable message on bad input."""
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValueError(f"invalid base64 audio: {exc}") from None


# --- G.711 ---------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _ulaw_decode_table() -> np.ndarray:
    u = (~np.arange(256, dtype=np.int32)) & 0xFF
    sign = u & 0x80
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    mag = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -mag, mag).astype(np.int16)


@lru_cache(maxsize=None)
def _alaw_decode_table() -> np.ndarray:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    sign = a & 0x80
    exponent = (a >> 4) & 0x07
    mantissa = a & 0x0F
    mag = np.where(exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(sign != 0, mag, -mag).astype(np.int16)


@lru_cache(maxsize=None)
def _encode_table(codec: str) -> np.ndarray:
    """For every int16 value, the G.711 code whose decoded level is nearest."""
    decode = _ulaw_decode_table() if codec == "g711_ulaw" else _alaw_decode_table()
    order = np.argsort(decode, kind="stable")
    levels = decode[order].astype(np.int32)
    values = np.arange(-32768, 32768, dtype=np.int32)
    idx = np.clip(np.searchsorted(levels, values), 1, len(levels) - 1)
    lower, upper = levels[idx - 1], levels[idx]
    pick = np.where(values - lower <= upper - values, idx - 1, idx)
    return order[pick].astype(np.uint8)


def encode(samples: Samples, codec: AudioCodec | str) -> bytes:
    """Encode int16 samples as wire bytes for a codec (PCM16 LE, or G.711)."""
    samples = np.asarray(samples, dtype=np.int16)
    if codec in ("g711_ulaw", "g711_alaw"):
        return _encode_table(codec)[samples.astype(np.int32) + 32768].tobytes()
    return np.ascontiguousarray(samples, dtype="<i2").tobytes()


def decode(data: bytes, codec: AudioCodec | str) -> Samples:
    """Decode wire bytes to int16 samples. PCM16 needs an even byte count."""
    if codec == "g711_ulaw":
        return _ulaw_decode_table()[np.frombuffer(data, dtype=np.uint8)]
    if codec == "g711_alaw":
        return _alaw_decode_table()[np.frombuffer(data, dtype=np.uint8)]
    return np.frombuffer(data, dtype="<i2").astype(np.int16, copy=False)


def encode_base64(samples: Samples, codec: AudioCodec | str = "pcm16") -> str:
    """Base64 wire form of samples for a codec."""
    return base64.b64encode(encode(samples, codec)).decode("ascii")


class DeltaDecoder:
    """Decodes a stream of base64 audio deltas, carrying an odd trailing PCM16 byte.

    Upstream does not promise even-sized deltas; a byte left over from one delta is the
    low byte of the first sample of the next.
    """

    __slots__ = ("codec", "_carry")

    def __init__(self, codec: AudioCodec | str = "pcm16") -> None:
        self.codec = codec
        self._carry = b""

    def feed(self, b64: str) -> Samples:
        data = base64_to_bytes(b64)
        if self.codec not in ("g711_ulaw", "g711_alaw"):
            if self._carry:
                data = self._carry + data
                self._carry = b""
            if len(data) % 2:
                self._carry = data[-1:]
                data = data[:-1]
        return decode(data, self.codec)


class Int16Buffer:
    """A growable int16 array with amortised O(1) appends (capacity doubles).

    `view()` returns the filled part without copying. Used for item audio, the client's
    input buffer and the UI's waveforms, so no caller concatenates arrays per delta.

    `freeze()` makes the storage an exact-size read-only array that copies of the buffer
    (`copy.deepcopy`) share instead of copying: checkpoints of a replay hold each finished
    item's audio once. Writes are copy-on-write: an append or `drop_front` on read-only
    storage first moves the samples to a fresh array, so a frozen array never changes.
    """

    __slots__ = ("_data", "_size")

    def __init__(self, initial: Samples | None = None, capacity: int = 4096) -> None:
        initial = np.zeros(0, dtype=np.int16) if initial is None else np.asarray(initial, dtype=np.int16)
        self._data = np.empty(max(capacity, len(initial)), dtype=np.int16)
        self._data[: len(initial)] = initial
        self._size = len(initial)

    def __len__(self) -> int:
        return self._size

    def append(self, samples: Samples) -> None:
        n = len(samples)
        if not n:
            return
        need = self._size + n
        if need > len(self._data) or not self._data.flags.writeable:
            grown = np.empty(max(need, 2 * len(self._data)), dtype=np.int16)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : need] = samples
        self._size = need

    def view(self) -> Samples:
        """The samples so far (a view: valid until the next append reallocates)."""
        return self._data[: self._size]

    @property
    def frozen(self) -> bool:
        """Whether the storage is a read-only exact-size array (see `freeze`)."""
        return not self._data.flags.writeable and len(self._data) == self._size

    def freeze(self, reuse: Samples | None = None) -> Samples:
        """Hold the samples in an exact-size read-only array and return it.

        Costs one copy unless already frozen. `reuse`, a read-only array of the same length
        that the caller knows holds these very samples (an earlier `freeze` of this audio),
        is adopted instead of copying. The next append reallocates (no spare capacity), so
        the returned array never changes and may be shared.
        """
        if self.frozen:
            return self._data
        if reuse is not None and len(reuse) == self._size and not reuse.flags.writeable:
            self._data = reuse
        else:
            data = np.array(self.view(), dtype=np.int16, copy=True)
            data.flags.writeable = False
            self._data = data
        return self._data

    def __deepcopy__(self, memo: dict[int, Any]) -> Int16Buffer:
        """A copy that shares frozen storage and otherwise copies only the samples."""
        copied = Int16Buffer.__new__(Int16Buffer)
        copied._data = self._data if self.frozen else np.array(self.view(), dtype=np.int16, copy=True)
        copied._size = self._size
        memo[id(self)] = copied
        return copied

    def truncate(self, length: int) -> None:
        """Keep only the first `length` samples."""
        self._size = max(0, min(self._size, length))

    def drop_front(self, count: int) -> None:
        """Forget the first `count` samples (moves the rest to the front)."""
        count = max(0, min(count, self._size))
        if count:
            rest = self._size - count
            if not self._data.flags.writeable:  # copy-on-write: never move a frozen array
                self._data = self._data.copy()
            self._data[:rest] = self._data[count : self._size]
            self._size = rest

    def clear(self) -> None:
        self._size = 0


def samples_to_ms(samples: int, rate: int) -> int:
    """floor(samples * 1000 / rate): the API's millisecond arithmetic."""
    return (samples * 1000) // rate


def ms_to_samples(ms: float, rate: int) -> int:
    """floor(ms * rate / 1000)."""
    return int((ms * rate) // 1000)
