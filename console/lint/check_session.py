"""Session rules: beta-field-in-ga, unknown-session-field, session-update-refused,
instructions-too-long, session-expiry.

A GA `session.update` is checked against the GA session's shape (`session_shape`): beta
field names anywhere in it, and names the GA objects do not have, each with its GA path."""

from __future__ import annotations

from typing import Any

from .context import Context, error_label, error_of, number, text
from .session_shape import problems

MAX_INSTRUCTIONS = 8000
#: A session that ends this close to `expires_at` was nearly cut off.
EXPIRY_MARGIN_S = 300.0


class SessionCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.expires_at: float | None = None
        self.expired_event: int | None = None
        self.created_event: int | None = None
        self.updates: dict[str, int] = {}

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if source == "client" and ctype == "session.update":
            self.update(n, ev)
        elif ctype in ("session.created", "session.updated"):
            session = ev.get("session")
            self.ctx.session_seen(session)
            if ctype == "session.created":
                self.created_event = n
                self.ctx.session_started = True
            if isinstance(session, dict) and number(session.get("expires_at")):
                self.expires_at = number(session.get("expires_at"))
        elif ctype == "error":
            self.error(n, ev)

    def update(self, n: int, ev: dict[str, Any]) -> None:
        session = ev.get("session")
        if not isinstance(session, dict):
            return
        is_ga = session.get("type") == "realtime" or (self.ctx.protocol == "ga" and "type" not in session)
        if is_ga:
            beta, unknown = problems(session)
            if beta:
                self.ctx.emit("beta-field-in-ga", f"session.update at event {n} has beta-shaped fields in a GA "
                              f"session: {', '.join(m.describe() for m in beta)}", [n], [text(ev.get("event_id"))])
            if unknown:
                self.ctx.emit("unknown-session-field", f"session.update at event {n} has fields the GA session does "
                              f"not have: {', '.join(m.describe() for m in unknown)}", [n], [text(ev.get("event_id"))])
        instructions = session.get("instructions")
        if isinstance(instructions, str) and len(instructions) > MAX_INSTRUCTIONS:
            self.ctx.emit("instructions-too-long", f"session.update at event {n} sets {len(instructions):,} "
                          f"characters of instructions (over {MAX_INSTRUCTIONS:,})", [n], [text(ev.get("event_id"))])

    def error(self, n: int, ev: dict[str, Any]) -> None:
        err = error_of(ev)
        if err.get("code") == "session_expired":
            self.ctx.claimed.add(n)
            self.expired_event = n
            self.ctx.emit("session-expiry", f"the session expired at event {n} ({error_label(err)})", [n],
                          [text(err.get("event_id"))])
            return
        cause = self.ctx.cause_of(err)
        if cause is None and err.get("event_id") is None and self.ctx.last_client is not None:
            param = text(err.get("param")) or ""
            if self.ctx.last_client[1] == "session.update" and param.startswith("session"):
                cause = self.ctx.last_client
        if cause is not None and cause[1] == "session.update":
            self.ctx.claimed.add(n)
            self.ctx.emit("session-update-refused", f"session.update at event {cause[0]} refused by error event {n}: "
                          f"{error_label(err)}", [cause[0], n], [text(err.get("event_id"))])

    def finish(self) -> None:
        if self.expired_event is not None or self.expires_at is None or self.ctx.start_epoch is None:
            return
        if not self.ctx.times_known:
            return
        left = self.expires_at - (self.ctx.start_epoch + self.ctx.last_time)
        if left <= EXPIRY_MARGIN_S:
            when = f"{left:.0f} s before" if left >= 0 else f"{-left:.0f} s after"
            events = [self.created_event] if self.created_event is not None else []
            self.ctx.emit("session-expiry", f"the recording ends {when} the session's expires_at", events)
