"""The replay's background work: index the recording, then read its events for the log.

Runs in a thread worker (Toolong's model): the index is one mmap scan in batches, each
reported as `IndexProgressed`; when it ends (`IndexFinished`) every navigation (turns,
errors, seeking anywhere) works. Then the events are read for the event log in batches
(`EventsLoaded`), at most `LOG_AHEAD` batches ahead of the UI, which releases a slot
per batch appended, so parsed events never pile up in the message queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

from console.recording.reader import Recording
from console.replay.log_events import log_events

LOG_BATCH = 5000
#: Log batches the worker may have posted but the UI not yet appended.
LOG_AHEAD = 3


@dataclass
class IndexProgressed(Message):
    """The worker indexed more of the file: `done` of `total` bytes, `events` so far."""

    done: int
    total: int
    events: int


@dataclass
class EventsLoaded(Message):
    """Events `first..first+len(events)-1` read for the log, as (source, event, time)."""

    first: int
    events: list[tuple[str, dict[str, Any], float]] = field(default_factory=list)


@dataclass
class IndexFinished(Message):
    """Indexing ended; `error` says why if it failed part way."""

    error: str = ""


def index_then_load(
    rec: Recording, post: Callable[[Message], Any], cancel: threading.Event, slots: threading.Semaphore
) -> None:
    """Index the rest of `rec`, then post its events for the log (call in a worker thread).

    Args:
        post: thread-safe message posting (a widget's `post_message`).
        cancel: set to stop early (the screen closed).
        slots: acquired per posted batch; the UI releases one per batch it appended.
    """
    loaded = len(rec)
    error = ""
    try:
        for done, total in rec.index_batches(cancel=cancel):
            post(IndexProgressed(done, total, len(rec)))
    except Exception as exc:  # noqa: BLE001 - a failing disk must not kill the UI
        error = f"indexing stopped: {exc}"
    post(IndexFinished(error))
    total = len(rec)
    while loaded < total and not cancel.is_set():
        if not slots.acquire(timeout=0.1):
            continue
        hi = min(total, loaded + LOG_BATCH)
        try:
            events = log_events(rec, loaded, hi)
        except OSError as exc:
            events = [(rec.source_of(n), {"type": rec.type_of(n), "replay_warning": str(exc)},
                       rec.time_of(n)) for n in range(loaded, hi)]
        post(EventsLoaded(loaded, events))
        loaded = hi
