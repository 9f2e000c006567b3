"""The thin layer between a session and the screen: session changes become messages.

Every event goes straight into its `Session` (store, annotations, statistics), but widgets
hear about it only at the next flush: a ~30 Hz timer calls `flush()`, which posts one
`BridgeFlushed` with what changed (new event count, changed item ids, notes), because a
repaint per event costs more than the events. Connection changes are posted at once as
`ConnectionChanged`, and the outcome of what the user asked for (a session update
applied or refused) as `StatusNoted`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message

from console.app.messages import BridgeFlushed, ConnectionChanged, StatusNoted
from console.session.session import Session

FLUSH_HZ = 30

Post = Callable[[Message], Any]


class SessionBridge:
    """Posts one session's changes to `post` (the main screen's message queue)."""

    def __init__(self, session: Session, post: Post) -> None:
        self.session = session
        self.post = post
        session.on_connection = self._connection_changed
        session.on_status = self._status

    def _connection_changed(self, state: str, detail: str) -> None:
        self.post(ConnectionChanged(state, detail))

    def _status(self, text: str, severity: str) -> None:
        self.post(StatusNoted(text, severity))

    def flush(self) -> BridgeFlushed | None:
        """Post one `BridgeFlushed` with everything since the last flush (None if nothing)."""
        changes = self.session.take_changes()
        if changes is None:
            return None
        message = BridgeFlushed(changes)
        self.post(message)
        return message
