"""Command-palette providers: every console action, searchable by name.

Key bindings cover the hot actions; everything else (and the hot actions again, for
discoverability) is here, as Posting does. Each command calls the same app method the
binding or slash command calls, so there is one implementation per action.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (title, help, app method name, arguments)
CONSOLE_COMMANDS: tuple[tuple[str, str, str, tuple[Any, ...]], ...] = (
    ("Talk (push-to-talk)", "Start recording; run again to send and get a response (F2)", "action_talk", ()),
    ("Interrupt the model", "Stop playback, cancel the response, truncate what was not heard (F3)", "action_interrupt", ()),
    ("Turn mode: server VAD", "Let the server detect turns; audio streams continuously", "set_turn_mode", ("vad",)),
    ("Turn mode: push-to-talk", "A key toggles recording; stopping asks for a response", "set_turn_mode", ("ptt",)),
    ("Edit session", "Instructions, voice, turn detection, tools, raw JSON (ctrl+e)", "action_session_editor", ()),
    ("Edit tools", "Add, edit and remove function tools and their handlers (ctrl+t)", "action_tool_editor", ()),
    ("Check conversation drift", "Retrieve every item from the server and flag differences (/retrieve)", "action_check_drift", ()),
    ("Reconnect", "Close the connection and start a new session (ctrl+r)", "action_reconnect", ()),
    ("Disconnect", "Close the connection", "action_disconnect", ()),
    ("Search the event log", "Free-text search over every event's JSON (ctrl+f)", "action_search_log", ()),
    ("Focus the event log", "Then: t types, d direction, f follow, enter fold, o open full-screen, l cause/error, c copy (ctrl+l)", "action_focus_log", ()),
    ("Focus the conversation", "Then: p play, w save WAV, x delete, y copy (ctrl+o)", "action_focus_conversation", ()),
    ("Focus the input line", "Type a message or a /command (ctrl+n)", "action_focus_input", ()),
    ("Diagnostics: lint findings", "Every protocol problem the linter found; enter selects its event (ctrl+g)",
     "action_diagnostics", ()),
    ("Turns: latency, cost, timeline", "Each turn's latency and cost; the selected turn's timeline as bars (F6)",
     "action_turns", ()),
    ("Play the last answer", "Hear the last assistant item's audio again (or p on a focused item)", "action_play_last", ()),
    ("Save the last answer as WAV", "Write the last assistant item's audio to <item id>.wav (or w)", "action_save_last", ()),
    ("Copy the last answer", "Copy the last assistant item's text (or y on a focused item)", "action_copy_last", ()),
    ("Slash command help", "List the input line's /commands", "action_help", ()),
    ("Quit", "Leave the console (ctrl+q)", "action_quit", ()),
)


class CommandTable(Provider):
    """A palette provider over a fixed table of commands: a subclass says what each
    command calls (`_commands`); discovery and fuzzy search are the same for all."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """(title, help, what to call) of every command."""
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, help, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help)


class ConsoleCommands(CommandTable):
    """The console's own commands (added to Textual's system commands)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app  # the console app: every method named in CONSOLE_COMMANDS is one of its actions
        return [(title, help, partial(getattr(app, method), *args)) for title, help, method, args in CONSOLE_COMMANDS]
