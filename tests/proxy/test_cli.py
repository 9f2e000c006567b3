"""`realtime-console proxy` as a process: headless lines, SIGTERM with sessions open."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import websockets
from websockets.exceptions import ConnectionClosed

from console.simulator import Simulator
from tests.proxy.helpers import TIMEOUT, UPSTREAM_KEY, read_recording

ROOT = Path(__file__).resolve().parents[2]


async def _line(stream: asyncio.StreamReader, pattern: str) -> re.Match[str]:
    """Read stderr lines until one matches (each line is also checked for the key)."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            line = (await stream.readline()).decode()
            assert line, f"the proxy exited before printing {pattern!r}"
            assert UPSTREAM_KEY not in line
            found = re.search(pattern, line)
            if found:
                return found


async def test_sigterm_closes_open_sessions_and_completes_recordings(sim: Simulator, tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": UPSTREAM_KEY}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "proxy", "--listen", "127.0.0.1:0", "--upstream", sim.url,
        "--record-dir", str(tmp_path), cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    try:
        await _line(proc.stderr, "not a terminal: running headless")  # no --headless, but no tty
        url = (await _line(proc.stderr, r"listening on (ws://\S+/v1/realtime)")).group(1)
        apps = [await websockets.connect(url + "?model=gpt-realtime", max_queue=None) for _ in range(2)]
        for app in apps:
            assert json.loads(await app.recv())["type"] == "session.created"
            await app.send(json.dumps({"type": "session.update", "session": {"type": "realtime"}}))
            assert json.loads(await app.recv())["type"] == "session.updated"
        for _ in apps:
            opened = await _line(proc.stderr, r"session \d+ opened: app 127\.0\.0\.1:\d+, model gpt-realtime")
            assert "recording " + str(tmp_path) in opened.string
        proc.send_signal(signal.SIGTERM)
        for app in apps:
            try:
                async with asyncio.timeout(TIMEOUT):
                    await app.recv()
            except ConnectionClosed as closed:
                assert closed.rcvd is not None and (closed.rcvd.code, closed.rcvd.reason) == (
                    1001, "proxy shutting down")
            else:
                raise AssertionError("the app's connection stayed open")
        rest = (await asyncio.wait_for(proc.stderr.read(), TIMEOUT)).decode()
        assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert rest.count(" closed by the proxy: code 1001 'proxy shutting down'") == 2
    assert "stopped (2 open sessions closed)" in rest and UPSTREAM_KEY not in rest and "Traceback" not in rest
    recordings = sorted(tmp_path.iterdir())
    assert len(recordings) == 2
    for path in recordings:
        header, lines = read_recording(path)
        assert header["source"] == "proxy" and header["upstream"] == sim.url
        assert [(line["source"], line["event"]["type"]) for line in lines] == [
            ("server", "session.created"), ("client", "session.update"), ("server", "session.updated")]
        assert UPSTREAM_KEY not in path.read_text()
