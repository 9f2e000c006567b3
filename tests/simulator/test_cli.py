"""`realtime-console simulator`: bad options, and a real server process until Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys

import pytest
import websockets

from console.cli import main


@pytest.mark.parametrize("argv, message", [
    (["--port", "70000"], "--port must be between 0 and 65535"),
    (["--session-minutes", "0"], "--session-minutes must be positive"),
    (["--rules", "/nonexistent/rules.json"], "cannot read rules file"),
    (["--protocol", "v2"], "invalid choice"),
])
def test_bad_options_are_one_line_exit_2(argv, message, capsys) -> None:
    try:
        code = main(["simulator", *argv])
    except SystemExit as exit_:  # argparse's own errors exit from inside the parser
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_bad_rules_file_names_the_problem(tmp_path, capsys) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"phrase": "x"}]))
    assert main(["simulator", "--rules", str(rules)]) == 2
    assert 'rule 0 needs exactly one of "tool" or "reply"' in capsys.readouterr().err


async def test_serves_until_interrupted() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "simulator", "--port", "0", "--fast", "--require-key", "sk-secret-cli",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        url = re.search(r"(ws://\S+)", line).group(1)
        banner = line
        while "Ctrl-C" not in banner:
            banner += (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert "sk-secret-cli" not in banner and "AsyncOpenAI(" in banner
        async with websockets.connect(url, additional_headers={"Authorization": "Bearer sk-secret-cli"}) as ws:
            assert json.loads(await ws.recv())["type"] == "session.created"
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 60)
    assert code == 0
    assert b"Traceback" not in await proc.stderr.read()  # type: ignore[union-attr]
