"""Exports of a recording: per-item WAVs, a Markdown transcript, filtered events.

Pure functions over an indexed `Recording`; `export_cli` only parses arguments. WAVs come
from the conversation the client saw (`rebuild.ConversationRebuilder`), so an interrupted
answer is exported as far as it was played (its truncation applied). The transcript and
the turn numbers come from the inspect report, so `export` and `inspect` agree.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from console.audio.resample import resample
from console.audio.wavfile import write_wav
from console.realtime.protocol import BETA_TO_GA, GA_TO_BETA, PCM_RATE

from .format import FORMAT_VERSION, HEADER_KEY, line_has_secret_marker, redact, redact_string
from .mcp_items import MCP_ITEM_TYPES, mcp_line
from .paths import make_private_dirs
from .rebuild import ConversationRebuilder, RebuildError, item_audio
from .reader import Recording
from .report import build_report
from .writer import encode_line

WAV_RATE = PCM_RATE  # every exported WAV is 24 kHz mono PCM16
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class WavFile:
    """One written WAV: where, which item, whose voice, and how long."""

    path: Path
    item_id: str
    role: str
    turn: int
    samples: int

    @property
    def seconds(self) -> float:
        return self.samples / WAV_RATE


def item_turns(report: dict[str, Any]) -> dict[str, int]:
    """{item id: turn number} for every user and assistant item the report knows."""
    turns: dict[str, int] = {}
    for turn in report["turns"]:
        user = turn.get("user") or {}
        if user.get("item_id"):
            turns.setdefault(str(user["item_id"]), turn["number"])
        for item in (turn.get("assistant") or {}).get("items", []):
            if item.get("item_id"):
                turns.setdefault(str(item["item_id"]), turn["number"])
    return turns


def wav_name(turn: int, item_id: str, role: str) -> str:
    """`turn03_item_abc_assistant.wav`: sorts by turn, names the item and the speaker."""
    return f"turn{turn:02d}_{_UNSAFE.sub('-', item_id) or 'item'}_{_UNSAFE.sub('-', role) or 'unknown'}.wav"


def export_wavs(rec: Recording, directory: str | os.PathLike[str],
                report: dict[str, Any] | None = None) -> tuple[list[WavFile], list[RebuildError]]:
    """Write one 24 kHz mono WAV per item that has audio; return them and rebuild errors.

    Items with no turn (e.g. created before the first turn) get turn number 0. G.711
    sessions (8 kHz) are resampled to 24 kHz.
    """
    report = report if report is not None else build_report(rec)
    turns = item_turns(report)
    rebuilder = ConversationRebuilder(rec)
    rebuilder.advance_to()
    conv = rebuilder.conversation
    out = make_private_dirs(directory)  # voices are personal data: 0700, like the recordings
    written: list[WavFile] = []
    for item in rebuilder.items():
        samples = item_audio(item)
        if not len(samples):
            continue
        role = str(item.get("role") or item.get("type") or "unknown")
        rate = conv.input_rate if role == "user" else conv.output_rate
        if rate != WAV_RATE:
            samples = resample(samples, rate, WAV_RATE)
        item_id = str(item.get("id"))
        turn = turns.get(item_id, 0)
        path = out / wav_name(turn, item_id, role)
        write_wav(path, samples, WAV_RATE)
        written.append(WavFile(path, item_id, role, turn, len(samples)))
    return written, rebuilder.errors


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.strip().splitlines()) or ">"


def heard_chars(text: str, heard_ms: float, audio_ms: float | None) -> int | None:
    """How many characters of an answer's transcript were heard, estimated.

    Speech is taken to be spoken at an even pace, so the heard share of the text is the
    played share of the audio; the cut is moved back to a word boundary. None when the
    audio's length is unknown (WebRTC: the audio went over the media track).
    """
    if heard_ms <= 0:
        return 0
    if not audio_ms or audio_ms <= 0:
        return None
    if heard_ms >= audio_ms:
        return len(text)
    cut = round(len(text) * heard_ms / audio_ms)
    space = text.rfind(" ", 0, cut + 1)
    return space + 1 if space > 0 else cut


def unheard_marked(text: str, heard_ms: float, audio_ms: float | None) -> str:
    """An interrupted answer's transcript with what was not heard marked, as the replay's
    conversation pane does: the heard part, then `[not heard after N s: …]`."""
    seconds = f"{heard_ms / 1000:.2f} s"
    chars = heard_chars(text, heard_ms, audio_ms)
    if chars is None:
        return (f"{text}\n\n*[cut after {seconds} of audio: how much of this text was heard is unknown "
                "(the audio's length was not recorded)]*")
    heard, rest = text[:chars].rstrip(), text[chars:].strip()
    if not rest:
        return heard or "*(no text)*"
    mark = f"*[not heard after {seconds}{' (estimated from the share of audio played)' if heard else ''}: {rest}]*"
    return f"{heard}\n\n{mark}" if heard else mark


def mcp_markdown(entry: dict[str, Any]) -> list[str]:
    """An MCP item of the report as transcript lines, like a tool call's: the listed
    tools on one line; a call (or an approval request) with its arguments as a JSON
    block, then its output or its error; an approval answer on one line."""
    kind = entry.get("type")
    server = entry.get("server_label") or "?"
    if kind in ("mcp_list_tools", "mcp_approval_response"):
        label, text = mcp_line(entry, width=200)
        return [f"**{label.replace('mcp', 'MCP', 1)}**: {text}", ""]
    title = "MCP call" if kind == "mcp_call" else "MCP approval asked"
    lines = [f"**{title}** `{server}.{entry.get('name') or '?'}`", "", "```json",
             str(entry.get("arguments") or ""), "```", ""]
    if entry.get("error"):
        lines += [f"*Failed: {entry['error']}*", ""]
    elif entry.get("output") is not None:
        lines += ["Output:", "", "```json", str(entry["output"]), "```", ""]
    return lines


def transcript_markdown(report: dict[str, Any]) -> str:
    """The conversation as Markdown: one section per turn, who said what, tool calls,
    interruptions and failures, with each turn's latency."""
    fmt = report["format"]
    title = Path(report["file"]).name
    lines = [f"# Session transcript: {title}", ""]
    meta = [f"protocol {fmt['protocol']}", f"model {fmt['model'] or 'unknown'}", f"duration {report['duration_s']:.1f} s"]
    if fmt["started_at"]:
        meta.insert(0, f"started {fmt['started_at']}")
    lines += [" · ".join(meta), ""]
    for turn in report["turns"]:
        minutes, seconds = divmod(turn["start_s"], 60)
        lines.append(f"## Turn {turn['number']} · {int(minutes):02d}:{seconds:06.3f}")
        lines.append("")
        user = turn["user"]
        if user:
            kind = user.get("kind")
            if kind == "function_call_output":
                lines += ["**Tool output**", "", "```json", str(user.get("text")), "```", ""]
            elif kind in MCP_ITEM_TYPES:
                lines += mcp_markdown(user)
            else:
                said = user.get("text") if user.get("text") is not None else user.get("transcript")
                if user.get("transcription_failed"):
                    said = "*(transcription failed)*"
                elif said is None:
                    said = "*(audio, no transcript)*" if kind == "audio" else "*(no text)*"
                label = "User" if kind in (None, "audio", "text") else kind.replace("_", " ").capitalize()
                spoken = f" ({user['speech_ms'] / 1000:.1f} s of speech)" if user.get("speech_ms") else ""
                said = str(said)
                lines += [f"**{label}**{spoken}:", "", _quote(said) if said.strip() else ">", ""]
        assistant = turn["assistant"]
        if assistant:
            for item in assistant["items"]:
                if item.get("type") == "function_call":
                    lines += [f"**Tool call** `{item.get('name')}`", "", "```json", str(item.get("arguments") or ""), "```", ""]
                    continue
                if item.get("type") in MCP_ITEM_TYPES:
                    lines += mcp_markdown(item)
                    continue
                said = item.get("transcript") if item.get("transcript") is not None else item.get("text")
                said = str(said) if said is not None else None
                lines += ["**Assistant**:", ""]
                if item.get("heard_ms") is not None:
                    lines += [_quote(unheard_marked(said or "", item["heard_ms"], item.get("audio_ms"))), ""]
                else:
                    lines += [_quote(said) if said else "> *(no text)*", ""]
            status = assistant.get("status")
            if status and status != "completed":
                reason = f" ({assistant['status_reason']})" if assistant.get("status_reason") else ""
                lines += [f"*Response {status}{reason}.*", ""]
        if turn["interrupted"]:
            lines += ["*Interrupted by the user.*", ""]
        lat = turn["latency"]
        if lat["from"]:
            parts = [f"{name} {lat[key]:.0f} ms" for name, key in (
                ("first audio", "first_audio_ms"), ("first text", "first_text_ms"), ("done", "done_ms"))
                if lat[key] is not None]
            if parts:
                lines += [f"<sub>latency from {lat['from']}: {', '.join(parts)}</sub>", ""]
    if report["errors"]:
        lines += ["## Errors", ""]
        for err in report["errors"]:
            lines.append(f"- event {err['event']} at {err['time_s']} s: `{err['code'] or err['type'] or err['kind']}` "
                         f"{err['message'] or ''}".rstrip())
        lines.append("")
    return "\n".join(lines)


def matching_types(rec: Recording, wanted: Iterable[str]) -> list[str]:
    """The recording's types matching `wanted`: exact names, their other-protocol names
    (`response.text.delta` also finds `response.output_text.delta`), and `prefix.*`."""
    wanted = list(wanted)
    expanded: set[str] = set()
    prefixes: list[str] = []
    for name in wanted:
        if name.endswith("*"):
            prefixes.append(name[:-1])
            continue
        expanded.add(name)
        if name in GA_TO_BETA:
            expanded.add(GA_TO_BETA[name])
        if name in BETA_TO_GA:
            expanded.add(BETA_TO_GA[name])
    return [t for t in rec.index.types if t in expanded or any(t.startswith(p) for p in prefixes)]


def export_events(rec: Recording, out: IO[bytes], types: Iterable[str] | None = None,
                  source: str | None = None) -> int:
    """Write the header and the matching event lines (as recorded) to `out`; return the count.

    The output is itself a recording (`inspect` and `replay` read it). Lines are copied
    byte for byte except when they look like they hold a secret (possible in logs written
    by other tools), which are redacted.
    """
    if rec.header is not None:
        try:
            header = encode_line(json.dumps(rec.header, ensure_ascii=False))
        except (ValueError, RecursionError):  # a header too odd to write back: a plain one
            header = encode_line(json.dumps({HEADER_KEY: FORMAT_VERSION}))
        out.write(header + b"\n")
    if types is None:
        rows = np.arange(len(rec))
    else:
        rows = rec.rows_of_type(*matching_types(rec, types))
    if source is not None:
        code = 0 if source == "client" else 1
        rows = rows[rec.index.sources[rows] == code]
    for n in rows.tolist():
        line = rec.raw_line(n)
        text = line.decode("utf-8", "replace")
        if line_has_secret_marker(text):
            try:
                line = encode_line(json.dumps(redact(json.loads(line)), ensure_ascii=False))
            except (ValueError, RecursionError):  # a damaged line: redact what can be recognised in the text
                line = redact_string(text).encode("utf-8")
        out.write(line + b"\n")
    return len(rows)
