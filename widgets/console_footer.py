"""A footer whose key labels stay whole on a narrow terminal.

Textual's `Footer` lays its keys out in one row and docks the command palette key over
the right end, so on an 80-column terminal a label is cut in the middle ("f4 VAD/P▏")
and the last keys vanish. Below `COMPACT_BELOW` columns this footer switches to the
compact style and to the short labels it is given; below `DROP_BELOW` it also leaves
out the keys every Textual app has (quit), which stay bound and in the command palette.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual import events
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Below this width (cells) the labels are short and the style compact.
COMPACT_BELOW = 110
#: Below this width the keys in `drop` are left out as well.
DROP_BELOW = 88


class ConsoleFooter(Footer):
    """`Footer` with short labels (by action name) under `COMPACT_BELOW` columns."""

    def __init__(self, short_labels: Mapping[str, str], drop: Iterable[str] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.short_labels = dict(short_labels)
        self.drop = frozenset(drop)
        self._tier = "wide"

    def tier_for(self, width: int) -> str:
        """"wide", "compact" or "narrow" for a footer `width` cells wide."""
        if width >= COMPACT_BELOW:
            return "wide"
        return "compact" if width >= DROP_BELOW else "narrow"

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and self._tier != "wide":
                if self._tier == "narrow" and widget.action in self.drop:
                    continue
                widget.description = self.short_labels.get(widget.action, widget.description)
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        """Pick the labels for the new width (a recompose only when the tier changes)."""
        tier = self.tier_for(event.size.width)
        if tier != self._tier:
            self._tier = tier
            self.compact = tier != "wide"
            self.refresh(recompose=True)

    def labels(self) -> list[str]:
        """The labels as shown, e.g. "^t Tools" (for tests and the screenshot checks)."""
        shown: list[Widget] = list(self.query(FooterKey))
        return [f"{key.key_display} {key.description}".strip() for key in shown if isinstance(key, FooterKey)]
