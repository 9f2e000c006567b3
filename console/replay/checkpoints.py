"""Checkpoints of a replay's state, so seeking back costs one interval, not the whole file.

A checkpoint is a deep copy of everything that depends on the replay cursor (the
rebuilder's conversation and input buffer, the header stats, marks, notes). Copying the
conversation's audio at every checkpoint would make memory grow with (checkpoints x
audio), so item audio is *shared*: each item's samples are copied once into an exact-size,
read-only array that every later checkpoint reuses while the item's audio is unchanged.
Only audio still growing (the response in progress) is copied again. The live
conversation is switched to the same arrays, so the audio is in memory once for the
replay and all its checkpoints, plus the checkpoints' small private parts, which are
bounded by `budget` bytes (over it, every other checkpoint is dropped and the interval
doubles). The interval also doubles when copying costs more than a tenth of the time
spent applying events, so checkpointing never dominates playback.

Sharing goes through the library's public API: `RealtimeConversation.freeze_audio`
makes an item's audio an exact-size read-only array (adopting the array kept here while
its length is unchanged), and copies of the conversation (`copy.deepcopy`) share frozen
audio instead of copying it. `Int16Buffer` is copy-on-write, so appends after a restore
or a truncation never write into a shared array. A truncated item (`detach`) is no
longer shared: its samples may differ from the kept array at the same length, so each
checkpoint holds a private copy of it.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class Checkpoint:
    """One saved state: `state` (deep copy), its private bytes and the shared arrays it uses."""

    state: Any
    private_bytes: int
    shared: list[np.ndarray]


class CheckpointStore:
    """Saved states by cursor position.

    Args:
        every: events between checkpoints (doubles when over budget or too slow).
        budget: bytes the checkpoints' private parts may hold together.
        keep: objects never copied (e.g. the recording): the same object in every state.
    """

    def __init__(self, every: int, budget: int, keep: tuple[Any, ...] = ()) -> None:
        self.every = max(1, int(every))
        self.budget = budget
        self._keep = keep
        self._saved: dict[int, Checkpoint] = {}
        self._shared: dict[str, np.ndarray] = {}
        self._unshareable: set[str] = set()
        self._apply_time = 0.0
        self._last = time.perf_counter()

    def positions(self) -> list[int]:
        return sorted(self._saved)

    def private_bytes(self) -> int:
        return sum(c.private_bytes for c in self._saved.values())

    def shared_bytes(self) -> int:
        return sum(a.nbytes for a in self._shared.values())

    def due(self, cursor: int) -> bool:
        """Whether a checkpoint belongs at `cursor` and is not there yet."""
        return (cursor + 1) % self.every == 0 and cursor not in self._saved

    def _base_memo(self) -> dict[int, Any]:
        return {id(obj): obj for obj in self._keep}

    def save(self, cursor: int, state: Any, conversation: Any) -> None:
        """Save `state` (which holds `conversation`) as the checkpoint at `cursor`."""
        started = time.perf_counter()
        memo = self._base_memo()
        shared: list[np.ndarray] = []
        for item_id in conversation.audio_item_ids():
            if item_id in self._unshareable:
                continue  # copied privately by the deep copy below
            # The live conversation holds the shared array too, so the session's audio is
            # in memory once.
            data = conversation.freeze_audio(item_id, self._shared.get(item_id))
            self._shared[item_id] = data
            memo[id(data)] = data
            shared.append(data)
        pre = set(memo)
        copied = copy.deepcopy(state, memo)
        private = sum(v.nbytes for k, v in memo.items() if k not in pre and isinstance(v, np.ndarray))
        self._saved[cursor] = Checkpoint(copied, private, shared)
        while len(self._saved) > 1 and self.private_bytes() > self.budget:
            self._thin()
        spent = time.perf_counter() - started
        applying = max(1e-9, started - self._last)
        if spent > 0.1 * applying:
            self.every *= 2  # copying costs more than a tenth of replaying: space them out
        self._last = time.perf_counter()

    def _thin(self) -> None:
        self.every *= 2
        for pos in list(self._saved):
            if (pos + 1) % self.every:
                del self._saved[pos]
        if len(self._saved) > 1 and self.private_bytes() > self.budget:
            del self._saved[min(self._saved)]

    def latest(self, target: int) -> int | None:
        """The position of the latest checkpoint at or before `target`, if any."""
        usable = [pos for pos in self._saved if pos <= target]
        return max(usable) if usable else None

    def restore(self, target: int) -> tuple[int, Any] | None:
        """(position, a fresh copy of its state) of the latest checkpoint at or before
        `target`, or None if there is none (start from the beginning)."""
        pos = self.latest(target)
        if pos is None:
            return None
        checkpoint = self._saved[pos]
        memo = self._base_memo()
        for data in checkpoint.shared:
            memo[id(data)] = data  # read-only and exact-size: shared, never copied
        self._last = time.perf_counter()
        return pos, copy.deepcopy(checkpoint.state, memo)

    def detach(self, conversation: Any, item_id: str) -> None:
        """An item's audio is about to be truncated: stop sharing it.

        (`conversation` is kept for callers; copy-on-write in the library's buffers means
        the live item needs no copy now.)
        """
        self._unshareable.add(item_id)
        self._shared.pop(item_id, None)
