"""The conversation view, status header and input line, driven by Pilot with hand-made data."""

from __future__ import annotations

import numpy as np
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message

from console.session.stats import RateLimit, SessionStats
from console.session.annotations import ItemMarks
from widgets.conversation_view import ConversationView, item_text, render_item
from widgets.input_line import InputLine
from widgets.status_header import StatusHeader, render_status


def user_text(item_id: str, text: str) -> dict:
    return {"id": item_id, "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": text}],
            "formatted": {"audio": np.zeros(0, np.int16), "text": text, "transcript": ""}}


def assistant(item_id: str, transcript: str, status: str = "in_progress", seconds: float = 0.0) -> dict:
    return {"id": item_id, "type": "message", "role": "assistant", "status": status,
            "content": [{"type": "output_audio", "transcript": transcript}],
            "formatted": {"audio": np.zeros(int(24000 * seconds), np.int16), "text": "", "transcript": transcript}}


def call(item_id: str, args: str, status: str = "in_progress") -> dict:
    return {"id": item_id, "type": "function_call", "status": status, "name": "get_weather", "call_id": "call_1",
            "arguments": args, "formatted": {"audio": np.zeros(0, np.int16), "text": "", "transcript": "",
                                             "tool": {"type": "function", "name": "get_weather", "call_id": "call_1", "arguments": args}}}


def test_render_item_shows_role_status_content_and_marks() -> None:
    text = render_item(assistant("item_a", "Hello the", seconds=1.5)).plain
    assert "assistant" in text and "in_progress" in text and "♪ 1.5 s" in text and "Hello the▌" in text
    cut = render_item(assistant("item_a", "", "incomplete"), ItemMarks(truncated_ms=1200, response_status="cancelled", response_reason="turn_detected")).plain
    assert "✂ not heard after 1.20 s" in cut and "⚠ response cancelled: turn_detected" in cut
    fc = render_item(call("item_c", '{"city": "Par')).plain
    assert 'get_weather({"city": "Par▌' in fc
    out = {"id": "item_o", "type": "function_call_output", "call_id": "call_1", "output": '{"temp": 21}',
           "status": "completed", "formatted": {"audio": np.zeros(0, np.int16), "text": "", "transcript": "", "output": '{"temp": 21}'}}
    assert '→ {"temp": 21}' in render_item(out).plain
    failed = user_text("item_u", "")
    failed["formatted"]["transcript_error"] = {"message": "audio too short"}
    assert "transcription failed: audio too short" in render_item(failed).plain
    assert item_text(call("c", "{}", "completed")) == "get_weather({})"


class ConversationHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ConversationView(id="conv")

    @on(ConversationView.ItemActionRequested)
    def _requested(self, message: ConversationView.ItemActionRequested) -> None:
        self.seen.append(message)


async def test_items_stream_in_order_and_actions_target_the_focused_card() -> None:
    app = ConversationHost()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ConversationView)
        view.upsert_item(user_text("item_1", "What's the weather?"))
        a = assistant("item_2", "It is")
        view.upsert_item(a)
        await pilot.pause()
        a["formatted"]["transcript"] = "It is sunny."
        a["status"] = "completed"
        view.upsert_item(a)
        view.add_note("n1", "error invalid_value: bad voice", "error", after_item_id="item_1", event_index=7)
        await pilot.pause()
        assert view.item_ids == ["item_1", "item_2"]
        shown = [getattr(e, "item_id", getattr(e, "note_id", None)) for e in view.entries]
        assert shown == ["item_1", "n1", "item_2"]
        assert [n.note_id for n in view.notes] == ["n1"]
        assert "It is sunny." in str(view.card("item_2").render())
        view.card("item_1").focus()
        await pilot.press("y", "x", "p", "w")
        await pilot.pause()
        kinds = [(type(m).__name__, m.item_id) for m in app.seen]
        assert kinds == [("CopyRequested", "item_1"), ("DeleteRequested", "item_1"),
                         ("PlayRequested", "item_1"), ("SaveRequested", "item_1")]
        assert app.seen[0].text == "What's the weather?"
        await pilot.press("down")
        assert app.focused is view and view.selected.note_id == "n1"
        view.remove_item("item_1")
        await pilot.pause()
        assert view.item_ids == ["item_2"]
        view.clear()
        await pilot.pause()
        assert view.item_ids == [] and view.entries == [] and view.notes == []


def test_status_header_text() -> None:
    stats = SessionStats(endpoint="offline: local simulator", protocol="ga", model="gpt-realtime", connection="connected",
                         session_id="sess_1", session_started=1000.0, expires_at=4600.0, input_tokens=1200,
                         output_tokens=30, cost_usd=0.0123, last_latency_ms=250.0, turn_mode="vad", mic="streaming")
    stats.rate_limits["tokens"] = RateLimit("tokens", 50000, 48000, 1.0, 0.0)
    text = render_status(stats, 1090.0).plain
    for part in ("● connected", "offline: local simulator", "ga", "gpt-realtime", "sess_1", "age 01:30 / 60:00",
                 "server VAD", "mic streaming", "1,200 in / 30 out", "≈$0.0123", "tok 48.0k/50.0k", "latency 250 ms"):
        assert part in text, part
    failed = SessionStats(endpoint="api.openai.com", connection="failed", connection_detail="authentication failed")
    assert "✖ failed" in render_status(failed, 0).plain and "authentication failed" in render_status(failed, 0).plain


class InputHost(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Message] = []

    def compose(self) -> ComposeResult:
        yield StatusHeader()
        yield InputLine(id="input")

    def on_input_line_text_submitted(self, m: InputLine.TextSubmitted) -> None:
        self.seen.append(m)

    def on_input_line_command_submitted(self, m: InputLine.CommandSubmitted) -> None:
        self.seen.append(m)

    def on_input_line_command_refused(self, m: InputLine.CommandRefused) -> None:
        self.seen.append(m)


async def test_input_line_sends_text_and_validates_commands() -> None:
    app = InputHost()
    async with app.run_test(size=(80, 10)) as pilot:
        line = app.query_one(InputLine)
        line.focus()
        await pilot.press(*"hello", "enter")
        await pilot.press(*"/voice robot", "enter")
        assert line.value == "/voice robot"  # kept for fixing
        line.value = ""
        await pilot.press(*"/voice ash", "enter")
        await pilot.press(*"//literal", "enter")
        await pilot.pause()
        names = [type(m).__name__ for m in app.seen]
        assert names == ["TextSubmitted", "CommandRefused", "CommandSubmitted", "TextSubmitted"]
        assert app.seen[0].text == "hello" and "unknown voice" in app.seen[1].reason
        assert app.seen[2].command.argument == "ash" and app.seen[3].text == "/literal"
        await pilot.press("up", "up")
        assert line.value == "/voice ash"
