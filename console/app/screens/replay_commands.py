"""The replay's command palette: every action of the replay screen, searchable by name.

Keys cover the hot actions; the palette lists them all again (as Posting does), each
calling the same screen action its key runs, so there is one implementation per action.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from console.app.commands import CommandTable

#: (title, help, screen action) of every replay command, for the palette.
REPLAY_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Play / pause", "Play at the recorded timing times the speed (space)", "toggle_play"),
    ("Step forward", "Apply the next event (. or right)", "step(1)"),
    ("Step back", "Go back one event (, or left)", "step(-1)"),
    ("Faster", "Double the replay speed (] or +)", "faster"),
    ("Slower", "Halve the replay speed ([ or -)", "slower"),
    ("Go to event or time", "Seek to an event number or a time (g)", "goto"),
    ("Next turn", "Seek to the start of the next turn (n)", "next_turn"),
    ("Previous turn", "Seek to the start of the previous turn (N)", "previous_turn"),
    ("Next error", "Seek to the next error event (e)", "next_error"),
    ("Previous error", "Seek to the previous error event (E)", "previous_error"),
    ("Seek to the selected event", "Move the replay to the row selected in the log (s)", "seek_selected"),
    ("Go to the start", "Before the first event (home of the replay)", "seek_start"),
    ("Go to the end", "The last event indexed", "seek_end"),
    ("Search the event log", "Free-text search over every event's JSON (ctrl+f)", "search_log"),
    ("Diagnostics: lint findings", "Every protocol problem the linter found; enter selects its event (ctrl+g)",
     "diagnostics"),
    ("Turns: latency, cost, timeline", "Each turn's latency and cost; the selected turn's timeline as bars (F6)",
     "turns"),
    ("Focus the event log", "Then: t types, d direction, enter fold, l cause/error, c copy", "focus_log"),
    ("Focus the conversation", "Then: p play an item's audio, w save WAV, y copy", "focus_conversation"),
    ("Quit", "Leave the replay (q)", "quit"),
)


class ReplayCommands(CommandTable):
    """Every replay action in the command palette (the keys cover the hot ones)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        # `self.screen` is the screen the palette was opened from: the replay screen.
        target = self.screen
        return [(title, help, partial(target.run_action, action)) for title, help, action in REPLAY_COMMANDS]
