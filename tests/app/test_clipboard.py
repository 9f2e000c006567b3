"""Copying never claims a copy that did not happen: tmux's buffer inside tmux, a file outside."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from console.app.clipboard import CLIPBOARD_FILE, copy_text


def test_outside_tmux_the_text_is_saved_to_a_private_file_and_the_message_says_where(tmp_path: Path) -> None:
    offered: list[str] = []
    outcome = copy_text("héllo \ud83d", "event #3", osc52=offered.append, save_dir=tmp_path / "state", env={})
    path = tmp_path / "state" / CLIPBOARD_FILE
    assert offered == ["héllo \ud83d"]  # the terminal is asked too
    assert path.read_text(encoding="utf-8") == "héllo \\ud83d"  # a lone surrogate is written escaped
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct((tmp_path / "state").stat().st_mode & 0o777) == "0o700"
    assert outcome.message.startswith(f"event #3 (7 characters) saved to {path}")
    assert "copied" not in outcome.message  # nothing claims the terminal took it


def test_a_copy_that_lands_nowhere_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    outcome = copy_text("x", "item a", osc52=lambda text: None, save_dir=blocker, env={})
    assert outcome.severity == "warning" and "may ignore it" in outcome.message and "failed" in outcome.message


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_inside_tmux_the_text_goes_to_the_paste_buffer(tmp_path: Path) -> None:
    socket = tmp_path / "tmux.sock"
    base = ["tmux", "-S", str(socket)]
    subprocess.run([*base, "new-session", "-d", "-s", "clip", "sleep 30"], check=True, timeout=10)
    try:
        env = {**os.environ, "TMUX": f"{socket},{os.getpid()},0"}
        outcome = copy_text("from the console", "item b", osc52=lambda text: None, save_dir=tmp_path / "s", env=env)
        assert outcome.message.startswith("copied item b (16 characters) to the tmux paste buffer")
        shown = subprocess.run([*base, "show-buffer"], capture_output=True, text=True, timeout=10).stdout
        assert shown == "from the console"
        assert not (tmp_path / "s").exists()
    finally:
        subprocess.run([*base, "kill-server"], timeout=10)
