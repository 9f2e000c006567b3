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

Sharing is safe because `Int16Buffer` only writes beyond its size (appends) or moves data
in place after `truncate` / `drop_front`: a restored buffer whose data is a shared array
has no spare capacity, so an append reallocates; the controller calls `detach(item_id)`
when an item is truncated (before later appends could write into the array), and the
input buffer (which `drop_front` shifts) is never shared. The arrays are read-only, so a
path missed here fails loudly instead of corrupting an earlier checkpoint.

This reads two private attributes of the library (`RealtimeConversation._audio`,
`Int16Buffer._data`): the replay tests compare every restored state with a straight
rebuild, so a change there shows up at once.
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
        items = {item["id"]: item for item in conversation.get_items() if isinstance(item.get("formatted"), dict)}
        for item_id, buffer in getattr(conversation, "_audio", {}).items():
            size = len(buffer)
            item = items.get(item_id)
            view = item["formatted"].get("audio") if item is not None else None
            data = self._shared.get(item_id)
            if data is None or len(data) != size or item_id in self._unshareable:
                data = np.array(buffer.view(), dtype=np.int16, copy=True)
                data.flags.writeable = False
                if item_id not in self._unshareable:
                    self._shared[item_id] = data
            if item_id not in self._unshareable and buffer._data is not data:
                # The live conversation holds the shared copy too, so the session's audio
                # is in memory once: the buffer has no spare capacity left, so its next
                # append reallocates instead of writing into the shared array.
                buffer._data = data
                if isinstance(view, np.ndarray) and len(view) == size:
                    item["formatted"]["audio"] = data
            else:  # (memo keys must be ids of objects alive during the copy, as these are)
                memo[id(buffer._data)] = data
                if isinstance(view, np.ndarray) and len(view) == size:
                    memo[id(view)] = data
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
        """An item's audio is about to change in place (truncation): stop sharing it."""
        self._unshareable.add(item_id)
        self._shared.pop(item_id, None)
        buffer = getattr(conversation, "_audio", {}).get(item_id)
        if buffer is not None and not buffer._data.flags.writeable:
            buffer._data = np.array(buffer._data, dtype=np.int16, copy=True)
