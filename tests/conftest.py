"""Keep a real API key out of every test, and every recording the console makes out of the
developer's home. Test helpers are imported as a package (`tests.app.console_harness`):
pytest's `pythonpath` setting puts the project root on `sys.path`."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see a developer's real key (and so never dial api.openai.com)."""
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _outside_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests behave the same whether or not the developer runs them inside tmux (copying,
    for one, goes to tmux's paste buffer there); tests that need tmux start their own."""
    monkeypatch.delenv("TMUX", raising=False)


@pytest.fixture(autouse=True)
def _private_state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every console records by default to `$XDG_STATE_HOME/realtime-console/sessions`:
    point that at a fresh temporary directory, so no app test writes into the real
    `~/.local/state` (subprocesses, e.g. the tmux smoke test, inherit it)."""
    state = tmp_path_factory.mktemp("xdg-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`XDG_CONFIG_HOME` at a fresh directory, so a settings file a test writes (and the
    developer's own) stays out of the way. Not autouse: `.ci/run` points `XDG_CONFIG_HOME`
    at its ALSA null-device configuration for the audio tests."""
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home
