"""An attached call's recording: the usual format, its header saying it came from a sideband.

Any write error (disk full, file removed) stops the recording with one status line; the
call is watched on regardless.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.recording.writer import SessionRecorder
from console.session.session import Session

#: The header's `source`: how tools tell an attached call's recording from others.
HEADER_SOURCE = "attach"


class AttachRecording:
    """Records every event of one `Session` (hook it with `follow`)."""

    def __init__(self, path: Path, *, endpoint: str, call_id: str) -> None:
        self.path = path
        self.recorder: SessionRecorder | None = SessionRecorder(
            path, endpoint=endpoint, protocol="ga", model="unknown",
            header_extra={"source": HEADER_SOURCE, "call_id": call_id})
        self.error: str | None = None
        self._session: Session | None = None

    @property
    def events_written(self) -> int:
        return self.recorder.events_written if self.recorder is not None else 0

    def follow(self, session: Session) -> None:
        self._session = session
        session.event_listeners.append(self._record)
        session.stats.recording = "on"
        session.stats.recording_path = str(self.path)

    def _record(self, payload: dict[str, Any]) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        try:
            recorder.on_realtime_event(payload)
        except OSError as exc:
            self.error = f"recording stopped: cannot write {self.path}: {exc.strerror or exc}"
            self.recorder = None
            recorder.close()
            if self._session is not None:
                self._session.stats.recording = "stopped"
                self._session.status(self.error, "error")

    def finish(self) -> None:
        if self.recorder is not None:
            self.recorder.close()
            self.recorder = None
