"""Fault injection: make a connection misbehave on purpose, deterministically.

Clients must survive closes mid-response, garbage frames, slow links and streaming
deltas that arrive twice or out of order. A `FaultPlan` says which of these to do;
a `FaultInjector` applies it to one connection's outgoing events, with its own seeded
random generator so a test sees the same faults on every run.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

MALFORMED_FRAME = '{"type": "response.output_text.delta", "delta": '  #: cut-off JSON


@dataclass(frozen=True)
class FaultPlan:
    """Faults for a server (every connection) or one connection. Counts are of server events."""

    close_after_events: int | None = None  #: close once this many events were sent
    close_code: int = 1011
    close_reason: str = "simulated fault"
    malformed_after_events: int | None = None  #: send one broken frame after this many events
    delay_s: float = 0.0  #: delay before each event (of `delay_types`, or all if empty)
    delay_types: frozenset[str] = frozenset()
    duplicate_delta_rate: float = 0.0  #: probability a `.delta` event is sent twice
    reorder_delta_rate: float = 0.0  #: probability a `.delta` is held back behind the next one
    seed: int = 0


SendText = Callable[[str], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]


class FaultInjector:
    """Applies a `FaultPlan` to a stream of outgoing events."""

    def __init__(self, plan: FaultPlan, send_text: SendText, close: Close) -> None:
        self.plan = plan
        self._send_text = send_text
        self._close = close
        self._rng = random.Random(plan.seed)
        self.sent = 0
        self.closed = False
        self._held: dict[str, Any] | None = None

    async def send(self, event: dict[str, Any]) -> None:
        plan = self.plan
        if self.closed:
            return
        if plan.delay_s and (not plan.delay_types or event.get("type") in plan.delay_types):
            await asyncio.sleep(plan.delay_s)
        is_delta = str(event.get("type", "")).endswith(".delta")
        if self._held is not None:
            held, self._held = self._held, None
            if is_delta and held.get("type") == event.get("type"):
                await self._emit(event)
                await self._emit(held)
                return
            await self._emit(held)
        if is_delta and plan.reorder_delta_rate and self._rng.random() < plan.reorder_delta_rate:
            self._held = event
            return
        await self._emit(event)
        if is_delta and plan.duplicate_delta_rate and self._rng.random() < plan.duplicate_delta_rate:
            await self._emit(event)

    async def flush(self) -> None:
        """Send a held-back delta (when nothing follows it)."""
        if self._held is not None:
            held, self._held = self._held, None
            await self._emit(held)

    async def _emit(self, event: dict[str, Any]) -> None:
        if self.closed:
            return
        await self._send_text(json.dumps(event))
        self.sent += 1
        plan = self.plan
        if plan.malformed_after_events is not None and self.sent == plan.malformed_after_events:
            await self._send_text(MALFORMED_FRAME)
        if plan.close_after_events is not None and self.sent >= plan.close_after_events:
            self.closed = True
            await self._close(plan.close_code, plan.close_reason)
