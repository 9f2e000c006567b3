"""`realtime-console lint FILE... [--json] [--rule ID]... [--ignore ID]... [--fail-on error|warning]
[--explain ID]`.

Exit status: 2 when an option is wrong or a file cannot be read as a recording (one line on
stderr per file; the other files are still linted), else 1 when `--fail-on` holds, else 0.
Notes about a file (a cut last line, skipped lines) go to stderr, so `--json` stays one
clean document on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys

from console.cli import ArgumentParser, UsageError
from console.lint.findings import SEVERITIES
from console.lint.rules import RULES

from .format import printable
from .index import NotARecordingError
from .linting import FileResult, lint_path
from .opening import open_error


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Check recorded sessions for protocol mistakes: truncations, responses, tools, "
        "audio input, session fields, item ids.",
        epilog="Exit status: 0 ok, 1 a --fail-on severity was found, 2 usage error or unreadable file. "
        "Rules and the --json shape are documented in console/lint/RULES.md.",
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="recordings (.jsonl) or event logs")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--rule", action="append", default=[], metavar="ID", help="only this rule (repeatable)")
    parser.add_argument("--ignore", action="append", default=[], metavar="ID", help="skip this rule (repeatable)")
    parser.add_argument("--fail-on", choices=("error", "warning"), help="exit 1 if a finding this severe (or worse) is found")
    parser.add_argument("--explain", metavar="ID", help="print what a rule checks and how to fix it, then exit")
    return parser


def _check_ids(ids: list[str]) -> None:
    unknown = [i for i in ids if i not in RULES]
    if unknown:
        raise UsageError(f"unknown rule {unknown[0]!r} (rules: {', '.join(RULES)})")


def explain(rule_id: str) -> str:
    rule = RULES[rule_id]
    return f"{rule.id} ({rule.severity}): {rule.summary}\n\n{rule.explanation}"


def render_text(result: FileResult) -> list[str]:
    lines = [f"{result.path}:event {f.first_event}: {f.severity} {f.rule}: {f.message}" for f in result.findings]
    c = result.counts
    lines.append(f"{result.path}: {c['error']} error(s), {c['warning']} warning(s), {c['info']} info")
    return lines


def run(args: argparse.Namespace) -> int:
    _check_ids(args.rule + args.ignore + ([args.explain] if args.explain else []))
    if args.explain:
        print(explain(args.explain))
        return 0
    if not args.files:
        raise UsageError("no FILE given (or use --explain ID)")
    results: list[FileResult] = []
    unreadable = 0
    for path in args.files:
        try:
            result = lint_path(path, select=args.rule or None, ignore=args.ignore)
        except (NotARecordingError, OSError) as exc:
            print(printable(f"realtime-console lint: error: {open_error(path, exc, 'lint')}"),
                  file=sys.stderr)
            unreadable += 1
            continue
        result.path = path
        for note in result.notes:
            print(printable(f"{path}: warning: {note}"), file=sys.stderr)
        results.append(result)
    if args.json:
        seen = sorted({f.rule for r in results for f in r.findings}, key=list(RULES).index)
        doc = {"files": [r.to_json() for r in results],
               "rules": {i: {"severity": RULES[i].severity, "summary": RULES[i].summary,
                             "explanation": RULES[i].explanation} for i in seen}}
        print(printable(json.dumps(doc, indent=2, ensure_ascii=False)))
    else:
        for result in results:
            for line in render_text(result):
                print(printable(line))
        if len(results) > 1:
            total = {s: sum(r.counts[s] for r in results) for s in SEVERITIES}
            print(f"{len(results)} files: {total['error']} error(s), {total['warning']} warning(s), {total['info']} info")
    if unreadable:
        return 2
    if args.fail_on:
        worst = SEVERITIES[: SEVERITIES.index(args.fail_on) + 1]
        if any(r.counts[s] for r in results for s in worst):
            return 1
    return 0
