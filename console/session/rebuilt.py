"""`RebuiltSession`: a session the console watches but did not open, rebuilt from its events.

A proxied app's connection and a sideband attached to a live call are the same kind of
thing for the console: a stream of client and server events of somebody else's session.
This base keeps those events in the store, annotations and statistics, and rebuilds the
conversation with the same `ConversationRebuilder` a replay uses (server events through
`RealtimeConversation.process_event`, input audio from appends and commits), so every
watched session shows what its owner sees without another copy of that logic. A source
subclass feeds it with `feed(source, event)`.
"""

from __future__ import annotations

from typing import Any

from console.realtime.conversation import RealtimeConversation
from console.realtime.mcp import mask_mcp_secrets
from console.recording.reader import EventRecord
from console.recording.rebuild import ConversationRebuilder
from console.session.session import Session


class _LatestEvent:
    """The one-event "recording" the rebuilder reads: the event being applied now.

    `ConversationRebuilder` applies event `n` of a recording; a live session has no
    recording to index, so this hands it the current event as event `n` (the store keeps
    every event already, a second list would only double the memory).
    """

    def __init__(self) -> None:
        self.count = 0
        self.current: EventRecord | None = None

    def push(self, source: str, event: dict[str, Any], now: float) -> int:
        self.current = EventRecord(self.count, now, source, str(event.get("type")), event)
        self.count += 1
        return self.count - 1

    def __len__(self) -> int:
        return self.count

    def record(self, n: int) -> EventRecord:
        assert self.current is not None and self.current.index == n
        return self.current

    def type_of(self, n: int) -> str:
        return self.current.type if self.current is not None else "?"


class SteerRefused(ConnectionError):
    """A client event could not be sent into a watched session (it has ended, or its
    connection is closed); the message says why and that nothing was sent."""


class RebuiltSession(Session):
    """A watched session whose conversation is rebuilt from the events it is fed.

    Subclasses call `_start_rebuilding()` from their constructor (after `Session.__init__`).
    """

    def _start_rebuilding(self) -> None:
        self._feed = _LatestEvent()
        self._rebuilder = ConversationRebuilder(self._feed)  # type: ignore[arg-type]
        self._reported_errors = 0

    @property
    def conversation(self) -> RealtimeConversation:
        return self._rebuilder.conversation

    def feed(self, source: str, event: dict[str, Any]) -> int:
        """Apply one event to the conversation, then store it; returns its store index.

        MCP credentials (an MCP tool's `authorization` and header values, sent by the app
        or typed in a `/send`) are masked first: the log, the drift check and the
        conversation never hold them (the recording masks them on its own).
        """
        event = mask_mcp_secrets(event)
        n = self._feed.push(source, event, self.clock())
        item, _delta = self._rebuilder.apply(n)
        index = self.ingest({"source": source, "event": event})
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            self.item_changed(item["id"])
        self._report_rebuild_errors(index)
        if source == "server" and str(event.get("type")) in ("session.created", "session.updated"):
            mode = "ptt" if self._rebuilder.manual_turns else "vad"
            if mode != self.stats.turn_mode:
                self.stats.turn_mode = mode
                self.mark_stats_changed()
        return index

    async def send(self, event: dict[str, Any]) -> dict[str, Any]:
        """Send one client event into the session (steering); raises `SteerRefused`."""
        raise NotImplementedError

    async def send_all(self, events: list[dict[str, Any]]) -> list[str]:
        """Send `events` in order, stopping at the first refused one; returns the types sent.

        Raises:
            SteerRefused: the session can take no more events (the ones before were sent).
            ValueError: an event is not a client event.
        """
        sent: list[str] = []
        for event in events:
            await self.send(dict(event))
            sent.append(str(event["type"]))
        return sent

    def _report_rebuild_errors(self, index: int) -> None:
        """An event the conversation could not apply is a note, as the live client reports it."""
        errors = self._rebuilder.errors
        for error in errors[self._reported_errors:]:
            self.add_note("error", f"conversation could not apply {error.type}: {error.message}", event_index=index)
        self._reported_errors = len(errors)
