"""`Summary`: what one recording comes to, in a few hundred bytes.

A listing of thousands of recordings (the sessions browser, `stats`) works from these,
never from the files themselves once they are summarised: start, source, model,
duration, turns, interruptions, errors, tokens, cost, lint findings, and the compact
per-turn figures `stats` needs for percentiles. Making one (`summaries.py`) runs the
recording analysis; holding, caching and pricing one needs none of it, which keeps the
browser's cached start free of the analysis and numpy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .prices import PriceTable
from .usage import estimate_cost

#: The names of the per-turn latency spans kept for percentiles (the report's, plus the
#: first output `--fail-on latency>MS` measures).
SPANS: tuple[str, ...] = ("first_text", "first_audio", "done", "first_output")


@dataclass
class Summary:
    """What one recording comes to. Every number is the `inspect` report's.

    `latency_ms` holds each turn's figure per span (None entries dropped), so `stats` can
    take percentiles over many files without opening them again; `error_codes` holds one
    `[code, caused_by_type]` pair per error; `usage` is the report's `usage` object (kept
    whole so a different price table can price it again). `lint` is the linter's findings
    by severity and `lint_rules` by rule id, as `inspect`'s `lint` section counts them;
    both are empty in a summary made without them (see `linted`).
    """

    path: str
    size: int
    mtime_ns: int
    problem: str | None = None
    kind: str | None = None
    started_at: str | None = None
    day: str | None = None
    source: str | None = None
    model: str | None = None
    duration_s: float = 0.0
    events: int = 0
    client_events: int = 0
    server_events: int = 0
    turns: int = 0
    interrupted_turns: int = 0
    interruptions: int = 0
    truncations: int = 0
    errors: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    error_codes: list[list[str | None]] = field(default_factory=list)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    bad_lines: int = 0
    #: The absolute path of the file this one continues (a reconnected session), if any.
    continues: str | None = None
    #: The files a chain's summary covers, in order (see `chain_summaries`); empty for
    #: one file's own summary.
    files: list[str] = field(default_factory=list)
    lint: dict[str, int] = field(default_factory=dict)
    lint_rules: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the file could be read as a recording."""
        return self.problem is None

    @property
    def linted(self) -> bool:
        """Whether `lint` holds the linter's counts (every severity, zeros included), or
        the summary was made without them (`summarise_file(lint=False)`: empty `lint`).

        `stats` reports no lint figures, and linting reads every payload, audio included,
        which the rest of a summary never parses: over voice recordings it more than
        doubles a summary's time (`bench/bench_stats.py`), so `stats` summarises without
        it. The sessions browser, which shows the counts, reads again the files whose
        cached summary lacks them. An unreadable file has nothing to lint: it counts as
        linted.
        """
        return bool(self.lint) or not self.ok

    @property
    def total_tokens(self) -> int:
        return int(self.usage.get("total_tokens", 0)) if self.usage else 0

    def cost(self, prices: PriceTable | None = None) -> float | None:
        """Estimated USD cost (None when the model has no price), as `inspect` computes it."""
        if not self.usage:
            return None
        result = estimate_cost(self.usage, self.model, prices or PriceTable())
        return result["total"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Summary":
        """A summary from the cache (raises TypeError/KeyError on a foreign shape)."""
        return cls(**data)


def source_of(kind: str | None, header: dict[str, Any] | None) -> str:
    """Who recorded the file: the header's `source` ("proxy", "attach", ...); a console
    recording has a header without one ("console"); a header-less file is "unknown"."""
    if header is None or kind != "recording":
        return "unknown"
    value = header.get("source")
    return value if isinstance(value, str) and value else "console"
