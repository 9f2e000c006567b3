"""The entries of the conversation pane: one per item (`ItemCard`) or note (`NoteCard`).

Each holds its text, rendered once per change of the item, and its lines wrapped once
per width. They are plain objects, not widgets: `ConversationView` paints them (Line API)
and lists them (`entries`, `notes`, `card(item_id)`); `render()` and `focus()` are theirs
so that a screen or a test can read one or select it as a user would.
"""

from __future__ import annotations

from typing import Any, Protocol

from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from console.session.annotations import ItemMarks
from widgets.conversation_render import Streamed, render_item, render_note



class EntryHost(Protocol):
    """What an entry needs of the view that paints it (`ConversationView`)."""

    def select(self, entry: Any, *, focus: bool = False, scroll_visible: bool = True) -> None: ...

#: Columns the view adds around an entry's text: a card's border and padding, a note's padding.
ITEM_INDENT = 3  # border + one column of padding left + one right
NOTE_INDENT = 2  # one column of padding each side


def _wrap(text: Text, console: Console, width: int) -> list[list[Segment]]:
    """Text wrapped to `width` cells, one list of segments per line."""
    return [list(line.render(console, end="")) for line in text.wrap(console, max(1, width))]


class _Entry:
    """A card or note as the view paints it: its text and its wrapped lines.

    Not a widget: an earlier version mounted each entry as a hidden DOM node, and every
    mount or removal asked Textual for a layout of the whole screen that changed nothing.
    """

    #: Columns the view adds around the text (border and padding).
    INDENT = 2

    def __init__(self, view: EntryHost, text: Text) -> None:
        self._view = view
        self.text = text
        self._wrapped: tuple[int, list[list[Segment]]] | None = None

    def render(self) -> Text:
        """What the view shows for this entry (before wrapping)."""
        return self.text

    def focus(self, scroll_visible: bool = True) -> "_Entry":
        """Select this entry and focus the view (the per-item actions then target it)."""
        self._view.select(self, focus=True, scroll_visible=scroll_visible)
        return self

    def lines(self, console: Console, width: int) -> list[list[Segment]]:
        """The text wrapped inside a pane `width` cells wide (cached until it changes)."""
        inner = max(1, width - self.INDENT)
        if self._wrapped is None or self._wrapped[0] != inner:
            self._wrapped = (inner, _wrap(self.text, console, inner))
        return self._wrapped[1]

    def invalidate(self) -> None:
        """Forget the wrapped lines (the pane's width or the theme changed)."""
        self._wrapped = None


class ItemCard(_Entry):
    """One conversation item: its text, rendered and wrapped once per change."""

    INDENT = ITEM_INDENT

    def __init__(self, view: EntryHost, item: dict[str, Any], marks: ItemMarks | None = None) -> None:
        self.item_id: str = str(item.get("id"))
        self.item: dict[str, Any] = item
        self.marks = marks or ItemMarks()
        self.kind = str(item.get("role") or item.get("type"))
        #: The longest transcript and audio this card has shown (see `Streamed`).
        self.streamed = _remember(Streamed(), item)
        super().__init__(view, render_item(item, self.marks, streamed=self.streamed))

    def refresh_item(self, item: dict[str, Any], marks: ItemMarks | None = None) -> None:
        """Re-render from the (live) item dict; the view re-wraps it on its next paint."""
        self.item = item
        if marks is not None:
            self.marks = marks
        self.streamed = _remember(self.streamed, item)
        self.text = render_item(item, self.marks, streamed=self.streamed)
        self._wrapped = None


def _remember(seen: Streamed, item: dict[str, Any]) -> Streamed:
    """`seen` updated with what `item` holds now, keeping what a truncation wiped.

    A transcript that grows replaces the remembered one; an emptied one (truncation) keeps
    it; one that starts afresh (deltas after a truncation) replaces it only if longer.
    """
    formatted = item.get("formatted") or {}
    transcript = formatted.get("transcript")
    transcript = transcript if isinstance(transcript, str) else ""
    audio = formatted.get("audio")
    samples = len(audio) if audio is not None else 0
    kept = seen.transcript
    if transcript.startswith(kept) or len(transcript) > len(kept):
        kept = transcript
    if kept == seen.transcript and samples <= seen.samples:
        return seen
    return Streamed(kept, max(samples, seen.samples))


class NoteCard(_Entry):
    """An inline note: an error, or a response that did not complete."""

    INDENT = NOTE_INDENT

    def __init__(self, view: EntryHost, note_id: str, text: str, kind: str, event_index: int | None = None) -> None:
        self.note_id = note_id
        self.event_index = event_index
        self.kind = kind
        super().__init__(view, render_note(text, kind))
