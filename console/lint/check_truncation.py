"""Truncation rules: truncate-beyond-audio, truncate-not-latest, barge-in-not-truncated.

Each assistant item's audio is measured from its deltas' base64 lengths (never decoded),
and its playback is estimated as real-time play from the first delta's arrival, so a
speech start "within the played window" can be told from one after the answer was heard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .context import Context, b64_size, number, text

_AUDIO_DELTAS = frozenset({"response.audio.delta"})
_AUDIO_DONE = frozenset({"response.audio.done"})


@dataclass
class _AudioItem:
    item_id: str
    first_event: int
    bytes: int = 0
    receiving: bool = True
    play_end: float = 0.0  #: estimated time its playback ends (s since event 0)


@dataclass
class _BargeIn:
    event: int
    item_id: str
    speech_item: str | None
    truncated: bool = False
    extra: list[int] = field(default_factory=list)


class TruncationCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.items: dict[str, _AudioItem] = {}
        self.latest: _AudioItem | None = None
        self.barge_ins: list[_BargeIn] = []

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if ctype in _AUDIO_DELTAS:
            self.delta(n, ev, t)
        elif ctype in _AUDIO_DONE:
            item = self.items.get(str(ev.get("item_id")))
            if item is not None:
                item.receiving = False
        elif ctype == "response.done":
            for item in self.items.values():
                item.receiving = False
        elif ctype == "input_audio_buffer.speech_started":
            self.speech(n, ev, t)
        elif ctype == "conversation.item.truncate" and source == "client":
            self.truncate(n, ev)
        elif ctype == "conversation.item.truncated" and source == "server":
            self.resolve(text(ev.get("item_id")))

    def delta(self, n: int, ev: dict[str, Any], t: float) -> None:
        item_id = text(ev.get("item_id"))
        if item_id is None:
            return
        item = self.items.get(item_id)
        if item is None:
            item = self.items[item_id] = _AudioItem(item_id, n, play_end=t)
            self.latest = item
        size = b64_size(ev.get("delta")) or 0
        item.bytes += size
        # Played in real time from arrival: a gap in arrival is a gap in playback.
        item.play_end = max(item.play_end, t) + size / self.ctx.out_bytes_per_ms / 1000.0

    def speech(self, n: int, ev: dict[str, Any], t: float) -> None:
        item = self.latest
        if item is None or not (item.receiving or t < item.play_end):
            return
        if any(b.item_id == item.item_id and not b.truncated for b in self.barge_ins):
            return  # one barge-in per answer is enough to report
        self.barge_ins.append(_BargeIn(n, item.item_id, text(ev.get("item_id"))))

    def truncate(self, n: int, ev: dict[str, Any]) -> None:
        item_id = text(ev.get("item_id"))
        end_ms = number(ev.get("audio_end_ms"))
        item = self.items.get(item_id or "")
        if item is not None and end_ms is not None:
            have_ms = item.bytes / self.ctx.out_bytes_per_ms
            if end_ms > have_ms + 1.0:  # 1 ms: floor() rounding of a partial millisecond
                self.ctx.emit("truncate-beyond-audio",
                              f"truncate of {item_id} at {end_ms:g} ms, but the item received only "
                              f"{have_ms:.0f} ms of {self.ctx.output_codec} audio (events {item.first_event}..)",
                              [n, item.first_event], [item_id, text(ev.get("event_id"))])
        barged = any(b.item_id == item_id and not b.truncated for b in self.barge_ins)
        # The item the user talked over stays the right target even once the next answer began.
        if item is not None and self.latest is not None and item is not self.latest and not barged:
            self.ctx.emit("truncate-not-latest",
                          f"truncate of {item_id}, but the latest assistant audio item is {self.latest.item_id} "
                          f"(its audio starts at event {self.latest.first_event})",
                          [n, item.first_event, self.latest.first_event],
                          [item_id, self.latest.item_id, text(ev.get("event_id"))])
        self.resolve(item_id)

    def resolve(self, item_id: str | None) -> None:
        """A truncation stops the item's playback and answers its barge-ins."""
        item = self.items.get(item_id or "")
        if item is not None:
            item.receiving, item.play_end = False, 0.0
        for b in self.barge_ins:
            if b.item_id == item_id:
                b.truncated = True

    def finish(self) -> None:
        for b in self.barge_ins:
            if not b.truncated:
                item = self.items[b.item_id]
                self.ctx.emit("barge-in-not-truncated",
                              f"speech started at event {b.event} while {b.item_id}'s audio was still being "
                              f"received or played, and {b.item_id} was never truncated",
                              [b.event, item.first_event], [b.item_id, b.speech_item])
