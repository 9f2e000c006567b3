"""Session recordings: the JSON Lines format, the recorder, the indexed reader, and the
`inspect` / `export` / `stats` commands built on them.

Public names most callers need are re-exported here; see each module for details. They
load on first use (PEP 562), so importing one light module of the package (the sessions
browser's summary cache, say) does not load the reader and numpy with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .format import redact
    from .paths import default_path, sessions_dir
    from .reader import NotARecordingError, Recording
    from .writer import SessionRecorder

#: Each re-exported name and the module it lives in.
_EXPORTS = {
    "redact": "format",
    "default_path": "paths",
    "sessions_dir": "paths",
    "NotARecordingError": "reader",
    "Recording": "reader",
    "SessionRecorder": "writer",
}

__all__ = ["NotARecordingError", "Recording", "SessionRecorder", "default_path", "redact", "sessions_dir"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value
