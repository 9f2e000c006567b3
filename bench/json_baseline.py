"""The floor every reader benchmark compares against: open each file and `json.loads`
every line, nothing else. Any reader that looks inside every line pays at least this.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path


def json_loop(files: Iterable[Path]) -> int:
    """Parse every line of every file; returns the number of lines."""
    lines = 0
    for path in files:
        with open(path, "rb") as f:
            for line in f:
                json.loads(line)
                lines += 1
    return lines
