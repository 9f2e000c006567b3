"""The diagnostics view: every lint finding of the session in one table.

The log marks a finding on its row (`⚑`), but a long session's few findings are hard to
find among thousands of rows; this screen lists them all (severity, rule, event, message)
in the order they were found. Enter on one dismisses with its event index, so the host
selects that event in the log, where the detail pane shows the finding and its fix; esc
dismisses with None and changes nothing. `open_diagnostics` is how every event log's
screen (live, replay, proxied, attached) opens it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from console.app.screens.footer_labels import NARROW_DROP, SHORT_LABELS
from console.lint.findings import SEVERITIES, Finding
from console.session.event_store import EventStore
from widgets.console_footer import ConsoleFooter
from widgets.log_pane import LogPane

_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}


def _title(findings: Sequence[Finding]) -> str:
    """`3 findings: 1 error, 2 warnings · enter shows the event · esc back` (or none)."""
    if not findings:
        return "No lint findings in this session  ·  esc back"
    counts = [(s, sum(1 for f in findings if f.severity == s)) for s in SEVERITIES]
    parts = ", ".join(f"{n} {s}{'' if n == 1 else 's'}" for s, n in counts if n)
    total = len(findings)
    return f"{total} lint finding{'' if total == 1 else 's'}: {parts}  ·  enter shows the event  ·  esc back"


class DiagnosticsScreen(Screen[int | None]):
    """The findings of one session; dismisses with the chosen finding's event index."""

    DEFAULT_CSS = """
    DiagnosticsScreen #diagnostics-title {
        height: 1;
        padding: 0 1;
        background: $primary-muted;
        color: $text-primary;
        text-style: bold;
    }
    DiagnosticsScreen #diagnostics-table {
        height: 1fr;
    }
    """

    BINDINGS = [
        Binding("escape", "back", "Back", id="diagnostics.back", tooltip="Back to the main screen"),
    ]

    def __init__(self, store: EventStore, findings: Sequence[Finding], *, name: str | None = None,
                 id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.store = store
        #: A snapshot: findings that arrive while the view is open show the next time.
        self.findings: tuple[Finding, ...] = tuple(findings)

    def compose(self) -> ComposeResult:
        yield Static(_title(self.findings), id="diagnostics-title", markup=False)
        yield DataTable(id="diagnostics-table", cursor_type="row", zebra_stripes=True)
        yield ConsoleFooter(SHORT_LABELS, NARROW_DROP)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("severity", "rule", "event", "message")
        for row, finding in enumerate(self.findings):
            table.add_row(
                Text(finding.severity, style=_SEVERITY_STYLE.get(finding.severity, "")),
                finding.rule,
                self._event_label(finding.first_event),
                finding.message,
                key=str(row),
            )
        table.focus()

    def _event_label(self, index: int) -> str:
        if 0 <= index < len(self.store):
            return f"#{index} {self.store.event_type(index)}"
        return "—"

    def rows(self) -> list[tuple[str, str, int, str]]:
        """(severity, rule, event index, message) per row, as listed (what tests read)."""
        return [(f.severity, f.rule, f.first_event, f.message) for f in self.findings]

    @on(DataTable.RowSelected, "#diagnostics-table")
    def _selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        finding = self.findings[int(str(message.row_key.value))]
        if 0 <= finding.first_event < len(self.store):
            self.dismiss(finding.first_event)
        else:
            self.notify("This finding is about no event of the log", severity="warning")

    def action_back(self) -> None:
        self.dismiss(None)


def open_diagnostics(pane: LogPane, findings: Sequence[Finding]) -> None:
    """The diagnostics view of the session `pane` logs; the finding chosen is selected in
    the pane's log (a filter hiding it is cleared), with the focus there."""

    def chosen(index: int | None) -> None:
        if index is not None:
            pane.reveal(index)
            pane.focus_log()

    pane.app.push_screen(DiagnosticsScreen(pane.store, findings), chosen)
