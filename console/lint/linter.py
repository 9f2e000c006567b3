"""`Linter`: feed it events one at a time, read the findings as they are found.

The same object serves a recording (the CLI feeds every event, then calls `finish`) and a
live session (feed each event as it arrives; findings that need the rest of the session,
such as an output never sent, arrive with `finish`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from console.realtime.protocol import canonical_type

from .check_audio_input import AudioInputCheck
from .check_items import ErrorCheck, ItemCheck
from .check_responses import ResponseCheck
from .check_session import SessionCheck
from .check_tools import ToolCheck
from .check_truncation import TruncationCheck
from .context import Context
from .findings import Finding
from .rules import RULES


class Check(Protocol):
    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None: ...

    def finish(self) -> None: ...


class Linter:
    """Runs every check over a stream of events.

    Args:
        protocol: "ga" or "beta", the session's protocol (GA-only rules need it).
        times_known: False when event times are made up (bare event logs): rate rules skip.
        start_epoch: wall-clock time of event 0, for the session-expiry rule.
        select: only these rule ids (default all); ignore: never these.
        on_finding: called with each finding as it is found (live use).
    """

    def __init__(self, protocol: str = "ga", times_known: bool = True, start_epoch: float | None = None,
                 select: Iterable[str] | None = None, ignore: Iterable[str] = (),
                 on_finding: Callable[[Finding], None] | None = None) -> None:
        wanted = set(select) if select else set(RULES)
        self.enabled = wanted - set(ignore)
        self.findings: list[Finding] = []
        self._on_finding = on_finding
        self.ctx = Context(self._found, protocol, times_known, start_epoch)
        # Order matters for `error` events: specific checks claim them before ErrorCheck.
        self.checks: list[Check] = [
            SessionCheck(self.ctx), ItemCheck(self.ctx), TruncationCheck(self.ctx), ResponseCheck(self.ctx),
            ToolCheck(self.ctx), AudioInputCheck(self.ctx), ErrorCheck(self.ctx),
        ]
        self.finished = False
        #: Events a check could not read (odd field values), one line each, for the notes.
        self.problems: list[str] = []

    def _found(self, finding: Finding) -> None:
        if finding.rule not in self.enabled:
            return
        self.findings.append(finding)
        if self._on_finding is not None:
            self._on_finding(finding)

    def observe(self, index: int, source: str, event: dict[str, Any], time: float) -> None:
        """One event: its number in the session, "client" or "server", the payload, and its
        time in seconds since event 0."""
        etype = event.get("type")
        if not isinstance(etype, str):
            return
        ctype = canonical_type(etype)
        ctx = self.ctx
        ctx.last_time = time
        for check in self.checks:
            try:
                check.observe(index, source, ctype, event, time)
            except Exception as exc:  # noqa: BLE001 - one odd event is noted, the rest still checked
                self.problems.append(f"event {index} ({etype}): {type(check).__name__} could not read it: "
                                     f"{exc.__class__.__name__}: {str(exc)[:100]}")
        if source == "client":
            eid = event.get("event_id")
            if isinstance(eid, str):
                ctx.client_events[eid] = (index, etype)
            ctx.last_client = (index, etype)

    def finish(self) -> list[Finding]:
        """End of the session: report what only the end can tell; returns every finding,
        sorted by the event each is reported at."""
        if not self.finished:
            self.finished = True
            for check in self.checks:
                check.finish()
        return sorted(self.findings, key=lambda f: f.first_event)

    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out
