"""Command-palette provider for the editor screens.

Every action of the session editor, the tool editor and the manual-output modal is
reachable from the palette as well as by key. A screen lists its commands in
`palette_commands()`; this provider offers them while that screen is active.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (title, help text, callback)
PaletteCommand = tuple[str, str, Callable[[], Any]]


@runtime_checkable
class HasPaletteCommands(Protocol):
    def palette_commands(self) -> Iterable[PaletteCommand]: ...


class EditorCommands(Provider):
    """Offer the active screen's `palette_commands()`."""

    def _commands(self) -> list[PaletteCommand]:
        screen = self.screen
        return list(screen.palette_commands()) if isinstance(screen, HasPaletteCommands) else []

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
