"""WAV reading/writing: round trip, format conversion, and clear errors."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from console.audio.wavfile import WavError, read_wav, write_wav


def test_round_trip_24k_mono(tmp_path: Path) -> None:
    x = (np.random.default_rng(1).normal(0, 3000, 24_000)).astype(np.int16)
    path = tmp_path / "a.wav"
    write_wav(path, x)
    y, info = read_wav(path)
    assert np.array_equal(x, y)
    assert (info.rate, info.channels, info.sample_width, info.frames) == (24_000, 1, 2, 24_000)
    assert info.duration_s == 1.0


def _write_raw(path: Path, raw: bytes, *, rate: int, channels: int, width: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


def test_stereo_48k_is_mixed_down_and_resampled(tmp_path: Path) -> None:
    left = np.full(48_000, 1000, dtype="<i2")
    right = np.full(48_000, 3000, dtype="<i2")
    path = tmp_path / "s.wav"
    _write_raw(path, np.stack([left, right], axis=1).tobytes(), rate=48_000, channels=2, width=2)
    y, info = read_wav(path)
    assert info.channels == 2 and info.rate == 48_000
    assert len(y) == 24_000
    assert np.all(np.abs(y[100:-100].astype(int) - 2000) <= 1)


@pytest.mark.parametrize("width", [1, 3, 4])
def test_other_sample_widths(tmp_path: Path, width: int) -> None:
    value = 0.25  # of full scale
    if width == 1:
        raw = bytes([128 + 32]) * 2400
    elif width == 3:
        v = int(value * 2**23)
        raw = v.to_bytes(3, "little", signed=True) * 2400
    else:
        raw = np.full(2400, int(value * 2**31), dtype="<i4").tobytes()
    path = tmp_path / "w.wav"
    _write_raw(path, raw, rate=24_000, channels=1, width=width)
    y, _ = read_wav(path)
    assert len(y) == 2400
    assert np.all(y == 8192)


def test_errors_name_the_file_and_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(WavError, match="no such file"):
        read_wav(tmp_path / "missing.wav")
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(WavError, match=r"notes\.txt: not a readable PCM WAV"):
        read_wav(bad)
    with pytest.raises(WavError, match="is a directory"):
        read_wav(tmp_path)
    # A float WAV (format 3), which the stdlib cannot read: a clear message, not a crash.
    fl = tmp_path / "float.wav"
    data = np.zeros(10, dtype="<f4").tobytes()
    header = (b"RIFF" + (36 + len(data)).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
              + (3).to_bytes(2, "little") + (1).to_bytes(2, "little") + (24_000).to_bytes(4, "little")
              + (96_000).to_bytes(4, "little") + (4).to_bytes(2, "little") + (32).to_bytes(2, "little")
              + b"data" + len(data).to_bytes(4, "little"))
    fl.write_bytes(header + data)
    with pytest.raises(WavError, match="ffmpeg"):
        read_wav(fl)
