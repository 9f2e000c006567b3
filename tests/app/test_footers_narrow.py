"""Every screen's footer at 80×24: each label whole, the palette key always there.

The editors are opened in the real console (the app's own keys join theirs in the
footer), the session editor over a session on the fast simulator; the screen is read as
text (`screen_lines`), as in `test_narrow_layout.py`. The replay's footer is checked in
`test_replay.py`, next to its recorded session.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

from console.app.screens.session_editor import SessionEditorScreen
from console.app.screens.tool_editor import ToolEditorScreen
from tests.app.console_harness import connected, make_app, wait_for
from tests.app.screen_helpers import footer_labels_whole, screen_lines, settle
from widgets.console_footer import ConsoleFooter


async def open_footer(pilot: Pilot[Any], key: str, screen_type: type[Screen[Any]]) -> ConsoleFooter:
    """Press `key`, wait for the `screen_type` it opens, and check its footer's labels are whole."""
    app = pilot.app
    await pilot.press(key)
    editor = await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen, what=str(screen_type))
    await settle(pilot)  # the footer's layout for the new screen
    footer = editor.query_one(ConsoleFooter)
    footer_labels_whole(screen_lines(app)[-1], footer.labels())
    return footer


async def test_the_editors_footers_fit_80_columns_and_widen_again() -> None:
    app = make_app("--no-record")
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        footer = await open_footer(pilot, "ctrl+e", SessionEditorScreen)
        labels = footer.labels()
        assert {"^s Apply", "esc Close", "f5 Form", "f6 JSON", "f7 Answer", "^p palette"} <= set(labels), labels
        await pilot.resize_terminal(160, 24)
        await wait_for(pilot, lambda: footer.style_name == "normal" and "f3 Interrupt" in footer.labels(),
                       what="the footer's normal style at 160 columns")
        await settle(pilot)
        footer_labels_whole(screen_lines(app)[-1], footer.labels())
        await pilot.resize_terminal(80, 24)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SessionEditorScreen), what="editor closed")

        footer = await open_footer(pilot, "ctrl+t", ToolEditorScreen)
        labels = footer.labels()
        assert {"^s Save", "^n New", "^d Remove", "esc Close", "^p palette"} <= set(labels), labels
        assert footer.style_name != "normal"  # "Save tool"/"New tool"/"Remove tool" did not fit
