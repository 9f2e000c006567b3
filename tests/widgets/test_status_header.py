"""StatusHeader repaints: only when its text changed, only the lines that changed, never a layout."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Static

from console.session.stats import SessionStats
from tests.widgets.helpers import screen_text
from widgets.status_header import StatusHeader


class RecordingStatic(Static):
    """Records each repaint that reaches `Static`: the regions (empty = whole) and layout."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[tuple[Region, ...], bool]] = []

    def refresh(self, *regions: Region, **kwargs: Any) -> Any:
        self.calls.append((regions, bool(kwargs.get("layout"))))
        return super().refresh(*regions, **kwargs)


class CountingHeader(StatusHeader, RecordingStatic):
    """The header with the recorder under it (method order: StatusHeader, RecordingStatic,
    Static), so what is recorded is what the header asks of Textual."""


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingHeader()


def connected_stats() -> SessionStats:
    return SessionStats(endpoint="offline: local simulator", protocol="ga", model="gpt-realtime",
                        connection="connected", session_id="sess_1", session_started=1000.0,
                        expires_at=4600.0, turn_mode="ptt", mic="off")


async def test_the_clock_tick_repaints_only_when_the_text_changes() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 6)) as pilot:
        header = app.query_one(CountingHeader)
        stats = connected_stats()
        header.show(stats, 1010.0)
        await pilot.pause()
        assert "age 00:10" in str(header.render())
        header.calls.clear()
        header.show(stats, 1010.4)  # the same second: the same text
        header.show(stats, 1010.9)
        assert header.calls == []
        header.show(stats, 1011.0)
        assert header.calls and "age 00:11" in str(header.render())
        assert not any(layout for _, layout in header.calls)  # its size never depends on its text


async def test_only_the_changed_line_is_repainted() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 6)) as pilot:
        header = app.query_one(CountingHeader)
        stats = connected_stats()
        header.show(stats, 1010.0)
        await pilot.pause()
        header.calls.clear()
        header.show(stats, 1011.0)  # the age (line 1) ticks, the counters (line 2) stay
        regions = [r for rs, _ in header.calls for r in rs]
        assert regions and {r.y for r in regions} == {0} and all(r.height == 1 for r in regions)
        await pilot.pause()
        assert "age 00:11" in screen_text(app)

        header.calls.clear()
        stats.input_tokens = 1200  # a counter changes (line 2) in the same second
        header.show(stats, 1011.0)
        assert {r.y for rs, _ in header.calls for r in rs} == {1}
        await pilot.pause()
        shot = screen_text(app)
        assert "1,200 in" in shot and "age 00:11" in shot


async def test_a_resize_repaints_the_whole_header() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 6)) as pilot:
        header = app.query_one(CountingHeader)
        header.show(connected_stats(), 1010.0)
        await pilot.pause()
        header.calls.clear()
        await pilot.resize_terminal(80, 6)
        await pilot.pause()
        assert any(regions == () for regions, _ in header.calls)
        assert "00:10" in str(header.render())
