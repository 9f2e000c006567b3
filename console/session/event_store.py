"""A compact, append-only store of every Realtime event a session logs.

The event log must hold a million events in a few hundred MB and stay responsive, so the
store keeps no Python object per event: fixed-width numpy columns (time, type id,
direction, arena offset and length, fold group, delta size, event-id hash) plus the events
themselves as compact JSON in 1 MiB byte blocks. Base64 audio is replaced by a short
marker before storing (the conversation's arrays or the recording hold the audio; a
`payload_reader` callback can fetch it back), so audio is never held twice.
An image's data URL in an item's content is replaced the same way (by its type, size and
dimensions; the recording keeps it whole). Everything that scales with the log (filtering, search, folding) is numpy over the
columns or C-speed byte scans over the blocks; `event(i)` decodes one event on demand.

No Textual here: this is the model the `widgets.event_log.EventLog` view renders.
"""

from __future__ import annotations

import json
import time as _time
from bisect import bisect_right
from typing import Any, Callable, Iterable

import numpy as np

from console.session.event_summary import (
    audio_marker,
    base64_decoded_size,
    image_marker,
    is_image_data_url,
    summarize,
    summarize_fold,
)
from console.realtime.mcp import mask_mcp_secrets
from console.realtime.protocol import AUDIO_PAYLOAD_KEYS, DELTA_EVENTS, session_audio_codecs

SOURCES: tuple[str, ...] = ("client", "server")
BOTH: frozenset[str] = frozenset(SOURCES)
BLOCK_SIZE = 1 << 20
_MAX_TYPES = 60_000
_OTHER_TYPE = "(other)"
_SEARCH_CHUNK = 4096
#: Up to this many candidate events, a text filter checks each one instead of scanning.
_NARROW_LIMIT = 2000
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _id_hash(event_id: Any) -> int:
    """A non-zero 64-bit hash of an event id (0 means "no id")."""
    if not isinstance(event_id, str) or not event_id:
        return 0
    return hash(event_id) or 1


def _abbreviate_part(part: Any, codec: str) -> Any:
    """A content part with its base64 audio or image data URL replaced by a marker."""
    if not isinstance(part, dict):
        return part
    if isinstance(part.get("audio"), str):
        part = {**part, "audio": audio_marker(base64_decoded_size(part["audio"]), codec)}
    if is_image_data_url(part.get("image_url")):
        part = {**part, "image_url": image_marker(part["image_url"])}
    return part


def _abbreviate_item(item: Any, codec: str) -> Any:
    """A copy of a conversation item with base64 audio and image data URLs in its content
    parts replaced (the item itself when it holds neither)."""
    if not isinstance(item, dict) or not isinstance(item.get("content"), list):
        return item
    parts = item["content"]
    if not any(isinstance(p, dict) and (isinstance(p.get("audio"), str) or is_image_data_url(p.get("image_url")))
               for p in parts):
        return item
    return {**item, "content": [_abbreviate_part(p, codec) for p in parts]}


#: Events whose session or response may list tools (MCP tools carry credentials).
_TOOL_HOLDERS = frozenset({"session.update", "session.created", "session.updated", "response.create"})


def _abbreviate_response_input(event: dict[str, Any], codec: str) -> dict[str, Any]:
    """A `response.create` with the items of its `response.input` abbreviated (the same
    event when none holds audio or an image)."""
    response = event.get("response")
    inputs = response.get("input") if isinstance(response, dict) else None
    if not isinstance(inputs, list):
        return event
    items = [_abbreviate_item(item, codec) for item in inputs]
    if all(a is b for a, b in zip(items, inputs)):
        return event
    return {**event, "response": {**response, "input": items}}  # type: ignore[dict-item]


#: What every image marker starts with (see `event_summary.image_marker`).
_IMAGE_MARK = b'"<image'


def _items_of(event: dict[str, Any]) -> list[Any]:
    """The items an event carries whose parts may hold images: its `item`, or a
    `response.create`'s `response.input`."""
    if "item" in event:
        return [event["item"]]
    response = event.get("response")
    inputs = response.get("input") if isinstance(response, dict) else None
    return inputs if isinstance(inputs, list) else []


def _restore_images(event: dict[str, Any], full: dict[str, Any]) -> None:
    """Put back, in place, each image marker of `event` whose part in `full` (the same
    item, the same position) holds the data URL."""
    for item, whole in zip(_items_of(event), _items_of(full)):
        parts = item.get("content") if isinstance(item, dict) else None
        whole_parts = whole.get("content") if isinstance(whole, dict) else None
        if not isinstance(parts, list) or not isinstance(whole_parts, list):
            continue
        for part, whole_part in zip(parts, whole_parts):
            if (isinstance(part, dict) and isinstance(whole_part, dict) and isinstance(part.get("image_url"), str)
                    and part["image_url"].startswith("<image") and is_image_data_url(whole_part.get("image_url"))):
                part["image_url"] = whole_part["image_url"]


class EventStore:
    """Every logged event, in arrival order, in compact columns (see module docstring)."""

    def __init__(
        self,
        start_time: float | None = None,
        *,
        payload_reader: Callable[[int], str | None] | None = None,
    ) -> None:
        """Args:
        start_time: epoch seconds that rows count from; None means the first event's time.
        payload_reader: returns the original base64 audio of event `index`, if the app
            can read it back (from the recording or the conversation arrays).
        """
        self.start_time = start_time
        self.payload_reader = payload_reader
        #: For the detail pane: where `payload_reader` reads from, and why a payload it
        #: cannot give is missing (set by whoever installs the reader).
        self.payload_source = "the recording"
        self.payload_missing = "no recording or conversation holds it"
        #: Returns event `index` with its images whole (as recorded, or an `{"item": ...}`
        #: holding the item's parts from the conversation), for copying an image event.
        self.image_reader: Callable[[int], dict[str, Any] | None] | None = None
        #: Codecs used to turn audio byte counts into durations; follows session events.
        self.input_codec = "pcm16"
        self.output_codec = "pcm16"
        self._n = 0
        cap = 1024
        self._time = np.zeros(cap, np.float64)
        self._type = np.zeros(cap, np.uint16)
        self._src = np.zeros(cap, np.uint8)
        self._off = np.zeros(cap, np.int64)
        self._len = np.zeros(cap, np.uint32)
        self._group = np.zeros(cap, np.int32)
        self._size = np.zeros(cap, np.uint32)
        self._idhash = np.zeros(cap, np.int64)
        self._types: list[str] = []
        self._type_ids: dict[str, int] = {}
        self._blocks: list[bytearray] = [bytearray()]
        self._starts: list[int] = [0]
        self._open: dict[tuple[int, int, str | None], int] = {}
        self._error_cause: dict[int, int] = {}
        self._cause_errors: dict[int, list[int]] = {}
        self._pending_causes: dict[int, list[int]] = {}

    # --- writing ------------------------------------------------------------------

    def _grow(self) -> None:
        cap = 2 * len(self._time)
        for name in ("_time", "_type", "_src", "_off", "_len", "_group", "_size", "_idhash"):
            old = getattr(self, name)
            new = np.zeros(cap, old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def _type_id(self, etype: str) -> int:
        tid = self._type_ids.get(etype)
        if tid is None:
            if len(self._types) >= _MAX_TYPES:
                return self._type_id(_OTHER_TYPE) if etype != _OTHER_TYPE else len(self._types) - 1
            tid = len(self._types)
            self._types.append(etype)
            self._type_ids[etype] = tid
        return tid

    def _write(self, data: bytes) -> int:
        block = self._blocks[-1]
        if block and len(block) + len(data) > BLOCK_SIZE:
            self._starts.append(self._starts[-1] + len(block))
            block = bytearray()
            self._blocks.append(block)
        offset = self._starts[-1] + len(block)
        block += data
        return offset

    def append(self, source: str, event: dict[str, Any], time: float | None = None) -> int:
        """Log one event and return its index.

        Args:
            source: "client" (sent) or "server" (received).
            event: the event as sent or received; it is not modified.
            time: epoch seconds (default now).
        """
        now = _time.time() if time is None else float(time)
        if self.start_time is None:
            self.start_time = now
        if not isinstance(event, dict):
            event = {"type": "(not an object)", "value": event}
        raw_type = event.get("type")
        etype = raw_type if isinstance(raw_type, str) and raw_type else "(no type)"
        src = 0 if source == "client" else 1
        codec = self.input_codec if src == 0 else self.output_codec
        stored = event
        size = 0
        key = AUDIO_PAYLOAD_KEYS.get(etype)
        if key is not None and isinstance(event.get(key), str):
            size = base64_decoded_size(event[key])
            stored = {**event, key: audio_marker(size, codec)}
        elif isinstance(event.get("delta"), str):
            size = len(event["delta"])
        if "item" in event:
            item = _abbreviate_item(event["item"], codec)
            if item is not event["item"]:
                stored = {**stored, "item": item}
        elif etype in _TOOL_HOLDERS:
            # MCP credentials never reach the log, however the event was sent (a `/send`
            # typed by hand, a proxied app, an echo); a response's input items are
            # abbreviated like `conversation.item.create`'s.
            stored = _abbreviate_response_input(mask_mcp_secrets(stored), codec)
        if src == 1 and etype in ("session.created", "session.updated") and isinstance(event.get("session"), dict):
            try:
                self.input_codec, self.output_codec = session_audio_codecs(event["session"])
            except Exception:  # a malformed session must not stop logging
                pass
        data = _ENCODER.encode(stored).encode("utf-8", "replace")
        n = self._n
        if n == len(self._time):
            self._grow()
        tid = self._type_id(etype)
        if etype in DELTA_EVENTS:
            item_id = event.get("item_id")
            fold_key = (tid, src, item_id if isinstance(item_id, str) else None)
            head = self._open.setdefault(fold_key, n)
        else:
            head = n
            if self._open:
                self._open = {k: v for k, v in self._open.items() if k[1] != src}
        h = _id_hash(event.get("event_id"))
        self._time[n] = now - self.start_time
        self._type[n] = tid
        self._src[n] = src
        self._off[n] = self._write(data)
        self._len[n] = len(data)
        self._group[n] = head
        self._size[n] = min(size, 0xFFFFFFFF)
        self._idhash[n] = h
        self._n = n + 1
        if etype == "error":
            self._link_error(n, event.get("error"))
        elif src == 0 and h and self._pending_causes:
            for err in self._pending_causes.pop(h, ()):
                self._link(err, n)
        return n

    def extend(self, source: str, events: Iterable[dict[str, Any]], time: float | None = None) -> None:
        """Log several events from one source (same time unless each gets its own)."""
        for event in events:
            self.append(source, event, time)

    def _link(self, error: int, cause: int) -> None:
        self._error_cause[error] = cause
        self._cause_errors.setdefault(cause, []).append(error)

    def _link_error(self, index: int, err: Any) -> None:
        cause_id = err.get("event_id") if isinstance(err, dict) else None
        h = _id_hash(cause_id)
        if not h:
            return
        cause = self._find_hash(h, cause_id, self._n - 1, source=0)
        if cause is None:
            self._pending_causes.setdefault(h, []).append(index)
        else:
            self._link(index, cause)

    # --- reading ------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    def _check(self, index: int) -> int:
        if index < 0:
            index += self._n
        if not 0 <= index < self._n:
            raise IndexError(f"event index {index} out of range (0..{self._n - 1})")
        return index

    def raw(self, index: int) -> bytes:
        """The stored JSON bytes of an event (audio abbreviated)."""
        index = self._check(index)
        off = int(self._off[index])
        b = bisect_right(self._starts, off) - 1
        start = off - self._starts[b]
        return bytes(self._blocks[b][start : start + int(self._len[index])])

    def event(self, index: int) -> dict[str, Any]:
        """The stored event, decoded (audio payloads replaced by a marker)."""
        return json.loads(self.raw(index))

    def payload(self, index: int) -> str | None:
        """The original base64 audio of an event, if a `payload_reader` can provide it."""
        if self.payload_reader is None:
            return None
        return self.payload_reader(self._check(index))

    def holds_image_marker(self, index: int) -> bool:
        """Whether the stored event holds an image marker in place of a data URL."""
        return _IMAGE_MARK in self.raw(index)

    def full_event(self, index: int) -> dict[str, Any]:
        """The event with its audio payload restored when the `payload_reader` has it, or
        its images' data URLs when the `image_reader` has them.

        Used for "copy JSON": without a reader (or if it returns None) the marker stays.
        """
        event = self.event(index)
        key = AUDIO_PAYLOAD_KEYS.get(str(event.get("type")))
        if key is not None and key in event:
            payload = self.payload(index)
            if payload is not None:
                event[key] = payload
        elif self.image_reader is not None and self.holds_image_marker(index):
            full = self.image_reader(self._check(index))
            if isinstance(full, dict):
                _restore_images(event, full)
        return event

    def source(self, index: int) -> str:
        return SOURCES[int(self._src[self._check(index)])]

    def event_type(self, index: int) -> str:
        etype = self._types[int(self._type[self._check(index)])]
        if etype == _OTHER_TYPE:
            return str(self.event(index).get("type", _OTHER_TYPE))
        return etype

    def time(self, index: int) -> float:
        """Seconds since the store's start time."""
        return float(self._time[self._check(index)])

    def delta_size(self, index: int) -> int:
        """Audio bytes (audio events) or characters (text deltas) the event carries."""
        return int(self._size[self._check(index)])

    def group(self, index: int) -> int:
        """Index of the first event of the fold run this event belongs to."""
        return int(self._group[self._check(index)])

    def summary(self, index: int) -> str:
        return summarize(self.event(index))

    def fold_summary(self, index: int, count: int, total: int) -> str:
        """Summary of a folded row starting at `index` holding `count` events."""
        codec = self.input_codec if self.source(index) == "client" else self.output_codec
        return summarize_fold(self.event(index), count, total, codec)

    @property
    def types_seen(self) -> tuple[str, ...]:
        """Every event type logged so far (for a type picker's extra entries)."""
        return tuple(t for t in self._types if t != _OTHER_TYPE)

    # --- linking ------------------------------------------------------------------

    def _find_hash(self, h: int, event_id: str, before: int, source: int | None = None) -> int | None:
        """Newest event at or before `before` whose id is `event_id` (backward scan)."""
        hi = before + 1
        while hi > 0:
            lo = max(0, hi - _SEARCH_CHUNK * 16)
            hits = np.flatnonzero(self._idhash[lo:hi] == h)
            for pos in hits[::-1]:
                i = lo + int(pos)
                if source is not None and self._src[i] != source:
                    continue
                if self.event(i).get("event_id") == event_id:
                    return i
            hi = lo
        return None

    def find_by_event_id(self, event_id: str) -> int | None:
        """Index of the (newest) event whose `event_id` is `event_id`, or None."""
        h = _id_hash(event_id)
        return self._find_hash(h, event_id, self._n - 1) if h and self._n else None

    def errors_for(self, index: int) -> list[int]:
        """Error events whose `error.event_id` names the event at `index`."""
        return list(self._cause_errors.get(index, ()))

    def cause_of(self, index: int) -> int | None:
        """The client event an error event names (`error.event_id`), if logged."""
        return self._error_cause.get(index)

    # --- filtering ----------------------------------------------------------------

    def search(self, text: str, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Indices in [lo, hi) of events whose stored JSON contains `text`, ignoring case.

        A vectorised byte scan per 1 MiB block, with no copy and no lower-casing pass:
        the needle's rarest byte (by a histogram of a sample) anchors the candidates,
        which the other bytes narrow down (ASCII letters compared with `| 0x20`, which
        folds case). No Python runs per match.
        """
        hi = self._n if hi is None else min(hi, self._n)
        needle = text.lower().encode("utf-8")
        if not needle:
            return np.arange(lo, max(lo, hi), dtype=np.int64)
        if lo >= hi:
            return np.zeros(0, np.int64)
        offs = self._off[lo:hi]
        ends = offs + self._len[lo:hi]
        first_block = bisect_right(self._starts, int(offs[0])) - 1
        last_block = bisect_right(self._starts, int(offs[-1])) - 1
        pat = np.frombuffer(needle, np.uint8).astype(np.int64)
        letter = (pat >= ord("a")) & (pat <= ord("z"))
        found: list[np.ndarray] = []
        anchor = -1
        for b in range(first_block, last_block + 1):
            base = self._starts[b]
            block = self._blocks[b]
            begin = max(0, int(offs[0]) - base) if b == first_block else 0
            stop = int(ends[-1]) - base if b == last_block else len(block)
            if stop - begin < len(needle):
                continue
            if b == len(self._blocks) - 1:
                arr = np.frombuffer(bytes(block[begin:stop]), np.uint8)  # the growing block: no export
            else:
                arr = np.frombuffer(block, np.uint8, count=stop - begin, offset=begin)
            if anchor < 0:
                hist = np.bincount(arr[: 1 << 18], minlength=256)
                freq = [int(hist[c]) + (int(hist[c - 32]) if is_l else 0) for c, is_l in zip(pat, letter)]
                anchor = int(np.argmin(freq))
            c = int(pat[anchor])
            hits = (arr | 0x20) == c if letter[anchor] else arr == c
            cand = np.flatnonzero(hits) - anchor
            del hits
            cand = cand[(cand >= 0) & (cand <= len(arr) - len(needle))]
            for k in range(len(needle)):
                if k == anchor or not len(cand):
                    continue
                got = arr[cand + k]
                cand = cand[((got | 0x20) if letter[k] else got) == pat[k]]
            del arr
            if not len(cand):
                continue
            pos = cand + (base + begin)
            ev = np.searchsorted(offs, pos, side="right") - 1
            ok = (ev >= 0) & (pos + len(needle) <= ends[np.maximum(ev, 0)])
            found.append(np.unique(ev[ok]))
        if not found:
            return np.zeros(0, np.int64)
        return np.concatenate(found).astype(np.int64) + lo

    def contains(self, indices: np.ndarray, text: str) -> np.ndarray:
        """The subset of `indices` whose stored JSON contains `text` (ignoring case).

        For narrowing a small earlier result (the user typed one more character): a
        per-event check costs less than rescanning the whole log.
        """
        needle = text.lower().encode("utf-8")
        keep = [i for i in indices.tolist() if needle in self.raw(i).translate(_LOWER)]
        return np.asarray(keep, dtype=np.int64)

    def filter(
        self,
        lo: int,
        hi: int,
        directions: frozenset[str] = BOTH,
        types: frozenset[str] | None = None,
        text: str = "",
        within: np.ndarray | None = None,
    ) -> np.ndarray:
        """Sorted indices in [lo, hi) of events passing direction, type and text filters.

        `within`, if given, is a sorted superset of the answer (an earlier, broader
        result): only those events are considered.
        """
        hi = min(hi, self._n)
        if lo >= hi:
            return np.zeros(0, np.int64)
        mask = np.ones(hi - lo, bool)
        if not BOTH <= frozenset(directions):
            allowed = [SOURCES.index(d) for d in directions if d in SOURCES]
            mask &= np.isin(self._src[lo:hi], allowed)
        if types is not None:
            table = np.zeros(max(1, len(self._types)), bool)
            for t in types:
                tid = self._type_ids.get(t)
                if tid is not None:
                    table[tid] = True
            mask &= table[self._type[lo:hi]]
        idx = np.flatnonzero(mask).astype(np.int64) + lo
        if within is not None:
            idx = idx[np.isin(idx, within, assume_unique=True)]
        if text and len(idx):
            if len(idx) <= _NARROW_LIMIT:
                idx = self.contains(idx, text)
            else:
                idx = idx[np.isin(idx, self.search(text, lo, hi), assume_unique=True)]
        return idx

    def open_groups(self) -> frozenset[int]:
        """Heads of fold runs that may still grow."""
        return frozenset(self._open.values())

    def nbytes(self) -> int:
        """Bytes held by the columns and the JSON blocks (allocated capacity)."""
        cols = sum(
            getattr(self, n).nbytes
            for n in ("_time", "_type", "_src", "_off", "_len", "_group", "_size", "_idhash")
        )
        return cols + sum(len(b) for b in self._blocks)
