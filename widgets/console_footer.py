"""A footer whose key labels are always whole, however narrow the terminal.

Textual's `Footer` lays its keys out in one row and docks the command palette key over
the right end, so when the keys do not fit a label is cut in the middle ("f4 VAD/P▏")
and the last keys vanish behind it. This footer measures its keys against its width and
uses the first style that fits: the normal one; compact; compact with the short labels
it is given; that without the keys in `drop` (quit: every Textual app has it, and it
stays bound and in the palette). If even that is too wide, keys are left out from the
end. The command palette key, which reaches every command, is always shown. Keys in
`optional` (hints such as the pane-focus keys) show only where there is room: they are
left out before any other label is shortened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer

from widgets.textual_compat import FooterKey

#: Cells a key takes besides its key and label text: normal style " ^e Session " (3),
#: compact "^e Session" plus a one-cell margin (2).
_NORMAL_EXTRA = 3
_COMPACT_EXTRA = 2
#: Cells the docked palette key takes besides its text (its border and padding).
_PALETTE_EXTRA = 4


class ConsoleFooter(Footer):
    """`Footer` choosing, at each width, the fullest style in which every label is whole."""

    def __init__(self, short_labels: Mapping[str, str], drop: Iterable[str] = (), optional: Iterable[str] = (),
                 **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.short_labels = dict(short_labels)
        self.drop = frozenset(drop)
        self.optional = frozenset(optional)
        #: The style chosen at the last compose: "normal", "compact", "short" or "dropped".
        self.style_name = "normal"
        #: The styles to try, fullest first: name, (action, label) of each key, extra cells.
        self._plans: list[tuple[str, list[tuple[str, str]], int]] = []
        self._key_cells: dict[str, int] = {}
        self._palette_cells = 0
        self._choice: tuple[int, int] | None = None

    def _plan(self, keys: list[FooterKey], palette: list[FooterKey]) -> None:
        """The styles to try for these keys, fullest first (labels by action)."""
        self._palette_cells = sum(len(p.key_display) + len(p.description) + _PALETTE_EXTRA for p in palette)
        full = [(key.action, key.description) for key in keys]
        required = [(action, label) for action, label in full if action not in self.optional]
        short = [(action, self.short_labels.get(action, label)) for action, label in required]
        kept = [(action, label) for action, label in short if action not in self.drop]
        displays = [key.key_display for key in keys]
        self._key_cells = dict(zip([k.action for k in keys], map(len, displays)))
        self._plans = [("normal", full, _NORMAL_EXTRA), ("compact", full, _COMPACT_EXTRA)]
        if len(required) != len(full):
            self._plans += [("normal", required, _NORMAL_EXTRA), ("compact", required, _COMPACT_EXTRA)]
        self._plans += [("short", short, _COMPACT_EXTRA), ("dropped", kept, _COMPACT_EXTRA)]

    def _choose(self, width: int) -> tuple[int, int]:
        """(index of the style in `_plans`, how many of its keys fit) for `width` cells."""
        room = width - self._palette_cells

        def cells(labelled: list[tuple[str, str]], extra: int) -> int:
            return sum(self._key_cells.get(action, 2) + len(label) + extra for action, label in labelled)

        for index, (_, labelled, extra) in enumerate(self._plans):
            if cells(labelled, extra) <= room:
                return index, len(labelled)
        _, labelled, extra = self._plans[-1]
        count = len(labelled)
        while count and cells(labelled[:count], extra) > room:
            count -= 1  # the last keys go; the palette lists them
        return len(self._plans) - 1, count

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        keys = [w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")]
        if len(keys) + sum(w.has_class("-command-palette") for w in widgets) != len(widgets):
            yield from widgets  # grouped keys (this console has none): as Textual lays them out
            return
        self._plan(keys, [w for w in widgets if w.has_class("-command-palette")])
        self._choice = index, count = self._choose(self.size.width or self.app.size.width)
        name, labelled, _ = self._plans[index]
        labels = dict(labelled[:count])
        self.style_name = name
        self.set_reactive(Footer.compact, name != "normal")
        self.set_class(name != "normal", "-compact")
        for widget in widgets:
            if widget in keys:
                if widget.action in labels:
                    widget.description = labels[widget.action]
                    widget.compact = self.compact
                    yield widget
            else:  # the palette key: Textual draws it compact in either style
                yield widget

    def on_resize(self, event: events.Resize) -> None:
        """Lay the keys out again if the new width calls for another style or count."""
        if self._plans and self._choose(event.size.width) != self._choice:
            self.refresh(recompose=True)

    def labels(self) -> list[str]:
        """The labels as shown, e.g. "^t Tools" (for tests and the screenshot checks)."""
        return [f"{key.key_display} {key.description}".strip() for key in self.query(FooterKey)]
