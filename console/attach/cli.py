"""`realtime-console attach CALL_ID`: options, the demo call, and the headless run.

`run(args, live=...)` resolves where to attach (OpenAI's GA endpoint with the key from
`--api-key-env`, any compatible server with `--url`, or with `--simulator` the embedded
simulator and a demo call on it, so the command can be tried offline), opens the
recording and the sideband, then either hands the session to the live view or, with
`--headless`, prints one line when attached and one when the call ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from console.attach.recording import AttachRecording
from console.cli import ArgumentParser, UsageError
from console.recording.paths import default_path
from console.session.attached import OPENAI_REALTIME_URL, AttachedSession, AttachError
from console.simulator import Simulator

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
#: What the demo caller says on `--simulator` (then, headless, hangs up).
DEMO_LINES = ("hello", "count to 3")

#: The live view: shows the attached session until the user quits (returns the exit status).
LiveView = Callable[[AttachedSession, "AttachTarget"], Awaitable[int]]


class AttachUsageError(ValueError):
    """A bad option combination; the command reports it as a usage error."""


@dataclass
class AttachTarget:
    """Where to attach and how the run ends."""

    call_id: str
    url: str
    headers: dict[str, str]
    secrets: tuple[str, ...]
    simulator: Simulator | None = None
    demo: asyncio.Task[None] | None = None
    recording: AttachRecording | None = None


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(prog=prog, description=(
        "Attach to a live WebRTC or SIP call with a sideband WebSocket (/v1/realtime?call_id=CALL_ID): "
        "watch the call's events, steer it from the input line, record it."))
    parser.add_argument("call_id", nargs="?", metavar="CALL_ID", help="the call to attach to (rtc_...)")
    parser.add_argument("--url", default=None,
                        help=f"the Realtime WebSocket endpoint (default {OPENAI_REALTIME_URL}); any compatible server")
    parser.add_argument("--api-key-env", default=DEFAULT_KEY_ENV, metavar="NAME",
                        help=f"environment variable holding the API key (default {DEFAULT_KEY_ENV})")
    parser.add_argument("--simulator", action="store_true",
                        help="start the embedded simulator and a demo call on it, and attach to that (offline)")
    parser.add_argument("--headless", action="store_true",
                        help="no screen: print a line when attached and one when the call ends; record")
    record = parser.add_mutually_exclusive_group()
    record.add_argument("--record", metavar="PATH", help="record to PATH (default: the sessions directory)")
    record.add_argument("--no-record", action="store_true", help="do not record")
    return parser


def resolve(args: argparse.Namespace, env: dict[str, str]) -> AttachTarget:
    """Check the options (no connection yet); raises `AttachUsageError` with the reason."""
    if args.simulator:
        if args.call_id or args.url:
            raise AttachUsageError("--simulator starts its own demo call: give neither CALL_ID nor --url")
        return AttachTarget(call_id="", url="", headers={}, secrets=())
    if not args.call_id:
        raise AttachUsageError("CALL_ID is required (or --simulator for a demo call)")
    url = args.url or OPENAI_REALTIME_URL
    if not url.startswith(("ws://", "wss://")):
        raise AttachUsageError(f"--url must be a ws:// or wss:// URL, not {url!r}")
    key = env.get(args.api_key_env) or ""
    if not key and args.url is None:
        raise AttachUsageError(f"set {args.api_key_env} to attach to OpenAI (or --url for another server)")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return AttachTarget(call_id=args.call_id, url=url, headers=headers, secrets=(key,) if key else ())


def redactor(secrets: tuple[str, ...]) -> Callable[[str], str]:
    """Keeps the key off the screen and out of notes."""
    def redact(text: str) -> str:
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text
    return redact


async def demo_caller(sim: Simulator, call_id: str, session: AttachedSession, *, hang_up: bool) -> None:
    """Play the demo call's caller once the sideband is attached: a few lines, each answered."""
    await session.wait_attached()
    for line in DEMO_LINES:
        await sim.call_say(call_id, line, wait=True)
    if hang_up:
        await sim.hang_up(call_id)


@contextlib.asynccontextmanager
async def _simulated(target: AttachTarget) -> AsyncIterator[None]:
    if target.simulator is None and not target.call_id:
        sim = Simulator(fast=False)
        await sim.start()
        target.simulator = sim
        target.call_id = sim.start_call()
        target.url = sim.url
    try:
        yield
    finally:
        if target.simulator is not None:
            await target.simulator.stop()


def _open_recording(args: argparse.Namespace, target: AttachTarget) -> AttachRecording | None:
    if args.no_record:
        return None
    path = Path(args.record) if args.record else default_path(model="call", backend="attach")
    try:
        return AttachRecording(path, endpoint=target.url, call_id=target.call_id)
    except OSError as exc:
        raise AttachUsageError(f"cannot create the recording {path}: {exc.strerror or exc}") from None


async def headless(session: AttachedSession, target: AttachTarget, out: TextIO) -> int:
    """Print when attached and when the call ends; SIGINT/SIGTERM detach."""
    where = "the embedded simulator (demo call)" if target.simulator is not None else target.url
    recording = target.recording
    saved = f"; recording to {recording.path}" if recording is not None else "; not recording"
    print(f"attached to call {target.call_id} at {where}{saved}", file=out, flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.ensure_future(session.run())
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(session.close()))
    try:
        await reader
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    events = f"; {recording.events_written} events recorded to {recording.path}" if recording is not None else ""
    print(f"call {target.call_id} ended ({session.ended}), {len(session.store)} events{events}", file=out, flush=True)
    return 0


async def _main(args: argparse.Namespace, target: AttachTarget, live: LiveView | None, out: TextIO) -> int:
    async with _simulated(target):
        session = AttachedSession(target.call_id, target.url, headers=target.headers,
                                  redact=redactor(target.secrets))
        recording = _open_recording(args, target)
        target.recording = recording
        if recording is not None:
            recording.follow(session)
        try:
            await session.connect()
            if target.simulator is not None:
                target.demo = asyncio.ensure_future(
                    demo_caller(target.simulator, target.call_id, session, hang_up=args.headless or live is None))
            if args.headless or live is None:
                return await headless(session, target, out)
            return await live(session, target)
        finally:
            if target.demo is not None and not target.demo.done():
                target.demo.cancel()
                await asyncio.gather(target.demo, return_exceptions=True)
            await session.close()
            if recording is not None:
                recording.finish()


async def attach(args: argparse.Namespace, live: LiveView | None = None, env: dict[str, str] | None = None,
                 out: TextIO = sys.stdout) -> int:
    """What `run` does, in the running event loop (raises `AttachUsageError`, `AttachError`)."""
    target = resolve(args, dict(os.environ) if env is None else env)
    return await _main(args, target, live, out)


def run(args: argparse.Namespace, live: LiveView | None = None, env: dict[str, str] | None = None,
        out: TextIO = sys.stdout) -> int:
    """Attach and watch until the call ends or the user detaches (the process's exit status)."""
    try:
        return asyncio.run(attach(args, live, env, out))
    except AttachUsageError as exc:
        raise UsageError(str(exc)) from None
    except AttachError as exc:
        print(f"realtime-console attach: {exc}", file=sys.stderr)
        return 1
