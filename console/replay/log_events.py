"""Events of a recording as the console's `EventStore` wants them, read cheaply.

The replay's log holds every event of the recording (row N is event N), filled by a
worker after indexing. Audio events are most of a recording's bytes, and the store keeps
only a marker with their size, so their payloads are never decoded: the base64 string is
cut out of the raw line (the line is then parsed without it) and replaced by a shared
stand-in of the same length. The detail pane reads the real payload back from the file.
A reconnected session's chain of files is read file by file (`Recording.segments`), and the
first event of each later file gets a `reconnect` mark (`reconnect_marks`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from console.lint.findings import Finding
from console.realtime.protocol import AUDIO_PAYLOAD_KEYS
from console.recording.chain import reconnect_text
from console.recording.reader import Recording

_PAYLOAD = {key: re.compile(rb'"' + key.encode() + rb'"\s*:\s*"') for key in set(AUDIO_PAYLOAD_KEYS.values())}


def _cut_payload(blob: bytes, start: int, end: int, key: str) -> tuple[bytes, int, int] | None:
    """The line `blob[start:end]` with its base64 audio string emptied, plus the string's
    length and padding.

    Base64 holds no quotes or escapes, so the string ends at the next quote: two C-speed
    searches in place instead of parsing (and then discarding) kilobytes of payload.
    """
    m = _PAYLOAD[key].search(blob, start, end)
    if m is None:
        return None
    begin = m.end()
    stop = blob.find(b'"', begin, end)
    if stop < 0:
        return None
    pad = 2 if blob[stop - 2 : stop] == b"==" else 1 if blob[stop - 1 : stop] == b"=" else 0
    return blob[start:begin] + blob[stop:end], stop - begin, pad


@lru_cache(maxsize=64)
def _stand_in(length: int, pad: int) -> str:
    """A base64-shaped string of a payload's length: shared, since chunks repeat sizes."""
    return "A" * (length - pad) + "=" * pad


def log_events(rec: Recording, lo: int, hi: int) -> list[tuple[str, dict[str, Any], float]]:
    """(source, event, seconds) of events `lo..hi-1`, for an `EventStore`.

    Audio payloads are not decoded: each is replaced by a stand-in string of the same
    length (so the store's "N bytes = M ms" marker is right), and the store drops it
    anyway; the detail pane can read the real payload back from the recording. A damaged
    line becomes a placeholder event, so store row N is always recording event N.
    """
    out: list[tuple[str, dict[str, Any], float]] = []
    for part, first, end, _, shift in rec.segments(lo, hi):
        rows = _file_events(part, first, end)
        out.extend(rows if not shift else [(source, event, t + shift) for source, event, t in rows])
    return out


def _file_events(rec: Recording, lo: int, hi: int) -> list[tuple[str, dict[str, Any], float]]:
    """`log_events` within one file (its lines are contiguous: one read for the batch)."""
    out: list[tuple[str, dict[str, Any], float]] = []
    if hi <= lo:
        return out
    index = rec.index
    times = index.times[lo:hi].tolist()
    type_ids = index.type_ids[lo:hi].tolist()
    sources = index.sources[lo:hi].tolist()
    offsets = index.offsets[lo:hi].tolist()
    lengths = index.lengths[lo:hi].tolist()
    types = index.types
    loads = json.loads
    base = offsets[0]
    with open(rec.path, "rb") as f:  # one read for the whole batch: lines are contiguous
        f.seek(base)
        blob = f.read(offsets[-1] + lengths[-1] - base)
    for k in range(hi - lo):
        etype = types[type_ids[k]]
        source = "client" if sources[k] == 0 else "server"
        key = AUDIO_PAYLOAD_KEYS.get(etype)
        start = offsets[k] - base
        end = start + lengths[k]
        try:
            cut = _cut_payload(blob, start, end, key) if key is not None else None
            obj = loads(cut[0] if cut is not None else blob[start:end])
            if isinstance(obj, dict) and isinstance(obj.get("event"), dict):
                obj = obj["event"]
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            if cut is not None:
                obj[key] = _stand_in(cut[1], cut[2])
        except (ValueError, UnicodeDecodeError) as exc:
            obj = {"type": etype, "replay_warning": f"damaged line skipped: {str(exc)[:80]}"}
        out.append((source, obj, times[k]))
    return out


def reconnect_marks(rec: Recording) -> dict[int, list[Finding]]:
    """The log's mark on the first event of each later file of a chain (a reconnect), by
    event number: shown like a lint finding (`⚑` in the row, the line in the detail), at
    severity `info` under the name `reconnect`. Empty for a single file."""
    return {n: [Finding("reconnect", "info", reconnect_text(boundary), (n,))]
            for n, boundary in rec.boundaries.items()}
