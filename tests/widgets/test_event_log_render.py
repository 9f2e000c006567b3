"""`RowRenderer` on a mounted `EventLog`: what a row says, and when its cached strip is reused.

The widget-level behaviour (keys, filters, folding) is in `test_event_log.py`; this file
pins the renderer's own contract, which the widget relies on to stay cheap per frame.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.app import App, ComposeResult

from console.session.event_store import EventStore
from tests.widgets.helpers import screen_text
from widgets.event_log import EventLog
from widgets.event_log_render import RowRenderer


def _store() -> EventStore:
    store = EventStore(start_time=100.0)
    store.append("client", {"type": "response.create", "event_id": "evt_1"}, 100.25)
    for k in range(3):
        store.append("server", {"type": "response.output_text.delta", "item_id": "item_1", "delta": "hi "}, 100.5 + k)
    store.append("server", {"type": "error", "event_id": "event_e", "error": {"message": "bad thing"}}, 104.0)
    return store


@asynccontextmanager
async def mounted() -> AsyncIterator[tuple[EventStore, EventLog, RowRenderer]]:
    """A mounted log over `_store()` and a fresh renderer of its rows."""
    store = _store()
    app: App[None] = App()
    async with app.run_test(size=(100, 10)):
        log = EventLog(store)
        await app.mount(log)
        yield store, log, RowRenderer(log)


async def test_a_row_shows_time_direction_type_fold_count_and_summary() -> None:
    async with mounted() as (store, log, rows):
        view = log.view
        assert len(view) == 3  # the three deltas fold into one row
        first = rows.row(store, view, 0, 90, cursor=False, expanded=set()).text
        folded = rows.row(store, view, 1, 90, cursor=False, expanded=set()).text
        error = rows.row(store, view, 2, 90, cursor=False, expanded=set())
        assert first.startswith("    +0.250 ↑ ") and "response.create" in first
        assert "↓ ▸" in folded and "×3" in folded
        assert "bad thing" in error.text
        assert all(len(rows.row(store, view, r, 90, cursor=False, expanded=set()).text) == 90 for r in range(3))
        assert error.cell_length == 90


async def test_strips_are_cached_until_the_row_or_the_styles_change() -> None:
    async with mounted() as (store, log, rows):
        view = log.view
        strip = rows.row(store, view, 0, 80, cursor=False, expanded=set())
        assert rows.row(store, view, 0, 80, cursor=False, expanded=set()) is strip
        selected = rows.row(store, view, 0, 80, cursor=True, expanded=set())
        assert selected is not strip and selected.text == strip.text  # same words, other style
        rows.discard_row(0)
        assert rows.row(store, view, 0, 80, cursor=False, expanded=set()) is not strip
        kept = rows.row(store, view, 1, 80, cursor=False, expanded=set())
        rows.discard_row(0)
        assert rows.row(store, view, 1, 80, cursor=False, expanded=set()) is kept  # other rows stay
        rows.restyle()
        assert rows.row(store, view, 1, 80, cursor=False, expanded=set()) is not kept


async def test_the_new_rows_badge_covers_the_right_end_at_full_width() -> None:
    async with mounted() as (store, log, rows):
        strip = rows.row(store, log.view, 0, 60, cursor=False, expanded=set())
        badged = rows.with_badge(strip, 60, 7)
        assert badged.cell_length == 60
        assert badged.text.endswith(" ▼ 7 new (f to follow) ")
        assert badged.text.startswith(strip.text[:20])
        assert rows.blank(60).cell_length == 60


class OneLog(App[None]):
    """Just an event log over `store`, filling the terminal."""

    def __init__(self, store: EventStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield EventLog(self.store)

    def on_mount(self) -> None:
        self.query_one(EventLog).refresh_new()


def _audio_store() -> EventStore:
    store = EventStore(start_time=100.0)
    audio = base64.b64encode(bytes(4800)).decode()
    store.append("server", {"type": "response.output_audio.delta", "item_id": "item_CXk2j3abcdefghijk99",
                            "response_id": "resp_1", "delta": audio}, 100.5)
    store.append("server", {"type": "response.output_audio_transcript.delta", "item_id": "item_CXk2j3abcdefghijk99",
                            "response_id": "resp_1", "delta": "Hello"}, 100.6)
    store.append("client", {"type": "response.create", "event_id": "evt_1"}, 101.0)
    return store


@pytest.mark.parametrize("columns", [60, 64, 70, 80])
async def test_the_summary_never_cuts_a_byte_count(columns: int) -> None:
    app = OneLog(_audio_store())
    async with app.run_test(size=(columns, 8)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "+4800 B" in text, text  # shortened elsewhere (the id), never "+480"
        assert not re.search(r"\+\d+$", text.split("\n")[0]), text


async def test_type_names_are_whole_when_the_log_has_room() -> None:
    app = OneLog(_audio_store())
    async with app.run_test(size=(92, 8)) as pilot:  # 36 cells of type column before
        await pilot.pause()
        text = screen_text(app)
        assert "response.output_audio_transcript.delta" in text and "+4800 B audio = 100 ms" in text


async def test_the_cursor_row_shows_an_abbreviated_type_whole() -> None:
    app = OneLog(_audio_store())
    async with app.run_test(size=(64, 8)) as pilot:
        log = app.query_one(EventLog)
        log.focus()
        await pilot.pause()
        assert "response.output_audio_transcript.delta" not in screen_text(app)  # short of room
        await pilot.press("home", "down")  # the transcript delta row
        await pilot.pause()
        assert "response.output_audio_transcript.delta" in screen_text(app)
