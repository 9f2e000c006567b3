"""One proxied session's recording, which must never get in the relay's way.

A thin guard around `SessionRecorder` (its public API only): the file is named by time,
model and session number; the header says it was made by the proxy, for which app and
which upstream; and any recorder error (disk full, file removed) stops this recording
with one logged line instead of reaching the relay.

Lines are spliced from the frames' own text (`SessionRecorder.record_texts`, which parses
each frame once, for the recording and the watchers alike) and buffered: the session
flushes them each time it observes its relayed frames (`OBSERVE_DELAY_S` after relaying
them) and at its end, so a killed proxy loses at most the frames of those last
milliseconds, and a stopped one (SIGTERM, Ctrl-C, the live view's quit) loses nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from console.recording.format import utc_now_iso
from console.recording.json_text import parse_event_text
from console.recording.paths import new_recording_path
from console.recording.writer import SessionRecorder

logger = logging.getLogger("console.proxy")
#: The header's `source`: how tools tell a proxied recording from the console's own.
HEADER_SOURCE = "proxy"
_INJECTED = {"injected": True}


class _Stamps:
    """ISO-8601 times (milliseconds, `Z`, as `utc_now_iso`) of epoch seconds: the date and
    time are formatted once per second, the milliseconds appended (a `datetime` call per
    burst of frames cost as much as parsing the burst's frames)."""

    def __init__(self) -> None:
        self._ms = -1
        self._second = -1
        self._prefix = ""  #: `YYYY-MM-DDTHH:MM:SS` of `_second`
        self._text = ""

    def __call__(self, epoch: float | None) -> str:
        if epoch is None:
            return utc_now_iso()
        ms = int(epoch * 1000)
        if ms != self._ms:
            self._ms = ms
            second, millis = divmod(ms, 1000)
            if second != self._second:
                self._second = second
                self._prefix = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            self._text = f"{self._prefix}.{millis:03d}Z"
        return self._text


def recording_path(directory: Path, *, model: str, session_id: int, now: datetime | None = None) -> Path:
    """A new file name such as `2026-11-24T15-46-02_gpt-realtime_proxy-3.jsonl` (sorts by time)."""
    return new_recording_path(directory, model=model, backend=f"proxy-{session_id}", now=now)


class ProxyRecording:
    """Records one session's frames; after an error it stops and stays stopped."""

    def __init__(self, recorder: SessionRecorder) -> None:
        self._recorder: SessionRecorder | None = recorder
        self.path = recorder.path
        self.error: str | None = None
        self._stamp = _Stamps()

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
            recorder = SessionRecorder(path, endpoint=upstream, protocol=protocol, model=model, header_extra=extra,
                                       buffered=True)
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

    def record_frames(self, frames: list[tuple[str, str | bytes, float | None, bool]]) -> list[dict[str, Any] | None]:
        """Append the events of relayed frames, `(source, text, received at, injected)`
        each (epoch seconds; None: now), in order, and return each frame's event (None: not
        an event, so not recorded). On any recorder error, stop recording with one logged
        line; the events are still returned."""
        recorder = self._recorder
        if recorder is not None:
            stamp = self._stamp
            try:
                return recorder.record_texts([(stamp(at), source, text, _INJECTED if injected else None)
                                              for source, text, at, injected in frames])
            except Exception as exc:  # noqa: BLE001 - whatever the recorder raises, the relay goes on
                self._fail(exc)
        return [parse_event_text(text) for _, text, _, _ in frames]

    def flush(self) -> None:
        """Write the lines recorded so far (after each burst of frames)."""
        recorder = self._recorder
        if recorder is None:
            return
        try:
            recorder.flush()
        except Exception as exc:  # noqa: BLE001 - whatever the recorder raises, the relay goes on
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        recorder = self._recorder
        self.error = f"{type(exc).__name__}: {exc}"
        logger.error("proxy: recording %s stopped after %d events (%s); the session is still relayed",
                     self.path, recorder.events_written if recorder is not None else 0, self.error)
        self._stop()

    def finish(self) -> None:
        """Write what is buffered and close the file."""
        self.flush()
        self._stop()

    def _stop(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            try:
                recorder.close()
            except OSError as exc:  # pragma: no cover - flushed just before
                logger.error("proxy: closing recording %s failed (%s)", self.path, exc)
