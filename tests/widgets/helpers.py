"""Reading a test app's screen as a user sees it (public Textual API only)."""

from __future__ import annotations

import re
from html import unescape

from textual.app import App


def screen_text(app: App) -> str:
    """The screenshot's visible text, one line per screen row, runs of spaces as one."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    text = unescape("".join(lines)).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))
