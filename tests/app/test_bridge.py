"""The app's bridge: a session's changes reach the screen as one message per flush."""

from __future__ import annotations

from console.app.bridge import SessionBridge
from console.app.messages import BridgeFlushed, ConnectionChanged
from console.session.event_store import EventStore
from console.session.live import LiveSession
from tests.app.console_harness import FakeClock, make_config


def test_bridge_notes_what_the_server_applied_differently_and_batches_flushes() -> None:
    posted: list = []
    session = LiveSession(make_config(), EventStore(), clock=FakeClock())
    bridge = SessionBridge(session, posted.append)
    bridge.flush()
    posted.clear()
    sent = {"type": "realtime", "instructions": "Be brief.", "audio": {"output": {"voice": "ash"}}}
    applied = {"type": "realtime", "id": "sess_1", "instructions": "Be brief.", "audio": {"output": {"voice": "alloy"}}}
    session.ingest({"source": "client", "event": {"type": "session.update", "event_id": "e1", "session": sent}})
    session.ingest({"source": "server", "event": {"type": "session.updated", "event_id": "e2", "session": applied}})
    assert posted == []  # nothing reaches the UI until the flush
    flushed = bridge.flush()
    assert isinstance(flushed, BridgeFlushed) and posted == [flushed]
    assert flushed.changes.new_events == 2 and flushed.changes.stats_changed
    (note,) = flushed.changes.notes
    assert note.kind == "drift" and "voice: sent 'ash', applied 'alloy'" in note.text and note.event_index == 1
    assert bridge.flush() is None  # nothing new: no message


def test_connection_changes_are_posted_at_once() -> None:
    posted: list = []
    config = make_config()
    session = LiveSession(config, EventStore(), clock=FakeClock())
    SessionBridge(session, posted.append)
    session.set_connection("failed", "refused")
    assert posted == [ConnectionChanged("failed", "refused")]
    assert session.stats.connection == "failed"
