"""`realtime-console proxy --headless` with a WebRTC app: the call's session has its stderr lines."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from console.simulator import Simulator
from tests.proxy.helpers import TIMEOUT, UPSTREAM_KEY, read_recording
from tests.proxy.test_cli import _line
from tests.proxy.webrtc_helpers import post_offer, request

ROOT = Path(__file__).resolve().parents[2]


async def test_a_call_is_announced_watched_and_recorded_headless(sim: Simulator, tmp_path: Path) -> None:
    env = {**os.environ, "OPENAI_API_KEY": UPSTREAM_KEY}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "console", "proxy", "--headless", "--listen", "127.0.0.1:0", "--upstream", sim.url,
        "--record-dir", str(tmp_path), cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    try:
        listening = await _line(proc.stderr, r"listening on ws://127\.0\.0\.1:(\d+)/v1/realtime")
        port = int(listening.group(1))
        assert f"WebRTC apps POST to http://127.0.0.1:{port}/v1/realtime/calls" in listening.string
        minted = await request(port, "POST", "/v1/realtime/client_secrets", "{}", {"Content-Type": "application/json"})
        key = json.loads(minted.body)["value"]
        await _line(proc.stderr, r"minted an ephemeral key \(returned to the app, not shown\)")
        answer = await post_offer(port, key)
        assert answer.status == 201
        call_id = answer.headers["location"].rsplit("/", 1)[1]
        opened = await _line(proc.stderr, rf"session 1 opened: app 127\.0\.0\.1:\d+ \(WebRTC call {call_id}, "
                                          r"watched through its sideband\)")
        assert f"recording {tmp_path}" in opened.string
        async with asyncio.timeout(TIMEOUT):
            while sim.call(call_id).sidebands == 0:
                await asyncio.sleep(0.01)
        await sim.call_say(call_id, "hello", wait=True)
        await sim.hang_up(call_id)
        closed = await _line(proc.stderr, r"session 1 closed by the upstream: code 1000 'call ended'")
        assert "frames client 0" in closed.string
        proc.send_signal(signal.SIGTERM)
        rest = (await asyncio.wait_for(proc.stderr.read(), TIMEOUT)).decode()
        assert await asyncio.wait_for(proc.wait(), TIMEOUT) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert "stopped (0 open sessions closed)" in rest
    for secret in (UPSTREAM_KEY, key):
        assert secret not in rest and secret not in opened.string + closed.string
    (path,) = tmp_path.iterdir()
    header, lines = read_recording(path)
    assert header["call_id"] == call_id and header["source"] == "proxy"
    types = [line["event"]["type"] for line in lines]
    assert types[0] == "session.created" and "response.done" in types
    assert {line["source"] for line in lines} == {"server"}
    assert UPSTREAM_KEY not in path.read_text() and key not in path.read_text()
