"""The `realtime-console` command: parses arguments and hands off to one command module.

Each command lives in its own module exposing `build_parser(prog) -> ArgumentParser` and
`run(args) -> int`; this file only picks the command and turns user errors into one line
on stderr with exit status 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from console import __version__

PROG = "realtime-console"

#: Sub-commands and the modules that implement them. The default command (no name)
#: runs the console itself.
COMMANDS: dict[str, tuple[str, str]] = {
    "simulator": ("console.simulator.cli", "run a local Realtime API simulator on loopback"),
    "devices": ("console.audio.devices", "list audio input and output devices"),
    "replay": ("console.app.replay_cli", "replay a recorded session in the console"),
    "inspect": ("console.recording.inspect_cli", "summarise a recorded session (latency, usage, errors)"),
    "export": ("console.recording.export_cli", "export a recording's audio, transcript or events"),
    "lint": ("console.recording.lint_cli", "check a recorded session for protocol mistakes (findings by rule)"),
    "proxy": ("console.app.proxy_cli", "relay and record an app's Realtime sessions, keeping the key here"),
    "stats": ("console.recording.stats_cli", "aggregate many recordings (latency percentiles, errors, cost)"),
    "sessions": ("console.app.sessions_app", "browse a directory of recordings and open one in replay"),
    "attach": ("console.app.attach_cli", "watch and steer a live WebRTC/SIP call through a sideband WebSocket"),
    "config": ("console.config_cli", "print the settings file's path (--path) or the settings in effect (--show)"),
    "completion": ("console.completion", "print a bash or zsh completion script for every command and option"),
}
DEFAULT_COMMAND = "console.app.launch"


class UsageError(Exception):
    """A user mistake (bad option, unreadable file): reported as one line, exit status 2."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _load(module_name: str):
    return importlib.import_module(module_name)


def _top_help() -> str:
    lines = [
        f"usage: {PROG} [options]            run the console (on the embedded simulator without an API key)",
        f"       {PROG} --call-id CALL_ID  attach to a live WebRTC/SIP call (as '{PROG} attach CALL_ID')",
        f"       {PROG} COMMAND [options]",
        "",
        "commands:",
    ]
    for name, (_, summary) in COMMANDS.items():
        lines.append(f"  {name:<10} {summary}")
    lines += ["", f"'{PROG} --help-run' lists the console's own options; '{PROG} COMMAND --help' a command's."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        print(f"{PROG} {__version__}")
        return 0
    if args[:1] in (["--help"], ["-h"]):
        print(_top_help())
        return 0
    if args and args[0] in COMMANDS:
        module_name, _ = COMMANDS[args[0]]
        prog, rest = f"{PROG} {args[0]}", args[1:]
    else:
        module_name, prog, rest = DEFAULT_COMMAND, PROG, args
        if rest[:1] == ["--help-run"]:
            rest = ["--help"]
    try:
        module = _load(module_name)
        parser = module.build_parser(prog)
        parsed = parser.parse_args(rest)
        return int(module.run(parsed) or 0)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
