"""Response rules: response-create-while-active, cancel-not-active, response-failed,
response-incomplete, response-never-done.

A request is judged from the server's refusal when the recording has one, else from
created/done pairing with a 250 ms grace for the race where the server's `response.done`
was already on its way when the client sent the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .context import Context, error_label, error_of, text

#: A request this close before the active response's done is a race, not a mistake.
RACE_S = 0.25


@dataclass
class _Active:
    response_id: str
    event: int


@dataclass
class _Pending:
    event: int
    time: float
    event_id: str | None
    active: _Active


class ResponseCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.active: dict[str, _Active] = {}  # in-conversation responses (created, not done)
        self.out_of_band: dict[str, _Active] = {}
        self.pending_creates: list[_Pending] = []
        self.reported: set[int] = set()  # request events already reported
        self.creates_unanswered = 0  # response.create sent, response.created not yet seen

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if source == "client":
            if ctype == "response.create":
                self.create(n, ev, t)
            elif ctype == "response.cancel":
                self.cancel(n, ev)
            return
        if ctype == "response.created":
            self.created(n, ev)
        elif ctype == "response.done":
            self.done(n, ev, t)
        elif ctype == "error":
            self.error(n, ev)

    def create(self, n: int, ev: dict[str, Any], t: float) -> None:
        response = ev.get("response")
        if isinstance(response, dict) and response.get("conversation") == "none":
            return  # out-of-band responses may run alongside
        self.creates_unanswered += 1
        if self.active:
            active = next(reversed(self.active.values()))
            self.pending_creates.append(_Pending(n, t, text(ev.get("event_id")), active))

    def cancel(self, n: int, ev: dict[str, Any]) -> None:
        rid = text(ev.get("response_id"))
        if rid is not None and (rid in self.active or rid in self.out_of_band):
            return
        if rid is None and (self.active or self.out_of_band or self.creates_unanswered):
            return  # a response is active, or one just requested is about to be
        self.reported.add(n)
        what = f"response {rid} is not active" if rid else "no response is active"
        self.ctx.emit("cancel-not-active", f"response.cancel at event {n} while {what}",
                      [n], [text(ev.get("event_id")), rid])

    def created(self, n: int, ev: dict[str, Any]) -> None:
        response = ev.get("response")
        response = response if isinstance(response, dict) else {}
        rid = text(response.get("id")) or f"#{n}"
        self.creates_unanswered = max(0, self.creates_unanswered - 1)
        if response.get("conversation") == "none":
            self.out_of_band[rid] = _Active(rid, n)
        else:
            self.active[rid] = _Active(rid, n)

    def done(self, n: int, ev: dict[str, Any], t: float) -> None:
        response = ev.get("response")
        response = response if isinstance(response, dict) else {}
        rid = text(response.get("id"))
        found = self.active.pop(rid, None) if rid else None
        found = found or (self.out_of_band.pop(rid, None) if rid else None)
        if found is None and rid is None and self.active:
            found = self.active.pop(next(reversed(self.active)))
        for pending in [p for p in self.pending_creates if p.active is found]:
            self.pending_creates.remove(pending)
            if pending.event not in self.reported and t - pending.time > RACE_S:
                self.report_create(pending, None)
        status = response.get("status")
        details = response.get("status_details")
        details = details if isinstance(details, dict) else {}
        label = rid or f"at event {n}"
        if status == "failed":
            err = details.get("error")
            why = error_label(err) if isinstance(err, dict) else (text(details.get("reason")) or "no reason given")
            self.ctx.emit("response-failed", f"response {label} failed: {why}",
                          [n] + ([found.event] if found else []), [rid])
        elif status == "incomplete":
            why = text(details.get("reason")) or "no reason given"
            self.ctx.emit("response-incomplete", f"response {label} ended incomplete: {why}",
                          [n] + ([found.event] if found else []), [rid])

    def error(self, n: int, ev: dict[str, Any]) -> None:
        err = error_of(ev)
        code = err.get("code")
        if code not in ("conversation_already_has_active_response", "response_cancel_not_active"):
            return
        self.ctx.claimed.add(n)
        cause = self.ctx.cause_of(err)
        request = cause[0] if cause else None
        if request is not None and request in self.reported:
            return
        if code == "conversation_already_has_active_response":
            pending = next((p for p in self.pending_creates if p.event == request), None)
            if pending is not None:
                self.pending_creates.remove(pending)
            self.report_create(pending, n, request)
        else:
            where = f"response.cancel at event {request}" if request is not None else "a response.cancel"
            self.ctx.emit("cancel-not-active", f"{where} refused by error event {n} ({error_label(err)})",
                          [e for e in (request, n) if e is not None], [text(err.get("event_id"))])
        if request is not None:
            self.reported.add(request)

    def report_create(self, pending: _Pending | None, error_event: int | None, request: int | None = None) -> None:
        request = pending.event if pending is not None else request
        events = [e for e in (request, pending.active.event if pending else None, error_event) if e is not None]
        ids = [pending.event_id if pending else None, pending.active.response_id if pending else None]
        active = f" while response {pending.active.response_id} (created at event {pending.active.event}) was active" \
            if pending else " while a response was active"
        refused = f", refused by error event {error_event} (conversation_already_has_active_response)" \
            if error_event is not None else ""
        where = f"response.create at event {request}" if request is not None else "a response.create"
        if request is not None:
            self.reported.add(request)
        self.ctx.emit("response-create-while-active", where + active + refused, events, ids)

    def finish(self) -> None:
        for pending in self.pending_creates:
            if pending.event not in self.reported:
                self.report_create(pending, None)
        for active in [*self.active.values(), *self.out_of_band.values()]:
            self.ctx.emit("response-never-done",
                          f"response {active.response_id} (created at event {active.event}) never got response.done",
                          [active.event], [active.response_id])
