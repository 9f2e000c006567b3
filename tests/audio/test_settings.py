"""Device arguments as users type them."""

from __future__ import annotations

from console.audio.settings import normalize_device


def test_device_names_from_the_command_line() -> None:
    assert normalize_device("3") == 3
    assert normalize_device(" 12 ") == 12
    assert normalize_device("USB Mic") == "USB Mic"
    assert normalize_device("") is None and normalize_device(None) is None
    assert normalize_device(2) == 2
