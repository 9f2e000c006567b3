"""The audio package stays importable and silent without touching PortAudio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from console.audio import AudioStatus, AudioUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_package_and_the_widget_does_not_import_sounddevice() -> None:
    """sounddevice's import (PortAudio initialisation) briefly redirects the stream
    Textual draws on, so it must happen only when asked for (`load_sounddevice()` or
    `audio_status()`, before `App.run()`), never as a side effect of importing."""
    code = (
        "import sys, console.audio, console.audio.capture, console.audio.playback, "
        "console.audio.wav_source, console.audio.devices, widgets.waveform; "
        "print('sounddevice' in sys.modules)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_status_summary_and_unavailable_message() -> None:
    ok = AudioStatus(True, "", "", True, True)
    assert ok.summary() == "audio: ok"
    bad = AudioStatus(False, "no audio devices found", "use --no-audio", False, False)
    assert bad.summary() == "audio: no audio devices found (use --no-audio)"
    exc = AudioUnavailable("PortAudio library not found", "apt-get install libportaudio2")
    assert str(exc) == "PortAudio library not found (apt-get install libportaudio2)"
    assert exc.reason.startswith("PortAudio") and exc.fix.startswith("apt-get")
