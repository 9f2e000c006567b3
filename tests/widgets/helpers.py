"""Reading a test app's screen as a user sees it (public Textual API only)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from textual.app import App
from textual.pilot import Pilot


def screen_text(app: App) -> str:
    """The screenshot's visible text, one line per screen row, runs of spaces as one."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    text = unescape("".join(lines)).replace("\xa0", " ")
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until `predicate()` is truthy; fail with `what` after `timeout` s.

    The widget tests' copy of the console harness's wait (they do not import the app):
    a condition, never a fixed time, so a busy machine only makes a test slower.
    """
    loop_time = asyncio.get_running_loop().time
    deadline = loop_time() + timeout
    while not (value := predicate()):
        if loop_time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)
    return value
