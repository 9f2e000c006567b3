"""Copying text so that it really lands somewhere, and saying truthfully where.

A terminal app can only *ask* the terminal to set the clipboard (the OSC 52 escape,
Textual's `copy_to_clipboard`); tmux without `set-clipboard`, most SSH setups and many
terminals ignore it silently, so "Copied" would often be a lie. So the text also goes
where it can be checked: into tmux's paste buffer when running inside tmux, otherwise
into a private file whose path the status line gives.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: The file copies are saved to outside tmux (overwritten by each copy).
CLIPBOARD_FILE = "clipboard.txt"


@dataclass(frozen=True)
class CopyOutcome:
    """Where the text went: a status line and its severity."""

    message: str
    severity: str = "information"


def copy_text(
    text: str,
    what: str,
    *,
    osc52: Callable[[str], None],
    save_dir: Path,
    env: Mapping[str, str] | None = None,
) -> CopyOutcome:
    """Send `text` to the terminal's clipboard and to a place it surely reaches.

    Args:
        what: names the text in the status line ("event #12", "item item_abc").
        osc52: asks the terminal to set its clipboard (cannot report success).
        save_dir: where the file copy goes outside tmux (made private if missing).
        env: the environment to read `TMUX` from (default: the process's).
    """
    env = os.environ if env is None else env
    size = f"{len(text)} characters"
    try:
        osc52(text)
    except Exception:  # noqa: BLE001 - a terminal that cannot take it: the other routes remain
        pass
    if env.get("TMUX") and _tmux_load_buffer(text, env):
        return CopyOutcome(f"copied {what} ({size}) to the tmux paste buffer (prefix ] pastes it)")
    path = save_dir / CLIPBOARD_FILE
    try:
        save_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text)
    except OSError as exc:
        return CopyOutcome(f"{what} ({size}) sent to the terminal clipboard, which may ignore it; "
                           f"saving it to {path} failed: {exc.strerror or exc}", "warning")
    return CopyOutcome(f"{what} ({size}) saved to {path}, and offered to the terminal clipboard (OSC 52)")


def _tmux_load_buffer(text: str, env: Mapping[str, str]) -> bool:
    """Load `text` into tmux's paste buffer (`-w` also forwards it to the outer clipboard
    where tmux supports that); False when tmux refuses or is missing."""
    for command in (["tmux", "load-buffer", "-w", "-"], ["tmux", "load-buffer", "-"]):
        try:
            done = subprocess.run(command, input=text.encode("utf-8", "backslashreplace"), env=dict(env),
                                  capture_output=True, timeout=3)
        except (OSError, subprocess.SubprocessError):
            return False
        if done.returncode == 0:
            return True
    return False
