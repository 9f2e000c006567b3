"""`ConsoleHost`: what the console's screens may ask of the app that hosts them.

Screens are composed by the app and call back into it (messages up); typing them against
this small interface instead of the app class keeps the import graph one-way (the app
imports its screens, never the reverse) and says in one place what a screen may use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

from console.audio.turns import TurnController
from console.config import ConsoleConfig
from console.session.event_store import EventStore
from console.session.live import LiveSession
from console.session.slash import SlashCommand
from console.tools.registry import ToolRegistry


class ConsoleHost(Protocol):
    """The app as its screens see it: the session it shows, and its user actions."""

    config: ConsoleConfig
    store: EventStore
    session: LiveSession
    turns: TurnController
    tools: ToolRegistry
    clock: Callable[[], float]

    def send_text(self, text: str) -> None: ...

    def run_command(self, command: SlashCommand) -> Awaitable[None]: ...

    def play_item(self, item_id: str) -> None: ...

    def save_item_wav(self, item_id: str, directory: Path | None = None) -> Path | None: ...

    def delete_item(self, item_id: str) -> None: ...

    def copy_text(self, text: str, what: str = "text") -> Any: ...
