"""The conversation pane: items in order, as the client library's conversation holds them.

Each item is one focusable card showing role, type and status, then its content: user
text and input-audio transcripts, assistant text and streaming transcripts, function calls
with their arguments as they stream, function outputs, truncation marks and transcription
failures. Errors and responses that ended `cancelled` / `failed` / `incomplete` appear
inline as notes. The screen feeds it (`upsert_item`, `remove_item`, `add_note`) at most
~30 times a second, and only the cards that changed are re-rendered.

Per-item actions act on the focused card and are posted as messages (the screen owns the
client, the speaker and the clipboard): play audio, save it as WAV, delete the item,
copy its text.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from console.messages import ItemMarks

AUDIO_RATE = 24_000
_MAX_BODY = 4_000


def item_text(item: dict[str, Any]) -> str:
    """The plain text of an item, for copying: message text or transcript, call, output."""
    formatted = item.get("formatted") or {}
    kind = item.get("type")
    if kind == "function_call":
        tool = formatted.get("tool") or {}
        return f"{tool.get('name') or item.get('name')}({tool.get('arguments') or item.get('arguments') or ''})"
    if kind == "function_call_output":
        return str(formatted.get("output") or item.get("output") or "")
    parts = [p for p in (formatted.get("text"), formatted.get("transcript")) if isinstance(p, str) and p.strip()]
    return "\n".join(parts)


def audio_seconds(item: dict[str, Any], rate: int = AUDIO_RATE) -> float:
    """Seconds of audio the client holds for an item (0 when none)."""
    audio = (item.get("formatted") or {}).get("audio")
    return 0.0 if audio is None else len(audio) / rate


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_BODY else text[:_MAX_BODY] + f"… ({len(text) - _MAX_BODY} more characters)"


def render_item(item: dict[str, Any], marks: ItemMarks | None = None, rate: int = AUDIO_RATE) -> Text:
    """One card's content as Rich text (pure: tested without an app)."""
    marks = marks or ItemMarks()
    formatted = item.get("formatted") or {}
    kind = str(item.get("type") or "item")
    role = str(item.get("role") or {"function_call": "tool call", "function_call_output": "tool output"}.get(kind, kind))
    status = str(item.get("status") or "")
    out = Text()
    out.append(f"{role}", style=f"bold {_ROLE_STYLE.get(role, '')}".strip())
    if kind != "message":
        out.append(f"  {kind}", style="dim")
    if status:
        out.append(f"  {status}", style=_STATUS_STYLE.get(status, "dim"))
    seconds = audio_seconds(item, rate)
    if seconds:
        out.append(f"  ♪ {seconds:.1f} s", style="dim")
    out.append(f"  {item.get('id', '')}", style="dim italic")
    body = Text()
    if kind == "function_call":
        tool = formatted.get("tool") or {}
        body.append(str(tool.get("name") or item.get("name") or "?"), style="bold")
        body.append("(" + _clip(str(tool.get("arguments") or item.get("arguments") or "")))
        body.append(")" if status != "in_progress" else "▌")
        if item.get("call_id"):
            body.append(f"  call {item['call_id']}", style="dim")
    elif kind == "function_call_output":
        output = formatted.get("output", item.get("output"))
        body.append("→ ", style="bold")
        body.append(_clip(output if isinstance(output, str) else json.dumps(output)))
        if item.get("call_id"):
            body.append(f"  call {item['call_id']}", style="dim")
    else:
        text = formatted.get("text") or ""
        transcript = formatted.get("transcript") or ""
        if isinstance(text, str) and text:
            body.append(_clip(text))
        if isinstance(transcript, str) and transcript.strip():
            if body:
                body.append("\n")
            if role == "user":
                body.append("(heard) ", style="dim")
            body.append(_clip(transcript), style="italic" if role == "user" else "")
        elif role == "user" and seconds and not text and "transcript_error" not in formatted:
            body.append("(audio, no transcript yet)", style="dim")
        if status == "in_progress" and role == "assistant":
            body.append("▌", style="bold")
    error = formatted.get("transcript_error")
    if error:
        message = error.get("message") if isinstance(error, dict) else str(error)
        body.append(("\n" if body else "") + f"transcription failed: {message}", style="bold red")
    if marks.truncated_ms is not None:
        body.append(
            ("\n" if body else "") + f"✂ truncated at {marks.truncated_ms / 1000:.2f} s (the rest was not heard)",
            style="bold yellow",
        )
    if marks.response_status and marks.response_status != "completed":
        reason = f": {marks.response_reason}" if marks.response_reason else ""
        body.append(("\n" if body else "") + f"⚠ response {marks.response_status}{reason}", style="bold yellow")
    if body:
        out.append("\n")
        out.append_text(body)
    return out


_ROLE_STYLE = {"user": "cyan", "assistant": "green", "system": "magenta", "tool call": "yellow", "tool output": "yellow"}
_STATUS_STYLE = {"completed": "dim green", "in_progress": "yellow", "incomplete": "bold yellow", "cancelled": "bold yellow", "failed": "bold red"}


class ItemCard(Static, can_focus=True):
    """One conversation item (focusable, so the per-item actions know their target)."""

    def __init__(self, item: dict[str, Any], marks: ItemMarks | None = None) -> None:
        self.item_id: str = str(item.get("id"))
        self.item: dict[str, Any] = item
        self.marks = marks or ItemMarks()
        super().__init__(render_item(item, self.marks), classes=f"item -{item.get('role') or item.get('type')}")

    def refresh_item(self, item: dict[str, Any], marks: ItemMarks | None = None) -> None:
        """Re-render from the (live) item dict."""
        self.item = item
        if marks is not None:
            self.marks = marks
        streaming = item.get("status") == "in_progress"
        if streaming != self.has_class("-streaming"):  # a class change restyles: only on change
            self.set_class(streaming, "-streaming")
        text = render_item(item, self.marks)
        width = self.content_region.width
        # A re-layout of the pane costs far more than a repaint of the card: skip it while
        # the streaming text still fits in the card's current number of lines.
        same_height = width > 0 and len(text.wrap(self.app.console, width)) == self.content_region.height
        self.update(text, layout=not same_height)


class NoteCard(Static, can_focus=True):
    """An inline note: an error, or a response that did not complete."""

    def __init__(self, note_id: str, text: str, kind: str, event_index: int | None = None) -> None:
        self.note_id = note_id
        self.event_index = event_index
        prefix = {"error": "✖ ", "response": "⚠ ", "drift": "≠ "}.get(kind, "• ")
        super().__init__(Text(prefix + text), classes=f"note -{kind}")


class ConversationView(VerticalScroll, can_focus=False):
    """Items in order with inline notes; follows the newest item while at the bottom."""

    BINDINGS = [
        Binding("p", "play", "Play", id="conversation.play", tooltip="Play the focused item's audio"),
        Binding("w", "save_wav", "Save WAV", id="conversation.save_wav", tooltip="Save the focused item's audio as a WAV file"),
        Binding("delete,x", "delete", "Delete", id="conversation.delete", tooltip="Delete the focused item from the conversation"),
        Binding("y", "copy", "Copy", id="conversation.copy", tooltip="Copy the focused item's text"),
        Binding("up,k", "focus_previous_card", "Previous", show=False, id="conversation.previous"),
        Binding("down,j", "focus_next_card", "Next", show=False, id="conversation.next"),
    ]

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
        """A note was focused; `event_index` is the event it came from (or None)."""

        def __init__(self, note_id: str, event_index: int | None) -> None:
            self.note_id = note_id
            self.event_index = event_index
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cards: dict[str, ItemCard] = {}
        self._notes: dict[str, NoteCard] = {}
        self._pending_scroll = False

    # --- data in --------------------------------------------------------------------

    @property
    def item_ids(self) -> list[str]:
        """Ids of the items shown, in order."""
        return [c.item_id for c in self.query(ItemCard)]

    def card(self, item_id: str) -> ItemCard | None:
        """The card of an item, if shown."""
        return self._cards.get(item_id)

    def _at_end(self) -> bool:
        return self.scroll_y >= self.max_scroll_y - 1

    def upsert_item(self, item: dict[str, Any], marks: ItemMarks | None = None, after: str | None = None) -> None:
        """Show a new item (after `after`, else at the end) or re-render a known one."""
        card = self._cards.get(str(item.get("id")))
        if card is not None:
            card.refresh_item(item, marks)
            self._follow()
            return
        card = ItemCard(item, marks)
        self._cards[card.item_id] = card
        anchor = self._cards.get(after) if after else None
        if anchor is not None and anchor.parent is self:
            self.mount(card, after=anchor)
        else:
            self.mount(card)
        self._follow()

    def remove_item(self, item_id: str) -> None:
        """Drop a deleted item's card."""
        card = self._cards.pop(item_id, None)
        if card is not None:
            card.remove()

    def add_note(self, note_id: str, text: str, kind: str = "info", after_item_id: str | None = None, event_index: int | None = None) -> None:
        """Show a note after an item (or at the end)."""
        if note_id in self._notes:
            return
        note = NoteCard(note_id, text, kind, event_index)
        self._notes[note_id] = note
        anchor = self._cards.get(after_item_id) if after_item_id else None
        if anchor is not None and anchor.parent is self:
            self.mount(note, after=anchor)
        else:
            self.mount(note)
        self._follow()

    def clear(self) -> None:
        """Forget every item and note (a new session)."""
        self._cards.clear()
        self._notes.clear()
        self.remove_children()

    def _follow(self) -> None:
        """Stay at the newest item only if the user was already there (explicit tail)."""
        if self._at_end() and not self._pending_scroll:
            self._pending_scroll = True
            self.call_after_refresh(self._scroll_to_end)

    def _scroll_to_end(self) -> None:
        self._pending_scroll = False
        self.scroll_end(animate=False, immediate=True)

    # --- actions on the focused card ------------------------------------------------

    def _focused_card(self) -> ItemCard | None:
        focused = self.screen.focused if self.is_mounted else None
        return focused if isinstance(focused, ItemCard) and focused.parent is self else None

    def _focused_or_last(self) -> ItemCard | None:
        card = self._focused_card()
        if card is None:
            cards = list(self.query(ItemCard))
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
        cards = [c for c in self.children if isinstance(c, (ItemCard, NoteCard))]
        if not cards:
            return
        focused = self.screen.focused
        index = cards.index(focused) if focused in cards else (len(cards) if step < 0 else -1)
        target = cards[max(0, min(len(cards) - 1, index + step))]
        target.focus()
        target.scroll_visible(animate=False)

    def action_focus_previous_card(self) -> None:
        self._move(-1)

    def action_focus_next_card(self) -> None:
        self._move(1)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, NoteCard):
            self.post_message(self.NoteSelected(widget.note_id, widget.event_index))

    DEFAULT_CSS = """
    ConversationView {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    ConversationView > ItemCard {
        padding: 0 1;
        margin: 0 0 1 0;
        border-left: tall $panel;
    }
    ConversationView > ItemCard.-user { border-left: tall $accent; }
    ConversationView > ItemCard.-assistant { border-left: tall $success; }
    ConversationView > ItemCard.-function_call,
    ConversationView > ItemCard.-function_call_output { border-left: tall $warning; }
    ConversationView > ItemCard:focus { background: $boost; border-left: tall $primary; }
    ConversationView > NoteCard { padding: 0 1; margin: 0 0 1 0; color: $text-muted; }
    ConversationView > NoteCard.-error { color: $error; }
    ConversationView > NoteCard.-response { color: $warning; }
    ConversationView > NoteCard.-drift { color: $warning; }
    ConversationView > NoteCard:focus { background: $boost; }
    """
