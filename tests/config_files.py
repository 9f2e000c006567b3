"""Writing the console's settings file in tests (with the `config_home` fixture of
`tests/conftest.py` pointing `XDG_CONFIG_HOME` at a temporary directory)."""

from __future__ import annotations

from pathlib import Path

from console.user_config import config_path


def write_config(text: str) -> Path:
    """Write `text` as the settings file; returns its path."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
