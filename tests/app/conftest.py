"""Make this folder's helpers (`console_harness`, `snapshots`) importable as plain modules
under pytest's importlib import mode, and keep a real API key out of every app test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """App tests never see a developer's real key (and so never dial api.openai.com)."""
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
