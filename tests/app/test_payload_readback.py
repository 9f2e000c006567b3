"""The event log's detail pane and copy give the full audio payload, read back from the
session recording (the store itself keeps only a marker: audio is never held twice).

Real app, real client, real simulator on loopback, real recording files (conftest points
`XDG_STATE_HOME` at a temporary directory); only the ground truth is captured by a
listener next to the recorder's.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from console.realtime.protocol import AUDIO_PAYLOAD_KEYS
from tests.app.console_harness import connected, make_app, submit, wait_for
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog

SIZE = (140, 44)


def capture(app: Any) -> dict[int, str]:
    """Store index → the base64 audio the client actually sent or received.

    The bridge calls listeners just before it appends the event to the store, so the
    store's length at that moment is the event's index.
    """
    seen: dict[int, str] = {}

    def listener(payload: dict[str, Any]) -> None:
        event = payload["event"]
        key = AUDIO_PAYLOAD_KEYS.get(event.get("type"))
        if key is not None:
            seen[len(app.store)] = event[key]

    app.session.event_listeners.append(listener)
    return seen


def answered(app: Any, n: int = 1) -> bool:
    done = [i for i in app.session.items() if i.get("role") == "assistant" and i.get("status") == "completed"]
    return len(done) >= n


def responses_done(app: Any) -> int:
    return sum(app.store.event_type(i) == "response.done" for i in range(len(app.store)))


async def copy_event(pilot: Any, index: int) -> tuple[int, dict[str, Any], str]:
    """Select event `index` in the log, press c; the event copied and the detail header."""
    app = pilot.app
    log = app.main.query_one(EventLog)
    assert log.select_event(index)
    log.focus()
    await wait_for(pilot, lambda: app.focused is log, what="the log focused")
    selected = log.selected_event()
    await pilot.press("c")
    await wait_for(pilot, lambda: _clipboard_holds(app, selected), what="the event copied")
    detail_head = app.main.query_one(EventDetail).query_one("#event-detail-head")
    await wait_for(pilot, lambda: app.store.event_type(selected) in str(detail_head.render()), what="the detail shown")
    head = str(detail_head.render())
    return selected, json.loads(app.clipboard), head


def _clipboard_holds(app: Any, index: int) -> bool:
    """Whether the clipboard holds event `index` (copied whole: its JSON, same event_id)."""
    try:
        copied = json.loads(app.clipboard)
    except ValueError:
        return False
    event = app.store.event(index)
    return isinstance(copied, dict) and copied.get("type") == event.get("type") \
        and copied.get("event_id") == event.get("event_id")


def sample_audio(n: int = 4800) -> np.ndarray:
    return (np.sin(np.arange(n) / 7.0) * 8000).astype(np.int16)


async def test_copying_sent_and_received_audio_gives_the_full_payload() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        seen = capture(app)
        await connected(pilot)
        assert app.session.client.append_input_audio(sample_audio())
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        await wait_for(pilot, lambda: responses_done(app) == 1, what="the answer's events in the store")
        sent = [i for i in seen if app.store.source(i) == "client"]
        received = [i for i in seen if app.store.source(i) == "server"]
        assert sent and len(received) > 1

        index, copied, head = await copy_event(pilot, sent[0])
        assert index == sent[0] and copied["type"] == "input_audio_buffer.append"
        assert copied["audio"] == seen[index] and len(copied["audio"]) == 4 * 4800 * 2 // 3
        assert "read back from the recording" in head and "copies the full event" in head

        index, copied, head = await copy_event(pilot, received[-1])
        assert copied["type"] == "response.output_audio.delta" and copied["delta"] == seen[index]
        assert "read back from the recording" in head
        # The store itself still holds only the marker.
        assert app.store.event(index)["delta"].startswith("<")


async def test_a_reconnect_keeps_both_recordings_readable() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        seen = capture(app)
        await connected(pilot)
        await submit(pilot, "first")
        await wait_for(pilot, lambda: answered(app), what="first answer")
        first_file = app.recorder.path
        first = max(seen)
        await app.reconnect()
        await connected(pilot)
        assert app.recorder.path != first_file
        await submit(pilot, "second")
        await wait_for(pilot, lambda: responses_done(app) == 2, timeout=15, what="second answer")
        second = max(seen)
        assert second > first
        for index in (first, second):
            got, copied, _ = await copy_event(pilot, index)
            assert copied[AUDIO_PAYLOAD_KEYS[copied["type"]]] == seen[got]
        # Every audio event of both sessions reads back exactly.
        assert all(app.store.payload(i) == payload for i, payload in seen.items())


async def test_without_a_recording_only_output_audio_comes_back_from_the_conversation() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        seen = capture(app)
        await connected(pilot)
        assert app.session.client.append_input_audio(sample_audio(2400))
        await wait_for(pilot, lambda: seen and len(app.store) > min(seen), what="the append logged")
        index = next(iter(seen))
        got, copied, head = await copy_event(pilot, index)
        assert "not kept" in head and "--no-record" in head
        assert copied["audio"].startswith("<base64 audio")  # the marker, clearly not audio
        # The model's audio is still in the conversation: sliced from there, exactly.
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        await wait_for(pilot, lambda: responses_done(app) == 1, what="the answer's events in the store")
        received = [i for i in seen if app.store.source(i) == "server"]
        assert len(received) > 2
        got, copied, head = await copy_event(pilot, received[1])
        assert copied["delta"] == seen[got] and "read back from the conversation's audio" in head
        assert all(app.store.payload(i) == seen[i] for i in received)
