"""`LintMarks` files each finding under the event it is reported at, as the log reads it;
end-of-session findings arrive with `finish`, once."""

from __future__ import annotations

from console.session.lint_marks import LintMarks


def _events() -> list[tuple[str, dict, float]]:
    return [
        ("server", {"type": "session.created", "session": {"type": "realtime"}}, 0.0),
        ("client", {"type": "response.cancel", "event_id": "evt_1"}, 1.0),
        ("server", {"type": "error", "error": {"type": "invalid_request_error", "code": "response_cancel_not_active",
                                               "message": "no active response", "event_id": "evt_1"}}, 1.1),
        ("server", {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}, 2.0),
    ]


def test_findings_are_filed_under_their_event_and_counted_up_to_a_point() -> None:
    told: list[str] = []
    marks = LintMarks(on_finding=lambda f: told.append(f.rule))
    marks.observe_all(10, _events())  # a log whose rows start at 10
    assert {n: [f.rule for f in found] for n, found in marks.by_event.items()} == {11: ["cancel-not-active"]}
    assert marks.count_through(10) == 0 and marks.count_through(11) == 1
    assert not marks.finished
    marks.finish()
    marks.finish()  # once only
    assert [f.rule for f in marks.by_event[13]] == ["response-never-done"]
    assert told == ["cancel-not-active", "response-never-done"] and marks.finished
    assert marks.findings == [marks.by_event[11][0], marks.by_event[13][0]]


def test_a_server_error_is_no_mark_of_its_own() -> None:
    """The error row is already red and a note: the marks leave `server-error` out."""
    marks = LintMarks()
    marks.observe(0, "server", {"type": "error", "error": {"code": "boom", "message": "x"}}, 0.0)
    marks.finish()
    assert marks.findings == [] and marks.by_event == {}
