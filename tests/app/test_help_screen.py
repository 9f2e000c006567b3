"""The F1 help screen (`console/app/screens/help.py`): generated from the keys in force.

It lists the focused pane's bindings first, then the screen's and the app's, after the
settings file's keymap, plus the slash commands; `?` opens it too, except while typing.
"""

from __future__ import annotations


import pytest

from console.app.app import RealtimeConsoleApp
from console.app.screens.help import HelpScreen
from console.session.slash import help_text
from tests.config_files import write_config
from tests.app.console_harness import app_from_settings, wait_for
from textual.widgets import Static
from widgets.event_log import EventLog
from widgets.input_line import InputLine

SIZE = (140, 44)


#: Every test here writes its own settings file under a temporary XDG_CONFIG_HOME.
pytestmark = pytest.mark.usefixtures("config_home")



def help_text_on_screen(app: RealtimeConsoleApp) -> str:
    return str(app.screen.query_one("#help-text", Static).render())


async def test_f1_lists_the_keys_in_force_remapped_and_the_slash_commands() -> None:
    write_config('[keymap]\n"app.talk" = "f9"\n"event_log.types" = "ctrl+y"\n')
    app = app_from_settings()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one(EventLog).focus()
        await pilot.pause()
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        text = help_text_on_screen(app)
        assert "Push-to-talk" in text
        talk = next(line for line in text.splitlines() if "Push-to-talk" in line).lower()
        assert "f9" in talk and "f2" not in talk
        types = next(line for line in text.splitlines() if "Choose which event types" in line)
        assert "^y" in types.lower() or "ctrl+y" in types.lower()
        assert text.startswith("log:")  # the focused pane (id "log") comes first
        for line in help_text().splitlines():
            assert line.strip() in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="esc closes the help")


async def test_question_mark_opens_help_except_while_typing() -> None:
    app = app_from_settings()
    async with app.run_test(size=SIZE) as pilot:
        line = app.main.query_one(InputLine)
        line.focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen) and line.value == "?"
        app.main.query_one(EventLog).focus()
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="? opens the help")
