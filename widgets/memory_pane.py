"""The memory pane: what the model stored with `set_memory`, shown live.

As in OpenAI's React console, the demo `set_memory` tool writes key/value pairs the user
can watch appear. The pane subscribes to a `console.tools.registry.Memory` while mounted and
redraws only when it changes (a handful of writes per session, so a full redraw is cheap).
While the memory is empty the pane has the `-empty` class (a short screen hides it then).
"""

from __future__ import annotations

import json
from typing import Any

from textual.content import Content
from textual.widgets import Static

from console.tools.registry import Memory


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class MemoryPane(Static):
    """Key/value rows of a `Memory`, updated whenever a tool writes to it."""

    DEFAULT_CSS = """
    MemoryPane {
        height: auto;
        min-height: 3;
        padding: 0 1;
        border: round $primary-muted;
        border-title-color: $text-primary;
    }
    """

    def __init__(self, memory: Memory | None = None, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._memory: Memory = memory if memory is not None else Memory()
        self._unsubscribe: Any = None
        self.border_title = "memory"

    @property
    def memory(self) -> Memory:
        return self._memory

    def set_memory(self, memory: Memory) -> None:
        """Show another `Memory` (e.g. after the app rebuilt its tool registry)."""
        self._unwatch_memory()
        self._memory = memory
        if self.is_mounted:
            self._watch_memory()

    def on_mount(self) -> None:
        self._watch_memory()

    def on_unmount(self) -> None:
        self._unwatch_memory()

    def _watch_memory(self) -> None:
        self._unsubscribe = self._memory.subscribe(self._changed)
        self._redraw()

    def _unwatch_memory(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _changed(self, key: str, value: Any) -> None:
        # Tools write from the client's task: redraw from this widget's own message queue.
        self.call_later(self._redraw)

    def _redraw(self) -> None:
        # `-empty` lets a short screen give the pane's rows to the conversation until the
        # model stores something (app.tcss); the hint stays for screens with room for it.
        self.set_class(not len(self._memory), "-empty")
        self.update(self.render_memory())

    def render_memory(self) -> Content:
        """The pane's text: one `key  value` row per entry, or a hint when empty."""
        data = self._memory.snapshot()
        if not data:
            return Content.styled("empty: the model fills it by calling set_memory", "$text-muted italic")
        width = min(max(len(k) for k in data), 24)
        rows = [Content.assemble((key.ljust(width), "bold $text-accent"), "  ", _show(value))
                for key, value in data.items()]
        return Content("\n").join(rows)
