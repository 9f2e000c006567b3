"""Where recordings go by default: one readable file per session under the XDG state dir.

`$XDG_STATE_HOME/realtime-console/sessions/` (default `~/.local/state/...`): state, not
configuration or cache, is what the XDG spec says logs and history are.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

APP_DIR = "realtime-console"
SESSIONS_DIR = "sessions"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sessions_dir(state_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory recordings go to: `<state_dir>/realtime-console/sessions`.

    Args:
        state_dir: the state base directory; default `$XDG_STATE_HOME`, else `~/.local/state`.
    """
    if state_dir is None:
        env = os.environ.get("XDG_STATE_HOME", "")
        # The XDG spec says relative values are invalid and must be ignored.
        state_dir = env if env and os.path.isabs(env) else Path.home() / ".local" / "state"
    return Path(state_dir) / APP_DIR / SESSIONS_DIR


def make_private_dirs(directory: str | os.PathLike[str]) -> Path:
    """Create `directory` and every missing parent, each with mode 0700; return it.

    `Path.mkdir(mode=..., parents=True)` gives the mode to the last directory only (the
    parents it creates get the umask's default, typically 0755), which would leave
    `realtime-console/` listable by others. Directories that already exist are left as
    they are: they are not ours to change (`~/.local/state` may be shared by design).
    """
    target = Path(directory)
    missing: list[Path] = []
    current = target
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:  # created meanwhile by someone else: not ours to chmod
            continue
        os.chmod(path, 0o700)  # the umask may have removed bits from the mode asked for
    if not target.is_dir():
        raise NotADirectoryError(f"{target} is not a directory")
    return target


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.") or "unknown"


def new_recording_path(directory: str | os.PathLike[str], *, model: str, backend: str,
                       now: datetime | None = None) -> Path:
    """A new, unused recording path in `directory`, such as
    `2026-11-24T15-46-02_gpt-realtime_sim.jsonl`.

    The name sorts by time and says which model and backend (`sim`, `openai`, `azure`,
    `proxy-3`, ...) the session used, so a directory listing is readable without opening
    files. A name already taken gets `-2`, `-3`, ... appended. Nothing is created here.
    """
    stamp = (now or datetime.now(timezone.utc).astimezone()).strftime("%Y-%m-%dT%H-%M-%S")
    stem = f"{stamp}_{_slug(model)}_{_slug(backend)}"
    candidate = Path(directory) / f"{stem}.jsonl"
    n = 2
    while candidate.exists():
        candidate = Path(directory) / f"{stem}-{n}.jsonl"
        n += 1
    return candidate


def default_path(
    state_dir: str | os.PathLike[str] | None = None,
    *,
    model: str = "gpt-realtime",
    backend: str = "sim",
    now: datetime | None = None,
) -> Path:
    """A new, unused recording path in the console's sessions directory (see
    `new_recording_path`). The directory is not created here (the recorder creates it,
    private to the user).

    Args:
        state_dir: base state directory (see `sessions_dir`).
        model: the session's model.
        backend: a short word for where the session ran.
        now: the session start (default: now, local time, as a user reads file names).
    """
    return new_recording_path(sessions_dir(state_dir), model=model, backend=backend, now=now)
