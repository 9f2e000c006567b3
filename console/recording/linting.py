"""Lint one recording file: open it, feed every event to a `Linter`, return the result.

It lives with the recordings, not in `console.lint`: the linter itself knows events, not
files, so `inspect`, the sessions' summaries and `lint` can all use it without the two
packages importing each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from console.lint.findings import SEVERITIES, Finding
from console.lint.linter import Linter
from console.lint.rules import RULES

from .reader import Recording

#: Events read per sweep of `Recording.iter_events` (bounds the index slices held at once).
_BLOCK = 65_536


@dataclass
class FileResult:
    """The findings of one file, with the notes about the file itself (skipped lines...)."""

    path: str
    findings: list[Finding]
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "findings": [f.to_json() for f in self.findings], "counts": self.counts,
                "notes": self.notes}


def recording_linter(rec: Recording, select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> Linter:
    """A fresh `Linter` set for `rec`'s protocol and clock (what `lint_recording` feeds,
    and what `build_report(lint=True)` feeds in its own pass)."""
    return Linter(protocol=rec.protocol, times_known=rec.times_known, start_epoch=rec.start_epoch,
                  select=select, ignore=ignore)


def lint_recording(rec: Recording, select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> FileResult:
    """Every event of `rec` through a fresh `Linter`; damaged lines are skipped (and noted)."""
    linter = recording_linter(rec, select, ignore)
    total = len(rec)
    times = rec.index.times
    sources = rec.index.sources
    for start in range(0, total, _BLOCK):
        stop = min(total, start + _BLOCK)
        block_times = times[start:stop].tolist()
        block_sources = sources[start:stop].tolist()
        for n, event in rec.iter_events(range(start, stop)):
            if event is not None:
                k = n - start
                linter.observe(n, "client" if block_sources[k] == 0 else "server", event, block_times[k])
    findings = linter.finish()
    return FileResult(str(rec.path), findings, linter.counts(), rec.warnings() + linter.problems)


def lint_path(path: str | os.PathLike[str], select: Iterable[str] | None = None,
              ignore: Iterable[str] = ()) -> FileResult:
    """Open, index and lint one file (raises what `Recording.open` raises)."""
    with Recording.open(path) as rec:
        return lint_recording(rec, select, ignore)


def lint_counts(findings: Iterable[Finding]) -> dict[str, Any]:
    """The findings counted for a report: `{"counts": {severity: n}, "rules": {rule: {"severity",
    "count"}}}`, rules in catalogue order (what `inspect` and the sessions browser show; the
    findings themselves are `lint`'s to list)."""
    counts = {severity: 0 for severity in SEVERITIES}
    by_rule: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
        by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
    order = list(RULES)
    ranked = sorted(by_rule, key=lambda r: order.index(r) if r in order else len(order))
    return {"counts": counts,
            "rules": {rule: {"severity": RULES[rule].severity if rule in RULES else "info", "count": by_rule[rule]}
                      for rule in ranked}}
