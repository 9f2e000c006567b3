"""A small SVG snapshot helper (pytest-textual-snapshot needs pytest<9; we run pytest 9).

Textual's own SVG export is byte-stable for identical screens, so a snapshot is the SVG
file itself under `tests/app/snapshots/`. Set `UPDATE_SNAPSHOTS=1` to (re)write them;
a missing snapshot fails (so CI never passes on a snapshot it just wrote) and a
mismatch writes `<name>.actual.svg` next to it for inspection.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "UPDATE_SNAPSHOTS"


def assert_snapshot(svg: str, name: str) -> None:
    """Compare `svg` with the stored snapshot `name` (see the module docstring)."""
    SNAPSHOTS.mkdir(exist_ok=True)
    path = SNAPSHOTS / f"{name}.svg"
    actual = SNAPSHOTS / f"{name}.actual.svg"
    if os.environ.get(UPDATE_ENV):
        path.write_text(svg, encoding="utf-8")
        actual.unlink(missing_ok=True)
        return
    if not path.exists():
        actual.write_text(svg, encoding="utf-8")
        raise AssertionError(f"no snapshot {path.name}: run with {UPDATE_ENV}=1 to create it (see {actual.name})")
    if path.read_text(encoding="utf-8") != svg:
        actual.write_text(svg, encoding="utf-8")
        raise AssertionError(f"screen differs from {path.name}; compare with {actual.name}, or {UPDATE_ENV}=1 to accept")
    actual.unlink(missing_ok=True)
