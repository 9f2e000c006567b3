"""What was sent in `session.update` next to what the server applied, differences marked.

The React console shows neither side; debugging a session that "ignores" a setting needs
both. Entries come from `console.session.editable.diff_sessions`; this widget only draws
them (a few dozen rows at most, so a plain `Static` is enough).
"""

from __future__ import annotations

import json
from typing import Any

from textual.content import Content
from textual.widgets import Static

from console.session.editable import DiffEntry

_MARKS: dict[str, tuple[str, str]] = {
    # status: (mark, style)
    "same": (" ", "$text-muted"),
    "changed": ("≠", "bold $text-warning"),
    "missing": ("−", "bold $text-error"),
    "added": ("+", "$text-secondary"),
    "ignored": ("~", "bold $text-warning"),
}
_LEGEND = "≠ changed by the server  − not applied  ~ ignored by this protocol  + server default"
_CELL = 28


def _cell(value: Any, absent: bool = False) -> str:
    text = "—" if absent else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


class SessionDiff(Static):
    """A table: mark, field path, value sent, value applied, and why it is marked."""

    DEFAULT_CSS = """
    SessionDiff {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("nothing applied yet", name=name, id=id, classes=classes)
        self.entries: list[DiffEntry] = []
        self.error: str | None = None
        self.caption = ""

    @property
    def differences(self) -> list[DiffEntry]:
        """The entries the server did not apply as sent."""
        return [e for e in self.entries if e.is_difference]

    def show_diff(self, entries: list[DiffEntry], *, caption: str = "") -> None:
        """Draw a new comparison (replacing any error shown), under an optional caption."""
        self.entries = list(entries)
        self.caption = caption
        self.error = None
        self.remove_class("-error")
        self.update(self.render_diff())

    def show_error(self, message: str) -> None:
        """Show the server's error for the last `session.update` instead of a comparison."""
        self.entries = []
        self.error = message
        self.add_class("-error")
        self.update(Content.assemble(("✗ the server rejected the update: ", "bold $text-error"), message))

    def render_diff(self) -> Content:
        """The table as styled text; differences first so they are seen without scrolling."""
        if not self.entries:
            return Content.styled("the server answered with no session fields", "$text-muted")
        ordered = sorted(self.entries, key=lambda e: (not e.is_marked, e.status == "same"))
        width = min(max(len(e.path) for e in ordered), 36)
        n = len(self.differences)
        header = Content.assemble(
            (f"{self.caption}\n" if self.caption else "", "italic $text-muted"),
            (f"{n} difference{'s' if n != 1 else ''}" if n else "applied as sent", "bold"),
            "\n",
            (_LEGEND, "$text-muted"),
            "\n",
            ("  " + "field".ljust(width) + "  " + "sent".ljust(_CELL) + "  applied", "$text-muted"),
        )
        rows = [header]
        for e in ordered:
            mark, style = _MARKS[e.status]
            rows.append(
                Content.assemble(
                    (mark + " ", style),
                    (e.path.ljust(width), style if e.is_marked else ""),
                    "  ",
                    _cell(e.sent, absent=e.status == "added").ljust(_CELL),
                    "  ",
                    (_cell(e.applied, absent=e.status in ("missing", "ignored")), style if e.is_marked else ""),
                )
            )
        return Content("\n").join(rows)
