"""Keeps the replay's event log and detail pane in step with the replay cursor.

The replay cursor *is* the log's selected row: every cursor move selects the row that
shows the cursor's event (the head of its folded run when deltas are folded, the nearest
shown row when a filter hides it). Two details need state of their own:

* selecting a row makes the log post `RowSelected` for the row's head, which would put
  the head's event in the detail pane over the cursor's own event: the one message this
  sync caused itself is recognised and skipped;
* while playing, rendering the detail pane (Rich JSON, ~20 ms) on every frame would cost
  the frame, so the detail follows the cursor at a lower rate (`show_due_detail`, on a
  timer) and immediately otherwise.
"""

from __future__ import annotations

from console.replay.controller import ReplayController
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog


class LogSync:
    """Selects the cursor's row in an `EventLog` and shows its event in an `EventDetail`."""

    def __init__(self, log: EventLog, detail: EventDetail, controller: ReplayController) -> None:
        self.log = log
        self.detail = detail
        self.controller = controller
        #: The event the detail pane should show at the next `show_due_detail` (playing).
        self.detail_due: int | None = None
        self._marking: int | None = None

    def mark_cursor(self) -> None:
        """Select the replay cursor's row in the log (the nearest shown row if filtered)."""
        cursor = self.controller.cursor
        log = self.log
        if cursor < 0 or cursor >= len(log.store):
            return
        view = log.view
        view.update()
        row = view.row_of_event(cursor)
        if row is None:
            if not len(view):
                return
            row = view.nearest_row(cursor)
        head = view.event_index(row)
        if log.selected_event() != head:
            self._marking = head  # the RowSelected this posts shows the fold head: skip it
        log.select_event(head)
        self.show_detail(cursor)  # the cursor's own event, even inside a folded run

    def show_detail(self, index: int) -> None:
        """Show event `index` in the detail pane: now, or on the next tick while playing."""
        if self.controller.playing:
            self.detail_due = index
        else:
            self.detail_due = None
            self.detail.show(index)

    def row_selected(self, index: int) -> None:
        """The log's `RowSelected`: the user's choice, unless `mark_cursor` caused it."""
        if self._marking is not None and index == self._marking:
            self._marking = None
            return
        self.show_detail(index)

    def show_due_detail(self) -> None:
        """Timer callback: catch the detail pane up with the cursor (see the docstring)."""
        if self.detail_due is not None:
            index, self.detail_due = self.detail_due, None
            self.detail.show(index)
