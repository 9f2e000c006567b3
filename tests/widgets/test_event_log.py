"""The event log and detail panes in a minimal Textual app, driven by Pilot.

Assertions are on widget state, on the messages the widgets post, and on the text of
`app.export_screenshot()` (what a user would see)."""

from __future__ import annotations

import base64
import json
import re

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.message import Message

from console.session.event_rows import RowView
from console.session.event_store import EventStore
from tests.widgets.helpers import screen_text
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog, abbreviate_type
from widgets.type_picker import TypePicker

AUDIO = base64.b64encode(bytes(4800)).decode()


class LogApp(App[None]):
    """The log beside the detail pane, wired as the console wires them."""

    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self.store = store
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield EventLog(self.store, id="log")
            yield EventDetail(self.store, id="detail")

    def on_mount(self) -> None:
        self.query_one(EventLog).styles.width = "3fr"
        self.query_one(EventDetail).styles.width = "2fr"
        self.query_one(EventLog).focus()

    def on_event_log_row_selected(self, message: EventLog.RowSelected) -> None:
        self.query_one(EventDetail).show(message.event_index)

    def on_event_detail_link_selected(self, message: EventDetail.LinkSelected) -> None:
        self.query_one(EventLog).select_event(message.event_index)


def record(app: LogApp):
    def hook(message: Message) -> None:
        # a bubbling message passes the hook once per node: keep the first sighting
        if isinstance(message, (EventLog.RowSelected, EventLog.FollowChanged, EventLog.FilterChanged,
                                EventDetail.LinkSelected)) and not any(m is message for m in app.messages):
            app.messages.append(message)
    return hook


def session_events(store: EventStore, turns: int = 1, deltas: int = 5) -> None:
    """A short realistic session: a bad session.update, its error, then text turns."""
    t = 1000.0
    store.append("client", {"type": "session.update", "event_id": "evt_bad", "session": {"temperature": 9}}, t)
    store.append("server", {"type": "error", "event_id": "event_e1", "error": {
        "type": "invalid_request_error", "code": "decimal_above_max_value",
        "message": "Invalid 'session.temperature'", "event_id": "evt_bad"}}, t + 0.1)
    for k in range(turns):
        t += 1
        store.append("client", {"type": "response.create", "event_id": f"evt_rc{k}"}, t)
        store.append("server", {"type": "response.created", "response": {"id": f"resp_{k}", "status": "in_progress"}}, t)
        for j in range(deltas):
            store.append("server", {"type": "response.output_audio.delta", "item_id": f"item_{k}", "delta": AUDIO}, t + j / 100)
            store.append("server", {"type": "response.output_audio_transcript.delta", "item_id": f"item_{k}", "delta": "hi "}, t + j / 100)
        store.append("server", {"type": "response.done", "response": {
            "id": f"resp_{k}", "status": "cancelled", "status_details": {"reason": "client_cancelled"}}}, t + 0.5)


def test_abbreviate_type_shortens_namespaces_first() -> None:
    assert abbreviate_type("response.done", 20) == "response.done       "
    assert abbreviate_type("conversation.item.input_audio_transcription.completed", 40) == (
        "c.i.input_audio_transcription.completed ")
    assert abbreviate_type("response.output_audio_transcript.delta", 31) == "r.output_audio_transcript.delta"
    assert abbreviate_type("response.output_audio_transcript.delta", 28) == "r.o_audio_transcript.delta  "
    assert abbreviate_type("response.output_audio_transcript.delta", 23) == "r.o_a_transcript.delta "
    assert abbreviate_type("conversation.item.input_audio_transcription.completed", 23) == "…ranscription.completed"


async def test_rows_render_with_time_arrow_type_summary_and_fold_count() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(160, 40)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.pause()
        text = screen_text(app)
        assert "+0.000 ↑ session.update" in text
        assert re.search(r"\+0\.100 ↓ error decim\S*lue \"Inv\S*\" ← evt_bad", text), text  # shortened words, not cut
        assert "×5" in text and "+24000 B audio = 500 ms" in text and "+15 chars" in text
        assert "resp_0 cancelled (client_cancelled)" in text
        assert len(log.view) == 7  # 12 events, two runs of five folded
        assert log.render_line(0).cell_length == log.scrollable_content_region.width


async def test_follow_mode_scrolls_only_at_the_end_and_counts_new_rows() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store, turns=10)
    app = LogApp(store)
    async with app.run_test(size=(120, 20), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.pause()
        assert log.follow and log.is_vertical_scroll_end and log.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert not log.follow and log.scroll_y == 0 and log.cursor_row == 0
        assert any(isinstance(m, EventLog.FollowChanged) and not m.follow for m in app.messages)
        session_events(store, turns=2)
        added = log.refresh_new()
        await pilot.pause()
        assert added == 2 * 6 and log.new_rows == added and log.scroll_y == 0
        assert f"▼ {added} new" in screen_text(app)
        await pilot.press("f")
        await pilot.pause()
        assert log.follow and log.is_vertical_scroll_end and log.new_rows == 0
        assert "new (f to follow)" not in screen_text(app)
        session_events(store, turns=1)
        log.refresh_new()
        await pilot.pause()
        assert log.is_vertical_scroll_end
        # scrolling back to the end by hand turns following back on
        await pilot.press("home")
        await pilot.pause()
        log.scroll_end(animate=False)
        await pilot.pause()
        assert log.follow


async def test_cursor_keys_select_rows_and_detail_shows_highlighted_json() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(160, 40), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.press("home", "down", "down", "down", "down")
        await pilot.pause()
        selected = [m.event_index for m in app.messages if isinstance(m, EventLog.RowSelected)]
        assert selected == [0, 1, 2, 3, 4]
        detail = app.query_one(EventDetail)
        assert detail.index == 4 and log.selected_event() == 4
        text = screen_text(app)
        assert '"type": "response.output_audio.delta"' in text
        assert "<base64 audio: 4800 bytes = 100 ms at 24 kHz>" in text
        await pilot.press("pagedown")
        assert log.cursor_row == len(log.view) - 1  # clamped to the last row
        await pilot.press("up", "end")
        assert log.cursor_row == len(log.view) - 1 and log.follow


async def test_enter_unfolds_and_refolds_a_run_and_u_turns_folding_off() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        log.select_event(4)
        await pilot.pause()
        assert log.view.count(log.cursor_row) == 5
        await pilot.press("enter")
        await pilot.pause()
        assert len(log.view) == 11 and log.selected_event() == 4
        assert "▾" in screen_text(app) and "·" in screen_text(app)
        await pilot.press("enter")
        assert len(log.view) == 7 and log.selected_event() == 4
        await pilot.press("u")
        assert not log.fold and len(log.view) == len(store) == 15
        assert "×5" not in screen_text(app)
        await pilot.press("u")
        assert log.fold and len(log.view) == 7


async def test_direction_cycle_text_filter_and_type_picker() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(120, 40), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.press("d")
        assert log.directions == {"client"} and len(log.view) == 2
        assert "↓" not in screen_text(app).split("\n")[0]
        await pilot.press("d")
        assert log.directions == {"server"} and len(log.view) == 5
        await pilot.press("d")
        assert log.directions == {"client", "server"}
        log.set_filter(text="T")
        broad = log.view
        log.set_filter(text="TEMPERATURE")  # typing on narrows the previous matches
        await pilot.pause()
        assert list(log.view.event_indices) == [0, 1] and broad.matched() is not None
        log.set_filter(text="temperature_")
        assert len(log.view) == 0
        filters = [m for m in app.messages if isinstance(m, EventLog.FilterChanged)]
        assert filters[-1].text == "TEMPERATURE"
        log.set_filter(text="")
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TypePicker)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.selected == set()
        narrow = app.screen.query_one("#type-picker-narrow")
        narrow.value = "error"
        await pilot.pause()
        await pilot.press("ctrl+a")  # selects what the narrowed list shows
        await pilot.pause()
        assert app.screen.selected == {"error"}
        await pilot.click("#type-picker-apply")
        await pilot.pause()
        assert not isinstance(app.screen, TypePicker)
        assert log.types == {"error"} and list(log.view.event_indices) == [1]
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("escape")
        assert log.types == {"error"}  # cancelled: unchanged


async def test_error_links_to_its_cause_both_ways_even_through_a_filter() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(120, 40), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        log.set_filter(directions=frozenset({"server"}))
        log.select_event(1)
        await pilot.pause()
        assert "Caused by: #0 session.update" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert log.selected_event() == 0 and log.directions == {"client", "server"}
        assert "Caused error: #1 error" in screen_text(app)
        await pilot.press("l")
        assert log.selected_event() == 1
        await pilot.press("down", "l")  # response.create caused nothing
        assert log.selected_event() == 2
        # the detail pane's link is clickable and posts LinkSelected
        app.query_one(EventDetail).show(1)
        await app.query_one("#event-detail-head").run_action("go(0)")
        await pilot.pause()
        assert any(isinstance(m, EventDetail.LinkSelected) and m.event_index == 0 for m in app.messages)
        assert log.selected_event() == 0


async def test_copy_puts_the_event_json_on_the_clipboard() -> None:
    store = EventStore(start_time=1000.0, payload_reader=lambda index: AUDIO)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.press("c")  # nothing selected: a warning, no crash
        log.select_event(4)
        await pilot.press("c")
        copied = json.loads(app.clipboard)
        assert copied["type"] == "response.output_audio.delta" and copied["delta"] == AUDIO


async def test_detail_placeholder_and_bad_index() -> None:
    store = EventStore(start_time=0)
    app = LogApp(store)
    async with app.run_test(size=(100, 20)) as pilot:
        detail = app.query_one(EventDetail)
        assert "No event selected." in screen_text(app)
        detail.show(99)
        await pilot.pause()
        assert "No event #99 in the log." in screen_text(app)
        log = app.query_one(EventLog)
        assert log.refresh_new() == 0 and not log.select_event(5)
        await pilot.press("down", "enter", "l", "c")  # all harmless on an empty log


async def test_click_selects_a_row() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store)
    app = LogApp(store)
    async with app.run_test(size=(120, 40), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.refresh_new()
        await pilot.pause()
        await pilot.click(EventLog, offset=(5, 1))
        assert log.selected_event() == 1 and app.query_one(EventDetail).index == 1


async def test_typing_a_search_over_a_huge_log_waits_for_a_pause() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store, turns=3)
    app = LogApp(store)
    async with app.run_test(size=(120, 40), message_hook=record(app)) as pilot:
        log = app.query_one(EventLog)
        log.SEARCH_DEBOUNCE_EVENTS = 10  # this log counts as huge
        log.refresh_new()
        for typed in ("t", "te", "tem", "temp"):
            log.set_filter(text=typed)
        assert log.text == "" and log.pending_text == "temp"
        await pilot.pause(log.SEARCH_DEBOUNCE_S + 0.1)
        await app.workers.wait_for_complete()  # the scan runs in a thread
        await pilot.pause()
        assert log.text == "temp" and log.pending_text is None
        assert list(log.view.event_indices) == list(RowView(app.store, text="temp").event_indices)
        assert [m.text for m in app.messages if isinstance(m, EventLog.FilterChanged)] == ["temp"]
        log.set_filter(text="resp")
        log.set_filter(directions=frozenset({"server"}))  # applies the pending text at once
        assert log.text == "resp" and log.directions == {"server"} and log.pending_text is None


async def test_a_huge_event_is_shown_plain_and_cut() -> None:
    store = EventStore(start_time=0)
    store.append("server", {"type": "session.updated", "session": {"instructions": "x" * 200_000}}, time=0)
    app = LogApp(store)
    async with app.run_test(size=(120, 30)) as pilot:
        app.query_one(EventDetail).show(0)
        await pilot.pause()
        body = str(app.query_one("#event-detail-json").render())
        assert "more characters (c in the log copies all)" in body and len(body) < 60_000


async def test_a_threaded_search_made_stale_by_another_filter_is_dropped() -> None:
    store = EventStore(start_time=1000.0)
    session_events(store, turns=3)
    app = LogApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        log.SEARCH_DEBOUNCE_EVENTS = 10
        log.refresh_new()
        log.set_filter(text="resp_1")
        await pilot.pause(log.SEARCH_DEBOUNCE_S + 0.1)  # the scan starts
        log.set_filter(text="", directions=frozenset({"client"}))  # and is overtaken
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert log.text == "" and log.directions == {"client"} and log.pending_text is None
        assert len(log.view) == len(RowView(store, directions=frozenset({"client"})))
        # narrowing a finished threaded search also goes through the thread
        log.set_filter(directions=frozenset({"client", "server"}))
        log.set_filter(text="item")
        await pilot.pause(log.SEARCH_DEBOUNCE_S + 0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        log.set_filter(text="item_2")
        await pilot.pause(log.SEARCH_DEBOUNCE_S + 0.1)
        await app.workers.wait_for_complete()
        await pilot.pause()
        expect = RowView(store, text="item_2")
        assert log.text == "item_2" and len(expect) == 2
        assert list(log.view.event_indices) == list(expect.event_indices)
