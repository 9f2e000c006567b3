"""Choosing how to open a device: which device, at which rate, with how many channels.

Why: users pass `--input-device 3` or `--input-device USB` as text; many devices run only
at 44.1/48 kHz (we then resample to the API's 24 kHz); a few hardware devices open only
in stereo (we then use the first channel, or write mono to every channel).
"""

from __future__ import annotations

from typing import Any

from .availability import FIX_NO_DEVICES, AudioUnavailable

Device = int | str | None


def normalize_device(device: Device) -> Device:
    """An index given as text ("3") becomes an int; a name stays a name (sounddevice
    matches a unique part of it); empty text means the default device."""
    if isinstance(device, str):
        text = device.strip()
        if not text:
            return None
        if text.lstrip("-").isdigit():
            return int(text)
        return text
    return device


def pick_settings(sd: Any, device: Device, wanted: int, kind: str) -> tuple[int, int]:
    """(rate, channels) to open `device` with: `wanted` rate if supported, else the
    device's default rate; mono if possible, else stereo.

    Raises:
        AudioUnavailable: no such device, or it opens with none of these settings.
    """
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        default_rate = int(sd.query_devices(device, kind)["default_samplerate"])
    except Exception as exc:  # noqa: BLE001 - ValueError (no such device) or PortAudioError
        try:
            none_at_all = len(sd.query_devices()) == 0
        except Exception:  # noqa: BLE001
            none_at_all = True
        if none_at_all:
            raise AudioUnavailable("no audio devices found", FIX_NO_DEVICES) from None
        name = "default" if device is None else repr(device)
        fix = "see 'realtime-console devices' for the names and indexes"
        raise AudioUnavailable(f"no usable {kind} device {name}: {exc}", fix) from None
    error: Exception | None = None
    for channels in (1, 2):
        for rate in dict.fromkeys((wanted, default_rate)):
            try:
                check(device=device, samplerate=rate, channels=channels, dtype="int16")
                return rate, channels
            except Exception as exc:  # noqa: BLE001 - try the next combination
                error = error or exc
    name = "default" if device is None else repr(device)
    raise AudioUnavailable(f"cannot open {name} {kind} device as 16-bit audio: {error}", FIX_NO_DEVICES)
