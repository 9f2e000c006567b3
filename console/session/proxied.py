"""`ProxiedSession`: a session of some other app, watched through the recording proxy.

The proxy (`console.proxy`) relays an app's Realtime connection and reports every frame to
its listeners. A `ProxiedSession` is one such listener: a `RebuiltSession` fed with the
frames' events, so it rebuilds the conversation the app's own client has.

It is `steerable` while the proxied connection is open: `send(event)` injects a client
event through the proxy (`ProxySession.inject`): it goes upstream only, is recorded and
reported as injected, and the app receives the server's answers. `steer_events` turns the
input line's slash commands into the client events they mean for a proxied session.

`ProxiedSessions` follows a `ProxyServer`: one `ProxiedSession` per app connection, kept
after it ends, so a watcher lists live and ended sessions alike. No UI here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.proxy.server import ProxyServer
from console.proxy.session import Frame, ProxySession, SessionInfo
from console.realtime.images import ImageError, image_part
from console.realtime.protocol import flat_to_ga_session, new_event_id
from console.realtime.session_config import DEFAULT_SERVER_VAD
from console.session.event_store import EventStore
from console.session.rebuilt import RebuiltSession, SteerRefused
from console.session.slash import SlashCommand, SlashError
from console.session.stats import SessionStats


@dataclass(frozen=True)
class SessionSummary:
    """One row of a sessions list: all safe to show (no key, no token)."""

    id: int
    app: str
    model: str
    protocol: str
    live: bool
    age_s: float
    turns: int
    errors: int
    tokens: int
    ended: str = ""  #: how it ended ("closed by the app: code 1000"), once it has


class ProxiedSession(RebuiltSession):
    """One proxied app connection, as the console shows it.

    Args:
        proxy_session: the proxy's session; frames are taken from now on, so attach in
            `ProxyServer.on_session_opened` (before the first frame) to miss none.
        clock: epoch seconds (tests inject a fixed clock).
    """

    def __init__(self, proxy_session: ProxySession, *, store: EventStore | None = None,
                 clock: Callable[[], float] = time.time, redact: Callable[[str], str] | None = None) -> None:
        info = proxy_session.info
        stats = SessionStats(endpoint=f"{info.upstream} (proxy)", protocol=info.protocol, model=info.model,
                             turn_mode="vad")
        super().__init__(store or EventStore(), stats, kind="proxy", protocol=info.protocol, clock=clock,
                         redact=redact)
        self.proxy_session = proxy_session
        self.info: SessionInfo = info
        self.opened_at = clock()
        self.ended_at: float | None = None
        #: Store indexes of the events the console injected (the rest came from the app).
        self.injected: set[int] = set()
        #: Frames that were not events (binary, not JSON): relayed, not shown.
        self.opaque_frames = 0
        recording = proxy_session.recording
        self.stats.recording = "on" if recording is not None else "off"
        self.stats.recording_path = str(recording.path) if recording is not None else ""
        self._start_rebuilding()
        self.set_connection("connected", f"app {info.app} via the proxy")
        self._unsubscribe = proxy_session.add_listener(self._on_frame)
        if proxy_session.closed:
            self.session_ended()

    # --- what the views read ------------------------------------------------------------

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def live(self) -> bool:
        return self.ended_at is None and not self.proxy_session.closed

    @property
    def steerable(self) -> bool:
        return self.live

    def age_seconds(self, now: float | None = None) -> float:
        """Seconds since the app connected, up to its end once it ended."""
        end = self.ended_at if self.ended_at is not None else (self.clock() if now is None else now)
        return max(0.0, end - self.opened_at)

    def ended_text(self) -> str:
        """How the session ended ("" while it is live)."""
        if self.live:
            return ""
        who, code, reason = self.proxy_session.ended_by or ("?", None, "")
        return (f"closed by the {who}: code {code if code is not None else 'none'}"
                f"{' ' + repr(reason) if reason else ''}")

    def label(self, now: float | None = None) -> str:
        """`#3 127.0.0.1:50412 · gpt-realtime · 1:05` (`· ended` once it has)."""
        text = f"#{self.id} {self.info.app} · {self.stats.model or self.info.model} · {format_age(self.age_seconds(now))}"
        return text if self.live else f"{text} · ended"

    def summary(self, now: float | None = None) -> SessionSummary:
        stats = self.stats
        return SessionSummary(self.id, self.info.app, stats.model or self.info.model, self.info.protocol, self.live,
                              self.age_seconds(now), stats.responses, stats.errors,
                              stats.input_tokens + stats.output_tokens, self.ended_text())

    # --- feeding (called by the proxy's relay loop, synchronously) -----------------------

    def _on_frame(self, _session: ProxySession, frame: Frame) -> None:
        event = frame.event
        if event is None:
            self.opaque_frames += 1
            return
        index = self.feed(frame.source, event)
        if frame.injected:
            self.injected.add(index)
            self.add_note("info", f"injected by the console: {event.get('type')}", event_index=index)

    def session_ended(self) -> None:
        """The proxied connection is closed (the watcher calls this when the proxy says so)."""
        if self.ended_at is not None:
            return
        self.ended_at = self.clock()
        self._unsubscribe()
        self.finish_lint()
        detail = self.ended_text()
        self.set_connection("disconnected", detail)
        self.add_note("info", f"session ended: {detail}")

    # --- steering -----------------------------------------------------------------------

    async def send(self, event: dict[str, Any]) -> dict[str, Any]:
        """Inject a client event upstream (an `event_id` is added when it has none, so a
        server `error` links back to it); returns the event sent.

        Raises:
            SteerRefused: the session has ended; nothing was sent.
            ValueError: the event is not a JSON object with a string `type`.
        """
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise ValueError("an injected event must be a JSON object with a 'type'")
        if not self.steerable:
            raise SteerRefused(f"session #{self.id} has ended: nothing was sent")
        event = {"event_id": new_event_id(), **event}
        try:
            await self.proxy_session.inject(event)
        except ConnectionError:
            raise SteerRefused(f"session #{self.id} has ended: nothing was sent") from None
        return event


def format_age(seconds: float) -> str:
    """`0:07`, `12:30`, `1:02:03`."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


#: Slash commands that mean nothing for a session the console did not open (`{what}`
#: names the session: "a proxied session", "an attached call").
_NOT_FOR_WATCHED = {
    "retrieve": "/retrieve needs the console's own client; use /send with conversation.item.retrieve",
    "reconnect": "{what} is the app's connection: the console cannot reconnect it",
    "disconnect": "{what} is the app's connection: the console does not close it",
}


def steer_events(command: SlashCommand, protocol: str, what: str = "a proxied session") -> list[dict[str, Any]]:
    """The client events a slash command injects into a watched session (`what` names it
    in refusals).

    Raises `SlashError` (a message fit for the status line) for commands that only make
    sense on the console's own connection.
    """
    name = command.name
    if name == "send" and command.event_type is not None:
        return [{"type": command.event_type, **command.data}]
    if name == "cancel":
        return [{"type": "response.cancel"}]
    if name in ("instructions", "voice", "vad", "ptt"):
        flat: dict[str, Any]
        if name == "instructions":
            flat = {"instructions": command.argument}
        elif name == "voice":
            flat = {"voice": command.argument}
        else:
            flat = {"turn_detection": dict(DEFAULT_SERVER_VAD) if name == "vad" else None}
        return [{"type": "session.update", "session": flat_to_ga_session(flat) if protocol == "ga" else flat}]
    if name == "delete":
        return [{"type": "conversation.item.delete", "item_id": command.argument}]
    if name == "image" and command.data:
        if protocol != "ga":
            raise SlashError("/image needs the GA protocol: beta has no image input")
        return [image_message_event(str(command.data["path"]), str(command.data.get("text") or ""))]
    raise SlashError(_NOT_FOR_WATCHED.get(name, "/{name} does not apply to {what}").format(name=name, what=what))


def image_message_event(path: str, text: str = "") -> dict[str, Any]:
    """What `/image FILE [text]` injects into a watched session: one user message with the
    image (then the text), and nothing else. No `response.create` follows: the session is
    somebody else's, so whether and when the model answers stays a separate choice
    (`/send {"type": "response.create"}`, or the app's own next turn).

    Raises `SlashError` with a one-line reason for a missing, unreadable, wrong-typed or
    oversized file (checked as the console's own `/image` checks it).
    """
    try:
        part, _info = image_part(Path(path))
    except ImageError as exc:
        raise SlashError(f"/image: {exc}") from None
    content = [part] + ([{"type": "input_text", "text": text}] if text else [])
    return {"type": "conversation.item.create", "item": {"type": "message", "role": "user", "content": content}}


def user_message_events(text: str) -> list[dict[str, Any]]:
    """What typing a line injects: a user message and a `response.create`."""
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}
    return [{"type": "conversation.item.create", "item": item}, {"type": "response.create"}]


SessionHook = Callable[[ProxiedSession], None]


class ProxiedSessions:
    """Every session a `ProxyServer` relays, live and ended, as `ProxiedSession`s.

    It registers on the server's hooks, so it sees each session from its first frame;
    `on_opened` / `on_closed` tell a watcher (the app's sessions list).
    """

    def __init__(self, proxy: ProxyServer, *, clock: Callable[[], float] = time.time,
                 redact: Callable[[str], str] | None = None) -> None:
        self.proxy = proxy
        self.clock = clock
        self.redact = redact
        self.sessions: dict[int, ProxiedSession] = {}
        self.on_opened: list[SessionHook] = []
        self.on_closed: list[SessionHook] = []
        proxy.on_session_opened.append(self._opened)
        proxy.on_session_closed.append(self._closed)
        for proxy_session in list(proxy.sessions.values()):  # already open: watch from now on
            self._opened(proxy_session)

    def _opened(self, proxy_session: ProxySession) -> None:
        session = ProxiedSession(proxy_session, clock=self.clock, redact=self.redact)
        self.sessions[session.id] = session
        for hook in list(self.on_opened):
            hook(session)

    def _closed(self, proxy_session: ProxySession) -> None:
        session = self.sessions.get(proxy_session.id)
        if session is None:
            return
        session.session_ended()
        for hook in list(self.on_closed):
            hook(session)

    def detach(self) -> None:
        """Stop following the server (the sessions already seen stay)."""
        for hooks, hook in ((self.proxy.on_session_opened, self._opened), (self.proxy.on_session_closed, self._closed)):
            if hook in hooks:
                hooks.remove(hook)
