"""One proxied session's recording, which must never get in the relay's way.

A thin guard around `SessionRecorder` (its public API only): the file is named by time,
model and session number; the header says it was made by the proxy, for which app and
which upstream; and any recorder error (disk full, file removed) stops this recording
with one logged line instead of reaching the relay.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from console.recording.writer import SessionRecorder

logger = logging.getLogger("console.proxy")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: The header's `source`: how tools tell a proxied recording from the console's own.
HEADER_SOURCE = "proxy"
_INJECTED = {"injected": True}


def recording_path(directory: Path, *, model: str, session_id: int, now: datetime | None = None) -> Path:
    """A new file name such as `2026-11-24T15-46-02_gpt-realtime_proxy-3.jsonl` (sorts by time)."""
    stamp = (now or datetime.now(timezone.utc).astimezone()).strftime("%Y-%m-%dT%H-%M-%S")
    stem = f"{stamp}_{_UNSAFE.sub('-', model).strip('-.') or 'unknown'}_proxy-{session_id}"
    candidate = directory / f"{stem}.jsonl"
    n = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{n}.jsonl"
        n += 1
    return candidate


class ProxyRecording:
    """Records one session's frames; after an error it stops and stays stopped."""

    def __init__(self, recorder: SessionRecorder) -> None:
        self._recorder: SessionRecorder | None = recorder
        self.path = recorder.path
        self.error: str | None = None

    @classmethod
    def open(cls, directory: Path, *, session_id: int, app: str, upstream: str, protocol: str,
             model: str, call_id: str | None = None) -> ProxyRecording | None:
        """Create the file, or log why not and return None (the session is relayed anyway).

        `call_id`: the WebRTC call a sideband session watches (the header names it)."""
        extra: dict[str, Any] = {"source": HEADER_SOURCE, "app": app, "upstream": upstream,
                                 "proxy_session": session_id}
        if call_id is not None:
            extra["call_id"] = call_id
        try:
            path = recording_path(directory, model=model, session_id=session_id)
            recorder = SessionRecorder(path, endpoint=upstream, protocol=protocol, model=model, header_extra=extra)
        except (OSError, ValueError) as exc:
            logger.error("proxy: session %d is not recorded: cannot create a recording in %s (%s)",
                         session_id, directory, exc)
            return None
        return cls(recorder)

    @property
    def recorder(self) -> SessionRecorder | None:
        """The recorder while recording (None once stopped)."""
        return self._recorder

    @property
    def active(self) -> bool:
        return self._recorder is not None

    @property
    def events_written(self) -> int:
        return self._recorder.events_written if self._recorder is not None else 0

    def record(self, source: str, event: dict[str, Any], *, injected: bool = False) -> None:
        """Append one event; on any recorder error, stop recording with one logged line."""
        recorder = self._recorder
        if recorder is None:
            return
        try:
            recorder.record(None, source, event, marks=_INJECTED if injected else None)
        except Exception as exc:  # noqa: BLE001 - whatever the recorder raises, the relay goes on
            self.error = f"{type(exc).__name__}: {exc}"
            logger.error("proxy: recording %s stopped after %d events (%s); the session is still relayed",
                         self.path, recorder.events_written, self.error)
            self._stop()

    def finish(self) -> None:
        """Close the file (every line is already written: the recorder does not buffer)."""
        self._stop()

    def _stop(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            try:
                recorder.close()
            except OSError as exc:  # pragma: no cover - close of a plain fd
                logger.error("proxy: closing recording %s failed (%s)", self.path, exc)
