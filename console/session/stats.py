"""Session statistics for the status header, computed from the event stream alone.

`SessionStats.observe(source, event, now)` is fed every event in both directions (by the
session bridge) and keeps: the session id and its `expires_at`, token usage and an
estimated cost from each `response.done`, the remaining rate limits, and the last
round-trip latency (end of user speech, or the client's `response.create`, to the first
output delta). No Textual here: it is tested on plain event dicts, and the header only
renders a snapshot of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from console.realtime.protocol import canonical_type
from console.recording.prices import PriceTable
from console.recording.usage import estimate_cost, usage_totals

DEFAULT_PRICE_TABLE = PriceTable()

ConnectionState = Literal["idle", "connecting", "connected", "disconnected", "failed"]
MicState = Literal["off", "recording", "streaming", "unavailable"]
#: Whether the live session is being recorded: "on" (to `recording_path`), "off"
#: (`--no-record`), "stopped" (a write failed; the session goes on unrecorded).
RecordingState = Literal["on", "off", "stopped"]


def usage_cost(usage: dict[str, Any], model: str | None, prices: PriceTable | None = None) -> float | None:
    """Estimated USD of one response's `usage` object (None: the model has no price).

    Uses the same dated price table and arithmetic as `realtime-console inspect`
    (`console.recording.prices` / `usage`), so the live header and the report of the same
    session never disagree.
    """
    table = prices or DEFAULT_PRICE_TABLE
    if table.lookup(model) is None:
        return None
    # None too when the usage has tokens the entry cannot price (images without an image
    # price, a model billed per minute of audio): never a low figure.
    return estimate_cost(usage_totals([usage]), model, table)["total"]


def _int(value: Any) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


@dataclass(frozen=True)
class RateLimit:
    """One entry of `rate_limits.updated`, with when it was received."""

    name: str
    limit: int
    remaining: int
    reset_seconds: float
    received_at: float


_LATENCY_START_CLIENT = frozenset({"response.create"})
_LATENCY_START_SERVER = frozenset({"input_audio_buffer.speech_stopped"})
_FIRST_OUTPUT = frozenset({"response.audio.delta", "response.text.delta"})


@dataclass
class SessionStats:
    """What the status header shows, updated from events (mutable, owned by the bridge)."""

    endpoint: str = ""
    protocol: str = "ga"
    model: str = ""
    turn_mode: str = "ptt"
    connection: ConnectionState = "idle"
    connection_detail: str = ""
    mic: MicState = "off"
    mic_detail: str = ""
    session_id: str | None = None
    session_started: float | None = None
    expires_at: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    #: A model whose usage could not be priced (the header then says so, not a wrong figure).
    unpriced_model: str | None = None
    #: Audio generated after truncation points (paid for, never played): its length and
    #: estimated cost (None: nothing cut yet, or no price), set by the session's turn timelines.
    unheard_ms: float | None = None
    unheard_usd: float | None = None
    responses: int = 0
    errors: int = 0
    #: Protocol-lint findings so far (`console.lint`), each also a note in the conversation.
    lint_findings: int = 0
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    last_latency_ms: float | None = None
    #: Sessions the token and cost figures add up (a reconnect starts a new session and
    #: keeps them, so the header says how many they span).
    sessions: int = 1
    #: None outside a live session (a replay records nothing): the header then says nothing.
    recording: RecordingState | None = None
    recording_path: str = ""
    _latency_start: float | None = None

    def observe(self, source: str, event: dict[str, Any], now: float) -> bool:
        """Account for one event; `now` is wall-clock seconds. True if anything shown changed."""
        etype = canonical_type(str(event.get("type", "")))
        if source == "client":
            if etype in _LATENCY_START_CLIENT:
                self._latency_start = now
            return False
        if etype in _FIRST_OUTPUT:
            if self._latency_start is not None:
                self.last_latency_ms = max(0.0, (now - self._latency_start) * 1000)
                self._latency_start = None
                return True
            return False
        if etype in _LATENCY_START_SERVER:
            self._latency_start = now
            return False
        if etype in ("session.created", "session.updated"):
            return self._session(event.get("session") or {}, now, etype == "session.created")
        if etype == "response.done":
            return self._response_done(event.get("response") or {})
        if etype == "rate_limits.updated":
            limits = event.get("rate_limits") or []
            for entry in limits if isinstance(limits, list) else []:
                if isinstance(entry, dict) and entry.get("name"):
                    self.rate_limits[str(entry["name"])] = RateLimit(
                        str(entry["name"]),
                        _int(entry.get("limit")),
                        _int(entry.get("remaining")),
                        float(entry.get("reset_seconds") or 0.0),
                        now,
                    )
            return True
        if etype == "error":
            self.errors += 1
            return True
        return False

    def _session(self, session: dict[str, Any], now: float, created: bool) -> bool:
        if created or self.session_id is None:
            self.session_id = session.get("id") or self.session_id
            self.session_started = now
        expires = session.get("expires_at")
        if isinstance(expires, (int, float)) and expires > 0:
            self.expires_at = float(expires)
        model = session.get("model")
        if isinstance(model, str) and model:
            self.model = model
        return True

    def _response_done(self, response: dict[str, Any]) -> bool:
        self.responses += 1
        self._latency_start = None
        usage = response.get("usage")
        if isinstance(usage, dict):
            self.input_tokens += _int(usage.get("input_tokens"))
            self.output_tokens += _int(usage.get("output_tokens"))
            cost = usage_cost(usage, self.model)
            if cost is None:
                self.unpriced_model = self.model or "unknown"
            else:
                self.cost_usd += cost
        return True

    def reset_session(self) -> None:
        """Forget the per-session values when a new connection starts (usage is kept, and
        counted as spanning one more session; the last latency belonged to the old one)."""
        if self.session_id is not None:
            self.sessions += 1
        self.last_latency_ms = None
        self.session_id = None
        self.session_started = None
        self.expires_at = None
        self.rate_limits = {}
        self._latency_start = None

    # --- derived values the header renders -------------------------------------------

    def age_seconds(self, now: float) -> float | None:
        """Seconds since `session.created`, or None before it."""
        return None if self.session_started is None else max(0.0, now - self.session_started)

    def remaining_seconds(self, now: float) -> float | None:
        """Seconds until `expires_at`, or None when the server did not say."""
        return None if self.expires_at is None else self.expires_at - now
