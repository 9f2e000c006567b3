"""`LintMarks`: a session's linter and its findings by the event each is reported at.

Whatever shows an event log (the live console, a replay, a proxied session, an attached
call) lints its events through one of these as they reach the log's store, and hands
`by_event` to the log pane: the log marks those rows (`⚑`), the detail pane and the
full-screen detail list each finding with its explanation, and the diagnostics view lists
them all. One object and one map, so a finding found late (a refusal is judged when the
server's error arrives; a missing output at the end) reaches every view the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from console.lint.findings import Finding
from console.lint.linter import Linter

#: Rules the marks leave out: a server `error` is already a red row and a note of its own.
MARKS_IGNORED: tuple[str, ...] = ("server-error",)


class LintMarks:
    """Feeds a `Linter` and keeps its findings by event index.

    Args:
        protocol: "ga" or "beta".
        times_known: False when event times are made up (rate rules then skip).
        start_epoch: wall-clock time of event 0 (for the expiry rule), if known.
        on_finding: told of each finding as it is found, after it is filed.
    """

    def __init__(self, protocol: str = "ga", *, times_known: bool = True, start_epoch: float | None = None,
                 on_finding: Callable[[Finding], None] | None = None) -> None:
        #: The findings by the store index of their first event (read by the log and the detail).
        self.by_event: dict[int, list[Finding]] = {}
        self._on_finding = on_finding
        self._notes: set[int] = set()  # ids of the marks `add_notes` filed
        self.linter = Linter(protocol=protocol, times_known=times_known, start_epoch=start_epoch,
                             ignore=MARKS_IGNORED, on_finding=self._found)

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far, in the order found (the linter's own list)."""
        return self.linter.findings

    @property
    def finished(self) -> bool:
        return self.linter.finished

    def observe(self, index: int, source: str, event: dict[str, Any], time: float) -> None:
        """Event `index` of the store: "client" or "server", its payload, seconds since event 0."""
        self.linter.observe(index, source, event, time)

    def observe_all(self, first: int, events: Iterable[tuple[str, dict[str, Any], float]]) -> None:
        """Events `first, first + 1, ...` as (source, event, seconds), as a log's store takes them."""
        for n, (source, event, time) in enumerate(events, first):
            self.linter.observe(n, source, event, time)

    def finish(self) -> None:
        """The session is complete: report what only its end can tell (once)."""
        self.linter.finish()

    def add_notes(self, notes: Mapping[int, list[Finding]]) -> None:
        """Marks that are not the linter's (a replay's reconnect where a chain's next file
        starts): shown on their rows and in the detail like findings, never counted as one."""
        for n, found in notes.items():
            self.by_event.setdefault(n, []).extend(found)
            self._notes.update(id(f) for f in found)

    def count_through(self, index: int) -> int:
        """Findings reported at events up to `index` (a replay's header counts as of its cursor)."""
        return sum(1 for n, found in self.by_event.items() if n <= index for f in found if id(f) not in self._notes)

    def _found(self, finding: Finding) -> None:
        if finding.first_event >= 0:
            self.by_event.setdefault(finding.first_event, []).append(finding)
        if self._on_finding is not None:
            self._on_finding(finding)
