"""Helpers for reading the console's screen as a user does: play the scripted session into
an app, let it settle, and export the screen as plain text lines."""

from __future__ import annotations

import re

from textual.app import App

from tests.app.console_harness import wait_for
from widgets.textual_compat import screen_text
from tests.app.scripted_session import T0, play


async def settle(pilot) -> None:
    """Let focus changes, the footer's recompose and layout finish before exporting.

    Waits for the message queue to drain and animations to end, never for a fixed time,
    so a busy machine only makes it slower.
    """
    for _ in range(6):
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()


async def play_scripted(app, pilot) -> None:
    """Play the scripted session into a started app and show all of it."""
    await wait_for(pilot, lambda: app.started, what="the app's start-up")
    client = app.session.open_client()
    app.session.output_audio_listeners.clear()  # no playback: the model waveform stays still
    app.session.stats.connection = "connected"
    app.main.query_one("#input").cursor_blink = False  # a blinking cursor is not deterministic
    app.clock.auto = 0.004  # each event 4 ms after the previous one: realistic log times
    play(client)
    app.clock.auto = 0.0
    app.clock.now = T0 + 95  # 1:35 into the session
    app.bridge.flush()
    await pilot.pause()
    app.main.apply_pending_items()  # what the 5 Hz conversation refresh would do
    app.main.refresh_status()
    await settle(pilot)


def screen_lines(app: App) -> list[str]:
    """The screen as plain text, one string per row, every cell in its column (the SVG
    export drops runs of blank cells, which would hide what a narrow terminal cuts off)."""
    return screen_text(app)


LOG_ROW = re.compile(r"│\s+\+\d+\.\d{3} [↑↓] (?P<marker>.)(?P<rest>.*)│")


def log_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(type, summary) of each event log row on the screen."""
    rows = []
    for line in lines:
        match = LOG_ROW.search(line.split("││")[0] + "│" if "││" in line else line)
        if match:
            etype, _, summary = match["rest"].strip().partition(" ")
            rows.append((etype, summary.strip()))
    return rows


def footer_labels_whole(footer_line: str, labels: list[str]) -> None:
    """Every label the footer holds appears whole, and nothing else is cut ("▏" after a word)."""
    for label in labels:
        assert label in footer_line, (label, footer_line)
    assert not re.search(r"\w▏", footer_line), footer_line  # the palette key docked over a label
