"""The library must stay usable without the TUI: importing it never loads textual or sounddevice."""

from __future__ import annotations

import json
import subprocess
import sys


def test_importing_the_library_loads_no_ui_modules() -> None:
    code = (
        "import json, sys\n"
        "import console.realtime\n"
        "from console.realtime import RealtimeClient, RealtimeAPI, RealtimeConversation, RealtimeEventHandler\n"
        "import console.realtime.client, console.realtime.api, console.realtime.validation\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'sounddevice', 'rich', 'widgets'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
