"""Make this folder's helpers (`console_harness`, `snapshots`) importable as plain modules
under pytest's importlib import mode, keep a real API key out of every app test, and keep
every recording the console makes out of the developer's home."""

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


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every console records by default to `$XDG_STATE_HOME/realtime-console/sessions`:
    point that at a fresh temporary directory, so no app test writes into the real
    `~/.local/state` (subprocesses, e.g. the tmux smoke test, inherit it)."""
    state = tmp_path_factory.mktemp("xdg-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state
