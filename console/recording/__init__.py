"""Session recordings: the JSON Lines format, the recorder, the indexed reader, and the
`inspect` / `export` commands built on them.

Public names most callers need are re-exported here; see each module for details.
"""

from .format import redact
from .paths import default_path, sessions_dir
from .reader import NotARecordingError, Recording
from .writer import SessionRecorder

__all__ = ["NotARecordingError", "Recording", "SessionRecorder", "default_path", "redact", "sessions_dir"]
