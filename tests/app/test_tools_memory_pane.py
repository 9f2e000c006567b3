"""The memory pane and the session diff widgets on their own, plus the no-Textual rule for the models."""

from __future__ import annotations

import subprocess
import sys

from textual.app import App, ComposeResult

from console.session.editable import diff_sessions
from console.tools.registry import Memory
from widgets.memory_pane import MemoryPane
from widgets.session_diff import SessionDiff


class PaneApp(App[None]):
    def __init__(self, memory: Memory) -> None:
        super().__init__()
        self.memory = memory

    def compose(self) -> ComposeResult:
        yield MemoryPane(self.memory, id="memory")
        yield SessionDiff(id="diff")


async def test_memory_pane_follows_its_memory_and_can_switch() -> None:
    memory = Memory()
    app = PaneApp(memory)
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(MemoryPane)
        assert "empty" in str(pane.render())
        memory.set("favourite_colour", "green")
        memory.set("numbers", [1, 2])
        await pilot.pause()
        text = str(pane.render())
        assert "favourite_colour" in text and "green" in text and "[1, 2]" in text

        other = Memory()
        other.set("city", "Paris")
        pane.set_memory(other)
        await pilot.pause()
        assert "Paris" in str(pane.render()) and "green" not in str(pane.render())
        memory.set("ignored", "now")  # the old memory is no longer watched
        await pilot.pause()
        assert "ignored" not in str(pane.render())
    assert len(memory._listeners) == 0 and len(other._listeners) == 0  # unsubscribed on unmount


async def test_session_diff_marks_differences_and_errors() -> None:
    app = PaneApp(Memory())
    async with app.run_test(size=(120, 20)) as pilot:
        diff = app.query_one(SessionDiff)
        diff.show_diff(diff_sessions({"voice": "marin", "temperature": 0.9, "instructions": "x"},
                                     {"type": "realtime", "audio": {"output": {"voice": "alloy"}},
                                      "instructions": "x"}, protocol="ga"))
        await pilot.pause()
        text = str(diff.render())
        assert text.startswith("1 difference\n")
        assert "≠ voice" in text and "~ temperature" in text and '"alloy"' in text
        assert [e.path for e in diff.differences] == ["voice"]
        diff.show_error("Invalid value: 'robot' [invalid_value]")
        await pilot.pause()
        assert "rejected" in str(diff.render()) and diff.has_class("-error") and diff.entries == []


def test_models_never_import_textual() -> None:
    code = ("import sys, console.tools.registry, console.session.editable; "
            "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"
