"""Energy voice-activity detection with the session's turn-detection settings.

Sans-I/O: `feed` takes samples and returns the speech boundaries it found, in
milliseconds from the session's first input sample (upstream's VAD clock). A 10 ms
frame counts as speech when its level beats `threshold`, where level maps the frame's
RMS from -60 dBFS (0.0) to 0 dBFS (1.0): 0.5 is about -30 dBFS, above room noise and
well below the synthetic voice (about -9 dBFS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

FRAME_MS = 10
_EAGERNESS_SILENCE_MS = {"low": 1000, "medium": 500, "auto": 500, "high": 250}


@dataclass(frozen=True)
class Boundary:
    kind: Literal["started", "stopped"]
    ms: int  #: started: speech onset minus prefix padding; stopped: last speech plus the silence duration


def frame_levels(samples: np.ndarray, frame: int) -> np.ndarray:
    """Per-frame level in [0, 1] (see module docstring) of whole frames of `samples`."""
    usable = len(samples) - len(samples) % frame
    if not usable:
        return np.zeros(0)
    x = samples[:usable].astype(np.float64).reshape(-1, frame) / 32768.0
    rms = np.sqrt(np.mean(x * x, axis=1))
    db = 20 * np.log10(np.maximum(rms, 1e-9))
    return np.clip((db + 60.0) / 60.0, 0.0, 1.0)


class EnergyVad:
    """Tracks speech across appended audio; one instance per session input stream."""

    def __init__(self, rate: int, config: dict[str, Any]) -> None:
        self.rate = rate
        self.frame = rate * FRAME_MS // 1000
        self.threshold = float(config.get("threshold", 0.5))
        self.prefix_padding_ms = int(config.get("prefix_padding_ms", 300))
        if config.get("type") == "semantic_vad":
            self.silence_ms = _EAGERNESS_SILENCE_MS.get(str(config.get("eagerness", "auto")), 500)
        else:
            self.silence_ms = int(config.get("silence_duration_ms", 500))
        self.speaking = False
        self._pending = np.zeros(0, dtype=np.int16)
        self._position = 0  #: session sample index of the next unprocessed frame
        self._silent_frames = 0

    def reset(self, position: int) -> None:
        """Forget speech in progress (after a commit or clear); resume at `position`."""
        self.speaking = False
        self._pending = np.zeros(0, dtype=np.int16)
        self._position = position
        self._silent_frames = 0

    def feed(self, samples: np.ndarray, floor_ms: int = 0) -> list[Boundary]:
        """Process appended samples; `floor_ms` is where the input buffer starts (padding stops there)."""
        data = np.concatenate((self._pending, samples)) if len(self._pending) else samples
        levels = frame_levels(data, self.frame)
        used = len(levels) * self.frame
        self._pending = data[used:].copy()
        found: list[Boundary] = []
        silence_frames = max(1, self.silence_ms // FRAME_MS)
        for index, level in enumerate(levels):
            start = self._position + index * self.frame
            if level > self.threshold:
                self._silent_frames = 0
                if not self.speaking:
                    self.speaking = True
                    onset_ms = start * 1000 // self.rate
                    found.append(Boundary("started", max(floor_ms, onset_ms - self.prefix_padding_ms)))
            elif self.speaking:
                self._silent_frames += 1
                if self._silent_frames >= silence_frames:
                    self.speaking = False
                    self._silent_frames = 0
                    found.append(Boundary("stopped", (start + self.frame) * 1000 // self.rate))
        self._position += used
        return found
