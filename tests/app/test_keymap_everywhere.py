"""The settings file's `[keymap]` in every app: replay, proxy, attach and the sessions browser.

Each test writes a settings file that moves one of the app's keys to f9, reads it the way
the app's command does (`app_settings()`: loaded and checked), drives the real app with
Pilot, and checks that f9 does the job, the old key no longer does, and F1 lists f9.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from console.app.attach_app import AttachConsoleApp
from console.app.keymap import APPS, app_binding_rows, apps_of, binding_rows
from console.app.settings import app_settings
from console.app.proxy_app import ProxyConsoleApp
from console.app.screens.help import HelpScreen
from console.app.screens.replay import ReplayApp
from console.app.screens.replay_seek import SeekPrompt
from console.app.sessions_app import SessionsApp
from console.cli import UsageError
from console.proxy import ProxyServer
from console.recording import Recording
from console.recording.summary_cache import SummaryCache
from console.recording.synthetic import SessionBuilder
from console.session.attached import AttachedSession
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from tests.config_files import write_config
from tests.proxy.helpers import proxy_to_simulator
from widgets.event_log import EventLog
from widgets.session_list import SessionList

ROOT = Path(__file__).resolve().parents[2]
SIZE = (140, 40)

pytestmark = pytest.mark.usefixtures("config_home")


def remapped(binding_id: str) -> dict[str, str]:
    """Write a settings file moving `binding_id` to f9; the keymap as the commands read it."""
    write_config(f'[keymap]\n"{binding_id}" = "f9"\n')
    return app_settings().keymap


async def help_line(pilot: Pilot, description: str) -> str:
    """Open F1 and return its line for `description` (then close the help)."""
    app = pilot.app
    await pilot.press("f1")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
    text = str(app.screen.query_one("#help-text", Static).render())
    line = next(line for line in text.splitlines() if description in line)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), what="esc closes the help")
    return line


def synthetic(path: Path) -> Path:
    b = SessionBuilder(chunk_ms=200, fast_audio=True)
    b.session()
    b.user_text("hello")
    b.response(latency_ms=350, text_only=True, transcript="Hello!")
    b.write(path)
    return path


async def test_replay_takes_the_keymap_and_f1_shows_it(tmp_path: Path) -> None:
    keymap = remapped("replay.goto")
    with Recording(synthetic(tmp_path / "a.jsonl")) as rec:
        app = ReplayApp(rec, audio=False, keymap=keymap)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: not app.replay.indexing, what="the recording indexed")
            app.replay.query_one(EventLog).focus()
            await pilot.press("g")  # the old key does nothing now
            await pilot.pause()
            assert not isinstance(app.screen, SeekPrompt)
            await pilot.press("f9")
            await wait_for(pilot, lambda: isinstance(app.screen, SeekPrompt), what="f9 opens the seek prompt")
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, SeekPrompt), what="the prompt closed")
            line = await help_line(pilot, "Seek to an event number or a time")
            assert "f9" in line.lower() and " g " not in f" {line} "


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[ProxyServer]:
    async with proxy_to_simulator(tmp_path / "rec") as server:
        yield server


async def test_proxy_takes_the_keymap_and_f1_shows_it(proxy: ProxyServer) -> None:
    keymap = remapped("proxy.focus_sessions")
    app = ProxyConsoleApp(proxy, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        listing = app.main.query_one(SessionList)
        app.main.query_one("#input").focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.focused is not listing
        await pilot.press("f9")
        await wait_for(pilot, lambda: app.focused is listing, what="f9 focuses the sessions list")
        line = await help_line(pilot, "Focus the sessions list")
        assert "f9" in line.lower() and "ctrl+s" not in line.lower() and "^s" not in line.lower()


async def test_attach_takes_the_keymap_and_f1_shows_it() -> None:
    keymap = remapped("attach.focus_log")
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()
        session = AttachedSession(call_id, sim.url)
        await session.connect()
        app = AttachConsoleApp(session, title=f"attached to call {call_id}", keymap=keymap)
        async with app.run_test(size=SIZE) as pilot:
            await session.wait_attached()
            log = app.main.view.query_one(EventLog)
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert app.focused is not log
            await pilot.press("f9")
            await wait_for(pilot, lambda: app.focused is log, what="f9 focuses the log")
            app.main.query_one("#input").focus()
            await pilot.pause()
            await pilot.press("f1")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
            text = str(app.screen.query_one("#help-text", Static).render())
            assert "f9" in text.lower() and "the input line:" in text  # the steering commands below the keys
            await pilot.press("escape")


async def test_the_sessions_browser_takes_the_keymap_and_f1_shows_it(tmp_path: Path) -> None:
    keymap = remapped("sessions.sort")
    root = tmp_path / "recs"
    root.mkdir()
    synthetic(root / "a.jsonl")
    app = SessionsApp(root, SummaryCache(tmp_path / "cache.json"), audio=False, keymap=keymap)
    async with app.run_test(size=(170, 40)) as pilot:
        screen = app.browser
        await wait_for(pilot, lambda: not screen.scanning, what="the first scan")
        await pilot.press("s")
        await pilot.pause()
        assert screen.sort_key == "started"
        await pilot.press("f9")
        await wait_for(pilot, lambda: screen.sort_key == "source", what="f9 sorts by the next column")
        line = await help_line(pilot, "Sort by the next column")
        assert "f9" in line.lower()


def test_an_id_of_any_app_is_accepted_and_a_typo_is_not() -> None:
    for binding_id in ("replay.goto", "proxy.focus_log", "attach.focus_input", "sessions.filter", "table.choose"):
        assert remapped(binding_id) == {binding_id: "f9"}
    write_config('[keymap]\n"replay.gotoo" = "f9"\n')
    with pytest.raises(UsageError, match="'keymap.replay.gotoo' is not a binding id"):
        app_settings()


def test_every_app_has_the_help_key_and_the_readme_lists_every_id() -> None:
    for app in APPS:
        assert "app.help" in {row[0] for row in app_binding_rows(app)}, app
    assert set(apps_of("event_log.types")) == {"console", "replay", "proxy", "attach", "sessions"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [row[0] for row in binding_rows() if f"| `{row[0]}` |" not in readme]
    assert missing == []
