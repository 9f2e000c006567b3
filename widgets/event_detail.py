"""The detail pane: one logged event's full JSON, highlighted, with its links.

Rich's JSON renderer colours an event in ~20 ms with no tree-sitter, which is plenty
for a pane redrawn on selection, not per event. Audio payloads appear as the store's
marker (`<base64 audio: 9600 bytes = 200 ms at 24 kHz>`); the store does not hold them
(audio is never held twice), so the header says whether the full payload can be
read back (from the session recording: `c` in the log copies the event with it) or why
not. Links (the error an event caused, the event an error names) are clickable and post
`EventDetail.LinkSelected`.

Lint findings reported at the event (`findings`, by event index, the session's map) are
listed above the JSON with the rule's explanation and fix from `console.lint.rules`, so
the row's `⚑` mark in the log is one keypress from saying what is wrong and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from rich.json import JSON
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from console.lint.findings import Finding
from console.lint.rules import RULES
from console.session.event_store import EventStore
from console.realtime.protocol import AUDIO_PAYLOAD_KEYS

_ARROWS = {"client": "↑ sent", "server": "↓ received"}
#: Events whose pretty JSON is longer than this are shown plain and truncated.
MAX_HIGHLIGHT = 50_000
_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold cyan"}


class _Links(Static):
    """The header lines; `@click=go(N)` links in them land here."""

    def action_go(self, index: int) -> None:
        self.post_message(EventDetail.LinkSelected(index))


class EventDetail(VerticalScroll, can_focus=True):
    """Shows the event `show(index)` was last given, from an `EventStore`."""

    DEFAULT_CSS = """
    EventDetail { background: $surface; padding: 0 1; }
    EventDetail > #event-detail-head { color: $text-muted; margin-bottom: 1; }
    EventDetail > #event-detail-json { width: auto; }
    """

    class LinkSelected(Message):
        """A link to another event (cause or error) was clicked."""

        def __init__(self, event_index: int) -> None:
            self.event_index = event_index
            super().__init__()

    def __init__(
        self,
        store: EventStore,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        wrap: bool = False,
        findings: Mapping[int, Sequence[Finding]] | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        #: Lint findings by event index (read only: the session owns the map).
        self.findings: Mapping[int, Sequence[Finding]] = findings if findings is not None else {}
        self.index: int | None = None
        self._findings_shown = 0
        #: Wrap long lines at the pane's width (the full-screen view, where nothing should
        #: hide past the right edge) instead of scrolling sideways (the narrow side pane).
        self.wrap = wrap

    def compose(self) -> ComposeResult:
        yield _Links("No event selected.", id="event-detail-head")
        yield Static("", id="event-detail-json")

    def _link(self, index: int) -> str:
        etype = self.store.event_type(index)
        extra = ""
        if etype == "error":
            err = self.store.event(index).get("error")
            if isinstance(err, dict):
                extra = f" {err.get('code') or err.get('type') or ''}: {err.get('message') or ''}".rstrip(": ")
        label = Text(f"#{index} {etype}{extra}").markup
        return f"[@click=go({index})][u]{label}[/u][/]"

    def show(self, index: int | None) -> None:
        """Show event `index` of the store, or a placeholder for None / a bad index."""
        head = self.query_one("#event-detail-head", _Links)
        body = self.query_one("#event-detail-json", Static)
        if index is None or not 0 <= index < len(self.store):
            self.index = None
            head.update("No event selected." if index is None else f"No event #{index} in the log.")
            body.update("")
            return
        self.index = index
        store = self.store
        event = store.event(index)
        lines = [
            f"[b]#{index}[/b]  {_ARROWS.get(store.source(index), '?')}  +{store.time(index):.3f} s  "
            f"[b]{Text(store.event_type(index)).markup}[/b]  {len(store.raw(index))} bytes stored"
        ]
        cause = store.cause_of(index)
        if cause is not None:
            lines.append(f"Caused by: {self._link(cause)}")
        elif store.event_type(index) == "error":
            err = event.get("error")
            named = err.get("event_id") if isinstance(err, dict) else None
            lines.append(f"Caused by: {Text(str(named)).markup} (not in this log)" if named else "Caused by: (no event_id)")
        errors = store.errors_for(index)
        if errors:
            lines.append("Caused error: " + ", ".join(self._link(e) for e in errors))
        audio_line = self._payload_line(index, event)
        if audio_line:
            lines.append(audio_line)
        found = list(self.findings.get(index, ()))
        self._findings_shown = len(found)
        lines.extend(self._finding_lines(index, finding) for finding in found)
        head.update("\n".join(lines))
        pretty = json.dumps(event, indent=2, ensure_ascii=False)
        if len(pretty) > MAX_HIGHLIGHT:
            # Highlighting cost grows with size; a huge event (long instructions, a
            # retrieved item) is shown plain and cut, rather than freezing the UI.
            cut = len(pretty) - MAX_HIGHLIGHT
            body.update(Text(pretty[:MAX_HIGHLIGHT] + f"\n… {cut:,} more characters (c in the log copies all)"))
        else:
            rendered = JSON(pretty)
            if self.wrap:
                rendered.text.no_wrap = False  # Rich's JSON never wraps by default
                rendered.text.overflow = "fold"
            body.update(rendered)
        self.scroll_home(animate=False)

    def refresh_findings(self) -> None:
        """Show the event again if findings about it arrived since (a refusal is linted when
        the server's error comes, after the request was shown); otherwise leave the pane,
        and its scroll position, alone."""
        if self.index is not None and len(self.findings.get(self.index, ())) != self._findings_shown:
            self.show(self.index)

    def _finding_lines(self, index: int, finding: Finding) -> str:
        """One finding as markup: the mark, severity, rule and message, the other events it
        names as links, then the rule's explanation, which ends with the fix."""
        style = _SEVERITY_STYLE.get(finding.severity, "bold")
        text = (f"[{style}]⚑ {Text(finding.severity).markup}[/] [b]{Text(finding.rule).markup}[/b]: "
                f"{Text(finding.message).markup}")
        others = [e for e in finding.events if e != index and 0 <= e < len(self.store)]
        if others:
            text += "\n  Involves: " + ", ".join(self._link(e) for e in others)
        rule = RULES.get(finding.rule)
        if rule is not None:
            text += f"\n  [dim]{Text(rule.explanation).markup}[/dim]"
        return text

    def _payload_line(self, index: int, event: dict[str, object]) -> str:
        """Where the full audio payload of an audio event (or an event's images) is, or
        why it is not kept."""
        if AUDIO_PAYLOAD_KEYS.get(str(event.get("type"))) not in event:
            return self._image_line(index)
        payload = self.store.payload(index)
        store = self.store
        if payload is not None:
            return (f"Audio payload: {len(payload):,} base64 characters, read back from "
                    f"{Text(store.payload_source).markup}; [b]c[/b] in the log copies the full event")
        why = Text(store.payload_missing if store.payload_reader is not None else "this session is not recorded").markup
        return f"Audio payload not kept: {why}; [b]c[/b] copies the event with the marker"

    def _image_line(self, index: int) -> str:
        """Whether `c` can copy an image event whole (its data URLs are not read here: an
        image may be megabytes, read only when copied)."""
        store = self.store
        if not store.holds_image_marker(index):
            return ""
        if store.image_reader is not None:
            return ("Images shown as markers; [b]c[/b] in the log copies the full event with their data URLs "
                    "(read back from the recording, or the conversation's item)")
        return "Images shown as markers (this session's log keeps no copy); [b]c[/b] copies the event with the markers"
