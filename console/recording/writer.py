"""`SessionRecorder`: appends a session's events to a recording as they happen.

It runs on the UI's event loop, so each `record` is one `json.dumps`, one `os.write` of a
whole line, and nothing else: no Python-level buffering (a crash or a kill loses at most
the event in flight), no fsync (that would cost milliseconds per event). Redaction of small
events is a substring pre-check on the serialised line (the structural walk only runs when
it finds something that looks like a secret); audio events, whose lines are mostly base64,
are walked instead, which touches the payload twice rather than once per marker.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from console.realtime.protocol import AUDIO_PAYLOAD_KEYS

from .format import SOURCES, line_has_secret_marker, make_header, redact, utc_now_iso


class RecorderClosedError(RuntimeError):
    """`record` was called after `close`."""


class SessionRecorder:
    """Writes one recording file: a header, then one line per `realtime.event`.

    The file is created with mode 0600 (through `os.open`, so it is never readable by others,
    not even for an instant) inside a directory created with mode 0700. An existing file at
    `path` is truncated and made 0600.

    Usage with the client library::

        recorder = SessionRecorder(path, endpoint=url, protocol="ga", model="gpt-realtime")
        client.on("realtime.event", recorder.on_realtime_event)
        ...
        recorder.close()

    Write failures (disk full, file removed from under us) raise `OSError` from `record`;
    the caller decides whether to stop recording or the session.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        endpoint: str,
        protocol: str,
        model: str,
        started_at: str | None = None,
    ) -> None:
        """Create the file and write the header.

        Args:
            path: where to write; parent directories are created (mode 0700).
            endpoint: the URL connected to (secret query parameters are redacted).
            protocol: "ga" or "beta".
            model: the session's model.
            started_at: ISO-8601 start time; default now.
        """
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(self.path, flags, 0o600)
        try:
            os.fchmod(self._fd, 0o600)  # the mode argument only applies to new files
        except (AttributeError, OSError):  # pragma: no cover - platforms without fchmod
            pass
        self.header = make_header(endpoint=endpoint, protocol=protocol, model=model, started_at=started_at)
        self.events_written = 0
        self.bytes_written = 0
        self._write_line(json.dumps(self.header, ensure_ascii=False))

    @property
    def closed(self) -> bool:
        return self._fd is None

    def record(self, time_iso: str | None, source: str, event: dict[str, Any]) -> None:
        """Append one event (the caller's `event` is never modified).

        Args:
            time_iso: when the event was sent or received (ISO-8601); None means now.
            source: "client" or "server".
            event: the event as sent or received.

        Raises:
            ValueError: an unknown source or an event that is not a dict with a `type`.
            RecorderClosedError: after `close`.
            OSError: the write failed.
        """
        if self._fd is None:
            raise RecorderClosedError(f"recorder for {self.path} is closed")
        if source not in SOURCES:
            raise ValueError(f"source must be 'client' or 'server', not {source!r}")
        if not isinstance(event, dict) or "type" not in event:
            raise ValueError("event must be a dict with a 'type'")
        if next(iter(event)) != "type":
            # `type` first lets the indexer read it without parsing the line (see index.py).
            event = {"type": event["type"], **event}
        if event["type"] in AUDIO_PAYLOAD_KEYS:
            # Megabytes of base64: walking the event (a few keys, two substring checks on
            # the payload) is cheaper than scanning the serialised line for every marker.
            event = redact(event)
        line = json.dumps(
            {"time": time_iso or utc_now_iso(), "source": source, "event": event}, ensure_ascii=False
        )
        if event["type"] not in AUDIO_PAYLOAD_KEYS and line_has_secret_marker(line):
            line = json.dumps(
                {"time": time_iso or utc_now_iso(), "source": source, "event": redact(event)}, ensure_ascii=False
            )
        self._write_line(line)
        self.events_written += 1

    def on_realtime_event(self, payload: dict[str, Any]) -> None:
        """Handler for the client's `realtime.event` (`{"time", "source", "event"}`)."""
        self.record(payload.get("time"), payload["source"], payload["event"])

    def _write_line(self, line: str) -> None:
        assert self._fd is not None
        data = memoryview((line + "\n").encode("utf-8"))
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
            self.bytes_written += written

    def close(self) -> None:
        """Close the file (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> "SessionRecorder":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten recorder must not leak its descriptor
        try:
            self.close()
        except Exception:
            pass
