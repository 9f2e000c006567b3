"""Summaries carry the linter's counts (what the sessions browser's Lint column shows), and a
cache written before they existed is rebuilt rather than read with the counts missing."""

from __future__ import annotations

import json
import os
from pathlib import Path

from console.recording.summaries import summarise_file

from console.recording.summary import Summary

from console.recording.summary_cache import CACHE_VERSION, SummaryCache

from tests.lint.lint_recordings import write_clean, write_flawed


def test_a_summary_counts_the_findings_by_severity_and_rule(tmp_path: Path) -> None:
    s = summarise_file(write_flawed(tmp_path / "flawed.jsonl"))
    assert s.lint == {"error": 1, "warning": 1, "info": 1}
    assert s.lint_rules == {"truncate-beyond-audio": 1, "cancel-not-active": 1, "tool-output-not-json": 1}
    clean = summarise_file(write_clean(tmp_path / "clean.jsonl"))
    assert clean.lint == {"error": 0, "warning": 0, "info": 0} and clean.lint_rules == {}


def test_the_counts_survive_the_cache(tmp_path: Path) -> None:
    path = write_flawed(tmp_path / "flawed.jsonl")
    cache = SummaryCache(tmp_path / "cache.json")
    cache.get(path)
    assert cache.save() is None
    again = SummaryCache(tmp_path / "cache.json", reader=lambda p: Summary(path=str(p), size=0, mtime_ns=0,
                                                                          problem="must not be read"))
    hit = again.get(path)
    assert again.reads == 0 and hit.lint == {"error": 1, "warning": 1, "info": 1}


def test_a_cache_from_before_the_lint_counts_is_rebuilt(tmp_path: Path) -> None:
    path = write_flawed(tmp_path / "flawed.jsonl")
    st = os.stat(path)
    old = Summary(path=os.path.abspath(path), size=st.st_size, mtime_ns=st.st_mtime_ns, kind="recording").to_json()
    old.pop("lint")
    old.pop("lint_rules")
    cache_file = tmp_path / "cache.json"
    cache_file.write_text(json.dumps({"version": CACHE_VERSION - 1, "entries": {os.path.abspath(path): old}}))
    cache = SummaryCache(cache_file)
    assert cache.get(path).lint == {"error": 1, "warning": 1, "info": 1}
    assert cache.reads == 1
