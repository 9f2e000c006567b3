"""Resampling: lengths, accuracy on a tone, anti-aliasing, and stream == one-shot."""

from __future__ import annotations

import numpy as np
import pytest

from console.audio.resample import StreamResampler, resample


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 10_000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * amp).astype(np.int16)


@pytest.mark.parametrize("src", [8000, 16000, 22050, 44100, 48000])
def test_to_24k_keeps_duration_and_tone(src: int) -> None:
    out = resample(tone(440, src), src, 24_000)
    assert len(out) == 24_000
    ref = np.sin(2 * np.pi * 440 * np.arange(len(out)) / 24_000) * 10_000
    err = np.abs(out[200:-200] - ref[200:-200]).max()
    assert err < 0.02 * 10_000, err  # linear interpolation: within 2 % of full tone


def test_same_rate_is_identity() -> None:
    x = tone(440, 24_000)
    assert resample(x, 24_000, 24_000) is x or np.array_equal(resample(x, 24_000, 24_000), x)


def test_downsampling_filters_what_would_alias() -> None:
    # 20 kHz cannot exist at 24 kHz; without a low-pass it would fold to 4 kHz.
    out = resample(tone(20_000, 48_000), 48_000, 24_000)
    rms = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
    assert rms < 0.01 * 10_000 / np.sqrt(2), rms


@pytest.mark.parametrize(("src", "dst"), [(48_000, 24_000), (44_100, 24_000), (16_000, 24_000), (24_000, 44_100)])
def test_streaming_in_random_blocks_equals_one_shot(src: int, dst: int) -> None:
    x = tone(300, src, 0.5)
    rng = np.random.default_rng(7)
    stream = StreamResampler(src, dst)
    parts, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 1500))
        parts.append(stream.process(x[i : i + n]))
        i += n
    parts.append(stream.flush())
    assert np.array_equal(np.concatenate(parts), resample(x, src, dst))


def test_empty_and_invalid() -> None:
    assert len(resample(np.zeros(0, dtype=np.int16), 48_000, 24_000)) == 0
    with pytest.raises(ValueError):
        StreamResampler(0, 24_000)
