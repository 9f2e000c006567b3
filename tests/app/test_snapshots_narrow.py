"""The main screen at 80×24, the size of a default SSH terminal, as an SVG snapshot.

Same scripted session, fake clock and fixed ids as `test_snapshots.py` (whose helpers it
reuses). Besides the byte-stable snapshot, the header's and footer's text is checked for
what a user needs to read at this width. Regenerate with
`UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/app/test_snapshots_narrow.py`.
"""

from __future__ import annotations

import re



from tests.app.console_harness import FakeClock, make_app
from tests.app.scripted_session import T0
from tests.app.snapshot_helper import assert_snapshot
from tests.app.screen_helpers import play_scripted, screen_lines, settle

SIZE = (80, 24)


async def test_main_screen_in_an_80x24_terminal() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await play_scripted(app, pilot)
        await settle(pilot)
        lines = screen_lines(app)
        assert len(lines) == SIZE[1] and all(len(line) <= SIZE[0] for line in lines)
        # the header's essentials, shortened rather than cut (test_narrow_layout.py has more)
        state, counters = lines[0], lines[1]
        for needed in ("● connected", "offline: local simulator", "ga", "gpt-realtime", "age 01:34 / 59:59"):
            assert needed in state, needed
        for needed in ("errors 1", "PTT", "tok 574/250", "≈$0.0215", "latency 32 ms"):
            assert needed in counters, needed
        # every event log row still shows its time, direction and type (whole: there is room)
        log_rows = [line for line in lines if re.search(r"│\s+\+\d+\.\d{3} ", line)]
        assert log_rows and all(("↑" in r or "↓" in r) for r in log_rows)
        assert "rate_limits.updated" in log_rows[-1]  # following the tail: the newest event last
        # the footer: short labels, all whole, and the palette, which reaches the rest
        footer = lines[-1]
        for needed in ("^e Session", "^f Search", "f2 Talk", "f3 Stop", "f4 Turn", "^t Tools", "^r Reconnect",
                       "^p palette"):
            assert needed in footer, needed
        assert_snapshot(app.export_screenshot(), "main_80x24")
