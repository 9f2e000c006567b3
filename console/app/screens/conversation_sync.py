"""Keeps a `ConversationView` in step with a live session's changes.

Shared by every view of a session that grows as it happens (the console's own session,
a proxied app's): the changes of one flush (`SessionChanges`) name the items to redraw
and the notes to add; new items and notes show at once, in time order, and items that
only grew wait for the view's next refresh (a card's re-layout costs more than a log
row, and speech runs at ~3 words/s). A replay has its own sync (`replay_conversation.py`),
since seeking back rebuilds the conversation instead of growing it.
"""

from __future__ import annotations

from console.session.session import Session, SessionChanges
from widgets.conversation_view import ConversationView


class LiveConversationSync:
    """Applies a session's changes to a conversation view (see the module docstring)."""

    def __init__(self, view: ConversationView, session: Session) -> None:
        self.view = view
        self.session = session
        self._pending: dict[str, None] = {}

    def take(self, changes: SessionChanges) -> None:
        """Take one flush's changes: new items and notes now, grown items at `apply_pending`."""
        view = self.view
        if changes.conversation_reset:
            view.clear()
        self._pending.update(dict.fromkeys(changes.changed_items))
        for item_id in changes.removed_items:
            self._pending.pop(item_id, None)
            view.remove_item(item_id)
        # A note placed after no item came before every item (the conversation was empty):
        # show it before this batch's new items, so the pane keeps time order.
        for note in changes.notes:
            if note.after_item_id is None:
                view.add_note(note.note_id, note.text, note.kind, None, note.event_index)
        if changes.notes or any(view.card(i) is None for i in self._pending):
            self.apply_pending()
        for note in changes.notes:
            if note.after_item_id is not None:
                view.add_note(note.note_id, note.text, note.kind, note.after_item_id, note.event_index)

    def apply_pending(self) -> None:
        """Re-render the cards of changed items (new ones are placed after their predecessor)."""
        if not self._pending:
            return
        session, view = self.session, self.view
        items = session.items()
        order = {item["id"]: i for i, item in enumerate(items)}
        for item_id in sorted(self._pending, key=lambda i: order.get(i, 1 << 30)):
            item = session.item(item_id)
            if item is None:
                continue
            index = order.get(item_id, 0)
            previous = items[index - 1]["id"] if index > 0 else None
            view.upsert_item(item, session.item_marks(item_id), after=previous)
        self._pending.clear()
