"""`EditorScreen`: what the session and tool editors share about leaving.

Esc closes an editor at once when nothing changed and otherwise asks (save, discard, keep
editing) instead of dropping the edits; Tab moves on from a text area (which would
otherwise take it), and the footer says so only while one has focus. Each editor says
what unsaved means, what its save is called and what closing returns.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.screen import Screen
from textual.widgets import TextArea

from console.app.screens.unsaved_changes import Choice, UnsavedChangesScreen

ResultT = TypeVar("ResultT")


class EditorScreen(Screen[ResultT], Generic[ResultT]):
    """A screen that edits something and must not lose the edits when left."""

    #: The name of the editor's save action, as the unsaved-changes question shows it.
    SAVE_LABEL = "Save"

    def has_unsaved_changes(self) -> bool:
        """Whether closing now would lose edits."""
        raise NotImplementedError

    def unsaved_subject(self) -> str:
        """What has unsaved edits, for the question ("the session", "tool get_weather")."""
        raise NotImplementedError

    def close_result(self) -> ResultT:
        """What the screen returns when it closes."""
        raise NotImplementedError

    def leave_chosen(self, choice: Choice | None) -> None:
        """The answer to the unsaved-changes question (None: keep editing)."""
        raise NotImplementedError

    def action_close(self) -> None:
        """Close at once when nothing changed; otherwise ask: save, discard, keep editing."""
        if not self.has_unsaved_changes():
            self.dismiss(self.close_result())
            return
        self.app.push_screen(UnsavedChangesScreen(self.unsaved_subject(), save_label=self.SAVE_LABEL),
                             self.leave_chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer "tab next field" only while a text area has focus (it says how to leave one;
        elsewhere Tab is the app's own focus key)."""
        if action == "next_field":
            return isinstance(self.focused, TextArea)
        return True

    def action_next_field(self) -> None:
        self.focus_next()


__all__ = ["EditorScreen"]
