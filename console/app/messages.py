"""Messages that cross widget boundaries (posted by the session bridge to the screen).

Widget-specific messages live nested in the widget that posts them
(`ConversationView.DeleteRequested`, `InputLine.TextSubmitted`, ...); the ones here are
posted by non-widget code, so they need a shared home. Names are past-tense facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from console.session.session import SessionChanges


@dataclass
class BridgeFlushed(Message):
    """The bridge's ~30 Hz batch: what the session changed since the previous flush.

    The screen handles it by telling each widget what to redraw (attributes down), so no
    widget repaints per event.
    """

    changes: SessionChanges


@dataclass
class ConnectionChanged(Message):
    """The connection moved to `state` ("connecting", "connected", "disconnected", "failed").

    `detail` is a plain sentence for the header and log (never contains the API key).
    """

    state: str
    detail: str = ""


@dataclass
class StatusNoted(Message):
    """A short line for the status area: the result of a command, a hint, a warning."""

    text: str
    severity: str = "information"  # "information" | "warning" | "error"
    details: list[str] = field(default_factory=list)
