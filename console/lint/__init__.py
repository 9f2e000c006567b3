"""Protocol linter for recorded (or live) Realtime sessions: rules and a streaming `Linter`.

It reads events, never files: it imports nothing of the project but the library
(`console.realtime`), so everything that has events (live sessions, replays, `inspect`, the
sessions' summaries, and the `lint` command in `console.recording.lint_cli`) can use it
without an import loop. Imports no UI and no network code."""

from .findings import Finding, Rule
from .linter import Linter
from .rules import RULES

__all__ = ["Finding", "Linter", "RULES", "Rule"]
