"""Is audio usable here, and if not, why and how to fix it?

Why a module of its own: `import sounddevice` raises `OSError` (not `ImportError`) when
the PortAudio library is missing, and with PortAudio but no sound card (a container, an
SSH session) the device list is simply empty and opening a stream raises
`PortAudioError`. Neither prints anything, so the console must say it. Everything here
imports sounddevice lazily and never raises, so the console and `devices` command run
everywhere and show the reason and the fix instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

FIX_PORTAUDIO = "install PortAudio: sudo apt-get install libportaudio2 (macOS: brew install portaudio)"
FIX_NO_DEVICES = "over SSH or in a container there is no sound card: use --input-wav FILE or --no-audio"


class AudioUnavailable(RuntimeError):
    """Audio cannot be used: `reason` says why, `fix` what to do about it."""

    def __init__(self, reason: str, fix: str = "") -> None:
        super().__init__(f"{reason} ({fix})" if fix else reason)
        self.reason = reason
        self.fix = fix


@dataclass(frozen=True)
class AudioStatus:
    """What audio the console can use. `reason`/`fix` are empty when all is well."""

    available: bool
    reason: str
    fix: str
    input_ok: bool
    output_ok: bool

    def summary(self) -> str:
        """One line for a status bar or stderr."""
        if self.available and self.input_ok and self.output_ok:
            return "audio: ok"
        return f"audio: {self.reason}" + (f" ({self.fix})" if self.fix else "")


_sd: ModuleType | None = None
_import_error: str | None = None


def load_sounddevice() -> ModuleType:
    """Import sounddevice once, or raise `AudioUnavailable` saying why it cannot be.

    Call this before `App.run()`: the import briefly redirects the output stream Textual
    draws on.
    """
    global _sd, _import_error
    if _sd is not None:
        return _sd
    if _import_error is None:
        try:
            import sounddevice  # noqa: PLC0415 - lazy on purpose
        except OSError as exc:  # the wheel has no PortAudio on Linux
            _import_error = f"PortAudio library not found ({exc})"
        except ImportError as exc:
            _import_error = f"the sounddevice package is not installed ({exc})"
        else:
            _sd = sounddevice
            return _sd
    fix = "pip install sounddevice" if "not installed" in _import_error else FIX_PORTAUDIO
    raise AudioUnavailable(_import_error, fix)


def preload_sounddevice() -> bool:
    """Load PortAudio before a Textual app draws, if it can be; True when it loaded.

    The import briefly redirects the output stream Textual draws on, so an app that may
    play audio later loads it first. Without it the app still runs, silently, and says
    why when asked to play (`load_sounddevice` raises again then, with the reason).
    """
    try:
        load_sounddevice()
    except AudioUnavailable:
        return False
    return True


def _default_index(sd: ModuleType, kind: int, devices: list[dict[str, Any]]) -> int | None:
    """The default device index for kind 0 (input) or 1 (output), if it exists."""
    try:
        idx = sd.default.device[kind]
    except Exception:  # noqa: BLE001 - any failure means "no default"
        return None
    if isinstance(idx, int) and 0 <= idx < len(devices):
        return idx
    return None


def audio_status() -> AudioStatus:
    """Probe PortAudio and the default devices. Never raises, never prints."""
    try:
        sd = load_sounddevice()
    except AudioUnavailable as exc:
        return AudioStatus(False, exc.reason, exc.fix, False, False)
    try:
        devices = list(sd.query_devices())
    except Exception as exc:  # noqa: BLE001 - PortAudioError or a broken backend
        return AudioStatus(False, f"cannot list audio devices ({exc})", FIX_NO_DEVICES, False, False)
    if not devices:
        return AudioStatus(False, "no audio devices found", FIX_NO_DEVICES, False, False)
    i = _default_index(sd, 0, devices)
    o = _default_index(sd, 1, devices)
    input_ok = i is not None and devices[i]["max_input_channels"] > 0
    output_ok = o is not None and devices[o]["max_output_channels"] > 0
    if input_ok and output_ok:
        return AudioStatus(True, "", "", True, True)
    missing = " and ".join(n for n, ok in (("input", input_ok), ("output", output_ok)) if not ok)
    fix = "use --input-wav FILE" if not input_ok else "use --no-audio (response audio still shows as a waveform)"
    if not input_ok and not output_ok:
        fix = FIX_NO_DEVICES
    return AudioStatus(input_ok or output_ok, f"no default {missing} device", fix, input_ok, output_ok)
