"""Make `sim_helpers` and `tests/oracle.py` importable under pytest's importlib mode."""

from __future__ import annotations

import sys
from pathlib import Path

for _path in (Path(__file__).parent, Path(__file__).parent.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
