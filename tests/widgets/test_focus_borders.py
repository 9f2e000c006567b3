"""The focused pane is obvious: a heavy accent border on the log and the conversation, an
accent border on the input line, and the others stay plain.

A small app with the real widgets; assertions on what the screen shows (border characters
and the colour of the border cells)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import Horizontal

from console.session.event_store import EventStore
from tests.widgets.helpers import screen_text
from widgets.conversation_view import ConversationView
from widgets.input_line import InputLine
from widgets.log_pane import LogPane


class Panes(App[None]):
    CSS = "#body { height: 1fr; } LogPane, ConversationView { width: 1fr; }"

    def compose(self) -> ComposeResult:
        store = EventStore(start_time=0.0)
        store.append("client", {"type": "response.create", "event_id": "evt_1"}, 0.5)
        with Horizontal(id="body"):
            yield LogPane(store)
            yield ConversationView(id="conversation")
        yield InputLine(id="input")


def border_colour(app: App, widget_id: str) -> Color:
    region = app.query_one(f"#{widget_id}").region
    style = app.screen.get_style_at(region.x, region.y + 1)  # the left border, below the corner
    return Color.from_rich_color(style.color)


async def test_the_focused_pane_gets_a_heavy_accent_border_and_the_others_do_not() -> None:
    app = Panes()
    async with app.run_test(size=(120, 30)) as pilot:
        accent = Color.parse(app.theme_variables["accent"])
        for focused in ("log", "conversation", "input"):
            app.query_one(f"#{focused}").focus()
            await pilot.pause()
            text = screen_text(app)
            heavy = text.count("┏")
            assert heavy == (0 if focused == "input" else 1), (focused, text)
            for pane in ("log", "conversation", "input"):
                colour = border_colour(app, pane)
                assert (colour == accent) == (pane == focused), (focused, pane, colour, accent)
