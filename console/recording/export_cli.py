"""`realtime-console export FILE [--wav DIR] [--transcript FILE.md] [--events FILE.jsonl
[--type T ...] [--source client|server]]`.

At least one output is required; several may be given in one run. `-` as the transcript
or events file means stdout. Exit status 0, or 2 for a usage error (bad file, nothing to
do, an output that cannot be written). Bad lines in the recording do not stop an export:
each is listed on stderr with its line number and reason, and the rest is exported.
"""

from __future__ import annotations

import argparse
import sys

from console.cli import ArgumentParser, UsageError

from .export import export_events, export_wavs, matching_types, transcript_markdown
from .format import printable
from .inspect_cli import open_recording, print_problems
from .report import build_report, line_problems


#: Problems listed one by one on stderr (the warnings give the totals).
MAX_LISTED = 50


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Export a recorded session's audio (one WAV per item), transcript (Markdown) or events.",
    )
    parser.add_argument("file", help="a recording (.jsonl), a header-less event log, or bare API events")
    parser.add_argument("--wav", metavar="DIR", help="write each item's audio as a 24 kHz mono WAV into DIR")
    parser.add_argument("--transcript", metavar="FILE.md", help="write the conversation as Markdown ('-' = stdout)")
    parser.add_argument("--events", metavar="FILE.jsonl", help="write events (with the header) as JSON Lines ('-' = stdout)")
    parser.add_argument("--type", action="append", dest="types", metavar="TYPE",
                        help="with --events: only this event type (either protocol's name; 'prefix.*' allowed); repeatable")
    parser.add_argument("--source", choices=("client", "server"), help="with --events: only events from this side")
    parser.add_argument("--no-follow", action="store_true",
                        help="export this file alone, not the chain of files a reconnected session continued in")
    return parser


def run(args: argparse.Namespace) -> int:
    if not (args.wav or args.transcript or args.events):
        raise UsageError("nothing to export: give --wav DIR, --transcript FILE.md and/or --events FILE.jsonl")
    if (args.types or args.source) and not args.events:
        raise UsageError("--type and --source filter --events; add --events FILE.jsonl")
    with open_recording(args.file, follow=not args.no_follow) as rec:
        report = build_report(rec) if (args.wav or args.transcript) else None
        try:
            if args.events:
                if args.types and not matching_types(rec, args.types):
                    print(f"warning: no event of type {', '.join(args.types)} in {args.file}", file=sys.stderr)
                if args.events == "-":
                    count = export_events(rec, sys.stdout.buffer, args.types, args.source)
                    sys.stdout.flush()
                else:
                    with open(args.events, "wb") as out:
                        count = export_events(rec, out, args.types, args.source)
                    print(f"{count} events written to {args.events}", file=sys.stderr)
            if args.transcript:
                assert report is not None
                text = printable(transcript_markdown(report))
                if args.transcript == "-":
                    sys.stdout.write(text)
                    sys.stdout.flush()
                else:
                    with open(args.transcript, "w", encoding="utf-8") as f:
                        f.write(text)
                    print(f"transcript of {len(report['turns'])} turns written to {args.transcript}", file=sys.stderr)
            if args.wav:
                wavs, errors = export_wavs(rec, args.wav, report)
                for err in errors[:MAX_LISTED]:
                    where = f"line {err.line}" if err.line is not None else f"event {err.event}"
                    print(printable(f"warning: {where} (event {err.event}, {err.type}) not applied: {err.message}"),
                          file=sys.stderr)
                if len(errors) > MAX_LISTED:
                    print(f"warning: {len(errors) - MAX_LISTED} more events not applied", file=sys.stderr)
                total = sum(w.seconds for w in wavs)
                print(f"{len(wavs)} WAV files ({total:.1f} s of audio) written to {args.wav}", file=sys.stderr)
        except OSError as exc:
            raise UsageError(f"cannot write {exc.filename or 'output'}: {exc.strerror or exc}") from None
        if report is not None:
            print_problems(report["format"]["warnings"], report["format"]["problems"])
        else:
            print_problems(rec.warnings(), line_problems(rec, [])[:MAX_LISTED])
    return 0
