"""A reconnected session's recording goes on in a new file linked to the old one, and the
recording tools read the chain as one session. Real app (Pilot), real simulator on
loopback (its session-expiry close), real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.recording.chain import ChainRecording, open_chain
from console.recording.reader import Recording
from console.recording.report import build_report
from console.simulator.errors import FatalError
from tests.app.console_harness import connected, make_app, submit, wait_for


def answers(app) -> int:
    return sum(1 for i in app.session.items() if i.get("role") == "assistant" and i.get("status") == "completed")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_an_expired_session_continues_in_a_linked_file(tmp_path: Path, protocol: str) -> None:
    first = tmp_path / "talk.jsonl"
    app = make_app("--record", str(first), "--protocol", protocol)
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        first_session = app.session.stats.session_id
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answers(app) == 1, what="the first answer")
        await app.session.simulator.connections[0].fatal(
            FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        await wait_for(pilot, lambda: any("recording continues in" in n.text for n in app.session.annotations.notes),
                       timeout=20, what="the recording moving on")
        second = app.recorder.path
        assert second.name == "talk-2.jsonl" and app.session.stats.recording_path == str(second)
        notes = [n.text for n in app.session.annotations.notes]
        reconnected = next(k for k, text in enumerate(notes) if text.startswith("⟳ reconnected to session"))
        assert notes[reconnected + 1].startswith("⟳ the recording continues in")  # one marked block
        await submit(pilot, "and again")
        await wait_for(pilot, lambda: answers(app) == 2, what="the answer after the reconnect")
        second_session = app.session.stats.session_id
        # the log reads every event back from its file, either side of the boundary
        store = app.store
        created = [i for i in range(len(store)) if store.event_type(i) == "session.created"]
        assert len(created) == 2
        for index, path in ((created[0], first), (created[1], second), (len(store) - 1, second)):
            assert app.readback.locate(index)[0].path == path
            assert app.readback.event(index) is not None  # None if the line read is not this event
    assert second_session != first_session

    old, new = lines(first), lines(second)
    assert old[-1]["continued"] == {"file": "talk-2.jsonl", "session_id": second_session}
    link = new[0]["continues"]
    assert link["file"] == "talk.jsonl" and link["session_id"] == first_session
    assert link["reconnect"]["reason"] == "session_expired" and link["reconnect"]["attempt"] == 1
    assert link["reconnect"]["restored"] == 2 and link["reconnect"]["new_session_id"] == second_session
    # Each file is one server session: the new one opens with the restore's session.update
    # and holds the restore's items.
    created = [[e["event"]["session"]["id"] for e in f[1:] if e.get("event", {}).get("type") == "session.created"]
               for f in (old[:-1], new)]
    assert created == [[first_session], [second_session]]
    new_types = [e["event"]["type"] for e in new[1:]]
    assert new_types[:3] == ["session.update", "conversation.item.create", "conversation.item.create"]
    # Old readers: the trailer is not an event; each file alone reads cleanly.
    for path in (first, second):
        with Recording.open(path) as rec:
            assert rec.warnings() == [] and rec.bad_lines == 0

    # The chain is one session from either end.
    for given in (first, second):
        with open_chain(given) as rec:
            assert isinstance(rec, ChainRecording) and rec.paths == [first, second]
            report = build_report(rec)
            assert len(report["turns"]) == 2, [(t["trigger"], t["user"]) for t in report["turns"]]
            assert report["events"]["total"] == (len(old) - 2) + (len(new) - 1)
    with open_chain(second, follow=False) as alone:
        assert alone.paths == [second]
    # export follows too: one transcript, each message once
    from console.cli import main

    transcript = tmp_path / "talk.md"
    assert main(["export", str(second), "--transcript", str(transcript), "--wav", str(tmp_path / "wav")]) == 0
    text = transcript.read_text()
    assert text.count("> hello\n") == 1 and text.count("> and again\n") == 1 and "## Turn 2" in text
    assert len(list((tmp_path / "wav").glob("*.wav"))) == 2  # one per answer: the restore copies no audio


async def test_a_disconnect_during_the_reconnect_keeps_one_unlinked_file(tmp_path: Path) -> None:
    first = tmp_path / "talk.jsonl"
    app = make_app("--record", str(first))
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answers(app) == 1, what="the first answer")
        await app.session.simulator.connections[0].fatal(
            FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        client = app.session.client
        await wait_for(pilot, lambda: client.is_reconnecting() and not client.is_connected(),
                       what="the reconnect waiting to try")
        await app.session.disconnect()  # what /disconnect does (no await in between: it stops the wait)
        await wait_for(pilot, lambda: app.session.stats.connection == "disconnected", what="disconnected")
        assert not app.session.client.is_reconnecting()
        assert app.recorder.path == first and not app.continuation.holding
        assert not any("reconnected to session" in n.text for n in app.session.annotations.notes)
    assert sorted(tmp_path.glob("*.jsonl")) == [first]
    assert "continued" not in lines(first)[-1]
    with Recording.open(first) as rec:
        assert rec.warnings() == [] and len(rec.rows_of_type("session.created")) == 1


async def test_replay_of_a_chain_marks_the_reconnect_in_the_conversation(tmp_path: Path) -> None:
    from console.app.replay_cli import open_for_replay
    from console.app.screens.replay import ReplayApp
    from tests.recording.chain_fixtures import part, write_chain
    from widgets.conversation_view import ConversationView
    from widgets.status_header import StatusHeader

    chain = write_chain(tmp_path, [part(1), part(2, minutes=30)])
    rec = open_for_replay(str(chain[1]))
    try:
        app = ReplayApp(rec, audio=False, start=("event", 10_000.0))
        async with app.run_test(size=(160, 44)) as pilot:
            screen = app.replay
            await wait_for(pilot, lambda: not screen.indexing and screen.loaded == len(rec), what="the chain loaded")
            await wait_for(pilot, lambda: screen.controller.cursor == len(rec) - 1, what="the cursor at the end")
            await pilot.pause()
            assert "replay: chain-1.jsonl (+1 reconnected file(s))" in str(screen.query_one(StatusHeader).render())
            view = screen.query_one(ConversationView)
            notes = [str(n.render()) for n in view.notes]
            assert any("reconnected (session_expired, attempt 1)" in n and "chain-2.jsonl" in n for n in notes)
            assert len(view.item_ids) == len(screen.controller.items()) == 4  # the second session's
            assert len(screen.store) == len(rec)
            # the log marks the first event of the next file as the reconnect
            from widgets.event_detail import EventDetail
            from widgets.event_log import EventLog

            boundary = min(rec.boundaries)
            log = screen.query_one(EventLog)
            assert [f.rule for f in log.findings[boundary]] == ["reconnect"] and list(log.findings) == [boundary]
            screen.seek(boundary)
            await pilot.pause()
            detail = screen.query_one(EventDetail)
            await wait_for(pilot, lambda: detail.index == boundary, what="the detail of the boundary event")
            head = str(detail.query_one("#event-detail-head").render())
            assert "reconnect: ⟳ reconnected (session_expired, attempt 1)" in head
    finally:
        rec.close()


async def test_the_sessions_browser_lists_a_chain_once_and_replays_it_all(tmp_path: Path) -> None:
    from widgets.summary_table import SummaryTable

    from console.app.screens.browser_replay import BrowserReplayScreen
    from console.app.screens.sessions_model import COLUMN_KEYS
    from console.app.sessions_app import SessionsApp
    from console.recording.summary_cache import SummaryCache
    from tests.recording.chain_fixtures import part, write_chain
    from tests.recording.stats_fixtures import session, write

    chain = write_chain(tmp_path, [part(1), part(2, minutes=30), part(1, minutes=60)])
    write(session(1), tmp_path / "single.jsonl")
    app = SessionsApp(tmp_path, SummaryCache(tmp_path / "cache" / "c.json"), audio=False)
    async with app.run_test(size=(170, 40)) as pilot:
        screen = app.browser
        table = screen.query_one(SummaryTable)
        await wait_for(pilot, lambda: not screen.scanning and table.row_count > 0, what="the scan")
        paths = [table.cells_at(i)[COLUMN_KEYS.index("path")] for i in range(table.row_count)]
        turns = [table.cells_at(i)[COLUMN_KEYS.index("turns")] for i in range(table.row_count)]
        assert sorted(paths) == ["chain-1.jsonl (+2 continued)", "single.jsonl"]
        assert turns[paths.index("chain-1.jsonl (+2 continued)")] == "4"
        assert str(screen.query_one("#sessions-status").render()).startswith("2 of 2 recording(s)")
        table.move_cursor(paths.index("chain-1.jsonl (+2 continued)"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserReplayScreen), what="the replay")
        assert app.screen.rec.paths == chain
