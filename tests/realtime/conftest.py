"""Make the helpers of this folder (`scripted_server`, `examples`) and `tests/oracle.py`
importable as plain modules under pytest's importlib import mode."""

from __future__ import annotations

import sys
from pathlib import Path

for _path in (Path(__file__).parent, Path(__file__).parent.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
