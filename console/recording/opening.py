"""Opening a recording for a command, with one line for each way it can fail.

`inspect`, `export`, `lint` and `replay` all open files the user named; a wrong path, a
directory, a file that is not a recording or an unreadable one each get the same one
line from every command, never a traceback.
"""

from __future__ import annotations

from console.cli import UsageError

from .chain import open_chain
from .index import NotARecordingError
from .reader import Recording


def open_error(path: str, exc: Exception, doing: str = "read") -> str:
    """One line saying why `path` could not be opened (`doing` names the command's verb
    for an error that is not about the file itself)."""
    if isinstance(exc, NotARecordingError):
        return f"{path} is not a realtime-console recording or event log: {exc}"
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a directory, not a recording"
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, OSError):
        return f"cannot read {path}: {exc.strerror or exc}"
    return f"cannot {doing} {path}: {exc.__class__.__name__}: {exc}"


def open_recording(path: str, follow: bool = False, index: bool = True) -> Recording:
    """Open a recording (with its chain if `follow`; indexed whole unless `index` is
    False), turning every failure to open it into a one-line `UsageError`."""
    try:
        return open_chain(path, follow=follow, index=index)
    except (NotARecordingError, OSError) as exc:
        raise UsageError(open_error(path, exc)) from None
