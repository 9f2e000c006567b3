"""`realtime-console proxy`: run the recording Realtime proxy until SIGTERM or Ctrl-C.

Parses options, refuses unsafe ones (a non-loopback listen address without `--token`),
starts the upstream (the embedded simulator when asked or when there is no key), and
prints one line per session opened and closed on stderr: the app's address, the model
and the recording, never a key or token. On SIGTERM or SIGINT every session is closed
(close frames sent both ways) and its recording completed before the process exits.

The live view (the sessions list, the selected session's panes, an input line that
steers it) is the app layer's: `realtime-console proxy` is dispatched to
`console.app.proxy_cli`, which hands `run` the view to start. Without one, or without a
terminal (a service, a pipe), the proxy runs headless and says so. This package itself
never imports a UI.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import TextIO

from console.cli import ArgumentParser, UsageError
from console.recording.paths import sessions_dir

from .handshake import AccessPolicy, UpstreamTarget, is_loopback_host, parse_listen
from .server import ProxyServer
from .session import ProxySession
from .upstream import (
    OPENAI_KEY_ENV,
    UpstreamOptionError,
    UpstreamOptions,
    resolve_upstream,
)

DEFAULT_LISTEN = "127.0.0.1:8081"

#: Runs the live view over a started proxy until the user quits: (proxy, record_dir) -> exit status.
LiveView = Callable[[ProxyServer, str], Awaitable[int]]


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(prog=prog, description=(
        "Relay Realtime API WebSocket sessions from your app to OpenAI (or Azure, any compatible "
        "server, or the local simulator), adding the API key on the way and recording every session. "
        "Point your app's Realtime URL at ws://HOST:PORT/v1/realtime; a WebRTC app POSTs its SDP offer to "
        "http://HOST:PORT/v1/realtime/calls and each call is watched through a sideband."))
    parser.add_argument("--listen", default=DEFAULT_LISTEN, metavar="HOST:PORT",
                        help=f"address to listen on (default {DEFAULT_LISTEN}; a non-loopback host needs --token)")
    parser.add_argument("--upstream", metavar="URL", default=None,
                        help="any Realtime-compatible ws:// or wss:// URL (default: OpenAI's GA endpoint)")
    parser.add_argument("--api-key-env", metavar="NAME", default=None,
                        help=f"environment variable holding the upstream key (default {OPENAI_KEY_ENV}; "
                             "AZURE_OPENAI_API_KEY for Azure)")
    parser.add_argument("--azure-endpoint", metavar="URL", default=None, help="relay to this Azure OpenAI resource")
    parser.add_argument("--azure-deployment", metavar="NAME", default=None, help="the Azure deployment")
    parser.add_argument("--api-version", metavar="V", default=None, help="Azure's dated preview API version")
    parser.add_argument("--simulator", action="store_true",
                        help="relay to the embedded simulator (the default when no key is set)")
    parser.add_argument("--record-dir", metavar="DIR", default=None,
                        help=f"where recordings go (default {sessions_dir()})")
    parser.add_argument("--token", metavar="TOKEN", default=None,
                        help="apps must present it (Authorization: Bearer TOKEN, or the browser subprotocol "
                             "openai-insecure-api-key.TOKEN)")
    parser.add_argument("--allow-origin", metavar="ORIGIN", action="append", default=[],
                        help="a browser Origin allowed to connect (repeatable; '*' for any; "
                             "default: loopback origins only)")
    parser.add_argument("--max-sessions", type=int, default=64, metavar="N",
                        help="concurrent sessions; more are refused with HTTP 503 (default 64)")
    parser.add_argument("--headless", action="store_true",
                        help="no live view, one line per session on stderr (also the mode when stdout is not a terminal)")
    return parser


def check(args: argparse.Namespace, env: dict[str, str]) -> tuple[str, int, UpstreamTarget | None, AccessPolicy]:
    """Validate the options: (host, port, upstream target or None for the simulator, policy)."""
    try:
        host, port = parse_listen(args.listen)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    token = args.token
    if token is not None and not token.strip():
        raise UsageError("--token must not be empty")
    if not is_loopback_host(host) and token is None:
        raise UsageError(f"refusing to listen on {host} without --token: anyone who can reach it "
                         "could use your API key")
    if args.max_sessions < 1:
        raise UsageError("--max-sessions must be at least 1")
    options = UpstreamOptions(args.upstream, args.api_key_env, args.azure_endpoint, args.azure_deployment,
                              args.api_version, args.simulator)
    try:
        target = resolve_upstream(options, env)
    except UpstreamOptionError as exc:
        raise UsageError(str(exc)) from None
    policy = AccessPolicy(token, tuple(args.allow_origin), args.max_sessions)
    return host, port, target, policy


def _opened_line(session: ProxySession) -> str:
    info = session.info
    path = session.recording.path if session.recording is not None else "not recorded"
    call = f" (WebRTC call {info.call_id}, watched through its sideband)" if info.call_id else ""
    return (f"proxy: session {info.id} opened: app {info.app}{call}, model {info.model} ({info.protocol}), "
            f"upstream {info.upstream}, recording {path}")


def _closed_line(session: ProxySession) -> str:
    info = session.info
    who, code, reason = session.ended_by or ("?", None, "")
    path = session.recording.path if session.recording is not None else "not recorded"
    error = f" (recording stopped: {session.recording.error})" if session.recording and session.recording.error else ""
    return (f"proxy: session {info.id} closed by the {who}: code {code if code is not None else 'none'}"
            f"{' ' + repr(reason) if reason else ''}; frames client {session.frames['client']}, "
            f"server {session.frames['server']}; recording {path}{error}")


async def serve(proxy: ProxyServer, out: TextIO) -> int:
    """Run until SIGTERM/SIGINT, then close every session cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    proxy.on_session_opened.append(lambda s: print(_opened_line(s), file=out, flush=True))
    proxy.on_session_closed.append(lambda s: print(_closed_line(s), file=out, flush=True))
    try:
        await proxy.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {proxy.host}:{proxy.port}: {exc.strerror or exc}") from None
    token_note = "; apps must present --token" if proxy.policy.token else ""
    print(f"proxy: listening on {proxy.url}?model=... (and /openai/realtime; WebRTC apps POST to "
          f"{proxy.http_base_url}/realtime/calls); upstream {proxy.target.label}; "
          f"recordings in {proxy.record_dir}{token_note}", file=out, flush=True)
    await stop.wait()
    count = len(proxy.sessions)
    await proxy.close()
    print(f"proxy: stopped ({count} open session{'s' if count != 1 else ''} closed)", file=out, flush=True)
    return 0


async def _main(args: argparse.Namespace, host: str, port: int, target: UpstreamTarget | None,
                policy: AccessPolicy, record_dir: Path, live: LiveView | None) -> int:
    simulator = None
    if target is None:
        from console.simulator import Simulator  # only when relaying to it

        simulator = Simulator()
        await simulator.start()
        target = UpstreamTarget(simulator.url, None, "simulator")
    try:
        proxy = ProxyServer(target, host=host, port=port, policy=policy, record_dir=record_dir)
        if args.headless or live is None:
            return await serve(proxy, sys.stderr)
        return await _live(proxy, record_dir, live)
    finally:
        if simulator is not None:
            await simulator.stop()


async def _live(proxy: ProxyServer, record_dir: Path, live: LiveView) -> int:
    """Start the proxy, run the live view until it quits, then close every session."""
    try:
        await proxy.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {proxy.host}:{proxy.port}: {exc.strerror or exc}") from None
    try:
        return await live(proxy, str(record_dir))
    finally:
        count = len(proxy.sessions)
        await proxy.close()
        print(f"proxy: stopped ({count} open session{'s' if count != 1 else ''} closed)", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, live: LiveView | None = None) -> int:
    """Run the proxy; `live` is the view to show it in (None: headless, one line a session)."""
    env = dict(os.environ)
    host, port, target, policy = check(args, env)
    if live is None:
        args.headless = True
    elif not args.headless and not (sys.stdin.isatty() and sys.stdout.isatty() and sys.stderr.isatty()):
        print("realtime-console proxy: not a terminal: running headless", file=sys.stderr)
        args.headless = True
    if target is None and not args.simulator:
        print(f"realtime-console proxy: no {args.api_key_env or OPENAI_KEY_ENV} set: relaying to the embedded "
              "simulator (offline)", file=sys.stderr)
    record_dir = Path(args.record_dir).expanduser() if args.record_dir else sessions_dir()
    if args.headless:  # the live view shows the proxy's log lines as notifications
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    else:
        logging.getLogger("console.proxy").setLevel(logging.INFO)
        logging.getLogger("console.proxy").propagate = False  # nothing printed over the screen
    logging.getLogger("console.proxy.websockets").setLevel(logging.CRITICAL)
    logging.getLogger("websockets").setLevel(logging.CRITICAL)
    return asyncio.run(_main(args, host, port, target, policy, record_dir, None if args.headless else live))
