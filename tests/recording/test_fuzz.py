"""Fuzz every recording reader with corrupt recordings (fixed seed, a few hundred cases).

Index/reader, inspect (report, JSON and text), export of each kind and the replay's
rebuild must never raise, except `NotARecordingError` for a file that is not a recording
at all; a line that is known to be bad must be reported with its line number.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from console.recording import NotARecordingError, Recording
from console.recording.export import export_events, export_wavs, transcript_markdown
from console.recording.inspect_cli import render_text
from console.recording.rebuild import ConversationRebuilder
from console.recording.report import build_report, report_json
from console.recording.synthetic import SessionBuilder

SEED = 20261124
CASES = 300
DEEP = "[" * 50_000 + "]" * 50_000
ODD_VALUES: list[Any] = [["a", "list"], {"a": "dict"}, 5, -1, 1.5, None, True, "", "text", "\ud83d",
                         float("inf"), float("nan"), 10**30, [[[]]]]


def base_lines(tmp_path: Path) -> list[str]:
    """A short real session of both kinds of turn, as the recorder writes it."""
    b = SessionBuilder(chunk_ms=100)
    b.session()
    b.user_speech(300, "hello there")
    b.response(audio_ms=400, transcript="hi, how are you")
    b.user_speech(200, "stop")
    b.response(audio_ms=600, cancel_after_deltas=2, client_cancels=True)
    b.user_speech(200, "text please")
    b.response(latency_ms=100, text_only=True, transcript="fine \ud83d")
    b.user_text("weather?")
    b.response_create()
    b.response(function_call=("get_weather", '{"city": "Paris"}'))
    refused = b.emit("client", {"type": "response.create"})
    b.error("conversation_already_has_active_response", "busy", caused_by=refused["event_id"])
    path = tmp_path / "base.jsonl"
    b.write(path)
    return path.read_text(encoding="utf-8").splitlines()


def mutate_event(rng: random.Random, line: str) -> str:
    """Give one field of the line's event an odd type or value (other lines: unchanged)."""
    if DEEP in line or not line.startswith("{"):
        return line
    obj = json.loads(line)
    event = obj.get("event", obj)
    target: Any = event
    for _ in range(rng.randint(0, 3)):  # walk into a nested dict or list now and then
        children = [v for v in (target.values() if isinstance(target, dict) else target) if isinstance(v, (dict, list)) and v]
        if not children:
            break
        target = rng.choice(children)
    value = rng.choice(ODD_VALUES)
    if isinstance(target, dict) and target:
        key = rng.choice([k for k in target if k != "type"] or ["type"])
        target[key] = value
    elif isinstance(target, list) and target:
        target[rng.randrange(len(target))] = value
    return json.dumps(obj, ensure_ascii=True)  # lone surrogates as \\ud83d escapes, inf as Infinity


def corrupt(rng: random.Random, lines: list[str]) -> tuple[bytes, set[int]]:
    """A corrupted copy of the recording and the line numbers known to be unreadable."""
    lines = list(lines)
    bad: set[int] = set()
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["odd", "odd", "deep", "garbage", "surrogate", "nohead", "dup", "flip", "cut", "deep_event"])
        n = rng.randrange(1, len(lines))
        if kind == "odd":
            lines[n] = mutate_event(rng, lines[n])
        elif kind == "deep":
            lines.insert(n, '{"time": "2026-11-24T15:46:03.000Z", "source": "server", "event": ' + DEEP + "}")
        elif kind == "deep_event":  # a prefix the indexer trusts, damage further on
            lines.insert(n, '{"time": "2026-11-24T15:46:03.000Z", "source": "server", "event": {"type": "error", '
                            '"error": ' + DEEP + "}}")
        elif kind == "garbage":
            lines.insert(n, rng.choice(["not json", "{", "[1, 2]", '"text"', "null", '{"no": "type"}']))
        elif kind == "surrogate":
            lines.insert(n, '{"time": "2026-11-24T15:46:03.000Z", "source": "server", "event": {"type": '
                            '"response.output_text.delta", "item_id": "x", "delta": "\\ud83d"}}')
        elif kind == "nohead" and lines and "realtime_console_log" in lines[0]:
            lines.pop(0)
        elif kind == "dup":
            lines.insert(n, lines[n - 1])
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if rng.random() < 0.3:  # flip bytes anywhere
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        data = bytes(buf)
        bad = set()  # a flipped byte may break or fix any line: no line number is certain
    else:
        text = data.decode("utf-8").splitlines()
        for i, line in enumerate(text, start=1):
            if line in ("not json", "{", "[1, 2]", '"text"', "null", '{"no": "type"}') or line.endswith(DEEP + "}"):
                bad.add(i)
    if rng.random() < 0.2:  # cut the file anywhere
        data = data[: rng.randrange(len(data))]
        bad = {line for line in bad if line < data.count(b"\n")}
    return data, bad


def read_everything(path: Path, wav_dir: Path | None) -> list[int] | None:
    """Every reader over one file; the line numbers of the problems reported (None if
    the file is not a recording)."""
    try:
        rec = Recording.open(path)
    except NotARecordingError:
        return None
    with rec:
        report = build_report(rec)
        assert json.loads(report_json(report))["events"]["total"] == len(rec)
        render_text(report)
        transcript_markdown(report)
        out = io.BytesIO()
        export_events(rec, out)
        export_events(rec, io.BytesIO(), ["response.*"], "server")
        if wav_dir is not None:
            export_wavs(rec, wav_dir, report)
        rebuilder = ConversationRebuilder(rec)
        rebuilder.advance_to()
        assert rebuilder.position == len(rec)
        for n in range(len(rec)):
            rec.type_of(n)
            rec.line_of(n)
        reported = [p["line"] for p in report["format"]["problems"]]
        reported += [e.line for e in rebuilder.errors if e.line is not None]
        return reported


def test_fuzz_every_reader(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    lines = base_lines(tmp_path)
    not_recordings = 0
    checked_lines = 0
    for case in range(CASES):
        data, bad = corrupt(rng, lines)
        path = tmp_path / f"case{case}.jsonl"
        path.write_bytes(data)
        try:
            reported = read_everything(path, tmp_path / f"wav{case}" if case % 10 == 0 else None)
        except Exception as exc:  # pragma: no cover - the failure message names the case
            pytest.fail(f"case {case} (seed {SEED}): {exc.__class__.__name__}: {exc}")
        if reported is None:
            not_recordings += 1
            continue
        missing = {line for line in bad if line not in reported and line > 1}
        assert not missing, f"case {case}: bad lines {sorted(missing)} not reported (reported {reported})"
        checked_lines += len(bad)
        path.unlink()
    assert not_recordings < CASES // 4  # the corpus mostly exercises the readers, not the rejection
    assert checked_lines > CASES // 5  # and many known-bad lines were checked for their number
