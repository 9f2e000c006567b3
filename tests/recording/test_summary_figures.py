"""A summary's figures equal those of the file's full `inspect` report, on varied recordings.

Summaries are taken from the analysis directly (not from `build_report`'s document), and
`stats` makes them without the lint counts; both must leave every figure as the report
gives it. `summary_from_report` is how summaries were made from the report before: the
reference each summary is compared with, field by field. `stats` gives the same JSON
without a cache, filling it, from it, and from a cache the sessions browser filled.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from console.cli import main
from console.recording import gates, row_file
from console.recording.reader import Recording
from console.recording.report import build_report
from console.recording.summaries import _code, _day, _previous_file, _str, summarise_file
from console.recording.summary import source_of, SPANS, Summary
from console.recording.summary_cache import CACHE_VERSION, default_cache_path, SummaryCache
from console.recording.synthetic import SessionBuilder
from tests.lint.lint_recordings import write_flawed
from tests.recording.chain_fixtures import part, write_chain
from tests.recording.stats_fixtures import make_directory, session, write


def summary_from_report(path: Path) -> Summary:
    """The summary as made from `build_report(rec, lint=True)`'s document."""
    st = os.stat(path)
    with Recording.open(path) as rec:
        report = build_report(rec, lint=True)
        header = rec.header if isinstance(rec.header, dict) else None
        start_epoch = rec.start_epoch
    fmt = report["format"]
    turns = report["turns"]
    latency: dict[str, list[float]] = {span: [] for span in SPANS}
    for turn in turns:
        for span in ("first_text", "first_audio", "done"):
            value = turn["latency"][f"{span}_ms"]
            if value is not None:
                latency[span].append(float(value))
        first = gates.first_output_ms(turn)
        if first is not None:
            latency["first_output"].append(first)
    lint = report["lint"]
    return Summary(
        path=str(path), size=st.st_size, mtime_ns=st.st_mtime_ns, kind=fmt["kind"], started_at=fmt["started_at"],
        day=_day(fmt["started_at"], start_epoch), source=source_of(fmt["kind"], header), model=fmt["model"],
        duration_s=float(report["duration_s"]), events=report["events"]["total"],
        client_events=report["events"]["by_source"]["client"], server_events=report["events"]["by_source"]["server"],
        turns=len(turns), interrupted_turns=sum(1 for t in turns if t["interrupted"]),
        interruptions=len(report["interruptions"]), truncations=len(report["truncations"]),
        errors=len(report["errors"]), responses=dict(report["responses"]),
        error_codes=[[_code(e), _str(e.get("caused_by_type"))] for e in report["errors"]],
        latency_ms=latency, usage=report["usage"], bad_lines=int(fmt["bad_lines"]),
        continues=_previous_file(path, header), lint=dict(lint["counts"]),
        lint_rules={rule: entry["count"] for rule, entry in lint["rules"].items()},
    )


def varied(root: Path) -> list[Path]:
    """Recordings that exercise every figure: errors (with and without a cause), barge-ins,
    cancels, truncations, a function call, lint findings, the beta protocol, a chain of
    files, damaged and cut lines, a file without a header and one of bare API events."""
    root.mkdir(parents=True, exist_ok=True)
    paths = [write(session(n, "gpt-realtime-mini" if n % 2 else "gpt-realtime"), root / f"s{n}.jsonl",
                   (None, "proxy", "attach")[n % 3]) for n in range(6)]
    paths.append(write_flawed(root / "flawed.jsonl"))
    beta = SessionBuilder(protocol="beta")
    beta.session()
    beta.user_speech(700, "hello")
    beta.response(latency_ms=300, audio_ms=500, cancel_after_deltas=2, client_cancels=True)
    beta.user_speech(300, "stop")
    beta.response(latency_ms=200, function_call=("lookup", '{"q": 1}'))
    beta.error(None, "no code", caused_by="evt_0001")
    paths.append(write(beta, root / "beta.jsonl"))
    paths += write_chain(root, [part(2), part(1, minutes=5)])
    damaged = root / "damaged.jsonl"
    lines = (root / "s1.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    damaged.write_text("".join(lines[:5]) + "{not json\n" + "".join(lines[5:]) + lines[7][:40], encoding="utf-8")
    paths.append(damaged)
    headerless = root / "headerless.jsonl"
    headerless.write_text("".join(lines[1:]), encoding="utf-8")
    paths.append(headerless)
    bare = root / "bare.jsonl"
    bare.write_text("".join(json.dumps(json.loads(line)["event"]) + "\n" for line in lines[1:]), encoding="utf-8")
    paths.append(bare)
    return paths


@pytest.fixture()
def recordings(tmp_path: Path) -> list[Path]:
    return varied(tmp_path / "recs")


def test_each_summary_equals_the_one_made_from_the_full_report(recordings: list[Path]) -> None:
    kinds = set()
    for path in recordings:
        expected = summary_from_report(path).to_json()
        assert summarise_file(path).to_json() == expected, path.name
        kinds.add(expected["kind"])
    assert kinds == {"recording", "events", "bare"}


def test_without_lint_only_the_lint_counts_are_left_out(recordings: list[Path]) -> None:
    for path in recordings:
        full, light = summarise_file(path).to_json(), summarise_file(path, lint=False).to_json()
        assert full["lint"] and full["lint"].keys() == {"error", "warning", "info"}
        assert light["lint"] == {} and light["lint_rules"] == {}
        assert {**light, "lint": full["lint"], "lint_rules": full["lint_rules"]} == full, path.name
        assert summarise_file(path).linted and not summarise_file(path, lint=False).linted


def run_stats(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["stats", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_gives_the_same_json_with_and_without_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "recs"
    varied(root)
    make_directory(root / "more", 5)
    fresh = run_stats(capsys, "--no-cache", str(root))
    assert not default_cache_path().exists()
    filling = run_stats(capsys, str(root))
    entries = row_file.read(default_cache_path(), Summary, CACHE_VERSION)
    assert len(entries) == len(list(root.rglob("*.jsonl")))
    assert not any(e.lint for e in entries)  # stats made them: no lint counts
    cached = run_stats(capsys, str(root))
    assert fresh == filling == cached
    assert fresh["recordings"] == 17 and fresh["files"] == 18 and fresh["errors"] > 0
    # A cache the sessions browser filled (lint counts in every summary) gives the same too.
    default_cache_path().unlink()
    browser = SummaryCache(default_cache_path())
    list(browser.summaries(sorted(root.rglob("*.jsonl"))))
    assert browser.save() is None
    assert run_stats(capsys, str(root)) == fresh


def test_a_chain_is_linted_only_when_each_of_its_files_is(tmp_path: Path) -> None:
    from console.recording.chain_summaries import merge_chains

    paths = write_chain(tmp_path, [part(1), part(1, minutes=5)])
    first, second = summarise_file(paths[0]), summarise_file(paths[1])
    joined = merge_chains([first, second])
    assert len(joined) == 1 and joined[0].linted
    partly = merge_chains([first, summarise_file(paths[1], lint=False)])
    assert len(partly) == 1 and not partly[0].linted and partly[0].lint == {}
    assert partly[0].turns == joined[0].turns == 2
