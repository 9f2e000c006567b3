"""The event log pane: every Realtime event, one row each, rendered with the Line API.

`EventLog` draws only the rows on screen (`render_line`, with a `RowRenderer` from
`widgets.event_log_render` that builds and caches the strips) from a `RowView` over the
compact `EventStore`, so a million events cost what the visible rows cost. This module
is the state, the keys and the messages. The app appends to the store as events arrive and calls `refresh_new()` on its
~30 Hz flush timer; that folds in the new events only. Following the tail is explicit
state (`follow`): new rows scroll the view only while following, otherwise a
"▼ N new" badge counts them.

Lint findings come in as an attribute too: `findings` maps an event's store index to the
findings reported at it (the session keeps that map); a row with one shows a `⚑` in its
severity's colour, and `refresh_new()` notices new ones and posts `FindingsChanged`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from console.session.event_rows import RowView
from console.session.event_store import BOTH, EventStore
from widgets.event_log_render import (
    ROW_COMPONENT_CLASSES,
    ROW_CSS,
    FindingsMap,
    RowRenderer,
    abbreviate_type,
)

_UNSET: Any = object()
_DIRECTION_ARROWS = {"client": "↑", "server": "↓"}
_DIRECTION_CYCLE: tuple[frozenset[str], ...] = (BOTH, frozenset({"client"}), frozenset({"server"}))

__all__ = ["EventLog", "abbreviate_type"]


def _quote(text: str, limit: int = 24) -> str:
    """A search text as shown in the filter summary: quoted, one line, capped."""
    text = text.replace("\n", " ")
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'


class EventLog(ScrollView, can_focus=True):
    """A scrolling, filterable, foldable log of an `EventStore`'s events."""

    DEFAULT_CSS = (
        """
    EventLog {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
    }
    EventLog.-filtered {
        border-subtitle-color: $warning;
        border-subtitle-style: bold;
    }
    """
        + ROW_CSS
    )

    COMPONENT_CLASSES: ClassVar[set[str]] = set(ROW_COMPONENT_CLASSES)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, id="event_log.cursor_up"),
        Binding("down", "cursor_down", "Down", show=False, id="event_log.cursor_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="event_log.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="event_log.page_down"),
        Binding("home", "first", "First", show=False, id="event_log.first"),
        Binding("end", "last", "Newest", show=False, id="event_log.last"),
        Binding("enter,space", "toggle_fold", "Fold", id="event_log.toggle_fold",
                tooltip="Fold or unfold the run of deltas under the cursor"),
        Binding("o", "open_event", "Open", id="event_log.open",
                tooltip="Open the selected event's JSON full-screen (esc comes back here)"),
        Binding("f", "toggle_follow", "Follow", id="event_log.follow",
                tooltip="Keep scrolling to the newest event (on) or stay put (off)"),
        Binding("t", "pick_types", "Types", id="event_log.types",
                tooltip="Choose which event types the log shows"),
        Binding("d", "cycle_direction", "Direction", id="event_log.direction",
                tooltip="Show both directions, only client events, or only server events"),
        Binding("u", "toggle_fold_all", "Fold all", id="event_log.fold_all",
                tooltip="Turn delta folding off (every event a row) or back on"),
        Binding("l", "follow_link", "Cause/error", id="event_log.link",
                tooltip="Jump from an error to the client event that caused it, and back"),
        Binding("c", "copy_event", "Copy JSON", id="event_log.copy",
                tooltip="Copy the selected event's JSON to the clipboard"),
        Binding("escape", "clear_filters", "Clear filters", id="event_log.clear_filters",
                tooltip="Show every event again: clear the direction, type and search filters"),
    ]

    SEARCH_DEBOUNCE_EVENTS: ClassVar[int] = 200_000
    """From this many logged events on, text-only filter changes wait for typing to pause."""
    SEARCH_DEBOUNCE_S: ClassVar[float] = 0.3

    follow: reactive[bool] = reactive(True)
    """Scroll to new rows as they arrive (True) or keep the view still (False)."""

    class RowSelected(Message):
        """The cursor moved onto a row; `event_index` is the store index it shows."""

        def __init__(self, event_index: int) -> None:
            self.event_index = event_index
            super().__init__()

    class OpenRequested(Message):
        """`o` on a row: show event `event_index` full-screen (the screen decides how).

        The detail pane beside the log gets a few lines on a small terminal; the screen
        that hosts the log can give the event the whole terminal instead.
        """

        def __init__(self, event_index: int) -> None:
            self.event_index = event_index
            super().__init__()

    class FollowChanged(Message):
        """Follow mode was turned on or off (by a key, a scroll, or the app)."""

        def __init__(self, follow: bool) -> None:
            self.follow = follow
            super().__init__()

    class FindingsChanged(Message):
        """New lint findings arrived (`findings` grew); rows already redraw with their mark,
        this lets the detail pane refresh an event it shows."""

    class FilterChanged(Message):
        """The direction, type or text filter or the folding changed."""

        def __init__(self, directions: frozenset[str], types: frozenset[str] | None, text: str, fold: bool) -> None:
            self.directions = directions
            self.types = types
            self.text = text
            self.fold = fold
            super().__init__()

    def __init__(
        self,
        store: EventStore,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        findings: FindingsMap | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        #: Lint findings by event index (read, never written: the session owns the map).
        self.findings: FindingsMap = findings if findings is not None else {}
        self._findings_seen = 0
        self._fold = True
        self._expanded: set[int] = set()
        self.view: RowView = RowView(store, fold=True)
        self.cursor_row = -1
        self.new_rows = 0
        self._rows = RowRenderer(self)
        #: (width, height, longest type name on screen), measured once per paint.
        self._frame = (80, 24, 0)
        self._scrolling_ourselves = False
        self._search_timer: Timer | None = None
        self._search_generation = 0
        #: A search text waiting for typing to pause or for its scan (large logs only).
        self.pending_text: str | None = None
        self._shown_filters = ""
        self.virtual_size = Size(0, len(self.view))

    # --- public API -------------------------------------------------------------------

    @property
    def directions(self) -> frozenset[str]:
        return self.view.directions

    @property
    def types(self) -> frozenset[str] | None:
        return self.view.types

    @property
    def text(self) -> str:
        return self.view.text

    @property
    def fold(self) -> bool:
        return self._fold

    @property
    def filtered(self) -> bool:
        """Whether a direction, type or text filter hides events (or a search is pending)."""
        return self.directions != BOTH or self.types is not None or bool(self.text) or bool(self.pending_text)

    def filter_summary(self) -> str:
        """The active filters in one line, e.g. `↓ server only · types: 3 · search "foo" ·
        120 rows of 4,000 events`; "" when the log shows every event.

        Shown as the log's border subtitle, so a filtered log never passes for a complete
        one once focus has left the search box or the picker.
        """
        if not self.filtered:
            return ""
        parts: list[str] = []
        if self.directions != BOTH:
            only = next(iter(self.directions), "")
            parts.append(f"{_DIRECTION_ARROWS.get(only, '')} {only} only".strip() if only else "no direction")
        if self.types is not None:
            parts.append(f"types: {len(self.types)}")
        if self.pending_text:
            parts.append(f"search {_quote(self.pending_text)} (pending)")
        elif self.text:
            parts.append(f"search {_quote(self.text)}")
        rows, events = len(self.view), len(self.store)
        parts.append(f"{rows:,} row{'' if rows == 1 else 's'} of {events:,} event{'' if events == 1 else 's'}")
        return " · ".join(parts) + " · esc clears"

    def _show_filters(self) -> None:
        """Put `filter_summary()` in the border subtitle (only when it changed)."""
        summary = self.filter_summary()
        self.set_class(bool(summary), "-filtered")
        if bool(summary) != bool(self._shown_filters):
            self.refresh_bindings()  # "esc Clear filters" is in the footer only while filtered
        if summary != self._shown_filters:
            self._shown_filters = summary
            # Text, not a str: a str subtitle is parsed as markup, and a search may hold "[".
            self.border_subtitle = Text(summary) if summary else None

    def selected_event(self) -> int | None:
        """The store index of the event under the cursor, if any."""
        if 0 <= self.cursor_row < len(self.view):
            return self.view.event_index(self.cursor_row)
        return None

    def refresh_new(self) -> int:
        """Show events appended to the store since the last call; returns new rows.

        Costs O(new events + visible rows): call it from a ~30 Hz timer, not per event.
        """
        added = self.view.update()
        for row in self.view.changed:
            self._rows.discard_row(row)
        findings = sum(len(found) for found in self.findings.values())  # findings are few
        if findings != self._findings_seen:
            self._findings_seen = findings
            self.refresh()  # the severity is in the row cache's key: marked rows redraw
            self.post_message(self.FindingsChanged())
        if not added and not self.view.changed:
            return 0
        self.virtual_size = Size(0, len(self.view))
        if self.follow:
            self._scroll_end()
        elif added:
            self.new_rows += added
        if self.filtered:
            self._show_filters()  # the counts moved
        self.refresh()
        return added

    def set_filter(
        self,
        *,
        directions: frozenset[str] | None = None,
        types: frozenset[str] | None = _UNSET,
        text: str | None = None,
        fold: bool | None = None,
    ) -> None:
        """Change what the log shows; unspecified filters stay as they are.

        Args:
            directions: subset of {"client", "server"}.
            types: event types to show, or None for every type.
            text: case-insensitive substring of the event JSON ("" for no search).
            fold: fold runs of deltas (True) or show every event as a row (False).
        """
        text_only = directions is None and types is _UNSET and fold is None
        if text is not None and text_only and len(self.store) >= self.SEARCH_DEBOUNCE_EVENTS and self.is_mounted:
            # Each keystroke in a search box calls this; over a huge log one scan takes
            # a noticeable fraction of a second, so wait until typing pauses.
            self.pending_text = text
            if self._search_timer is not None:
                self._search_timer.stop()
            self._search_timer = self.set_timer(self.SEARCH_DEBOUNCE_S, self._apply_pending_text)
            self._show_filters()
            return
        if text is None and self.pending_text is not None:
            text = self.pending_text
        self._cancel_pending_text()
        self._apply_filter(directions=directions, types=types, text=text, fold=fold)

    def _apply_filter(
        self,
        *,
        directions: frozenset[str] | None = None,
        types: frozenset[str] | None = _UNSET,
        text: str | None = None,
        fold: bool | None = None,
    ) -> None:
        if fold is not None and fold != self._fold:
            self._fold = fold
            self._expanded.clear()
        self._rebuild(
            directions=self.view.directions if directions is None else frozenset(directions),
            types=self.view.types if types is _UNSET else (None if types is None else frozenset(types)),
            text=self.view.text if text is None else text,
        )
        self.post_message(self.FilterChanged(self.directions, self.types, self.text, self._fold))

    def _cancel_pending_text(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self.pending_text = None
        self._search_generation += 1  # a search still running in a thread is now stale

    def _apply_pending_text(self) -> None:
        """Typing paused: scan the huge log in a thread, so the UI keeps painting.

        numpy releases the GIL for the bulk of the scan. The thread only reads the store
        (append-only; it sees a consistent prefix) and builds a fresh `RowView`; the UI
        thread catches it up with `update()` and installs it, unless another filter
        change made it stale meanwhile.
        """
        text = self.pending_text
        self._search_timer = None
        if text is None:
            return
        self._search_generation += 1
        generation = self._search_generation
        old = self.view
        within = None
        if old.text and old.text.lower() in text.lower():
            old.update()
            within = old.matched()
        store, fold, expanded = self.store, self._fold, set(self._expanded)
        directions, types = old.directions, old.types

        def build() -> None:
            try:
                view = RowView(store, fold=fold, directions=directions, types=types, text=text,
                               expanded=expanded, within=within)
            except Exception as exc:  # reported on the UI thread, never a traceback
                view = exc
            try:
                self.app.call_from_thread(self._install_search, generation, view)
            except RuntimeError:  # the app is gone
                pass

        self.run_worker(build, thread=True, group="event-log-search", exit_on_error=False)

    def _install_search(self, generation: int, view: RowView | Exception) -> None:
        if generation != self._search_generation:
            return
        text = self.pending_text
        self.pending_text = None
        if isinstance(view, Exception):
            self._show_filters()
            self.notify(f"Search for {text!r} failed: {view}", severity="error")
            return
        view.update()
        self._install(view)
        self.post_message(self.FilterChanged(self.directions, self.types, self.text, self._fold))

    def select_event(self, index: int) -> bool:
        """Move the cursor to the row showing event `index` and scroll it into view.

        Filters that hide the event are cleared first. Returns False if there is no such
        event.
        """
        if not 0 <= index < len(self.store):
            return False
        self.view.update()
        row = self.view.row_of_event(index)
        if row is None:
            self.set_filter(directions=BOTH, types=None, text="")
            row = self.view.row_of_event(index)
            if row is None:
                return False
        self._move_cursor(row, center=True)
        return True

    # --- internals --------------------------------------------------------------------

    def _rebuild(self, *, directions: frozenset[str], types: frozenset[str] | None, text: str) -> None:
        keep = self.selected_event()
        old = self.view
        if (
            old.text
            and old.text.lower() in text.lower()
            and (old.fold, old.directions, old.types, old.expanded) == (self._fold, directions, types, self._expanded)
        ):
            old.update()
            view = old.narrowed(text)  # typing on: search within the previous matches
        else:
            view = RowView(self.store, 
                fold=self._fold, directions=directions, types=types, text=text, expanded=self._expanded
            )
        self._install(view, keep)

    def _install(self, view: RowView, keep: int | None | object = _UNSET) -> None:
        """Show `view`, keeping the cursor on the same event where it can."""
        if keep is _UNSET:
            keep = self.selected_event()
        self.view = view
        self._rows.clear()
        self.virtual_size = Size(0, len(self.view))
        self.new_rows = 0
        if isinstance(keep, int) and len(self.view):
            self.cursor_row = self.view.nearest_row(keep)
        else:
            self.cursor_row = -1 if not len(self.view) else min(self.cursor_row, len(self.view) - 1)
        if self.follow:
            self._scroll_end()
        elif self.cursor_row >= 0:
            self._scroll_to_row(self.cursor_row, center=True)
        self._show_filters()
        self.refresh()

    def _scroll_end(self) -> None:
        self._set_scroll_y(self.max_scroll_y)

    def _set_scroll_y(self, y: float) -> None:
        self._scrolling_ourselves = True
        try:
            # `force`: before the first layout with this many rows Textual has not shown the
            # scrollbar yet and would ignore the scroll, leaving a following log at the top.
            self.scroll_to(y=y, animate=False, immediate=True, force=True)
        finally:
            self._scrolling_ourselves = False

    def _scroll_to_row(self, row: int, center: bool = False) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        if center:
            target = row - height // 2
        elif row < top:
            target = row
        elif row >= top + height:
            target = row - height + 1
        else:
            return
        self._set_scroll_y(max(0, min(target, self.max_scroll_y)))

    def _move_cursor(self, row: int, center: bool = False) -> None:
        if not len(self.view):
            return
        row = max(0, min(row, len(self.view) - 1))
        old = self.cursor_row
        self.cursor_row = row
        self._rows.discard_row(old)
        self._rows.discard_row(row)
        self._scroll_to_row(row, center=center)
        self.follow = self.is_vertical_scroll_end
        self.refresh()
        self.post_message(self.RowSelected(self.view.event_index(row)))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._scrolling_ourselves and self.is_mounted:
            self.follow = round(new_value) >= self.max_scroll_y

    def watch_follow(self, follow: bool) -> None:
        self.set_class(follow, "-following")
        if follow:
            self.new_rows = 0
            self._scroll_end()
        self.refresh()
        self.post_message(self.FollowChanged(follow))

    def on_resize(self, event: events.Resize) -> None:
        self._rows.clear()
        if self.follow:
            self.call_after_refresh(self._scroll_end)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if hasattr(self, "_rows"):  # called once before __init__ finishes
            self._rows.restyle()

    # --- rendering (the drawing itself is `RowRenderer`'s) --------------------------------

    def on_focus(self) -> None:
        self._rows.restyle()  # the cursor row's colours depend on focus

    def on_blur(self) -> None:
        self._rows.restyle()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Measured once per paint instead of once per line: both are costly properties.
        region = self.scrollable_content_region
        top = int(self.scroll_y)
        rows = range(top, min(len(self.view), top + region.height))
        longest = max((len(self.store.event_type(self.view.event_index(r))) for r in rows), default=0)
        self._frame = (region.width, region.height, longest)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, height, longest = self._frame
        row = int(self.scroll_y) + y
        if row >= len(self.view):
            strip = self._rows.blank(width)
        else:
            strip = self._rows.row(
                self.store, self.view, row, width, cursor=row == self.cursor_row, expanded=self._expanded,
                longest_type=longest, findings=self.findings,
            )
        if self.new_rows and not self.follow and y == height - 1:
            strip = self._rows.with_badge(strip, width, self.new_rows)
        return strip

    # --- actions ----------------------------------------------------------------------

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        if self.cursor_row < 0:
            self._move_cursor(len(self.view) - 1)
        else:
            self._move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        if self.cursor_row < 0:
            self._move_cursor(int(self.scroll_y))
        else:
            self._move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self._move_cursor(max(0, self.cursor_row) - self._page())

    def action_page_down(self) -> None:
        self._move_cursor(max(0, self.cursor_row) + self._page())

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self.view.update()
        self.virtual_size = Size(0, len(self.view))
        self._move_cursor(len(self.view) - 1)
        self.follow = True

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if not self.follow:
            self.refresh()

    def action_toggle_fold(self) -> None:
        row = self.cursor_row
        if not 0 <= row < len(self.view) or not self.view.can_toggle(row):
            return
        head = self.view.group(row)
        index = self.view.event_index(row)
        if head in self._expanded:
            self._expanded.discard(head)
        else:
            self._expanded.add(head)
        was_following = self.follow
        self.follow = False
        self._rebuild(directions=self.directions, types=self.types, text=self.text)
        self._move_cursor(self.view.nearest_row(index))
        if was_following and self.is_vertical_scroll_end:
            self.follow = True

    def action_toggle_fold_all(self) -> None:
        self.set_filter(fold=not self._fold)

    def action_cycle_direction(self) -> None:
        current = self.directions
        nxt = _DIRECTION_CYCLE[(_DIRECTION_CYCLE.index(current) + 1) % 3] if current in _DIRECTION_CYCLE else BOTH
        self.set_filter(directions=nxt)

    def action_pick_types(self) -> None:
        from widgets.type_picker import TypePicker

        def chosen(types: frozenset[str] | None) -> None:
            if types is not None:
                self.set_filter(types=None if types >= TypePicker.all_types(self.store) else types)

        self.app.push_screen(TypePicker(selected=self.types, extra_types=self.store.types_seen), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer "clear filters" only while a filter is on (an unfiltered log has none)."""
        if action == "clear_filters":
            return self.filtered
        return True

    def action_clear_filters(self) -> None:
        """Show every event: direction, types and search text all cleared (folding stays)."""
        if self.filtered:
            self.set_filter(directions=BOTH, types=None, text="")

    def action_follow_link(self) -> None:
        index = self.selected_event()
        if index is None:
            return
        if self.store.event_type(index) == "error":
            target = self.store.cause_of(index)
            what = "cause"
        else:
            errors = self.store.errors_for(index)
            target = errors[0] if errors else None
            what = "error"
        if target is None:
            self.notify(f"No linked {what} for event #{index}", severity="warning")
            return
        self.select_event(target)

    def action_open_event(self) -> None:
        """Ask the hosting screen to open the selected event full-screen."""
        index = self.selected_event()
        if index is None:
            self.notify("No event selected", severity="warning")
            return
        self.post_message(self.OpenRequested(index))

    def action_copy_event(self) -> None:
        index = self.selected_event()
        if index is None:
            self.notify("No event selected", severity="warning")
            return
        self.app.copy_to_clipboard(json.dumps(self.store.full_event(index), indent=2, ensure_ascii=False))
        self.notify(f"Copied event #{index} ({self.store.event_type(index)}) as JSON")

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = int(self.scroll_y) + offset.y
        if 0 <= row < len(self.view):
            if row == self.cursor_row and event.chain == 2:
                self.action_toggle_fold()
            else:
                self._move_cursor(row)
