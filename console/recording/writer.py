"""`SessionRecorder`: appends a session's events to a recording as they happen.

It runs on the UI's event loop, so each `record` is one `json.dumps`, one `os.write` of a
whole line, and nothing else: by default no Python-level buffering (a crash or a kill
loses at most the event in flight; see `buffered` below for a relay's bursts), no fsync (that would cost milliseconds per event). Redaction of small
events is a substring pre-check on the serialised line (the structural walk only runs when
it finds something that looks like a secret); audio events, whose lines are mostly base64,
are walked instead, which touches the payload twice rather than once per marker.

Text is written as UTF-8 and left readable (`ensure_ascii=False`), except for lone UTF-16
surrogates (`"\\ud83d"`: legal JSON, and what a text delta that splits an emoji's surrogate
pair decodes to), which UTF-8 cannot encode: only those are written as `\\uXXXX` escapes,
which JSON readers turn back into the same code point. The escape pass runs only when the
plain encode fails, so ordinary lines cost nothing more.

A relay (the proxy) has each event as the JSON text it received: `record_texts` parses
each text once and splices it into the line instead of serialising the event again, when
the text can stand there as is (one line, `type` first, nothing to redact); readers get
the same event either way. With `buffered=True` lines collect in memory until `flush()`
(the caller flushes after each burst of events; `finish`/`close` flush too), so a kill
loses at most the burst not yet flushed rather than one event: one `os.write` per burst
instead of per line.

One bad event never stops a recording: an event that cannot be serialised (not a dict,
no `type`, an unknown source, a value JSON cannot hold, nesting too deep) is written as a
marker line `{"time", "source", "unrecorded": {"type", "reason"}}` in its place, so line
numbers stay aligned with the caller's count of events and readers report the gap with
its line number; `events_unrecorded` counts them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from console.realtime.protocol import AUDIO_PAYLOAD_KEYS

from .format import (
    CONTINUED_KEY,
    SOURCES,
    UNRECORDED_KEY,
    line_has_secret_marker,
    make_header,
    redact,
    utc_now_iso,
)
from .json_text import parse_event_text
from .paths import make_private_dirs

#: Event text that can be spliced into a line as is: an object whose first key is a plain
#: `type` string, which is what the indexer's fast path reads (see index.py).
_SPLICEABLE = re.compile(r'\{\s*"type"\s*:\s*"([^"\\]*)"')
_encode_string = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses

#: A lone UTF-16 surrogate (UTF-8 cannot encode one; JSON writes it as `\uXXXX`).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _holds_image(event: dict[str, Any]) -> bool:
    """Whether the event's item carries an `input_image` part (a data URL of up to 13 MiB)."""
    item = event.get("item")
    content = item.get("content") if isinstance(item, dict) else None
    return isinstance(content, list) and any(isinstance(p, dict) and p.get("type") == "input_image" for p in content)


def encode_line(line: str) -> bytes:
    """A JSON text as UTF-8 bytes, with lone surrogates written as JSON `\\uXXXX` escapes.

    Surrogates can only occur inside JSON string literals (keys or values), where the
    escape means the same code point, so the line parses back to the same value.
    """
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(_escape_surrogate, line).encode("utf-8")


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

    Read-back: the recorder remembers where each event's line starts (one int64 per event,
    8 bytes) and `read_event(n)` reads line `n` back with `os.pread` on a read-only
    descriptor of its own, opened with the file. That is how the event log shows a full
    audio payload without holding it a second time in memory. `finish()` stops
    writing but keeps that descriptor, so a finished recording (after a reconnect) stays
    readable even if the file is renamed or deleted; `close()` releases both.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        endpoint: str,
        protocol: str,
        model: str,
        started_at: str | None = None,
        header_extra: dict[str, Any] | None = None,
        buffered: bool = False,
    ) -> None:
        """Create the file and write the header.

        Args:
            path: where to write; parent directories are created (mode 0700).
            endpoint: the URL connected to (secret query parameters are redacted).
            protocol: "ga" or "beta".
            model: the session's model.
            started_at: ISO-8601 start time; default now.
            header_extra: further header fields (redacted; they never replace the
                format's own), e.g. a proxy's `{"source": "proxy", "app": ...}`.
            buffered: keep lines in memory until `flush()` (see the module docstring).
        """
        self.path = Path(path)
        make_private_dirs(self.path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(self.path, flags, 0o600)
        try:
            os.fchmod(self._fd, 0o600)  # the mode argument only applies to new files
        except (AttributeError, OSError):  # pragma: no cover - platforms without fchmod
            pass
        self.header = make_header(endpoint=endpoint, protocol=protocol, model=model, started_at=started_at)
        for key, value in redact(header_extra or {}).items():
            self.header.setdefault(key, value)
        self.events_written = 0
        #: Events written as an `unrecorded` marker line instead (see the module docstring).
        self.events_unrecorded = 0
        self.bytes_written = 0
        self._buffered = buffered
        #: Lines not yet written (buffered mode); `bytes_written` already counts them.
        self._pending: list[bytes] = []
        try:
            self._read_fd: int | None = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:  # pragma: no cover - a write-only mount: recording works, read-back does not
            self._read_fd = None
        #: `_line_starts[n]` is where event line `n` starts; it ends at its newline, at or
        #: before `_line_starts[n + 1]`.
        self._line_starts = np.zeros(1024, np.int64)
        self._write_line(encode_line(json.dumps(self.header, ensure_ascii=False)))
        self.flush()  # the header is on disk as soon as the recording exists
        self._line_starts[0] = self.bytes_written

    @property
    def closed(self) -> bool:
        """No more events can be recorded (after `finish` or `close`)."""
        return self._fd is None

    @property
    def readable(self) -> bool:
        """`read_event` can still read lines back (until `close`)."""
        return self._read_fd is not None

    def record(
        self, time_iso: str | None, source: str, event: dict[str, Any], *, marks: dict[str, Any] | None = None
    ) -> None:
        """Append one event (the caller's `event` is never modified).

        An event that cannot be recorded (not a dict with a `type`, an unknown source, a
        value JSON cannot represent) takes one line all the same, as an `unrecorded`
        marker saying why (see the module docstring): it never raises for the event.

        Args:
            time_iso: when the event was sent or received (ISO-8601); None means now.
            source: "client" or "server".
            event: the event as sent or received.
            marks: flags added to the line after `event` (e.g. `{"injected": true}` for an
                event a proxy sent on its own); the event itself stays as it was sent.

        Raises:
            RecorderClosedError: after `close`.
            OSError: the write failed.
        """
        if self._fd is None:
            raise RecorderClosedError(f"recorder for {self.path} is closed")
        if not isinstance(time_iso, str):
            time_iso = utc_now_iso()
        try:
            line = self._serialise(time_iso, source, event, marks)
        except Exception as exc:  # noqa: BLE001 - whatever one event does, the rest get recorded
            line = self._marker(time_iso, source, event, exc)
            self.events_unrecorded += 1
        self._append(line)

    def record_texts(self, frames: Iterable[tuple[str | None, str, str | bytes, dict[str, Any] | None]]
                     ) -> list[dict[str, Any] | None]:
        """Append the events that relayed frames hold, in order; return each frame's event.

        `frames`: `(time_iso, source, text, marks)` each, as `record` takes them but with
        the frame's JSON text in place of the event. A frame that is not an event (binary,
        not JSON, no string `type`; see `parse_event_text`) is returned as None and takes
        no line.

        The line holds the text itself when it can stand there as is (a single line whose
        first key is `type`, and nothing to redact); else the event is serialised as
        `record` does it. Readers get the same event either way, and only text that parsed
        is ever spliced: the one parse per frame both proves that and gives the event the
        caller gets back (a relay's watchers need it too). A run of spliced lines is
        appended at once (`_append_lines`).

        Raises:
            RecorderClosedError: after `close`.
            OSError: the write failed.
        """
        if self._fd is None:
            raise RecorderClosedError(f"recorder for {self.path} is closed")
        events: list[dict[str, Any] | None] = []
        lines: list[bytes] = []
        splice, needs_redaction = _SPLICEABLE.match, self._needs_redaction
        stamp, encoded_stamp = None, ""
        for time_iso, source, text, marks in frames:
            event = parse_event_text(text)
            events.append(event)
            if event is None:
                continue
            assert isinstance(text, str)  # parse_event_text found an event in it
            if not isinstance(time_iso, str):
                time_iso = utc_now_iso()
            match = splice(text)
            if (match is None or source not in SOURCES
                    or match.group(1) != event["type"]  # a repeated `type` key: the last one counts
                    or "\n" in text or "\r" in text or needs_redaction(text, event)):
                if lines:
                    self._append_lines(lines)
                    lines = []
                self.record(time_iso, source, event, marks=marks)
                continue
            if time_iso is not stamp:  # a burst's frames share one time
                stamp, encoded_stamp = time_iso, _encode_string(time_iso)
            line = f'{{"time": {encoded_stamp}, "source": "{source}", "event": {text}'
            if marks:
                line += ", " + json.dumps(redact(marks), ensure_ascii=False)[1:]
            else:
                line += "}"
            lines.append(encode_line(line))
        if lines:
            self._append_lines(lines)
        return events

    def record_text(self, time_iso: str | None, source: str, text: str | bytes, *,
                    marks: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """`record_texts` for one frame: its event (None: not an event, not recorded)."""
        return self.record_texts([(time_iso, source, text, marks)])[0]

    def _append(self, line: bytes) -> None:
        # Set before writing: after a failed, partial write the next line starts after it.
        self._line_starts[self.events_written] = self.bytes_written
        self._write_line(line)
        n = self.events_written + 1
        self._reserve(n)
        self._line_starts[n] = self.bytes_written
        self.events_written = n

    def _append_lines(self, lines: list[bytes]) -> None:
        """`_append` for a run of lines: buffered, one extend of the pending lines and one
        slice of the line starts instead of two numpy item writes a line."""
        if not self._buffered:
            for line in lines:
                self._append(line)
            return
        n, count = self.events_written, len(lines)
        self._reserve(n + count)
        end = self.bytes_written
        ends = []
        for line in lines:
            end += len(line) + 1
            ends.append(end)
        self._line_starts[n + 1:n + count + 1] = ends
        self._pending.extend(lines)
        self.bytes_written = end
        self.events_written = n + count

    def _reserve(self, last: int) -> None:
        """Make room for `_line_starts[last]` (doubling, so appends stay amortised O(1))."""
        size = len(self._line_starts)
        if last >= size:
            grown = np.zeros(max(2 * size, last + 1), np.int64)
            grown[:size] = self._line_starts
            self._line_starts = grown

    def _serialise(self, time_iso: str, source: str, event: dict[str, Any],
                   marks: dict[str, Any] | None = None) -> bytes:
        """The event's line as bytes; raises for an event that cannot be recorded."""
        if source not in SOURCES:
            raise ValueError(f"source must be 'client' or 'server', not {source!r}")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError("event must be a dict with a string 'type'")
        if next(iter(event)) != "type":
            # `type` first lets the indexer read it without parsing the line (see index.py).
            event = {"type": event["type"], **event}
        audio = event["type"] in AUDIO_PAYLOAD_KEYS or _holds_image(event)
        if audio:
            # Megabytes of base64 (audio, or an image's data URL): walking the event (a few
            # keys, two substring checks on the payload) is cheaper than scanning the
            # serialised line for every marker.
            event = redact(event)
        line = json.dumps({"time": time_iso, "source": source, "event": event}, ensure_ascii=False)
        if not audio and line_has_secret_marker(line):
            line = json.dumps({"time": time_iso, "source": source, "event": redact(event)}, ensure_ascii=False)
        if marks:
            line = line[:-1] + ", " + json.dumps(redact(marks), ensure_ascii=False)[1:]
        return encode_line(line)

    @staticmethod
    def _needs_redaction(text: str, event: dict[str, Any]) -> bool:
        """Whether `text` (parsed: `event`) holds something `redact` would change; the same
        two strategies as `_serialise`: a walk for audio events, a marker scan for others."""
        if event["type"] in AUDIO_PAYLOAD_KEYS:
            return redact(event) is not event
        return line_has_secret_marker(text)

    @staticmethod
    def _marker(time_iso: str, source: Any, event: Any, exc: BaseException) -> bytes:
        """The `unrecorded` marker line standing for an event that could not be recorded."""
        etype = event.get("type") if isinstance(event, dict) else None
        marker = {
            "time": time_iso,
            "source": source if source in SOURCES else "server",
            UNRECORDED_KEY: {
                "type": etype if isinstance(etype, str) else None,
                "reason": f"{exc.__class__.__name__}: {str(exc)[:200]}",
            },
        }
        return encode_line(json.dumps(redact(marker), ensure_ascii=False))

    def read_event(self, n: int) -> dict[str, Any]:
        """Event line `n` (0-based, in recording order) read back from the file.

        Returns the recorded `{"time", "source", "event"}` object. One `os.pread` of
        exactly that line: nothing is cached, so the payload lives in memory only while the
        caller holds it.

        Raises:
            IndexError: `n` is not an event recorded by this recorder.
            OSError: the recorder is closed, or the read failed.
            ValueError: the line read back is not the JSON object written (the file was
                changed under us).
        """
        if not 0 <= n < self.events_written:
            raise IndexError(f"event line {n} out of range (0..{self.events_written - 1})")
        self.flush()
        fd = self._read_fd
        if fd is None:
            raise OSError(f"recording {self.path} is closed")
        start = int(self._line_starts[n])
        size = int(self._line_starts[n + 1]) - start
        data = os.pread(fd, size, start)
        while len(data) < size:  # pread may return short on some filesystems
            more = os.pread(fd, size - len(data), start + len(data))
            if not more:
                raise ValueError(f"recording {self.path} is shorter than what was written")
            data += more
        # Up to the line's own newline: after a failed write, the bytes that did reach the
        # disk sit between this line and the next one.
        end = data.find(b"\n")
        record = json.loads(data if end < 0 else data[:end])
        if not isinstance(record, dict) or not isinstance(record.get("event"), dict):
            raise ValueError(f"line {n} of {self.path} is not an event record")
        return record

    def on_realtime_event(self, payload: dict[str, Any]) -> None:
        """Handler for the client's `realtime.event` (`{"time", "source", "event"}`)."""
        self.record(payload.get("time"), payload.get("source"), payload.get("event"))  # type: ignore[arg-type]

    def _write_line(self, line: bytes) -> None:
        assert self._fd is not None
        if self._buffered:
            self._pending.append(line)
            self.bytes_written += len(line) + 1
            return
        data = memoryview(line + b"\n")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]
            self.bytes_written += written

    def finish_continued(self, next_file: str | os.PathLike[str], session_id: str | None = None) -> None:
        """End the file with the trailer naming the file the session goes on in, then `finish`.

        The trailer is not an event (it takes no event number); readers use it to follow
        a reconnected session forward (see `format.py` and `chain.py`). A failed write
        still finishes the file: the next file's header links back all the same.
        """
        if self._fd is not None:
            trailer = {"time": utc_now_iso(), CONTINUED_KEY: {"file": Path(next_file).name, "session_id": session_id}}
            try:
                self._write_line(encode_line(json.dumps(redact(trailer), ensure_ascii=False)))
            except OSError:
                pass
        self.finish()

    @property
    def unflushed(self) -> int:
        """Lines recorded but not yet written (buffered mode)."""
        return len(self._pending)

    def flush(self) -> None:
        """Write the buffered lines in one `os.write` (nothing to do unbuffered).

        Raises:
            OSError: the write failed; the lines not written are dropped (a caller that
                goes on recording after that gets a file with a gap, as after any failed write).
        """
        if not self._pending or self._fd is None:
            return
        data = memoryview(b"\n".join(self._pending) + b"\n")
        self._pending = []
        while data:
            data = data[os.write(self._fd, data):]

    def finish(self) -> None:
        """Write what is buffered, then stop recording but keep the lines readable by
        `read_event` (idempotent)."""
        if self._fd is None:
            return
        try:
            self.flush()
        finally:
            fd, self._fd = self._fd, None
            os.close(fd)

    def close(self) -> None:
        """Close the file, for writing and reading (idempotent)."""
        self.finish()
        fd, self._read_fd = getattr(self, "_read_fd", None), None
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
