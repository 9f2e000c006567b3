"""The two Textual internals the widgets need, in one place, each for a measured reason.

Everything else in `widgets/` uses Textual's public API. Each name here is checked by
`tests/widgets/test_textual_compat.py`, which fails with a message naming the internal
when a Textual upgrade renames or changes it (measured with textual 8.2.8).

1. `update_scrollbars_without_layout`: `ScrollView.virtual_size` is a layout reactive,
   so setting it lays out the whole screen. The conversation view's height changes each
   time a streaming card wraps onto a new line (several times a second while the model
   speaks); only the view's own scrollbar depends on that height. Setting the size with
   `set_reactive` (public) and updating the scrollbars with `Widget._scroll_update`:
   one streaming update with 200 items costs a median 8.5 ms in `bench/bench_app.py
   --conversation`, against 22 ms for one `Static.update` in the same run (0.39x). With
   the public setter (a screen layout whenever the height changes) the same bench gave
   20.2 ms against 26.9 ms (0.75x), p90 43 ms: twice the cost of every streaming update.
2. `FooterKey`: `ConsoleFooter` measures and relabels the keys Textual's `Footer`
   composes, which are `FooterKey` widgets; Textual 8 does not export that class
   (`textual.widgets._footer`), and matching on the class name would hide a rename.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widgets._footer import FooterKey

__all__ = ["FooterKey", "update_scrollbars_without_layout"]


def update_scrollbars_without_layout(view: ScrollView, size: Size) -> bool:
    """Set `view.virtual_size` to `size` and update its scrollbars, without a screen layout.

    Returns:
        True if the vertical scrollbar appeared or went: the view's width changes, so
        the caller must then ask for a real layout (`refresh(layout=True)`).
    """
    view.set_reactive(ScrollView.virtual_size, size)
    shown = view.show_vertical_scrollbar
    view._scroll_update(size)
    return view.show_vertical_scrollbar != shown
