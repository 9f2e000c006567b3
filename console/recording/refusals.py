"""Which client `response.create` requests the server refused.

A refused `response.create` (answered by an `error`, e.g. `conversation_already_has_active_response`)
produces no response, so it must not open a turn: if it did, that turn would wait for a
response that never comes and absorb the user's next message, reporting a latency of
minutes and failing `inspect --fail-on latency>MS` for nothing.

A request is refused when:

- an `error` names it: its `error.event_id` is the request's `event_id`; or
- an `error` that names no client event follows it with no `response.created` in between,
  and no `response.created` comes before the next `response.create` (a response that does
  arrive proves the error was about something else).

Only `response.create` and `error` lines are parsed (a handful per session), so this runs
alongside the type-only turn detection on a recording of any size.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

CREATE = "response.create"
CREATED = "response.created"
ERROR = "error"


class _Rows(Protocol):
    """What this needs of a `Recording` (kept minimal so it is easy to feed in tests)."""

    def rows_of_type(self, *event_types: str) -> np.ndarray: ...

    def iter_events(self, rows: Any) -> Any: ...


def _error_event_id(event: dict[str, Any] | None) -> Any:
    if event is None:
        return None
    err = event.get("error")
    return err.get("event_id") if isinstance(err, dict) else None


def refused_creates(rec: _Rows) -> np.ndarray:
    """Event numbers of the `response.create` requests the server refused (ascending)."""
    return np.asarray(sorted(refusals(rec)), dtype=np.int64)


def refusals(rec: _Rows) -> dict[int, int]:
    """{refused `response.create` event: the `error` event that refused it}."""
    creates = rec.rows_of_type(CREATE)
    errors = rec.rows_of_type(ERROR)
    if not len(creates) or not len(errors):
        return {}
    created = rec.rows_of_type(CREATED)
    create_ids: dict[str, int] = {}
    for n, event in rec.iter_events(creates):
        eid = event.get("event_id") if event is not None else None
        if isinstance(eid, str):
            create_ids.setdefault(eid, n)
    refused: dict[int, int] = {}
    for e, event in rec.iter_events(errors):
        named = _error_event_id(event)
        if isinstance(named, str) and named:
            row = create_ids.get(named)
            if row is not None and row < e:
                refused.setdefault(row, e)
            continue  # names some other client event: not about a response.create
        i = int(np.searchsorted(creates, e)) - 1
        if i < 0:
            continue
        c = int(creates[i])
        if c in refused:
            continue
        # No response.created between the request and the error ...
        j = int(np.searchsorted(created, c))
        if j < len(created) and int(created[j]) < e:
            continue
        # ... nor after the error before the next request (else the request was answered).
        next_create = int(creates[i + 1]) if i + 1 < len(creates) else None
        k = int(np.searchsorted(created, e))
        if k < len(created) and (next_create is None or int(created[k]) < next_create):
            continue
        refused[c] = e
    return refused
