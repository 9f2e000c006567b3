"""The question an editor asks when it is closed with unsaved edits: save, discard, or keep editing.

Esc used to close an editor and silently drop whatever was typed, valid or not. The
editors now close at once only when nothing changed; otherwise they push this modal,
which dismisses with the choice ("save", "discard" or "keep"). Every choice has a
key (s, d, esc) as well as a button, and Tab moves between the buttons, so it is
answered from the keyboard alone. Keep editing is focused first: Enter pressed by
habit neither sends anything nor loses anything.
"""

from __future__ import annotations

from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

#: What the user chose.
Choice = Literal["save", "discard", "keep"]


class UnsavedChangesScreen(ModalScreen[Choice]):
    """Ask what to do with the unsaved edits of `what` (e.g. "the session")."""

    DEFAULT_CSS = """
    UnsavedChangesScreen {
        align: center middle;
    }
    UnsavedChangesScreen #unsaved-dialog {
        width: auto;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    UnsavedChangesScreen #unsaved-title {
        text-style: bold;
        color: $text-warning;
        width: auto;
    }
    UnsavedChangesScreen #unsaved-help {
        color: $text-muted;
        width: auto;
        margin-bottom: 1;
    }
    UnsavedChangesScreen #unsaved-actions {
        height: auto;
        width: auto;
    }
    UnsavedChangesScreen #unsaved-actions > Button {
        margin-right: 1;
    }
    """

    BINDINGS = [
        Binding("s", "choose('save')", "Save", id="unsaved.save"),
        Binding("d", "choose('discard')", "Discard", id="unsaved.discard"),
        Binding("escape,k", "choose('keep')", "Keep editing", id="unsaved.keep"),
        Binding("left", "app.focus_previous", "Previous button", id="unsaved.previous", show=False),
        Binding("right", "app.focus_next", "Next button", id="unsaved.next", show=False),
    ]

    def __init__(self, what: str, save_label: str = "Save") -> None:
        super().__init__()
        self.what = what
        self.save_label = save_label

    def compose(self) -> ComposeResult:
        with Vertical(id="unsaved-dialog"):
            yield Static(f"Unsaved changes to {self.what}", id="unsaved-title")
            yield Static(f"s {self.save_label.lower()} · d discard · esc keep editing  (tab moves, enter presses)",
                         id="unsaved-help")
            with Horizontal(id="unsaved-actions"):
                yield Button(self.save_label, id="unsaved-save", variant="primary")
                yield Button("Discard", id="unsaved-discard", variant="error")
                yield Button("Keep editing", id="unsaved-keep")

    def on_mount(self) -> None:
        self.query_one("#unsaved-keep", Button).focus()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice: Choice = {"unsaved-save": "save", "unsaved-discard": "discard"}.get(  # type: ignore[assignment]
            event.button.id or "", "keep")
        self.dismiss(choice)
