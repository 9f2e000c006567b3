"""Protocol linter for recorded (or live) Realtime sessions: rules, a streaming `Linter`,
and the `realtime-console lint` command. Imports no UI and no network code."""

from .findings import Finding, Rule
from .linter import Linter
from .rules import RULES

__all__ = ["Finding", "Linter", "RULES", "Rule"]
