"""`realtime-console stats DIR|FILE... [--json] [--since DATE] [--prices FILE] [--fail-on COND ...]`.

Aggregates many recordings (a directory's `*.jsonl`, recursively, and/or files named one by
one) from their cached summaries (`summaries.py`), so a second run over thousands of files
reads only those that changed. A file that is not a recording is named on stderr with the
reason and skipped. Exit status: 0, or 1 when a `--fail-on` condition holds over the
aggregate, or 2 for a usage error (a path that does not exist, a bad price file).
Imports no UI and no network code.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from functools import partial
from pathlib import Path
from typing import Any

from console.user_config import load_settings
from console.cli import ArgumentParser, UsageError
from .chain_summaries import merge_chains

from . import stats as agg
from .format import printable
from .prices import PriceFileError, load_prices
from .gates import print_and_gate
from .summaries import summarise_file
from .summary import Summary
from .summary_cache import recording_paths, SummaryCache

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Aggregate many recorded sessions: counts, latency percentiles, error codes, "
        "interruption and truncation rates, tokens and cost per model and per day.",
        epilog="Exit status: 0 ok, 1 a --fail-on condition held, 2 usage error. "
        "The --json fields are documented in console/recording/STATS.md.",
    )
    parser.add_argument("paths", nargs="+", metavar="DIR|FILE",
                        help="a directory (its *.jsonl files, recursively) or recording files")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--since", metavar="YYYY-MM-DD", help="only sessions started on or after this day")
    parser.add_argument("--prices", metavar="FILE.json", help="override or extend the built-in price table")
    parser.add_argument("--fail-on", action="append", default=[], metavar="COND",
                        help=f"exit 1 if the condition holds over the aggregate ({agg.CONDITION_HELP.replace('%', '%%')}); repeatable")
    parser.add_argument("--no-cache", action="store_true",
                        help="read every file and leave the summary cache alone")
    return parser


def collect(paths: list[str]) -> list[Path]:
    """The files named, and every `*.jsonl` under the directories named, each once (a file
    named twice, or reached through a link, counts once).

    A directory is resolved once and its files keyed under it: resolving each of 10,000
    files took most of a cached `stats` run. A file that is itself a link is resolved.

    Raises:
        UsageError: a path that does not exist.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for text in paths:
        path = Path(text)
        if path.is_dir():
            root = str(path)
            base = os.path.realpath(root)
            pairs = [(f, os.path.realpath(f) if os.path.islink(f)
                      else os.path.join(base, f[len(root):].lstrip(os.sep)))
                     for f in recording_paths(root)]
        elif path.exists():
            pairs = [(text, os.path.realpath(text))]
        else:
            raise UsageError(f"{text}: no such file or directory")
        for f, key in pairs:
            if key not in seen:
                seen.add(key)
                found.append(Path(f))
    return found


def run(args: argparse.Namespace) -> int:
    try:
        conditions = [agg.parse_condition(c) for c in args.fail_on]
        prices = load_prices(args.prices or load_settings().prices)  # the flag, else the settings file
    except (ValueError, PriceFileError) as exc:
        raise UsageError(str(exc)) from None
    if args.since is not None and not _DATE.match(args.since):
        raise UsageError(f"--since {args.since!r}: expected a day as YYYY-MM-DD")
    files = collect(args.paths)
    # Without the lint counts, which `stats` does not report (see `Summary.linted`).
    reader = partial(summarise_file, lint=False)
    cache = SummaryCache(None, reader=reader) if args.no_cache else SummaryCache.default(reader=reader)
    if cache.problem:
        print(printable(f"warning: {cache.problem}"), file=sys.stderr)
    # A reconnected session's files count as one session (see chain_summaries.py).
    summaries = merge_chains(cache.summaries(files))
    problem = cache.save()
    if problem:
        print(printable(f"warning: {problem}"), file=sys.stderr)
    chosen: list[Summary] = summaries
    excluded = 0
    if args.since is not None:
        chosen = [s for s in summaries if not s.ok or (s.day is not None and s.day >= args.since)]
        excluded = len(summaries) - len(chosen)
    stats = agg.aggregate(chosen, prices)
    stats["since"] = args.since
    stats["excluded_by_since"] = excluded
    for skipped in stats["skipped"]:
        print(printable(f"skipped {skipped['file']}: {skipped['reason']}"), file=sys.stderr)
    if not files:
        print("warning: no recordings found (*.jsonl)", file=sys.stderr)
    return print_and_gate(stats, agg.evaluate(stats, conditions), as_json=args.json, render=render_text)


# --- text rendering ------------------------------------------------------------------------


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _usd(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.4f}"


def render_text(stats: dict[str, Any]) -> str:
    """The aggregate as plain text for a terminal."""
    out: list[str] = []
    span = (f" from {stats['first_day']} to {stats['last_day']}" if stats["first_day"] else "")
    joined = stats.get("files", stats["recordings"]) - stats["recordings"]
    out.append(f"{stats['recordings']} recording(s){span}"
               + (f" ({stats['files']} files: reconnected sessions count once)" if joined else "")
               + f", {len(stats['skipped'])} skipped"
               + (f", {stats['excluded_by_since']} before {stats['since']}" if stats.get("since") else ""))
    ev = stats["events"]
    out.append(f"  {ev['total']} events ({ev['by_source']['client']} client, {ev['by_source']['server']} server), "
               f"{stats['turns']} turns, {stats['errors']} errors, {stats['duration_s']:.1f} s recorded")
    r = stats["responses"]
    out.append(f"  responses: {r['total']} ({r['completed']} completed, {r['cancelled']} cancelled, "
               f"{r['failed']} failed, {r['incomplete']} incomplete)")
    i, t = stats["interruptions"], stats["truncations"]
    out.append(f"  interrupted turns: {i['interrupted_turns']} ({_pct(i['rate'])} of turns); "
               f"truncations: {t['count']} ({_pct(t['rate'])} of turns)")
    out.append(f"  recordings with errors: {stats['recordings_with_errors']} ({_pct(stats['error_rate'])})")
    out.append("")
    out.append("Latency (ms)        count    p50    p90    p95    p99    max")
    for key, s in stats["latency_ms"].items():
        out.append(f"  {key:<16} {s['count']:>6} {_ms(s['p50']):>6} {_ms(s['p90']):>6} {_ms(s['p95']):>6} "
                   f"{_ms(s['p99']):>6} {_ms(s['max']):>6}")
    out.append("")
    out.append(f"Error codes ({len(stats['error_codes'])})")
    for e in stats["error_codes"]:
        causes = ", ".join(f"{k} {v}" for k, v in e["caused_by"].items())
        out.append(f"  {e['count']:>6}  {e['code']}" + (f"  (caused by: {causes})" if causes else ""))
    u, c = stats["usage"], stats["cost"]
    out.append("")
    out.append(f"Usage: {u['total_tokens']} tokens (input {u['input']['total']}, output {u['output']['total']}) "
               f"over {u['responses_with_usage']} response(s)")
    note = f", {c['unpriced_recordings']} recording(s) without a price" if c["unpriced_recordings"] else ""
    out.append(f"Estimated cost: {_usd(c['total'])} (prices of {c['prices_date']}{note})")
    for key in ("by_model", "by_day"):
        name = key[3:]
        out.append("")
        out.append(f"By {name:<22} recordings  turns  errors      tokens  cost")
        for g in stats[key]:
            out.append(f"  {g[name]:<24} {g['recordings']:>8} {g['turns']:>6} {g['errors']:>7} "
                       f"{g['total_tokens']:>11}  {_usd(g['cost'])}")
    for res in stats.get("fail_on", []):
        out.append(f"fail-on {res['condition']}: {'HELD' if res['held'] else 'ok'} ({res['detail']})")
    return "\n".join(out)
