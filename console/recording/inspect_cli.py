"""`realtime-console inspect FILE [--json] [--prices FILE] [--model NAME] [--fail-on COND ...]`.

The report ends with the protocol linter's counts (`lint`: by severity and by rule), the
same rules `realtime-console lint` lists finding by finding.

Exit status: 0, or 1 when a `--fail-on` condition holds, or 2 for a usage error (including
a file that is not a recording). Warnings about the file (a cut last line, skipped lines)
go to stderr so `--json` output stays one clean document on stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from console.cli import ArgumentParser, UsageError
from console.user_config import load_settings

from . import gates
from .format import printable
from .mcp_items import MCP_ITEM_TYPES, mcp_line
from .opening import open_recording
from .prices import PriceFileError, load_prices
from .report import build_report
from .timeline import SPANS


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Summarise a recorded session: duration, events, turns, latency, interruptions, "
        "errors, token usage and estimated cost.",
        epilog="Exit status: 0 ok, 1 a --fail-on condition held, 2 usage error. "
        "The --json fields are documented in console/recording/REPORT.md.",
    )
    parser.add_argument("file", help="a recording (.jsonl), a header-less event log, or bare API events")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--no-follow", action="store_true",
                        help="report this file alone, not the chain of files a reconnected session continued in")
    parser.add_argument("--prices", metavar="FILE.json", help="override or extend the built-in price table")
    parser.add_argument("--model", help="price the session as this model (default: the recorded model)")
    parser.add_argument(
        "--fail-on",
        action="append",
        default=[],
        metavar="COND",
        help=f"exit 1 if the condition holds ({gates.CONDITION_HELP}); repeatable. "
        "SPAN>MS compares the worst turn's span (its max over turns, not a percentile) with MS",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        conditions = [gates.parse_condition(c) for c in args.fail_on]
        prices = load_prices(args.prices or load_settings().prices)  # the flag, else the settings file
    except (ValueError, PriceFileError) as exc:
        raise UsageError(str(exc)) from None
    with open_recording(args.file, follow=not args.no_follow) as rec:
        report = build_report(rec, prices, model=args.model, lint=True)  # one pass for both
        lint = report.pop("lint")
        report["files"] = [str(p) for p in rec.paths]
        report["lint"] = lint  # last, after the files, as `--json` has always had it
    print_problems(report["format"]["warnings"], report["format"]["problems"])
    return gates.print_and_gate(report, gates.evaluate(report, conditions), as_json=args.json, render=render_text)


def print_problems(warnings: list[str], problems: list[dict[str, Any]]) -> None:
    """The notes about the file, then each bad line with its number and reason, on stderr."""
    for warning in warnings:
        print(printable(f"warning: {warning}"), file=sys.stderr)
    for problem in problems:
        where = f"line {problem['line']}" if problem.get("line") is not None else "unknown line"
        print(printable(f"  {where}: {problem['reason']}"), file=sys.stderr)


# --- text rendering ------------------------------------------------------------------------


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _clip(text: Any, width: int = 100) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _duration(ms: float) -> str:
    """A span for the timeline line: `310 ms` below a second, `1.20 s` from there."""
    return f"{ms:.0f} ms" if abs(ms) < 1000 else f"{ms / 1000:.2f} s"


#: The timeline line's label for each span, in order.
_SPAN_LABELS = (("speech_ms", "speech"), ("commit_ms", "commit"), ("to_response_ms", "created"),
                ("first_text_ms", "first text"), ("first_audio_ms", "first audio"), ("generation_ms", "done"),
                ("playback_ms", "played"), ("end_to_end_ms", "end to end"))


def timeline_line(turn: dict[str, Any]) -> str:
    """`turn 3: speech 1.20 s · commit 40 ms · created 120 ms · first audio 310 ms · ...`:
    each span that the turn has, in timeline order (see REPORT.md for what each measures)."""
    tl = turn.get("timeline") or {}
    spans = tl.get("spans_ms") or {}
    parts = []
    for key, label in _SPAN_LABELS:
        value = spans.get(key)
        if value is None:
            continue
        part = f"{label} {_duration(value)}"
        if key == "playback_ms":
            notes = []
            if tl.get("truncated_at_ms") is not None:
                notes.append(f"truncated at {_duration(float(tl['truncated_at_ms']))}"
                             + (f" of {_duration(tl['audio_ms'])}" if tl.get("audio_ms") is not None else ""))
            elif tl.get("playback_end_source") == "estimated":
                notes.append("estimated")
            part += f" ({', '.join(notes)})" if notes else ""
        parts.append(part)
    return f"turn {turn['number']}: " + (" · ".join(parts) if parts else "no timeline")


def lint_lines(lint: dict[str, Any] | None, path: str) -> list[str]:
    """`Lint: 1 error, 2 warnings, 0 info`, then one line per rule with its count."""
    if not lint:
        return []
    c = lint["counts"]
    total = sum(c.values())
    out = [f"Lint: {c.get('error', 0)} error(s), {c.get('warning', 0)} warning(s), {c.get('info', 0)} info"
           + (f"  (realtime-console lint {path} lists them)" if total else "")]
    out.extend(f"  {entry['severity']:<8} {entry['count']:>4}  {rule}" for rule, entry in lint["rules"].items())
    return out


def unheard_text(ms: float, usd: float | None) -> str:
    """`2.30 s unheard ≈ $0.0029`: audio generated after a truncation point, and its cost."""
    return f"{_duration(ms)} unheard" + (f" ≈ ${usd:.4f}" if usd is not None else "")


def render_text(report: dict[str, Any]) -> str:
    """The report as plain text for a terminal."""
    fmt = report["format"]
    out: list[str] = [f"{report['file']}"]
    if len(report.get("files") or []) > 1:
        out.append(f"  one session over {len(report['files'])} files (reconnected): "
                   + ", ".join(p.rsplit("/", 1)[-1] for p in report["files"]))
    out.append(
        f"  {fmt['kind']} · protocol {fmt['protocol']} · model {fmt['model'] or 'unknown'}"
        + (f" · started {fmt['started_at']}" if fmt["started_at"] else "")
    )
    dur = report["duration_s"]
    out.append(f"  duration {int(dur // 3600):d}:{int(dur % 3600 // 60):02d}:{dur % 60:06.3f}"
               f" · {report['events']['total']} events "
               f"({report['events']['by_source']['client']} client, {report['events']['by_source']['server']} server)")
    for warning in fmt["warnings"]:
        out.append(f"  ! {warning}")
    out.append("")
    out.append("Events by type")
    for source in ("client", "server"):
        for etype, count in report["events"]["by_type"][source].items():
            out.append(f"  {source:<6} {count:>8}  {etype}")
    out.append("")
    out.append(f"Turns ({len(report['turns'])})")
    for turn in report["turns"]:
        lat = turn["latency"]
        head = (f"  #{turn['number']:<3} {turn['start_s']:>9.3f}s  first text {_ms(lat['first_text_ms'])}, "
                f"first audio {_ms(lat['first_audio_ms'])}, done {_ms(lat['done_ms'])}"
                + (f" (from {lat['from']})" if lat["from"] else ""))
        cost = turn.get("cost") or {}
        if cost.get("total") is not None:
            head += f"  ${cost['total']:.4f}"
        if cost.get("unheard_audio_ms") is not None:
            head += f" ({unheard_text(cost['unheard_audio_ms'], cost.get('unheard_audio_usd'))})"
        if turn["interrupted"]:
            head += "  [interrupted]"
        out.append(head)
        user = turn["user"]
        if user:
            said = user.get("text") if user.get("text") is not None else user.get("transcript")
            if user.get("transcription_failed"):
                said = "(transcription failed)"
            label = "tool" if user.get("kind") == "function_call_output" else "user"
            if user.get("kind") in MCP_ITEM_TYPES:
                label, said = mcp_line(user)
            out.append(f"        {label}: {_clip(said) if said is not None else '(' + str(user.get('kind') or 'input') + ')'}")
        assistant = turn["assistant"]
        if assistant:
            for item in assistant["items"]:
                if item.get("type") in MCP_ITEM_TYPES:
                    label, said = mcp_line(item)
                    out.append(f"        {label}: {_clip(said, 200)}")
                elif item.get("type") == "function_call":
                    out.append(f"        call: {item.get('name')}({_clip(item.get('arguments') or '', 80)})")
                else:
                    said = item.get("transcript") if item.get("transcript") is not None else item.get("text")
                    out.append(f"        assistant: {_clip(said) if said else '(no text)'}")
            if assistant["status"] and assistant["status"] != "completed":
                reason = f" ({assistant['status_reason']})" if assistant["status_reason"] else ""
                out.append(f"        response {assistant['status']}{reason}")
    out.append("")
    out.append("Latency (ms)        count   min  median    p90    max")
    for key in ("first_text", "first_audio", "done"):
        s = report["latency_ms"][key]
        if s["count"]:
            out.append(f"  {key:<16} {s['count']:>6} {s['min']:>6.0f} {s['median']:>7.0f} {s['p90']:>6.0f} {s['max']:>6.0f}")
        else:
            out.append(f"  {key:<16} {0:>6}      -       -      -      -")
    out.append("")
    out.append("Timeline")
    out.extend(f"  {timeline_line(turn)}" for turn in report["turns"])
    out.append("Spans (ms)          count    p50    p90    p99    max")
    for key in SPANS:
        s = report["timeline_ms"][key]
        if s["count"]:
            out.append(f"  {key:<16} {s['count']:>6} {s['p50']:>6.0f} {s['p90']:>6.0f} {s['p99']:>6.0f} {s['max']:>6.0f}"
                       f"  (turn {s['max_turn']})")
        else:
            out.append(f"  {key:<16} {0:>6}      -      -      -      -")
    r = report["responses"]
    out.append("")
    out.append(f"Responses: {r['total']} ({r['completed']} completed, {r['cancelled']} cancelled, "
               f"{r['failed']} failed, {r['incomplete']} incomplete)")
    out.append(f"Interruptions: {len(report['interruptions'])}" + "".join(
        f"\n  event {i['event']} at {i['time_s']}s: {i['kind']} (turn {i['turn']})" for i in report["interruptions"]))
    out.append(f"Truncations: {len(report['truncations'])}" + "".join(
        f"\n  item {t['item_id']} at {t['audio_end_ms']} ms"
        f"{'' if t['requested_by_client'] else ' (server-side)'}" for t in report["truncations"]))
    out.append(f"Errors: {len(report['errors'])}" + "".join(
        f"\n  event {e['event']} at {e['time_s']}s: {e['code'] or e['type'] or e['kind']}: {_clip(e['message'] or '', 80)}"
        + (f" (caused by {e['caused_by_type'] or e['caused_by']})" if e["caused_by"] else "")
        for e in report["errors"]))
    out.extend(lint_lines(report.get("lint"), report["file"]))
    u = report["usage"]
    out.append("")
    out.append(f"Usage over {u['responses_with_usage']} response(s): {u['total_tokens']} tokens")
    i, o = u["input"], u["output"]
    images = f", image {i['image']}" if i.get("image") else ""
    cached_images = f", image {i['cached_image']}" if i.get("cached_image") else ""
    out.append(f"  input  {i['total']:>9}  (text {i['text']}, audio {i['audio']}{images}, cached {i['cached']}: "
               f"text {i['cached_text']}, audio {i['cached_audio']}{cached_images})")
    out.append(f"  output {o['total']:>9}  (text {o['text']}, audio {o['audio']})")
    c = report["cost"]
    if c["total"] is not None:
        out.append(f"Estimated cost: ${c['total']:.4f} as {c['priced_as']} (prices of {c['prices_date']}, {c['prices_source']})")
    else:
        out.append(f"Estimated cost: unknown: {c['note']} (prices of {c['prices_date']})")
    unheard = c.get("unheard_audio") or {}
    if unheard.get("turns"):
        out.append(f"Generated but never heard: {unheard_text(unheard['ms'], unheard.get('usd'))} in "
                   f"{unheard['turns']} truncated turn(s), about {unheard['tokens']:.0f} audio output tokens")
    for res in report.get("fail_on", []):
        out.append(f"fail-on {res['condition']}: {'HELD' if res['held'] else 'ok'} ({res['detail']})")
    return "\n".join(out)
