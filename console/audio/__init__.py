"""Audio I/O for the console: microphone, speaker, WAV input and device discovery.

The library (`console.realtime`) never imports this package. `sounddevice` is imported
lazily (see `availability`), so the console runs without PortAudio and says why audio is
unavailable instead of failing at import time.
"""

from __future__ import annotations

from .availability import AudioStatus, AudioUnavailable, audio_status
from .ring import RingBuffer

__all__ = ["AudioStatus", "AudioUnavailable", "RingBuffer", "audio_status"]
