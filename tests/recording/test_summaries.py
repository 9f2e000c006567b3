"""The per-file summary cache: unchanged files are served without being read, changed ones
are read again (counted through the reader the cache calls, not timed), and the cache file
survives being damaged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from console.recording import row_file
from console.recording.reader import Recording
from console.recording.report import build_report
from console.recording.summaries import summarise_file
from console.recording.summary import Summary
from console.recording.summary_cache import CACHE_VERSION, default_cache_path, recording_files, SummaryCache
from tests.recording.stats_fixtures import CountingReader, make_directory, session, write


@pytest.fixture()
def recordings(tmp_path: Path) -> list[Path]:
    return make_directory(tmp_path / "recs", 4)


def test_second_listing_reads_only_the_changed_file(tmp_path: Path, recordings: list[Path]) -> None:
    cache_file = tmp_path / "cache" / "summaries.json"
    first = CountingReader()
    cache = SummaryCache(cache_file, reader=first)
    listed = list(cache.summaries(recording_files(recordings[0].parent)))
    assert len(first.read) == 4 and cache.reads == 4
    assert cache.save() is None and cache_file.exists()

    # change one file (content and so size), leave the others alone
    write(session(9), recordings[1])
    second = CountingReader()
    again = SummaryCache(cache_file, reader=second)
    relisted = list(again.summaries(recording_files(recordings[0].parent)))
    assert [p.name for p in second.read] == [recordings[1].name]
    assert again.hits == 3
    assert [s.turns for s in relisted][0] == listed[0].turns
    assert relisted[1].turns == Summary.from_json(relisted[1].to_json()).turns


def test_same_size_new_mtime_is_read_again(tmp_path: Path, recordings: list[Path]) -> None:
    cache_file = tmp_path / "summaries.json"
    cache = SummaryCache(cache_file, reader=CountingReader())
    list(cache.summaries(recordings))
    cache.save()
    st = recordings[0].stat()
    os.utime(recordings[0], ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    reader = CountingReader()
    list(SummaryCache(cache_file, reader=reader).summaries(recordings))
    assert reader.read == [recordings[0]]


def test_summary_matches_inspect(recordings: list[Path]) -> None:
    path = recordings[1]
    summary = summarise_file(path)
    with Recording.open(path) as rec:
        report = build_report(rec)
    assert summary.turns == len(report["turns"]) > 0
    assert summary.errors == len(report["errors"])
    assert summary.interruptions == len(report["interruptions"])
    assert summary.total_tokens == report["usage"]["total_tokens"]
    assert summary.cost() == report["cost"]["total"]
    assert summary.latency_ms["first_audio"] == [t["latency"]["first_audio_ms"] for t in report["turns"]
                                                 if t["latency"]["first_audio_ms"] is not None]
    assert summary.model == report["format"]["model"] and summary.day == "2026-03-02"


def test_source_comes_from_the_header(recordings: list[Path], tmp_path: Path) -> None:
    assert [summarise_file(p).source for p in recordings[:3]] == ["console", "proxy", "attach"]
    headerless = tmp_path / "events.jsonl"
    lines = recordings[0].read_text(encoding="utf-8").splitlines()[1:]
    headerless.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert summarise_file(headerless).source == "unknown"


def test_bad_file_is_summarised_with_its_reason_and_cached(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json at all\n", encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    reader = CountingReader()
    cache = SummaryCache(tmp_path / "c.json", reader=reader)
    found = list(cache.summaries([bad, empty]))
    assert [s.ok for s in found] == [False, False]
    assert "not a realtime-console recording" in (found[0].problem or "")
    cache.save()
    again = CountingReader()
    list(SummaryCache(tmp_path / "c.json", reader=again).summaries([bad, empty]))
    assert again.read == []


def test_damaged_or_foreign_cache_is_rebuilt(tmp_path: Path, recordings: list[Path]) -> None:
    cache_file = tmp_path / "summaries.bin"
    for content in ("{half", json.dumps({"version": 999, "entries": {}}), json.dumps([1, 2]), "hello"):
        cache_file.write_text(content, encoding="utf-8")
        reader = CountingReader()
        cache = SummaryCache(cache_file, reader=reader)
        assert cache.problem is not None and "ignored" in cache.problem
        assert [s.ok for s in cache.summaries(recordings)] == [True] * 4
        assert len(reader.read) == 4
    assert cache.save() is None
    assert len(row_file.read(cache_file, Summary, CACHE_VERSION)) == 4
    assert not [p for p in cache_file.parent.iterdir() if p.name.endswith(".tmp")]


def test_unwritable_cache_is_a_warning_not_a_failure(tmp_path: Path, recordings: list[Path]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    cache = SummaryCache(blocker / "sub" / "summaries.json")
    list(cache.summaries(recordings[:1]))
    problem = cache.save()
    assert problem is not None and "not saved" in problem


def test_forget_missing_drops_deleted_files(tmp_path: Path, recordings: list[Path]) -> None:
    cache = SummaryCache(tmp_path / "c.json")
    list(cache.summaries(recordings))
    recordings[0].unlink()
    cache.forget_missing(recordings[1].parent, recording_files(recordings[1].parent))
    assert os.path.abspath(recordings[0]) not in cache.entries and len(cache.entries) == 3


def test_default_cache_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / "realtime-console" / "summaries.bin"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert default_cache_path() == Path.home() / ".cache" / "realtime-console" / "summaries.bin"
