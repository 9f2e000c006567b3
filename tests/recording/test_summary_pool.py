"""`summary_pool.summarise_all`: a process pool gives the same summaries, in order, as
reading each file in this process, and stops when cancelled."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from console.recording import summary_pool
from console.recording.summaries import summarise_file
from tests.recording.stats_fixtures import make_directory


@pytest.fixture()
def files(tmp_path: Path) -> list[Path]:
    paths = make_directory(tmp_path / "recs", 6)
    broken = tmp_path / "recs" / "broken.jsonl"
    broken.write_text("not a recording\n", encoding="utf-8")
    return sorted([*paths, broken])


def test_the_pool_gives_what_each_file_gives_alone(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_pool, "POOL_FROM", 2)
    monkeypatch.setattr(summary_pool, "CHUNK", 2)
    pooled = list(summary_pool.summarise_all(files, jobs=2))
    alone = [summarise_file(path) for path in files]
    assert [s.to_json() for s in pooled] == [s.to_json() for s in alone]
    assert [s.ok for s in pooled].count(False) == 1 and sum(s.turns for s in pooled) > 0


def test_few_files_or_a_custom_reader_stay_in_this_process(files: list[Path]) -> None:
    read: list[Path] = []

    def reader(path: Path):  # type: ignore[no-untyped-def]
        read.append(path)
        return summarise_file(path)

    assert len(list(summary_pool.summarise_all(files, reader=reader, jobs=2))) == len(files)
    assert read == files  # counted here: no worker process read them


def test_cancel_stops_the_scan(files: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary_pool, "POOL_FROM", 2)
    monkeypatch.setattr(summary_pool, "CHUNK", 1)
    cancel = threading.Event()
    got = []
    for summary in summary_pool.summarise_all(files, jobs=2, cancel=cancel):
        got.append(summary)
        cancel.set()
    assert len(got) == 1
