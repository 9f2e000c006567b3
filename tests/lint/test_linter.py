"""The streaming `Linter` on its own: fed event by event as a live session would feed it."""

from __future__ import annotations

from console.lint import Finding, Linter
from console.recording.synthetic import SessionBuilder


def test_findings_arrive_as_events_do_and_the_end_adds_the_rest() -> None:
    found: list[Finding] = []
    linter = Linter(on_finding=found.append)
    b = SessionBuilder()
    b.session()
    b.user_text("hi")
    b.emit("client", {"type": "conversation.item.delete", "item_id": "item_ghost"})
    b.emit("server", {"type": "response.created", "response": {"id": "resp_x"}})
    for n, (_, source, event) in enumerate(b.events):
        linter.observe(n, source, event, n * 0.01)
    assert [f.rule for f in found] == ["unknown-item-id"]  # reported at once
    findings = linter.finish()
    assert [f.rule for f in findings] == ["unknown-item-id", "response-never-done"]
    assert linter.counts() == {"error": 1, "warning": 1, "info": 0}


def test_an_odd_event_is_noted_and_the_rest_still_checked() -> None:
    linter = Linter()
    linter.observe(0, "server", {"type": "response.output_audio.delta", "item_id": "i", "delta": 5}, 0.0)
    linter.observe(1, "client", {"type": "conversation.item.truncate", "item_id": {"odd": 1}, "audio_end_ms": "x"}, 0.1)
    linter.observe(2, "server", {"type": "response.done", "response": {"id": "r", "status": "failed"}}, 0.2)
    assert [f.rule for f in linter.finish()] == ["response-failed"]
