"""The Textual internals in `widgets.textual_compat` still behave as the widgets rely on.

If one of these fails after a Textual upgrade, the message says which internal changed:
adapt `widgets/textual_compat.py` (or drop it, if Textual made the need public).
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widgets import Footer

from widgets import textual_compat
from widgets.textual_compat import FooterKey, update_scrollbars_without_layout


class Lines(ScrollView):
    def render_line(self, y: int):  # type: ignore[no-untyped-def]
        from textual.strip import Strip
        return Strip.blank(self.size.width)


class Host(App[None]):
    BINDINGS = [Binding("f2", "bell", "Ring")]

    def compose(self) -> ComposeResult:
        yield Lines()
        yield Footer()


async def test_scrollbars_follow_a_virtual_size_set_without_a_layout() -> None:
    app = Host()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(Lines)
        await pilot.pause()
        assert not view.show_vertical_scrollbar
        appeared = update_scrollbars_without_layout(view, Size(0, 500))
        assert view.virtual_size == Size(0, 500), "set_reactive(ScrollView.virtual_size) no longer sets the size"
        assert appeared and view.show_vertical_scrollbar, (
            "Widget._scroll_update no longer shows the scrollbar for a taller virtual size: "
            "textual_compat.update_scrollbars_without_layout needs a new way")
        assert view.max_scroll_y > 400, "the scroll range did not follow the new virtual size"
        assert view.vertical_scrollbar.window_virtual_size == 500, (
            "Widget._scroll_update no longer sizes the vertical scrollbar's window")
        assert not update_scrollbars_without_layout(view, Size(0, 600)), "no visibility change expected"


async def test_footer_composes_footer_keys_with_the_fields_console_footer_reads() -> None:
    app = Host()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        assert keys, "Footer no longer composes textual.widgets._footer.FooterKey widgets"
        ring = [k for k in keys if k.action == "bell"]
        assert ring, "FooterKey.action no longer names the bound action"
        for name in ("description", "key_display", "compact"):
            assert hasattr(ring[0], name), f"FooterKey.{name} is gone: ConsoleFooter reads it"
        assert ring[0].description == "Ring" and ring[0].key_display


def test_the_compat_module_is_the_only_place_for_textual_internals() -> None:
    import pathlib
    import re

    root = pathlib.Path(textual_compat.__file__).parent
    private_import = re.compile(r"textual\.[a-z_.]*\._")
    offenders = [str(path.name) for path in root.glob("*.py")
                 if path.name != "textual_compat.py" and private_import.search(path.read_text())]
    assert offenders == [], f"private Textual modules imported outside textual_compat: {offenders}"


class Plain(App[None]):
    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield Static("hello compat", id="hello")


async def test_the_screen_reads_as_text_and_layouts_and_toasts_are_counted() -> None:
    from textual.widgets import Static

    app = Plain()
    async with app.run_test(size=(40, 5)) as pilot:
        lines = textual_compat.screen_text(app)
        assert len(lines) == 5 and lines[0].startswith("hello compat"), (
            "Screen._compositor.render_update no longer renders the screen as text")
        with textual_compat.counting_screen_layouts(app.screen) as layouts:
            app.query_one("#hello", Static).styles.height = 3
            await pilot.pause()
        assert layouts, "Screen._refresh_layout is no longer called for a layout change"
        app.notify("a toast")
        await pilot.pause()
        assert textual_compat.notification_texts(app) == ["a toast"], "App._notifications no longer lists toasts"
