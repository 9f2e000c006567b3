"""Keeps the conversation pane in step with the replay cursor.

A forward move changes a few items (re-rendered, new ones mounted after their
predecessor); a backward move restores an earlier state (`ReplayUpdate.reset`): items that
no longer exist are removed, and only cards whose content differs from what is shown are
re-rendered (a cheap fingerprint per card), so seeking in a long session does not
re-render hundreds of cards. Notes cannot be removed one by one from the view, so when a
seek drops notes the pane is rebuilt.
"""

from __future__ import annotations

from typing import Any

from console.replay.controller import ReplayController, ReplayUpdate
from widgets.conversation_view import ConversationView


def _fingerprint(item: dict[str, Any], marks: Any) -> tuple[Any, ...]:
    """What a card shows of an item, cheaply: equal fingerprints render the same card."""
    formatted = item.get("formatted") or {}
    tool = formatted.get("tool") or {}
    return (
        item.get("status"),
        item.get("type"),
        len(formatted.get("text") or ""),
        len(formatted.get("transcript") or ""),
        len(formatted.get("audio") if formatted.get("audio") is not None else ()),
        len(str(tool.get("arguments") or item.get("arguments") or "")),
        str(formatted.get("output") or item.get("output") or "")[:64],
        bool(formatted.get("transcript_error")),
        marks,
    )


class ConversationSync:
    """Applies `ReplayUpdate`s to a `ConversationView` (see the module docstring)."""

    def __init__(self, view: ConversationView, controller: ReplayController) -> None:
        self.view = view
        self.controller = controller
        self._shown_notes: list[str] = []
        self._shown_items: dict[str, tuple[Any, ...]] = {}

    def apply(self, update: ReplayUpdate) -> None:
        """Show the conversation as of the controller's cursor after `update`."""
        view = self.view
        ctl = self.controller
        items = ctl.items()
        notes = ctl.notes
        if update.reset:
            note_ids = {n.note_id for n in notes}
            if any(n not in note_ids for n in self._shown_notes):
                view.clear()  # notes after the cursor must go: the view cannot remove one
                self._shown_notes = []
                self._shown_items = {}
            keep = {i["id"] for i in items}
            for item_id in view.item_ids:
                if item_id not in keep:
                    view.remove_item(item_id)
                    self._shown_items.pop(item_id, None)
            changed: list[str] = [i["id"] for i in items]
        else:
            changed = list(update.changed_items)
        order = {item["id"]: k for k, item in enumerate(items)}
        for item_id in sorted(changed, key=lambda i: order.get(i, 1 << 30)):
            k = order.get(item_id)
            if k is None:
                view.remove_item(item_id)
                self._shown_items.pop(item_id, None)
                continue
            marks = ctl.marks.get(item_id)
            shown = _fingerprint(items[k], marks)
            if update.reset and self._shown_items.get(item_id) == shown and view.card(item_id) is not None:
                continue  # unchanged by the seek: re-rendering every card would cost the seek
            self._shown_items[item_id] = shown
            view.upsert_item(items[k], marks, after=items[k - 1]["id"] if k > 0 else None)
        shown = set(self._shown_notes)
        for note in notes if update.reset else update.notes:
            if note.note_id not in shown:
                view.add_note(note.note_id, note.text, note.kind, note.after_item_id, note.event_index)
                self._shown_notes.append(note.note_id)
