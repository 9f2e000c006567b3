"""Footer labels shared by the main screen and the editors pushed over it.

`ConsoleFooter` shows the full labels (and tooltips) on wide terminals and these short
ones, by action name, when the full ones do not fit.
"""

from __future__ import annotations

#: Short footer labels, by action, for the app-wide bindings shown on every console screen.
SHORT_LABELS: dict[str, str] = {"search_log": "Search", "interrupt": "Stop", "toggle_turn_mode": "Turn",
                                "next_field": "Next"}
#: Left out of the footer when even the short labels do not fit (still bound, and in the palette).
NARROW_DROP: tuple[str, ...] = ("quit",)
#: Shown only where there is room (the main screen's pane-focus keys): left out before any
#: other label is shortened, so the keys that act (talk, interrupt, editors) keep their
#: full labels; the command palette lists them with their keys at every width.
PANE_KEYS: tuple[str, ...] = ("focus_log", "focus_conversation", "focus_input")
