"""Lint findings in the log pane: the `⚑` row mark, its severity colour, folded runs, a
finding that arrives after its row was drawn, and the detail pane's finding and fix.

The widgets get the findings map as an attribute (as the session keeps it); the whole
flow against the simulator is in `tests/app/test_diagnostics.py`.
"""

from __future__ import annotations

from textual.app import App, ComposeResult

from console.lint.findings import Finding
from console.lint.rules import RULES
from console.session.event_store import EventStore
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.event_log_render import FINDING_MARK, RowRenderer, worst_severity
from widgets.log_pane import LogPane


def _store() -> EventStore:
    store = EventStore(start_time=100.0)
    store.append("client", {"type": "response.cancel", "event_id": "evt_1"}, 100.25)  # 0
    for k in range(3):  # 1..3, one folded row
        store.append("client", {"type": "input_audio_buffer.append", "audio": "AAAA"}, 100.5 + k)
    store.append("server", {"type": "error", "error": {"message": "no response", "event_id": "evt_1"}}, 104.0)  # 4
    return store


def _finding(rule: str, *events: int) -> Finding:
    return Finding(rule, RULES[rule].severity, f"{rule} at event {events[0]}", tuple(events))


class PaneApp(App[None]):
    def __init__(self, store: EventStore, findings: dict[int, list[Finding]]) -> None:
        super().__init__()
        self.store = store
        self.findings = findings

    def compose(self) -> ComposeResult:
        yield LogPane(self.store, findings=self.findings)


def test_worst_severity_is_the_most_serious() -> None:
    assert worst_severity([]) is None
    assert worst_severity([_finding("tool-output-not-json", 0), _finding("cancel-not-active", 0)]) == "warning"
    assert worst_severity([_finding("cancel-not-active", 0), _finding("commit-too-small", 0)]) == "error"


async def test_a_row_with_a_finding_is_marked_in_its_severity_colour() -> None:
    store = _store()
    findings = {0: [_finding("cancel-not-active", 0, 4)]}
    app = PaneApp(store, findings)
    async with app.run_test(size=(100, 20)):
        log = app.query_one(EventLog)
        rows = RowRenderer(log)
        view = log.view
        marked = rows.row(store, view, 0, 90, cursor=False, expanded=set(), findings=findings)
        plain = rows.row(store, view, 2, 90, cursor=False, expanded=set(), findings=findings)
        assert "↑ " + FINDING_MARK in marked.text and FINDING_MARK not in plain.text
        assert marked.cell_length == 90
        mark = next(s for s in marked if s.text == FINDING_MARK)
        assert mark.style == rows.style("event-log--finding-warning")
        assert rows.style("event-log--finding-warning").color != rows.style("event-log--finding-error").color
        # The severity shown is the worst: an error on the same event turns the mark red.
        findings[0].append(_finding("commit-too-small", 0))
        again = rows.row(store, view, 0, 90, cursor=False, expanded=set(), findings=findings)
        assert next(s for s in again if s.text == FINDING_MARK).style == rows.style("event-log--finding-error")


async def test_a_folded_run_is_marked_when_any_event_in_it_has_a_finding() -> None:
    store = _store()
    findings = {2: [_finding("append-bad-size", 2)]}  # the middle append of three
    app = PaneApp(store, findings)
    async with app.run_test(size=(100, 20)):
        log = app.query_one(EventLog)
        view = log.view
        folded = next(r for r in range(len(view)) if view.count(r) == 3)
        text = RowRenderer(log).row(store, view, folded, 90, cursor=False, expanded=set(), findings=findings).text
        assert FINDING_MARK in text and "×3" in text  # the count still says it is folded


async def test_a_finding_reported_after_its_row_was_drawn_marks_it_and_refreshes_the_detail() -> None:
    store = _store()
    findings: dict[int, list[Finding]] = {}
    app = PaneApp(store, findings)
    seen: list[EventLog.FindingsChanged] = []

    def hook(message: object) -> None:
        if isinstance(message, EventLog.FindingsChanged) and not any(m is message for m in seen):
            seen.append(message)

    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        log = app.query_one(EventLog)
        detail = app.query_one(EventDetail)
        log.refresh_new()
        log.select_event(0)
        await pilot.pause()
        assert detail.index == 0
        assert FINDING_MARK not in log.render_line(log.cursor_row - int(log.scroll_y)).text
        assert "cancel-not-active" not in str(detail.query_one("#event-detail-head").render())
        # The linter reports the cancel when the server's error comes, after the row was drawn.
        findings[0] = [_finding("cancel-not-active", 0, 4)]
        log.refresh_new()
        await pilot.pause()
        assert seen, "refresh_new posts FindingsChanged when findings arrive"
        assert FINDING_MARK in log.render_line(log.cursor_row - int(log.scroll_y)).text
        head = " ".join(str(detail.query_one("#event-detail-head").render()).split())
        assert f"{FINDING_MARK} warning cancel-not-active: cancel-not-active at event 0" in head
        assert "Involves: #4 error" in head  # the other event it names, as a link
        assert " ".join(RULES["cancel-not-active"].explanation.split()) in head  # why, and the fix
        # Nothing new: no message, and the detail is left alone.
        seen.clear()
        log.refresh_new()
        await pilot.pause()
        assert not seen


async def test_the_detail_of_an_event_without_findings_shows_none() -> None:
    store = _store()
    app = PaneApp(store, {0: [_finding("cancel-not-active", 0)]})
    async with app.run_test(size=(100, 30)) as pilot:
        detail = app.query_one(EventDetail)
        detail.show(4)
        await pilot.pause()
        head = str(detail.query_one("#event-detail-head").render())
        assert FINDING_MARK not in head and "cancel-not-active" not in head
