"""A modal picker of event types for the event log's type filter.

It offers every event type of both protocols (`protocol.ALL_EVENT_TYPES`), plus any type
the session actually logged that the catalogue does not know (new server events keep
appearing), each marked with its direction and protocol. Dismisses with the chosen
frozenset, or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar, Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, SelectionList
from textual.widgets.selection_list import Selection

from console.realtime.protocol import ALL_EVENT_TYPES, CLIENT_EVENTS, SERVER_EVENTS


def type_label(event_type: str) -> str:
    """`↑`/`↓` for client/server, and "GA"/"beta" when only one protocol has the type."""
    client = any(event_type in CLIENT_EVENTS[p] for p in CLIENT_EVENTS)
    server = any(event_type in SERVER_EVENTS[p] for p in SERVER_EVENTS)
    in_ga = event_type in CLIENT_EVENTS["ga"] or event_type in SERVER_EVENTS["ga"]
    in_beta = event_type in CLIENT_EVENTS["beta"] or event_type in SERVER_EVENTS["beta"]
    arrow = "↑" if client and not server else "↓" if server and not client else "?"
    tag = "" if in_ga == in_beta else (" (GA)" if in_ga else " (beta)")
    if not (client or server):
        tag = " (not in catalogue)"
    return f"{arrow} {event_type}{tag}"


class TypePicker(ModalScreen[frozenset[str] | None]):
    """Choose the event types the log shows."""

    DEFAULT_CSS = """
    TypePicker { align: center middle; }
    TypePicker > #type-picker-dialog {
        width: 80; max-width: 95%; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    TypePicker #type-picker-list { height: 1fr; }
    TypePicker #type-picker-buttons { height: auto; align-horizontal: right; }
    TypePicker #type-picker-buttons > Button { margin-left: 1; min-width: 8; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="type_picker.cancel"),
        Binding("ctrl+a", "select_all", "All", id="type_picker.all", tooltip="Select every type listed",
                priority=True),  # priority: the narrowing Input would take ctrl+a as "home"
        Binding("ctrl+n", "select_none", "None", id="type_picker.none", tooltip="Deselect every type listed",
                priority=True),
    ]

    def __init__(self, selected: frozenset[str] | None = None, extra_types: Iterable[str] = ()) -> None:
        """Args:
        selected: the types currently shown (None: every type).
        extra_types: types seen in the log that the catalogue may not list.
        """
        super().__init__()
        self.types: tuple[str, ...] = tuple(sorted(set(ALL_EVENT_TYPES) | set(extra_types)))
        self.selected: set[str] = set(self.types if selected is None else selected)

    @staticmethod
    def all_types(store: object | None = None) -> frozenset[str]:
        """Every type a picker for `store` offers (the catalogue plus types seen)."""
        seen = getattr(store, "types_seen", ()) if store is not None else ()
        return frozenset(ALL_EVENT_TYPES) | frozenset(seen)

    def compose(self) -> ComposeResult:
        with Vertical(id="type-picker-dialog"):
            yield Label("Event types to show  (space toggles, type to narrow the list)")
            yield Input(placeholder="narrow…", id="type-picker-narrow")
            yield SelectionList[str](*self._selections(""), id="type-picker-list")
            with Horizontal(id="type-picker-buttons"):
                yield Button("All", id="type-picker-all")
                yield Button("None", id="type-picker-none")
                yield Button("Cancel", id="type-picker-cancel")
                yield Button("Apply", variant="primary", id="type-picker-apply")

    def _selections(self, narrow: str) -> list[Selection[str]]:
        narrow = narrow.lower().strip()
        return [
            Selection(type_label(t), t, t in self.selected)
            for t in self.types
            if not narrow or narrow in t.lower()
        ]

    @property
    def _list(self) -> SelectionList[str]:
        return self.query_one("#type-picker-list", SelectionList)

    @on(Input.Changed, "#type-picker-narrow")
    def _narrow(self, event: Input.Changed) -> None:
        lst = self._list
        lst.clear_options()
        lst.add_options(self._selections(event.value))

    @on(SelectionList.SelectedChanged, "#type-picker-list")
    def _remember(self) -> None:
        lst = self._list
        shown = {lst.get_option_at_index(i).value for i in range(lst.option_count)}
        self.selected = (self.selected - shown) | set(lst.selected)

    @on(Input.Submitted, "#type-picker-narrow")
    def _focus_list(self) -> None:
        self._list.focus()

    def action_select_all(self) -> None:
        """Select every type the (possibly narrowed) list shows."""
        self._list.select_all()

    def action_select_none(self) -> None:
        """Deselect every type the (possibly narrowed) list shows."""
        self._list.deselect_all()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        if event.button.id == "type-picker-all":
            self.action_select_all()
        elif event.button.id == "type-picker-none":
            self.action_select_none()
        elif event.button.id == "type-picker-cancel":
            self.dismiss(None)
        elif event.button.id == "type-picker-apply":
            self.dismiss(frozenset(self.selected))
