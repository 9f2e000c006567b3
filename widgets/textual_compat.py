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

Two more serve the tests, which read the screen as a user does:

3. `screen_text`: the screen as plain text lines, every cell in its column. Textual's
   public export is SVG (`App.export_screenshot`), which drops runs of blank cells and so
   hides what a narrow terminal cuts off; this renders the same compositor update the
   SVG export renders (`Screen._compositor`), as text.
4. `counting_screen_layouts`: counts whole-screen layouts (`Screen._refresh_layout`), so a
   test can prove that a streaming update repaints without one (item 1's saving).
5. `notification_texts`: the messages of the toasts the app is showing (`App._notifications`);
   a toast is drawn outside the screen's compositor, so `screen_text` does not hold it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from textual.app import App
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widgets._footer import FooterKey

__all__ = ["FooterKey", "counting_screen_layouts", "notification_texts", "screen_text",
           "update_scrollbars_without_layout"]


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


def screen_text(app: App[Any]) -> list[str]:
    """The app's current screen as plain text, one string per row (see the docstring)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().split("\n")


@contextmanager
def counting_screen_layouts(screen: Screen[Any]) -> Iterator[list[int]]:
    """A list that grows by one for each whole-screen layout while the block runs."""
    calls: list[int] = []
    real = screen._refresh_layout

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    screen._refresh_layout = counting  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        del screen._refresh_layout


def notification_texts(app: App[Any]) -> list[str]:
    """The messages of the notifications (toasts) the app shows now, oldest first."""
    return [str(notification.message) for notification in app._notifications]
