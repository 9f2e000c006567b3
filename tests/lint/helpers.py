"""Build recordings for lint tests: a `SessionBuilder` written through the real recorder,
then linted from the file."""

from __future__ import annotations

from pathlib import Path

from console.recording.linting import FileResult, lint_path
from console.recording.synthetic import SessionBuilder


def lint_built(builder: SessionBuilder, tmp_path: Path, name: str = "s.jsonl") -> FileResult:
    path = tmp_path / name
    builder.write(path)
    return lint_path(path)


def rules_of(result: FileResult) -> list[str]:
    return [f.rule for f in result.findings]


def only(result: FileResult, rule: str):
    """The single finding of `rule` (fails if there is not exactly one)."""
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, (rule, result.findings)
    return found[0]


def started(protocol: str = "ga", vad: bool = True) -> SessionBuilder:
    """A builder with the session set up (session.update, created, updated)."""
    b = SessionBuilder(protocol=protocol)
    b.session(vad=vad)
    return b
