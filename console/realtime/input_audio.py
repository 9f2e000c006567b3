"""`InputAudioBuffer`: the session's input audio still needed to slice user speech.

Server VAD reports speech as milliseconds of the session's input audio
(`speech_started.audio_start_ms`, `speech_stopped.audio_end_ms`), and the conversation
slices the user's item audio out of what the client sent. The live client and the
recording rebuilder both keep that audio, and both must forget what VAD can no longer
ask for, or a long session grows without bound. This class is the one place that
arithmetic lives: samples held, the session sample number of the first one, and the
trimming rules; callers decide *when* to trim (their event handling differs).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .audio import Int16Buffer, ms_to_samples

#: While idle (no speech open) in VAD mode, audio kept (seconds) once over twice this.
IDLE_KEEP_S = 10


class InputAudioBuffer:
    """Input audio with its position in the session, trimmed to what VAD may still slice.

    Args:
        margin_s: audio kept before the earliest sample VAD may slice (seconds): room for
            prefix padding and timing slack. The live client keeps none; the rebuilder 2.
        max_keep_s: hard cap on audio kept even mid-utterance (seconds), or None.
    """

    def __init__(self, margin_s: int = 0, max_keep_s: int | None = None) -> None:
        self.margin_s = margin_s
        self.max_keep_s = max_keep_s
        self._samples = Int16Buffer()
        self.offset = 0  # session sample number of the first sample held
        self.speech_start_ms: int | None = None  # of the speech VAD reported open, if any

    def __len__(self) -> int:
        return len(self._samples)

    def view(self) -> np.ndarray:
        """The samples held (int16, a view; sample 0 is session sample `offset`)."""
        return self._samples.view()

    def append(self, samples: np.ndarray) -> None:
        self._samples.append(samples)

    def take(self) -> np.ndarray:
        """A copy of the samples held, which are then forgotten (a manual commit)."""
        samples = self._samples.view().copy()
        self.discard()
        return samples

    def discard(self) -> None:
        """Forget the samples held (committed or cleared): the session moves past them."""
        self.offset += len(self._samples)
        self._samples.clear()

    def speech_started(self, audio_start_ms: Any) -> None:
        """VAD opened speech at `audio_start_ms` (None if the event lacks a number)."""
        self.speech_start_ms = int(audio_start_ms) if _is_number(audio_start_ms) else None

    def speech_stopped(self) -> None:
        self.speech_start_ms = None

    def bound(self, rate: int) -> None:
        """Drop audio VAD can no longer slice: before the open speech (less the margin,
        within `max_keep_s`), or, while idle and over 2 x IDLE_KEEP_S, all but the last
        IDLE_KEEP_S (a `speech_started` may still point a little into the past)."""
        end = self.offset + len(self._samples)
        if self.speech_start_ms is not None:
            keep_from = ms_to_samples(self.speech_start_ms, rate) - self.margin_s * rate
            if self.max_keep_s is not None:
                keep_from = max(keep_from, end - self.max_keep_s * rate)
        elif len(self._samples) > 2 * IDLE_KEEP_S * rate:
            keep_from = end - IDLE_KEEP_S * rate
        else:
            return
        self.drop_before(keep_from)

    def trim_to(self, end_ms: Any, rate: int) -> None:
        """After speech ended at `end_ms`: audio before it (less the margin) is not needed.

        Ignored when `end_ms` is not a number.
        """
        if _is_number(end_ms):
            self.drop_before(ms_to_samples(end_ms, rate) - self.margin_s * rate)

    def drop_before(self, sample: int) -> None:
        """Forget input samples before session sample `sample`."""
        count = min(sample - self.offset, len(self._samples))
        if count > 0:
            self._samples.drop_front(count)
            self.offset += count


def _is_number(value: Any) -> bool:
    """A finite int or float: int() of inf / nan raises, and no offset means them."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
