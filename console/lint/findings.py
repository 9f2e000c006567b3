"""What a lint rule is and what it finds: plain data, shared by the rules, the linter and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Severities, most serious first (the order `--fail-on` compares with).
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    """One rule: its id, how serious a finding is, one line on what it checks, and why it
    matters with the fix (what `--explain` prints)."""

    id: str
    severity: str
    summary: str
    explanation: str


@dataclass(frozen=True)
class Finding:
    """One problem found: the rule, a one-line message naming the events involved, the
    event numbers (the first is where it is reported) and the protocol ids they carry."""

    rule: str
    severity: str
    message: str
    events: tuple[int, ...]
    ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def first_event(self) -> int:
        return self.events[0] if self.events else -1

    def to_json(self) -> dict[str, Any]:
        """The `--json` shape of one finding (documented in RULES.md)."""
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "events": list(self.events), "ids": list(self.ids)}
