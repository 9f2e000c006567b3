"""Lint one recording file: open it, feed every event to a `Linter`, return the result."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from console.recording.reader import Recording

from .findings import Finding
from .linter import Linter

#: Events read per sweep of `Recording.iter_events` (bounds the index slices held at once).
_BLOCK = 65_536


@dataclass
class FileResult:
    """The findings of one file, with the notes about the file itself (skipped lines...)."""

    path: str
    findings: list[Finding]
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "findings": [f.to_json() for f in self.findings], "counts": self.counts,
                "notes": self.notes}


def lint_recording(rec: Recording, select: Iterable[str] | None = None, ignore: Iterable[str] = ()) -> FileResult:
    """Every event of `rec` through a fresh `Linter`; damaged lines are skipped (and noted)."""
    linter = Linter(protocol=rec.protocol, times_known=rec.times_known, start_epoch=rec.start_epoch,
                    select=select, ignore=ignore)
    total = len(rec)
    times = rec.index.times
    sources = rec.index.sources
    for start in range(0, total, _BLOCK):
        stop = min(total, start + _BLOCK)
        block_times = times[start:stop].tolist()
        block_sources = sources[start:stop].tolist()
        for n, event in rec.iter_events(range(start, stop)):
            if event is not None:
                k = n - start
                linter.observe(n, "client" if block_sources[k] == 0 else "server", event, block_times[k])
    findings = linter.finish()
    return FileResult(str(rec.path), findings, linter.counts(), rec.warnings() + linter.problems)


def lint_path(path: str | os.PathLike[str], select: Iterable[str] | None = None,
              ignore: Iterable[str] = ()) -> FileResult:
    """Open, index and lint one file (raises what `Recording.open` raises)."""
    with Recording.open(path) as rec:
        return lint_recording(rec, select, ignore)
