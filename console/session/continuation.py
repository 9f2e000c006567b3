"""`Continuation`: when a reconnected session's recording moves on to a new file.

With `auto_reconnect` the library reconnects by itself: `reconnecting` (attempt, reason),
then a new server session (`session.created`), then the restore's events, then
`reconnected` (session id, restored and skipped items). Each recording file holds one
server session, so the new session's events belong in a new file; but the new file's
header should say how the reconnect went (restored count), which only `reconnected`
knows. So from `reconnecting` on (the old connection is closed by then, and the client
holds its own sends until the restore, whose `session.update` may go out before the new
`session.created` arrives), events are held in memory (a restore's worth: seconds) and
written to the new file once `reconnected` names it. A reconnect that
fails in the end (`close`) gives the held events back to the old file, so nothing is lost.

UI-free: the app owns the files (see `ConsoleApp`), this only decides what goes where.
"""

from __future__ import annotations

import copy
from typing import Any

from console.realtime.protocol import canonical_type

#: (store index, `realtime.event` payload) of an event held for the next file.
Held = tuple[int, dict[str, Any]]


class Continuation:
    """Tracks the session id of the current file and holds a reconnect's events."""

    def __init__(self) -> None:
        #: The server session the current file records (from its `session.created`).
        self.session_id: str | None = None
        #: The last `reconnecting` payload while a reconnect is under way.
        self.reconnecting: dict[str, Any] | None = None
        self._held: list[Held] | None = None

    @property
    def holding(self) -> bool:
        return self._held is not None

    def observe(self, index: int, payload: dict[str, Any]) -> bool:
        """Note one event; True when it is held for the next file (do not write it now)."""
        if self._held is not None:
            # A copy: the library and the views may change an event after its listeners ran,
            # and the recording must hold it as it was sent or received.
            self._held.append((index, copy.deepcopy(payload)))
            return True
        event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
        if payload.get("source") == "server" and canonical_type(str(event.get("type"))) == "session.created":
            session = event.get("session") if isinstance(event.get("session"), dict) else {}
            self.session_id = session.get("id") if isinstance(session.get("id"), str) else None
        return False

    def start(self, payload: dict[str, Any]) -> None:
        """The library's `reconnecting` (each attempt): hold what follows."""
        self.reconnecting = dict(payload)
        if self._held is None:
            self._held = []

    def finish(self, payload: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Held]]:
        """The library's `reconnected`: (the new file's `continues` link, the held events).

        The link is None when no `reconnecting` came first (nothing to move on from).
        """
        info, held = self.reconnecting or {}, self._held
        self.reconnecting, self._held = None, None
        if held is None:
            return None, []
        link = {
            "session_id": self.session_id,
            "reconnect": {
                "attempt": info.get("attempt"),
                "reason": info.get("reason"),
                "new_session_id": payload.get("session_id"),
                "restored": len(payload.get("restored") or []),
                "skipped": len(payload.get("skipped") or []),
            },
        }
        new_id = payload.get("session_id")
        self.session_id = new_id if isinstance(new_id, str) else None
        return link, held

    def release(self) -> list[Held]:
        """The reconnect ended without `reconnected` (gave up, disconnect, shutdown): the
        held events, which stay in the current file."""
        held = self._held or []
        self.reconnecting, self._held = None, None
        return held
