"""`realtime-console export FILE [--wav DIR] [--transcript FILE.md] [--events FILE.jsonl
[--type T ...] [--source client|server]]`, and `export FILES|DIRS… --parquet DIR`.

At least one output is required; several may be given in one run. `-` as the transcript
or events file means stdout. `--parquet` takes any number of recordings (a directory
means every `*.jsonl` under it) and writes the `sessions`, `turns` and `events` tables
(`parquet_export`, schema in PARQUET.md); the other outputs take one file. A file that
cannot be read is listed and skipped, the rest exported, and the exit status is 2. Exit status 0, or 2 for a usage error (bad file, nothing to
do, an output that cannot be written). Bad lines in the recording do not stop an export:
each is listed on stderr with its line number and reason, and the rest is exported.
"""

from __future__ import annotations

import argparse
import os
import sys

from console.cli import ArgumentParser, UsageError
from console.user_config import load_settings

from .export import export_events, export_wavs, matching_types, transcript_markdown
from .format import printable
from .inspect_cli import print_problems
from .opening import open_recording
from .report import build_report, line_problems

#: Problems listed one by one on stderr (the warnings give the totals).
MAX_LISTED = 50


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Export a recorded session's audio (one WAV per item), transcript (Markdown) or events, "
        "or many recordings as Parquet tables.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="a recording (.jsonl), a header-less event log, or bare API events; with --parquet, "
                        "any number of them or directories of them")
    parser.add_argument("--parquet", metavar="DIR",
                        help="write sessions.parquet, turns.parquet and events.parquet into DIR (needs pyarrow: "
                        "pip install 'realtime-console[parquet]'; schema in console/recording/PARQUET.md)")
    parser.add_argument("--prices", metavar="FILE.json", help="with --parquet: override or extend the built-in price table")
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
    if not (args.wav or args.transcript or args.events or args.parquet):
        raise UsageError("nothing to export: give --wav DIR, --transcript FILE.md, --events FILE.jsonl "
                         "and/or --parquet DIR")
    if (args.types or args.source) and not args.events:
        raise UsageError("--type and --source filter --events; add --events FILE.jsonl")
    if args.prices and not args.parquet:
        raise UsageError("--prices prices the --parquet tables; add --parquet DIR")
    single = args.wav or args.transcript or args.events
    if single and (len(args.files) != 1 or os.path.isdir(args.files[0])):
        raise UsageError("--wav, --transcript and --events export one recording; give one FILE "
                         "(--parquet takes many)")
    status = 0
    if args.parquet:
        status = run_parquet(args)
    if single:
        status = max(status, run_one(args, args.files[0]))
    return status


def run_parquet(args: argparse.Namespace) -> int:
    """`--parquet DIR`: every file (directories expanded) into the three tables."""
    from .parquet_export import PyarrowMissing, export_parquet
    from .prices import PriceFileError, load_prices
    from .summary_cache import recording_files

    try:
        prices = load_prices(args.prices or load_settings().prices)  # the flag, else the settings file
    except (ValueError, PriceFileError) as exc:
        raise UsageError(str(exc)) from None
    paths: list[str] = []
    for name in args.files:
        paths += [str(p) for p in recording_files(name)] if os.path.isdir(name) else [name]
    try:
        result = export_parquet(paths, args.parquet, prices, open_file=open_recording)
    except PyarrowMissing as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot write {exc.filename or args.parquet}: {exc.strerror or exc}") from None
    for path, reason in result.skipped:
        print(printable(f"warning: skipped {path}: {reason}"), file=sys.stderr)
    rows = ", ".join(f"{name} {count:,}" for name, count in result.rows.items())
    print(f"{result.files} recording(s), {result.bytes_read / 1e6:.1f} MB, as Parquet in {args.parquet}: "
          f"{rows} rows", file=sys.stderr)
    return 2 if result.skipped else 0


def run_one(args: argparse.Namespace, file: str) -> int:
    """--wav, --transcript and --events of one recording."""
    with open_recording(file, follow=not args.no_follow) as rec:
        report = build_report(rec) if (args.wav or args.transcript) else None
        try:
            if args.events:
                if args.types and not matching_types(rec, args.types):
                    print(f"warning: no event of type {', '.join(args.types)} in {file}", file=sys.stderr)
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
