"""Item rules: unknown-item-id, and server-error for errors no other rule explained.

Item ids are checked only once `session.created` was seen: a recording that starts
mid-session may well refer to items created before it began.
"""

from __future__ import annotations

from typing import Any

from .context import Context, error_label, error_of, text

_REFERENCES = ("conversation.item.truncate", "conversation.item.delete", "conversation.item.retrieve")


class ItemCheck:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.known: set[str] = set()

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if source == "client":
            if ctype == "conversation.item.create":
                self.reference(n, ev, "previous_item_id", text(ev.get("previous_item_id")))
                item = ev.get("item")
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    self.known.add(item["id"])
            elif ctype in _REFERENCES:
                self.reference(n, ev, "item_id", text(ev.get("item_id")))
            return
        item = ev.get("item")
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            self.known.add(item["id"])
        item_id = ev.get("item_id")
        if isinstance(item_id, str) and ctype != "conversation.item.deleted":
            self.known.add(item_id)
        if ctype == "conversation.item.deleted" and isinstance(item_id, str):
            self.known.discard(item_id)

    def finish(self) -> None:
        pass

    def reference(self, n: int, ev: dict[str, Any], key: str, item_id: str | None) -> None:
        if item_id is None or item_id == "root" or not self.ctx.session_started or item_id in self.known:
            return
        self.ctx.emit("unknown-item-id", f"{ev.get('type')} at event {n}: {key} {item_id} names no item of this session",
                      [n], [item_id, text(ev.get("event_id"))])


class ErrorCheck:
    """Runs last: an `error` no other check claimed is reported as it is."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def observe(self, n: int, source: str, ctype: str, ev: dict[str, Any], t: float) -> None:
        if ctype != "error" or source != "server" or n in self.ctx.claimed:
            return
        err = error_of(ev)
        cause = self.ctx.cause_of(err)
        if cause is not None and cause[0] in self.ctx.reported_events:
            return  # the request was already reported by the rule that explains it
        caused = f" (caused by {cause[1]} at event {cause[0]})" if cause else ""
        self.ctx.emit("server-error", f"error event {n}: {error_label(err)}{caused}",
                      [n] + ([cause[0]] if cause else []), [text(err.get("event_id"))])

    def finish(self) -> None:
        pass
