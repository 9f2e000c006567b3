"""Helpers for driving the whole console with Pilot against the real simulator.

Not a test module: the console tests import it as `tests.app.console_harness`. Everything is real: the app, the library client, the simulator on
loopback; only the clock is fixed (so header ages and log times are deterministic) and
audio devices are replaced by the speaker's virtual clock (`--no-audio`).
"""

from __future__ import annotations

import dataclasses

import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from textual.app import App
from textual.pilot import Pilot

from console.app.app import RealtimeConsoleApp
from console.config import ConsoleConfig, build_config
from console.app.launch import build_parser

#: A fixed start time for the fake clock (2026-01-01T00:00:00Z).
T0 = 1_767_225_600.0


class FakeClock:
    """A wall clock the test moves; `auto` seconds are added on every read."""

    def __init__(self, start: float = T0, auto: float = 0.0) -> None:
        self.now = start
        self.auto = auto

    def __call__(self) -> float:
        self.now += self.auto
        return self.now


def make_config(*argv: str, fast: bool = True, wav_speed: float = 1.0) -> ConsoleConfig:
    """Options as the command line would give them, plus the test-only pacing knobs."""
    config = build_config(build_parser("realtime-console").parse_args(["--no-audio", *argv]))
    return dataclasses.replace(config, simulator_fast=fast, wav_speed=wav_speed)


def make_app(*argv: str, clock: Callable[[], float] | None = None, autoconnect: bool = True,
             **kwargs: Any) -> RealtimeConsoleApp:
    return RealtimeConsoleApp(make_config(*argv, **kwargs), clock=clock or FakeClock(), autoconnect=autoconnect)


async def wait_for(pilot: Pilot, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until `predicate()` is truthy; fail with `what` after `timeout` s."""
    loop_time = __import__("asyncio").get_running_loop().time
    deadline = loop_time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop_time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.05)


async def connected(pilot: Pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.session.stats.connection == "connected", what="connection")


def sent_types(app: RealtimeConsoleApp) -> list[str]:
    """Types of the client events logged so far, in order."""
    store = app.store
    return [store.event_type(i) for i in range(len(store)) if store.source(i) == "client"]


def events_of(app: RealtimeConsoleApp, event_type: str) -> list[dict[str, Any]]:
    store = app.store
    return [store.event(i) for i in range(len(store)) if store.event_type(i) == event_type]


def write_speech_wav(path: Path, text: str) -> Path:
    """A WAV of the simulator's synthetic voice saying `text` (it can transcribe it back)."""
    from console.simulator.voice import synthesise

    samples = np.asarray(synthesise(text), dtype=np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(24_000)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def screen_text(app: RealtimeConsoleApp) -> str:
    """The current screen as an SVG export (text included), for "is X shown" checks."""
    return app.export_screenshot()


async def submit(pilot: Pilot, text: str) -> None:
    """Type a line into the input line and press enter (set at once: typing each key
    through Pilot costs a repaint per key and adds nothing to what is tested)."""
    line = pilot.app.main.query_one("#input")
    line.focus()
    line.value = text
    line.cursor_position = len(text)
    await pilot.press("enter")


def palette_lists(app: App, query: str) -> bool | None:
    """None until the command palette is up with its list gathered for `query`; then whether
    its highlighted command's title is `query` (empty query: any listed command)."""
    from textual.command import CommandInput, CommandList, CommandPalette

    screen = app.screen
    if not isinstance(screen, CommandPalette) or screen.query_one(CommandInput).value != query:
        return None
    commands = screen.query_one(CommandList)
    if not commands.option_count or commands.highlighted is None:
        return None
    title = str(commands.get_option_at_index(commands.highlighted).hit.text)
    return not query or title.lower() == query.lower()


def app_from_settings(*argv: str) -> RealtimeConsoleApp:
    """The app as `launch.run` builds it: settings file, checks, then flags over the file."""
    from console.app.launch import check_settings
    from console.user_config import load_settings

    args = build_parser("realtime-console").parse_args(["--no-audio", "--no-record", *argv])
    settings = load_settings()
    check_settings(args, settings)
    return RealtimeConsoleApp(build_config(args, settings), clock=FakeClock(), autoconnect=False)
