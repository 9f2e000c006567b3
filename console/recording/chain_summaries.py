"""A reconnected session's files counted as one session in listings and `stats`.

Summaries stay per file (that is what the cache checks against size and mtime); this
joins the summaries of linked files (each later file's `continues`, see `chain.py`) into
one `Summary` per session: the first file's path, start, model and source, the sum of
the files' durations, events, turns, errors, tokens and cost, and every turn's latency.
The duration is the time recorded in the files: the seconds the reconnect took between
them are not counted. A file whose predecessor is not among the summaries (not listed,
unreadable) starts a session of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .stats import sum_usage
from .summary import Summary


def merge_chains(summaries: Iterable[Summary]) -> list[Summary]:
    """One summary per session, in the order of each session's first file."""
    items = list(summaries)
    by_path = {s.path: s for s in items}
    following: dict[str, Summary] = {}
    for s in sorted(items, key=lambda s: s.path):
        previous = by_path.get(s.continues) if s.ok and s.continues else None
        if previous is not None and previous.ok and previous.path not in following and previous is not s:
            following[previous.path] = s
    continued = {s.path for s in following.values()}
    out: list[Summary] = []
    for s in items:
        if s.path in continued:
            continue
        chain, seen = [s], {s.path}
        while (nxt := following.get(chain[-1].path)) is not None and nxt.path not in seen:
            chain.append(nxt)
            seen.add(nxt.path)
        out.append(join(chain) if len(chain) > 1 else s)
    return out


def join(chain: list[Summary]) -> Summary:
    """The summary of one session recorded over `chain` (in order)."""
    head = chain[0]
    responses: Counter[str] = Counter()
    lint: Counter[str] = Counter()
    lint_rules: Counter[str] = Counter()
    latency: dict[str, list[float]] = {}
    for s in chain:
        responses.update(s.responses)
        lint.update(s.lint)
        lint_rules.update(s.lint_rules)
        for span, values in s.latency_ms.items():
            latency.setdefault(span, []).extend(values)
    return Summary(
        path=head.path,
        size=sum(s.size for s in chain),
        mtime_ns=max(s.mtime_ns for s in chain),
        kind=head.kind,
        started_at=head.started_at,
        day=head.day,
        source=head.source,
        model=head.model,
        duration_s=round(sum(s.duration_s for s in chain), 3),
        events=sum(s.events for s in chain),
        client_events=sum(s.client_events for s in chain),
        server_events=sum(s.server_events for s in chain),
        turns=sum(s.turns for s in chain),
        interrupted_turns=sum(s.interrupted_turns for s in chain),
        interruptions=sum(s.interruptions for s in chain),
        truncations=sum(s.truncations for s in chain),
        errors=sum(s.errors for s in chain),
        responses=dict(responses),
        error_codes=[code for s in chain for code in s.error_codes],
        latency_ms=latency,
        usage=sum_usage(s.usage for s in chain if s.usage),
        bad_lines=sum(s.bad_lines for s in chain),
        files=[s.path for s in chain],
        # A chain is linted only if each of its files is (else its counts would be short).
        lint=dict(lint) if all(s.linted for s in chain) else {},
        lint_rules=dict(lint_rules) if all(s.linted for s in chain) else {},
    )
