"""The log pane shows its filters: a filtered log never passes for a complete one.

A real `LogPane` in a small host app, driven by Pilot; assertions are on the screen text.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Input

from console.session.event_store import EventStore
from tests.widgets.helpers import screen_text, wait_for
from widgets.event_log import EventLog
from widgets.log_pane import LogPane


def small_session(store: EventStore) -> None:
    store.append("client", {"type": "session.update", "event_id": "evt_1", "session": {"voice": "marin"}}, 1000.0)
    store.append("server", {"type": "session.updated", "session": {"voice": "marin"}}, 1000.1)
    store.append("client", {"type": "response.create", "event_id": "evt_rc"}, 1001.0)
    store.append("server", {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}, 1001.1)
    store.append("server", {"type": "response.done", "response": {"id": "resp_1", "status": "completed"}}, 1001.5)


class PaneHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.store = EventStore(start_time=1000.0)
        small_session(self.store)

    def compose(self) -> ComposeResult:
        yield LogPane(self.store)
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one(EventLog)
        log.border_title = "events"
        log.refresh_new()
        log.focus()


def log_border(app: App) -> str:
    """The bottom border line of the log: where its filters are shown."""
    return next(line for line in screen_text(app).split("\n") if " of 5 events" in line or line.startswith("╰"))


async def test_direction_type_and_search_filters_stay_visible_on_the_log() -> None:
    app = PaneHost()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        await pilot.pause()
        assert "only" not in screen_text(app) and "search" not in log_border(app)
        await pilot.press("d", "d")  # both → client only → server only
        await pilot.pause()
        assert "↓ server only · 3 rows of 5 events" in log_border(app)
        log.set_filter(types=frozenset({"response.done", "response.created"}))
        app.query_one(LogPane).focus_search()
        await pilot.press(*"done", "enter")  # focus goes back to the log
        await wait_for(pilot, lambda: app.focused is log and 'search "done"' in log_border(app), what="the search applied")
        assert app.focused is log
        assert '↓ server only · types: 2 · search "done" · 1 row of 5 events · esc clears' in log_border(app)


async def test_escape_on_the_log_clears_every_filter_and_the_search_box() -> None:
    app = PaneHost()
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(EventLog)
        app.query_one(LogPane).focus_search()
        await pilot.press(*"resp", "enter", "d")
        await wait_for(pilot, lambda: 'search "resp"' in log_border(app) and log.pending_text is None, what="the search applied")
        assert 'search "resp"' in log_border(app) and len(log.view) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert " of 5 events" not in screen_text(app)  # no filter line: the log is complete
        assert len(log.view) == 5 and app.query_one("#log-search", Input).value == ""


async def test_the_footer_offers_the_clear_key_only_while_the_log_is_filtered() -> None:
    app = PaneHost()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert "Clear filters" not in screen_text(app)  # nothing to clear
        await pilot.press("d")
        await pilot.pause()
        assert "esc Clear filters" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Clear filters" not in screen_text(app)
