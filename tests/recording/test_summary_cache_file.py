"""The summary cache's file (`row_file`): summaries come back equal, and a file that is
damaged, cut short, of the older JSON format, of another version or written for other
fields is ignored with one message and rebuilt, never raising."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, make_dataclass
from pathlib import Path

import pytest

from console.cli import main
from console.recording import row_file
from console.recording.summary import Summary
from console.recording.summary_cache import CACHE_VERSION, default_cache_path, LEGACY_CACHE_FILE, recording_files, SummaryCache
from tests.recording.chain_fixtures import part, write_chain
from tests.recording.stats_fixtures import CountingReader, make_directory


@pytest.fixture()
def directory(tmp_path: Path) -> Path:
    """Recordings of every source and two models, errors and barge-ins, a reconnected
    chain (its `continues` link), and a file that is not a recording (`problem` set)."""
    root = tmp_path / "recs"
    make_directory(root, 6)
    write_chain(root, [part(1), part(2, minutes=30)])
    (root / "broken.jsonl").write_text("not a recording\n", encoding="utf-8")
    return root


def warm_cache(directory: Path, cache_file: Path) -> list[Summary]:
    cache = SummaryCache(cache_file)
    summaries = list(cache.summaries(recording_files(directory)))
    assert cache.save() is None
    return summaries


def test_summaries_come_back_equal_and_unread(directory: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache" / "summaries.bin"
    written = warm_cache(directory, cache_file)
    assert any(s.errors for s in written) and any(s.continues for s in written) and any(not s.ok for s in written)
    reader = CountingReader()
    again = SummaryCache(cache_file, reader=reader)
    assert again.problem is None
    assert list(again.summaries(recording_files(directory))) == written  # every field, nested ones included
    assert reader.read == [] and again.hits == len(written)
    assert again.save() is None  # nothing changed: not rewritten


def test_every_field_round_trips() -> None:
    """A value in every field, none at its default: nothing is dropped or reordered."""
    values = {"path": "/r/a.jsonl", "size": 12, "mtime_ns": 3, "problem": None, "kind": "recording",
              "started_at": "2026-03-01T09:00:00Z", "day": "2026-03-01", "source": "proxy", "model": "m",
              "duration_s": 1.5, "events": 9, "client_events": 4, "server_events": 5, "turns": 2,
              "interrupted_turns": 1, "interruptions": 1, "truncations": 1, "errors": 1,
              "responses": {"total": 2, "cancelled": 1}, "error_codes": [["rate_limit_exceeded", None]],
              "latency_ms": {"first_text": [1.5, 2.0]}, "usage": {"total_tokens": 7, "input": {"text": 3}},
              "bad_lines": 1, "continues": "/r/0.jsonl", "files": ["/r/0.jsonl", "/r/a.jsonl"],
              "lint": {"error": 1}, "lint_rules": {"cancel-not-active": 1}}
    names = row_file.field_names(Summary)
    summary = Summary(**{name: values.get(name, f"value of {name}") for name in names})  # fields added later too
    assert row_file.decode(row_file.encode([summary], Summary, CACHE_VERSION), Summary, CACHE_VERSION) == [summary]


def corrupted(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1:]


@pytest.mark.parametrize("damage", ["flipped", "cut", "empty", "trailing"])
def test_a_damaged_file_is_ignored_with_a_message_and_rebuilt(directory: Path, tmp_path: Path, damage: str) -> None:
    cache_file = tmp_path / "summaries.bin"
    written = warm_cache(directory, cache_file)
    data = cache_file.read_bytes()
    cache_file.write_bytes({"flipped": corrupted(data, len(data) // 2), "cut": data[: len(data) - 100], "empty": b"",
                            "trailing": data + b"\0"}[damage])
    reader = CountingReader()
    cache = SummaryCache(cache_file, reader=reader)
    assert cache.problem is not None
    assert cache.problem.startswith(f"summary cache {cache_file} ignored (") and "\n" not in cache.problem
    assert {"flipped": "checksum", "cut": "cut short", "empty": "not a row file", "trailing": "trailing"}[damage] \
        in cache.problem
    assert list(cache.summaries(recording_files(directory))) == written
    assert len(reader.read) == len(written)
    assert cache.save() is None
    assert SummaryCache(cache_file).problem is None  # rebuilt


def test_no_damaged_byte_gets_past_the_checks(directory: Path, tmp_path: Path) -> None:
    """Whichever byte is damaged (header, field names, rows), the file is refused, and
    `marshal` never sees a damaged payload."""
    cache_file = tmp_path / "summaries.bin"
    warm_cache(directory, cache_file)
    data = cache_file.read_bytes()
    for at in range(0, len(data), max(1, len(data) // 97)):
        with pytest.raises(row_file.RowFileError):
            row_file.decode(corrupted(data, at), Summary, CACHE_VERSION)


def test_the_older_json_cache_is_rebuilt_and_removed(directory: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    written = warm_cache(directory, tmp_path / "elsewhere.bin")
    legacy = default_cache_path().with_name(LEGACY_CACHE_FILE)
    legacy.parent.mkdir(parents=True)
    # the layout earlier versions wrote: one JSON object per file, keyed by path
    legacy.write_text(json.dumps({"version": CACHE_VERSION, "entries": {s.path: s.to_json() for s in written}}),
                      encoding="utf-8")
    reader = CountingReader()
    cache = SummaryCache.default()
    cache.reader = reader
    assert cache.problem == f"summary cache {legacy} ignored (an older format (JSON)): every file is read again"
    assert list(cache.summaries(recording_files(directory))) == written and len(reader.read) == len(written)
    assert cache.save() is None
    assert not legacy.exists() and default_cache_path().exists()
    assert SummaryCache.default().problem is None


def test_a_json_cache_at_the_cache_path_is_rebuilt(directory: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache.json"
    cache_file.write_text(json.dumps({"version": CACHE_VERSION, "entries": {}}), encoding="utf-8")
    cache = SummaryCache(cache_file)
    assert cache.problem is not None and "an older format (JSON)" in cache.problem
    list(cache.summaries(recording_files(directory)))
    assert cache.save() is None and SummaryCache(cache_file).problem is None


def test_another_version_or_other_fields_are_rebuilt(directory: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "summaries.bin"
    written = warm_cache(directory, cache_file)
    row_file.write(cache_file, written, Summary, CACHE_VERSION - 1)
    cache = SummaryCache(cache_file)
    assert cache.problem is not None and f"another version ({CACHE_VERSION - 1}" in cache.problem
    assert cache.entries == {}

    # a Summary with one more field (as a later version might have): no version bump needed
    wider = make_dataclass("Summary", [(f.name, object, field(default=None)) for f in Summary.__dataclass_fields__.values()]
                           + [("new_figure", int, field(default=0))])
    row_file.write(cache_file, [wider(**s.to_json()) for s in written], wider, CACHE_VERSION)
    cache = SummaryCache(cache_file)
    assert cache.problem is not None and "written for other fields" in cache.problem
    assert cache.entries == {}


def test_a_value_marshal_cannot_write_is_a_warning(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.bin")
    cache.store(Summary(path=str(tmp_path / "a.jsonl"), size=1, mtime_ns=1, usage={"total_tokens": object()}))
    problem = cache.save()
    assert problem is not None and "not saved" in problem
    assert not (tmp_path / "summaries.bin").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@dataclass
class Point:
    x: int
    label: str = ""
    tags: list[str] = field(default_factory=list)


def test_the_row_file_is_generic_over_the_dataclass(tmp_path: Path) -> None:
    points = [Point(1, "a", ["t"]), Point(2)]
    row_file.write(tmp_path / "p.bin", points, Point, 7)
    assert row_file.read(tmp_path / "p.bin", Point, 7) == points
    with pytest.raises(row_file.RowFileError, match="written for other fields"):
        row_file.read(tmp_path / "p.bin", Summary, 7)


@dataclass(kw_only=True)
class Labelled:
    name: str
    count: int = 0


def test_keyword_only_fields_are_passed_by_name(tmp_path: Path) -> None:
    items = [Labelled(name="a", count=2), Labelled(name="b")]
    row_file.write(tmp_path / "l.bin", items, Labelled, 1)
    assert row_file.read(tmp_path / "l.bin", Labelled, 1) == items


def test_stats_says_once_that_the_cache_was_ignored(directory: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    default_cache_path().parent.mkdir(parents=True)
    default_cache_path().write_bytes(row_file.MAGIC + b"\0" * 40)
    assert main(["stats", "--json", str(directory)]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "summary cache" in line]
    assert len(warnings) == 1 and warnings[0].startswith("warning: summary cache") and "ignored" in warnings[0]
    assert "Traceback" not in err
    assert main(["stats", "--json", str(directory)]) == 0
    assert "summary cache" not in capsys.readouterr().err  # rebuilt: no message the second time
    assert os.path.getsize(default_cache_path()) > 100
