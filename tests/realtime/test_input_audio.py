"""InputAudioBuffer: the trimming arithmetic the client and the recording rebuilder share."""

from __future__ import annotations

import numpy as np

from console.realtime.input_audio import IDLE_KEEP_S, InputAudioBuffer

RATE = 8000  # G.711: small arrays, same arithmetic


def ramp(start: int, n: int) -> np.ndarray:
    return (np.arange(start, start + n) % 30000).astype(np.int16)


def test_take_and_discard_move_the_session_offset_past_the_samples() -> None:
    buf = InputAudioBuffer()
    buf.append(ramp(0, 100))
    taken = buf.take()
    np.testing.assert_array_equal(taken, ramp(0, 100))
    assert len(buf) == 0 and buf.offset == 100
    buf.append(ramp(100, 50))
    taken[:] = 0  # the copy is the caller's
    np.testing.assert_array_equal(buf.view(), ramp(100, 50))
    buf.discard()
    assert buf.offset == 150 and len(buf.view()) == 0


def test_idle_audio_is_bounded_to_the_last_idle_keep_seconds() -> None:
    buf = InputAudioBuffer()
    buf.append(ramp(0, 2 * IDLE_KEEP_S * RATE))
    buf.bound(RATE)
    assert len(buf) == 2 * IDLE_KEEP_S * RATE  # not over twice the idle keep: all kept
    buf.append(ramp(2 * IDLE_KEEP_S * RATE, 1))
    buf.bound(RATE)
    end = 2 * IDLE_KEEP_S * RATE + 1
    assert buf.offset == end - IDLE_KEEP_S * RATE and len(buf) == IDLE_KEEP_S * RATE
    np.testing.assert_array_equal(buf.view(), ramp(buf.offset, len(buf)))  # session samples stay in place


def test_open_speech_keeps_from_its_start_less_the_margin_within_the_cap() -> None:
    live = InputAudioBuffer(max_keep_s=3)
    rebuilt = InputAudioBuffer(margin_s=2)
    for buf in (live, rebuilt):
        buf.append(ramp(0, 5 * RATE))
        buf.speech_started(4000)  # 4 s into the session
        buf.bound(RATE)
    assert live.offset == 4 * RATE and rebuilt.offset == 2 * RATE
    live.speech_started(1000)
    live.bound(RATE)
    assert live.offset == 4 * RATE  # cannot get back what was dropped
    capped = InputAudioBuffer(max_keep_s=3)
    capped.speech_started(0)
    capped.append(ramp(0, 5 * RATE))
    capped.bound(RATE)
    assert capped.offset == 2 * RATE and len(capped) == 3 * RATE  # mid-utterance cap


def test_trim_after_speech_drops_before_its_end_less_the_margin() -> None:
    buf = InputAudioBuffer(margin_s=1)
    buf.append(ramp(0, 4 * RATE))
    buf.speech_started(500)
    buf.speech_stopped()
    assert buf.speech_start_ms is None
    buf.trim_to(3000, RATE)
    assert buf.offset == 2 * RATE
    buf.trim_to(None, RATE)  # malformed end: nothing changes
    buf.trim_to(99_000, RATE)  # beyond the end: everything goes, the offset stays exact
    assert len(buf) == 0 and buf.offset == 4 * RATE
    buf.speech_started("soon")
    assert buf.speech_start_ms is None
