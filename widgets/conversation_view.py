"""The conversation pane: items in order, as the client library's conversation holds them.

Each item is a card showing role, type and status, then its content: user text and
input-audio transcripts, assistant text and streaming transcripts, function calls with
their arguments as they stream, function outputs, truncation marks and transcription
failures. Errors and responses that ended `cancelled` / `failed` / `incomplete` appear
inline as notes. The screen feeds it (`upsert_item`, `remove_item`, `add_note`) at most a
few times a second.

Why a Line-API `ScrollView` and not a widget per card: when a card widget grew by a line
or a new one was mounted, Textual re-laid out and repainted the whole screen (the outliers
of `bench/bench_app.py`). Here an update re-wraps only the changed item (its strips are
cached until it changes), the total height is set without a screen layout, and only the
lines on screen are painted. Cards (`ItemCard`) and notes (`NoteCard`) are plain
objects, not widgets (`entries`, `notes`, `card(item_id)` list them; `render()` and
`focus()` read or select one), so adding or removing one costs no screen layout.

Order is time order, newest at the bottom: a note placed after item X goes after X and
after the notes placed after X before it; a note with no item goes at the end; a new item
goes after its predecessor and that predecessor's notes (they happened before it).

Per-item actions act on the selected card (the view's cursor, shown while the view has
focus) and are posted as messages (the screen owns the client, the speaker and the
clipboard): play audio, save it as WAV, delete the item, copy its text.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Union

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.session.annotations import ItemMarks
from widgets.conversation_entries import ITEM_INDENT, NOTE_INDENT, ItemCard, NoteCard
from widgets.conversation_render import (
    AUDIO_RATE,
    audio_seconds,
    item_text,
    render_item,
    render_note,
)
from widgets.textual_compat import update_scrollbars_without_layout

__all__ = [
    "AUDIO_RATE", "ConversationView", "ItemCard", "NoteCard", "audio_seconds", "item_text", "render_item", "render_note",
]

_BORDER = "▊"  # the left border of a card (Textual's `tall` border)

Entry = Union[ItemCard, NoteCard]


class ConversationView(ScrollView, can_focus=True):
    """Items in order with inline notes; follows the newest item while at the bottom."""

    BINDINGS = [
        Binding("p", "play", "Play", id="conversation.play", tooltip="Play the focused item's audio"),
        Binding("w", "save_wav", "Save WAV", id="conversation.save_wav", tooltip="Save the focused item's audio as a WAV file"),
        Binding("delete,x", "delete", "Delete", id="conversation.delete", tooltip="Delete the focused item from the conversation"),
        Binding("y", "copy", "Copy", id="conversation.copy", tooltip="Copy the focused item's text"),
        Binding("up,k", "focus_previous_card", "Previous", show=False, id="conversation.previous"),
        Binding("down,j", "focus_next_card", "Next", show=False, id="conversation.next"),
    ]

    COMPONENT_CLASSES = {
        "conversation-view--border",
        "conversation-view--border-user",
        "conversation-view--border-assistant",
        "conversation-view--border-tool",
        "conversation-view--border-selected",
        "conversation-view--selected",
        "conversation-view--note",
        "conversation-view--note-error",
        "conversation-view--note-warning",
    }

    class ItemActionRequested(Message):
        """Base of the per-item requests: `item_id` names the target item."""

        def __init__(self, item_id: str) -> None:
            self.item_id = item_id
            super().__init__()

    class PlayRequested(ItemActionRequested):
        """The user asked to hear an item's audio."""

    class SaveRequested(ItemActionRequested):
        """The user asked to save an item's audio as a WAV file."""

    class DeleteRequested(ItemActionRequested):
        """The user asked to delete an item (the screen sends `conversation.item.delete`)."""

    class CopyRequested(ItemActionRequested):
        """The user asked to copy an item's text; `text` is what to copy."""

        def __init__(self, item_id: str, text: str) -> None:
            self.text = text
            super().__init__(item_id)

    class NoteSelected(Message):
        """A note was selected; `event_index` is the event it came from (or None)."""

        def __init__(self, note_id: str, event_index: int | None) -> None:
            self.note_id = note_id
            self.event_index = event_index
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._follow = True
        self._cards: dict[str, ItemCard] = {}
        self._notes: dict[str, NoteCard] = {}
        self._entries: list[Entry] = []
        #: First line of each entry (recomputed when a height changes: O(entries) ints).
        self._tops: list[int] = []
        self._heights: dict[int, int] = {}
        self._layout_dirty = True
        self._width = 0
        self._strips: dict[tuple[int, bool], list[Strip]] = {}
        self._styles: dict[str, Style] | None = None
        self.selected: Entry | None = None

    # --- data in --------------------------------------------------------------------

    @property
    def item_ids(self) -> list[str]:
        """Ids of the items shown, in order."""
        return [e.item_id for e in self._entries if isinstance(e, ItemCard)]

    @property
    def entries(self) -> list[Entry]:
        """Cards and notes in the order shown."""
        return list(self._entries)

    @property
    def notes(self) -> list[NoteCard]:
        """The notes in the order shown."""
        return [e for e in self._entries if isinstance(e, NoteCard)]

    def card(self, item_id: str) -> ItemCard | None:
        """The card of an item, if shown."""
        return self._cards.get(item_id)

    def _at_end(self) -> bool:
        """Whether the view follows the newest line (explicit state, see `watch_scroll_y`).

        Computing it from the scroll position at the moment of a change is wrong after a
        resize: content that fitted a tall pane overflows a short one while `scroll_y`
        is still 0, and the view would stop following without the user scrolling.
        """
        return self._follow

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Only a scroll (the user's, or ours to the end) changes whether we follow.
        self._follow = new_value >= self.max_scroll_y - 1

    def _insert(self, entry: Entry, after: str | None) -> None:
        """Place `entry` after the card of `after` and the notes already following it (they
        came before `entry`), else last: the view reads in time order, newest at the bottom."""
        anchor = self._cards.get(after) if after else None
        if anchor is None:
            self._entries.append(entry)
            return
        index = self._entries.index(anchor) + 1
        while index < len(self._entries) and isinstance(self._entries[index], NoteCard):
            index += 1
        self._entries.insert(index, entry)

    def upsert_item(self, item: dict[str, Any], marks: ItemMarks | None = None, after: str | None = None) -> None:
        """Show a new item (after `after`, else at the end) or re-render a known one."""
        following = self._at_end()
        card = self._cards.get(str(item.get("id")))
        if card is not None:
            card.refresh_item(item, marks)
            self._changed(card, following)
            return
        card = ItemCard(self, item, marks)
        self._cards[card.item_id] = card
        self._insert(card, after)
        self._changed(None, following)

    def remove_item(self, item_id: str) -> None:
        """Drop a deleted item's card."""
        card = self._cards.pop(item_id, None)
        if card is None:
            return
        index = self._entries.index(card)
        self._entries.remove(card)
        if self.selected is card:
            self.selected = self._entries[min(index, len(self._entries) - 1)] if self._entries else None
        self._changed(None, self._at_end())

    def add_note(self, note_id: str, text: str, kind: str = "info", after_item_id: str | None = None, event_index: int | None = None) -> None:
        """Show a note after an item (or at the end)."""
        if note_id in self._notes:
            return
        following = self._at_end()
        note = NoteCard(self, note_id, text, kind, event_index)
        self._notes[note_id] = note
        self._insert(note, after_item_id)
        self._changed(None, following)

    def clear(self) -> None:
        """Forget every item and note (a new session)."""
        self._cards.clear()
        self._notes.clear()
        self._entries.clear()
        self.selected = None
        self._changed(None, True)

    # --- geometry -------------------------------------------------------------------

    def _changed(self, entry: Entry | None, following: bool) -> None:
        """After `entry` changed (None: entries were added or removed): fix the heights,
        repaint what is needed and keep the tail in view if it was."""
        self._strips.clear() if entry is None else self._drop_strips(entry)
        if not self.is_mounted or not self._width:
            self._layout_dirty = True
            return
        if entry is not None:
            index = self._entries.index(entry)
            old = self._height_at(index)
            new = len(entry.lines(self.app.console, self._width)) + 1
            if new == old:
                top = self._tops[index] - round(self.scroll_y)
                self.refresh(Region(0, top, self._width, new))
                return
        self._layout_dirty = True
        self._relayout()
        if following:
            self._scroll_end()
        self.refresh()

    def _drop_strips(self, entry: Entry) -> None:
        key = id(entry)
        for state in (False, True):
            self._strips.pop((key, state), None)

    def _height_at(self, index: int) -> int:
        tops = self._tops
        end = tops[index + 1] if index + 1 < len(tops) else self.virtual_size.height
        return end - tops[index]

    def _relayout(self) -> None:
        """Entry offsets and the virtual height, without a screen layout (O(entries))."""
        if not self._layout_dirty:
            return
        self._layout_dirty = False
        console = self.app.console
        tops: list[int] = []
        y = 0
        for entry in self._entries:
            tops.append(y)
            y += len(entry.lines(console, self._width)) + 1  # + the margin under each card
        self._tops = tops
        size = Size(0, y)
        if size != self.virtual_size:
            # `virtual_size` is a layout reactive: setting it re-lays out the whole screen.
            # Only this widget's scrollbars depend on it (see `widgets.textual_compat`); a
            # layout still follows if the scrollbar appears or goes (the width changes).
            if update_scrollbars_without_layout(self, size):
                self.refresh(layout=True)

    def _scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def _sync_width(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._strips.clear()
            self._layout_dirty = True
        if self._layout_dirty and width:
            following = self._at_end()
            self._relayout()
            if following:
                self._scroll_end()

    def on_resize(self, event: events.Resize) -> None:
        following = self._at_end()
        self._sync_width()
        if following:
            self._scroll_end()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if hasattr(self, "_strips"):  # called once before __init__ finishes
            self._strips.clear()
            self._styles = None

    # --- painting -------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {}
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"conversation-view--{name}")
        return style

    def _entry_strips(self, entry: Entry) -> list[Strip]:
        selected = entry is self.selected and self.has_focus
        key = (id(entry), selected)
        strips = self._strips.get(key)
        if strips is not None:
            return strips
        width = self._width
        base = self.rich_style
        if selected:
            base = base + Style(bgcolor=self._style("selected").bgcolor)
        lines = entry.lines(self.app.console, width)
        strips = []
        if isinstance(entry, ItemCard):
            border_name = "border-selected" if selected else {
                "user": "border-user", "assistant": "border-assistant",
                "function_call": "border-tool", "function_call_output": "border-tool",
            }.get(entry.kind, "border")
            # Textual's `tall` border: the block in the card's background over the border
            # colour, which leaves a thin bar of colour at the right of the cell.
            border = Segment(_BORDER, base + Style(color=base.bgcolor, bgcolor=self._style(border_name).color))
            inner = max(1, width - ITEM_INDENT)
            for segments in lines:
                body = Strip(segments).adjust_cell_length(inner).apply_style(base)
                strips.append(Strip([border, Segment(" ", base), *body, Segment(" ", base)], width).crop(0, width))
        else:
            colour = {"error": "note-error", "response": "note-warning", "drift": "note-warning"}.get(entry.kind, "note")
            style = base + Style(color=self._style(colour).color)
            inner = max(1, width - NOTE_INDENT)
            for segments in lines:
                body = Strip(segments).adjust_cell_length(inner).apply_style(style)
                strips.append(Strip([Segment(" ", style), *body, Segment(" ", style)], width).crop(0, width))
        self._strips[key] = strips
        return strips

    def render_lines(self, crop: Region) -> list[Strip]:
        self._sync_width()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = round(self.scroll_y) + y
        index = bisect_right(self._tops, line) - 1
        if 0 <= index < len(self._entries):
            strips = self._entry_strips(self._entries[index])
            offset = line - self._tops[index]
            if offset < len(strips):
                return strips[offset]
        return Strip.blank(self._width, self.rich_style)

    def _entry_at(self, line: int) -> Entry | None:
        index = bisect_right(self._tops, line) - 1
        if 0 <= index < len(self._entries):
            entry = self._entries[index]
            if line - self._tops[index] < self._height_at(index) - 1:
                return entry
        return None

    # --- selection ------------------------------------------------------------------

    def select(self, entry: Entry | None, *, focus: bool = False, scroll_visible: bool = True) -> None:
        """Move the cursor to `entry` (a card or note of this view)."""
        previous = self.selected
        self.selected = entry
        for changed in (previous, entry):
            if changed is not None:
                self._drop_strips(changed)
        if focus and not self.has_focus:
            self.focus(scroll_visible=False)
        if entry is not None and scroll_visible:
            self._scroll_to_entry(entry)
        self.refresh()
        if isinstance(entry, NoteCard) and entry is not previous:
            self.post_message(self.NoteSelected(entry.note_id, entry.event_index))

    def _scroll_to_entry(self, entry: Entry) -> None:
        if self._layout_dirty or entry not in self._entries:
            return
        index = self._entries.index(entry)
        top, height = self._tops[index], self._height_at(index) - 1
        view = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + height > self.scroll_y + view:
            self.scroll_to(y=min(top, top + height - view), animate=False, immediate=True)

    def on_focus(self) -> None:
        if self.selected is None and self._entries:
            self.select(self._entries[-1])
        elif self.selected is not None:
            self._drop_strips(self.selected)
            self.refresh()

    def on_blur(self) -> None:
        if self.selected is not None:
            self._drop_strips(self.selected)
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            entry = self._entry_at(round(self.scroll_y) + offset.y)
            if entry is not None:
                self.select(entry, focus=True)

    # --- actions on the selected card -----------------------------------------------

    def selected_item_id(self) -> str | None:
        """The item of the selected card (None: a note or nothing is selected)."""
        return self.selected.item_id if isinstance(self.selected, ItemCard) else None

    def _focused_card(self) -> ItemCard | None:
        selected = self.selected
        return selected if self.has_focus and isinstance(selected, ItemCard) else None

    def _focused_or_last(self) -> ItemCard | None:
        card = self._focused_card()
        if card is None:
            cards = [e for e in self._entries if isinstance(e, ItemCard)]
            return cards[-1] if cards else None
        return card

    def action_play(self) -> None:
        if card := self._focused_or_last():
            self.post_message(self.PlayRequested(card.item_id))

    def action_save_wav(self) -> None:
        if card := self._focused_or_last():
            self.post_message(self.SaveRequested(card.item_id))

    def action_delete(self) -> None:
        if card := self._focused_card():
            self.post_message(self.DeleteRequested(card.item_id))

    def action_copy(self) -> None:
        if card := self._focused_or_last():
            self.post_message(self.CopyRequested(card.item_id, item_text(card.item)))

    def _move(self, step: int) -> None:
        entries = self._entries
        if not entries:
            return
        current = self.selected
        index = entries.index(current) if current in entries else (len(entries) if step < 0 else -1)
        self.select(entries[max(0, min(len(entries) - 1, index + step))], focus=True)

    def action_focus_previous_card(self) -> None:
        self._move(-1)

    def action_focus_next_card(self) -> None:
        self._move(1)

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        border: round $panel;
        border-title-color: $text-muted;
    }
    ConversationView:focus {
        border: heavy $accent;
        border-title-color: $accent;
        border-title-style: bold;
    }
    ConversationView > .conversation-view--border { color: $panel; }
    ConversationView > .conversation-view--border-user { color: $accent; }
    ConversationView > .conversation-view--border-assistant { color: $success; }
    ConversationView > .conversation-view--border-tool { color: $warning; }
    ConversationView > .conversation-view--border-selected { color: $primary; }
    ConversationView > .conversation-view--selected { background: $boost; }
    ConversationView > .conversation-view--note { color: $text-muted; }
    ConversationView > .conversation-view--note-error { color: $error; }
    ConversationView > .conversation-view--note-warning { color: $warning; }
    """
