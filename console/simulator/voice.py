"""The simulator's deterministic synthetic voice, and its inverse.

The simulator cannot understand speech, yet clients must be testable end to end with
audio: so it speaks a private "language" it can read back. Every printable ASCII
character becomes a short two-tone burst (like DTMF: one low tone, one high tone, all
below 3.4 kHz so G.711 at 8 kHz carries them), with a soft attack and decay; characters
are separated by short gaps and words by longer pauses, so an energy VAD hears bursts of
"speech" with natural silences. `transcribe` finds the bursts, checks each one really is
a clean tone pair of the right length and reads the character back. Anything else (a
microphone recording, noise, audio cut mid-character) is labelled honestly by its
length, e.g. "[1.4 s of audio]", never guessed at.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Tone groups (Hz). 8 low x 12 high = 96 symbols: the 94 printable non-space ASCII
#: characters, plus two spare. All sit between 400 Hz and 3.3 kHz.
LOW_TONES: tuple[float, ...] = (420.0, 500.0, 580.0, 660.0, 740.0, 820.0, 900.0, 980.0)
HIGH_TONES: tuple[float, ...] = tuple(1220.0 + 190.0 * i for i in range(12))

CHAR_MS = 50  #: length of one character's tone burst
CHAR_GAP_MS = 15  #: silence between characters of a word
WORD_GAP_MS = 150  #: silence between words
RAMP_MS = 5  #: attack and decay of each burst
AMPLITUDE = 0.32  #: peak of each tone (full scale 1.0); the pair peaks at 0.64

_FIRST = 33  # "!"
_LAST = 126  # "~"


@dataclass(frozen=True)
class WordMark:
    """Where a word (with its leading space, if any) starts in synthesised audio."""

    start: int
    text: str


def _symbol(char: str) -> int:
    code = ord(char)
    if not _FIRST <= code <= _LAST:
        code = ord("?")
    return code - _FIRST


@lru_cache(maxsize=8)
def _envelope(rate: int) -> np.ndarray:
    n = rate * CHAR_MS // 1000
    ramp = max(1, rate * RAMP_MS // 1000)
    env = np.ones(n)
    shape = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))
    env[:ramp] = shape
    env[-ramp:] = shape[::-1]
    return env


@lru_cache(maxsize=1024)
def _burst(symbol: int, rate: int) -> np.ndarray:
    env = _envelope(rate)
    t = np.arange(len(env)) / rate
    low, high = LOW_TONES[symbol % 8], HIGH_TONES[symbol // 8]
    wave = AMPLITUDE * (np.sin(2 * np.pi * low * t) + np.sin(2 * np.pi * high * t)) * env
    out = (wave * 32767).astype(np.int16)
    out.setflags(write=False)
    return out


def synthesise_marked(text: str, rate: int = 24_000) -> tuple[np.ndarray, list[WordMark]]:
    """Synthesise `text` and say where each word starts (for paced transcript deltas).

    Words keep their separating space in the mark's text so joining the marks' texts
    gives `text` back (whitespace runs collapse to one space, as speech would).
    """
    words = text.split()
    char_gap = np.zeros(rate * CHAR_GAP_MS // 1000, dtype=np.int16)
    word_gap = np.zeros(rate * WORD_GAP_MS // 1000, dtype=np.int16)
    pieces: list[np.ndarray] = []
    marks: list[WordMark] = []
    position = 0
    for index, word in enumerate(words):
        if index:
            pieces.append(word_gap)
            position += len(word_gap)
        marks.append(WordMark(position, word if index == 0 else " " + word))
        for char_index, char in enumerate(word):
            if char_index:
                pieces.append(char_gap)
                position += len(char_gap)
            burst = _burst(_symbol(char), rate)
            pieces.append(burst)
            position += len(burst)
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return samples.astype(np.int16, copy=False), marks


def synthesise(text: str, rate: int = 24_000) -> np.ndarray:
    """Deterministic int16 "speech" for `text` at `rate` that `transcribe` reads back.

    Characters outside printable ASCII are spoken as "?". Leading, trailing and repeated
    whitespace is not audible.
    """
    return synthesise_marked(text, rate)[0]


def duration_label(samples: int, rate: int) -> str:
    """The honest transcript of audio the simulator cannot read: its length."""
    return f"[{samples / rate:.1f} s of audio]"


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True runs in a boolean array."""
    padded = np.concatenate(([False], active, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _read_burst(burst: np.ndarray, rate: int) -> int | None:
    """The symbol of one burst, or None if it is not a clean tone pair of ours."""
    x = burst.astype(np.float64)
    n = len(x)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(n))) ** 2
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    total = spectrum.sum()
    if total <= 0:
        return None
    half_width = 45.0

    def band_energy(f: float) -> float:
        return float(spectrum[(freqs > f - half_width) & (freqs < f + half_width)].sum())

    lows = [band_energy(f) for f in LOW_TONES]
    highs = [band_energy(f) for f in HIGH_TONES]
    low, high = int(np.argmax(lows)), int(np.argmax(highs))
    if (lows[low] + highs[high]) / total < 0.8:
        return None
    return high * 8 + low


def transcribe(samples: np.ndarray, rate: int) -> str:
    """Read back text that `synthesise` produced (at any rate, also through G.711).

    Returns "" for silence, and `duration_label` for audio that is not entirely the
    simulator's own voice (some other sound, or a character cut in half inside it). A
    character cut off by the very start or end of the audio is skipped, as a listener
    would skip a syllable cut off by the recording.
    """
    x = np.asarray(samples, dtype=np.int16)
    if len(x) == 0:
        return ""
    frame = max(1, rate // 400)  # 2.5 ms frames
    usable = len(x) - len(x) % frame
    peaks = np.abs(x[:usable].astype(np.int32)).reshape(-1, frame).max(axis=1) if usable else np.zeros(0)
    if usable < len(x):
        peaks = np.append(peaks, np.abs(x[usable:].astype(np.int32)).max())
    active = peaks > 600  # about -35 dBFS: G.711 noise and silence stay below
    runs = _runs(active)
    if not runs:
        return ""
    char_frames = CHAR_MS / 2.5
    word_gap_frames = (CHAR_GAP_MS + WORD_GAP_MS) / 2 / 2.5
    text: list[str] = []
    previous_end: int | None = None
    for start, end in runs:
        length = end - start
        if length < 0.7 * char_frames and (start == 0 or end == len(peaks)):
            continue  # a character cut by the edge of the audio (a recording started or ended mid-burst)
        if not 0.7 * char_frames <= length <= 1.2 * char_frames:
            return duration_label(len(x), rate)
        symbol = _read_burst(x[start * frame : min(len(x), end * frame)], rate)
        if symbol is None or symbol > _LAST - _FIRST:
            return duration_label(len(x), rate)
        if previous_end is not None and start - previous_end > word_gap_frames:
            text.append(" ")
        text.append(chr(symbol + _FIRST))
        previous_end = end
    return "".join(text)
