"""The settings file inside the console: keymap, theme, the F1 help, binding ids.

Driven with Pilot on the real app (not connected: nothing here needs the simulator).
`XDG_CONFIG_HOME` points at a temporary directory in every test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from console.app.keymap import binding_rows
from console.cli import main
from console.user_config import config_path, load_settings
from tests.config_files import write_config
from tests.app.console_harness import app_from_settings, wait_for
from textual.command import CommandPalette
from textual.widgets import Input
from widgets.event_log import EventLog
from widgets.input_line import InputLine

ROOT = Path(__file__).resolve().parents[2]
SIZE = (140, 44)


#: Every test here writes its own settings file under a temporary XDG_CONFIG_HOME.
pytestmark = pytest.mark.usefixtures("config_home")



def test_every_declared_binding_has_an_id() -> None:
    """A binding without an id cannot be remapped from the settings file."""
    missing = []
    for path in [*(ROOT / "console").rglob("*.py"), *(ROOT / "widgets").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "BINDINGS" for t in node.targets) \
                    or isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "BINDINGS":
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Binding" \
                            and not any(k.arg == "id" for k in call.keywords):
                        missing.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert missing == []
    ids = [row[0] for row in binding_rows()]
    assert len(ids) == len(set(ids)) and {"app.talk", "app.help", "main.focus_log", "help.close"} <= set(ids)


def test_unknown_binding_id_or_theme_stops_the_start(capsys: pytest.CaptureFixture[str]) -> None:
    write_config('[keymap]\n"app.tlak" = "f9"\n')
    assert main(["--no-audio"]) == 2
    err = capsys.readouterr().err
    assert "'keymap.app.tlak' is not a binding id" in err and err.count("\n") == 1
    write_config('theme = "nrod"\n')
    assert main(["--no-audio"]) == 2
    assert "'theme' 'nrod' is not a theme" in capsys.readouterr().err
    write_config("")
    assert main(["--no-audio", "--theme", "nrod"]) == 2
    assert "--theme 'nrod' is not a theme" in capsys.readouterr().err


async def test_keymap_from_the_file_remaps_a_binding() -> None:
    write_config('[keymap]\n"main.focus_log" = "f9"\n')
    app = app_from_settings()
    async with app.run_test(size=SIZE) as pilot:
        app.main.query_one(InputLine).focus()
        await pilot.pause()
        await pilot.press("ctrl+l")  # the old key does nothing now
        await pilot.pause()
        assert not isinstance(app.focused, EventLog)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.focused, EventLog), what="f9 focuses the log")


async def test_theme_from_the_file_and_the_flag_over_it() -> None:
    write_config('theme = "nord"\n')
    app = app_from_settings()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "nord"
    app = app_from_settings("--theme", "dracula")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "dracula"
    assert 'theme = "nord"' in config_path().read_text()  # a flag is not remembered


async def test_a_theme_picked_in_the_palette_is_remembered() -> None:
    write_config('model = "gpt-realtime-mini"\n')
    app = app_from_settings()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_change_theme()
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the theme palette")
        await pilot.press(*"dracula")
        palette = app.screen
        await wait_for(pilot, lambda: palette.query_one(Input).value == "dracula", what="typed")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "dracula", what="the theme changes")
        await wait_for(pilot, lambda: 'theme = "dracula"' in config_path().read_text(), what="the file is written")
    settings = load_settings()
    assert settings.theme == "dracula" and settings.model == "gpt-realtime-mini"
