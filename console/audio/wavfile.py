"""Read any PCM WAV as 24 kHz mono int16, and write 24 kHz mono int16 WAVs.

Uses only the standard library's `wave` plus numpy. Why convert on read: `--input-wav`
accepts whatever a user recorded (44.1 kHz stereo, 8-bit, 24-bit ...), while the API
wants 24 kHz mono PCM16. Anything `wave` cannot read (float or compressed WAVs, other
files) raises `WavError` with a one-line message naming the file, never a traceback.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .resample import resample

API_RATE = 24_000


class WavError(ValueError):
    """The file is missing or is not a WAV we can read (message names the file)."""


@dataclass(frozen=True)
class WavInfo:
    """What a WAV file held before conversion."""

    rate: int
    channels: int
    sample_width: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def _pcm_to_int16(raw: bytes, width: int) -> np.ndarray:
    """Interleaved PCM of 1-4 bytes per sample to int16 (keeping the top 16 bits)."""
    if width == 1:  # unsigned 8-bit
        return ((np.frombuffer(raw, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.int16)
    if width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        # top two bytes of a little-endian 24-bit sample are the int16 value
        return (b[:, 1].astype(np.uint16) | (b[:, 2].astype(np.uint16) << 8)).view(np.int16)
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4") >> 16).astype(np.int16)
    raise WavError(f"unsupported sample width {width * 8} bits")


def read_wav(path: str | Path, rate: int = API_RATE) -> tuple[np.ndarray, WavInfo]:
    """Read a PCM WAV as mono int16 at `rate` (mixing channels down, resampling).

    Returns:
        The samples and what the file held originally.

    Raises:
        WavError: the file cannot be opened or is not an integer-PCM WAV.
    """
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as w:
            info = WavInfo(w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes())
            raw = w.readframes(info.frames)
    except FileNotFoundError:
        raise WavError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WavError(f"{path}: is a directory, not a WAV file") from None
    except PermissionError:
        raise WavError(f"{path}: permission denied") from None
    except (wave.Error, EOFError, OSError) as exc:
        raise WavError(f"{path}: not a readable PCM WAV file ({exc}); convert it, e.g. "
                       f"ffmpeg -i IN -ac 1 -ar 24000 -c:a pcm_s16le OUT.wav") from None
    if info.channels < 1 or info.rate < 1:
        raise WavError(f"{path}: invalid WAV header")
    try:
        samples = _pcm_to_int16(raw, info.sample_width)
    except WavError as exc:
        raise WavError(f"{path}: {exc}") from None
    usable = len(samples) - len(samples) % info.channels
    samples = samples[:usable]
    if info.channels > 1:
        samples = samples.reshape(-1, info.channels).mean(axis=1).round().astype(np.int16)
    return resample(samples, info.rate, rate), info


def write_wav(path: str | Path, samples: np.ndarray, rate: int = API_RATE) -> None:
    """Write mono int16 samples as a PCM16 WAV (parent directory must exist)."""
    data = np.ascontiguousarray(np.asarray(samples, dtype=np.int16), dtype="<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
