"""`realtime-console simulator`: run the local Realtime API simulator until Ctrl-C.

Only parses options, prints where to connect, and runs the `Simulator`; bad options
become `UsageError` (one line on stderr, exit status 2).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from console.cli import ArgumentParser, UsageError

from .responder import load_rules
from .server import Simulator


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(prog=prog, description="Run a local Realtime API simulator on loopback "
                            "(both the GA and the beta protocol; offline; deterministic).")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--protocol", choices=("ga", "beta"), default=None,
                        help="force one protocol (default: per connection, beta when the OpenAI-Beta header is sent)")
    parser.add_argument("--fast", action="store_true", help="send audio as fast as possible instead of in real time")
    parser.add_argument("--seed", type=int, default=0, help="seed for padding and fault injection (default 0)")
    parser.add_argument("--require-key", metavar="KEY", default=None,
                        help="refuse connections without this API key (HTTP 401)")
    parser.add_argument("--bad-key", choices=("http", "close"), default="http",
                        help="how a wrong key is refused: HTTP 401 (default) or, like upstream, "
                             "invalid_api_key then close 3000")
    parser.add_argument("--refuse-beta", action="store_true",
                        help="refuse the beta shape like api.openai.com (beta_api_shape_disabled, close 4000)")
    parser.add_argument("--session-minutes", type=float, default=60.0, metavar="M",
                        help="session length before session_expired (default 60)")
    parser.add_argument("--rules", metavar="FILE", default=None,
                        help='JSON list of {"phrase", "tool"[, "arguments"]} or {"phrase", "reply"} rules')
    return parser


def _check(args: argparse.Namespace) -> None:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if args.session_minutes <= 0:
        raise UsageError("--session-minutes must be positive")
    if args.require_key is not None and not args.require_key.strip():
        raise UsageError("--require-key must not be empty")
    if args.rules:
        try:
            load_rules(args.rules)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def banner(sim: Simulator, out: TextIO) -> None:
    """Tell the user where to connect (the key itself is never printed)."""
    key = "<your key>" if sim.require_key else "sk-anything"
    print(f"Realtime simulator listening on {sim.url}?model=gpt-realtime", file=out)
    print(f"  protocol: {sim.protocol or 'per connection (OpenAI-Beta: realtime=v1 selects beta)'}"
          f"; audio pacing: {'fast' if sim.fast else 'real time'}", file=out)
    print("  openai SDK:  AsyncOpenAI(api_key=%r, base_url=%r).realtime.connect(model='gpt-realtime')"
          % (key, sim.http_url), file=out)
    print(f"  console:     realtime-console --url {sim.url}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)


async def _serve(sim: Simulator) -> None:
    try:
        await sim.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {sim.host}:{sim.port}: {exc.strerror or exc}") from None
    banner(sim, sys.stdout)
    try:
        await sim.serve_forever()
    finally:
        await sim.stop()


def run(args: argparse.Namespace) -> int:
    _check(args)
    sim = Simulator(host=args.host, port=args.port, protocol=args.protocol, fast=args.fast, seed=args.seed,
                    require_key=args.require_key, auth_failure=args.bad_key, refuse_beta=args.refuse_beta,
                    session_duration_s=args.session_minutes * 60, rules_file=args.rules)
    try:
        asyncio.run(_serve(sim))
    except KeyboardInterrupt:
        print("\nsimulator stopped", file=sys.stderr)
    return 0
