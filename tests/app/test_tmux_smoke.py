"""One end-to-end run of the installed command in a real terminal (tmux), as a user would.

Starts `realtime-console --no-audio` without a key (so on the embedded simulator), waits
for the header to say so, sends a message, reads the answer off the screen, quits with
ctrl+q and checks the process ended without a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).with_name("realtime-console")
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None or not BIN.exists(), reason="needs tmux and the installed command")


def _capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-t", session, "-p"], capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _capture(session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")


def test_installed_command_runs_offline_in_a_terminal(tmp_path: Path) -> None:
    session = f"rc-smoke-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "TMUX")}
    done = tmp_path / "exit-status"
    # Textual draws on stderr, so it is not redirected; the pane stays open after the
    # exit (the sleep) so a traceback, if any, can be read off it.
    command = f"{BIN} --no-audio; echo $? > {done}; sleep 30"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "150", "-y", "45", command],
                   check=True, env=env, cwd=tmp_path)
    try:
        screen = _wait_for(session, "● connected")
        assert "offline: local simulator" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "hello there", "Enter"], check=True)
        _wait_for(session, "This is the realtime-console simulator")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-q"], check=True)
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert done.read_text().strip() == "0"
        assert "Traceback" not in _capture(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
