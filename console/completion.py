"""`realtime-console completion bash|zsh`: a shell completion script for every command.

The script is generated from the argument parsers themselves (with `shtab`), so it never
drifts from the options: the console's own options, and each subcommand's options under
its name. Install with e.g. `realtime-console completion bash > ~/.local/share/bash-completion/completions/realtime-console`.
"""

from __future__ import annotations

import argparse
import importlib

from console.cli import COMMANDS, DEFAULT_COMMAND, PROG, ArgumentParser

SHELLS = ("bash", "zsh")


def combined_parser() -> argparse.ArgumentParser:
    """The console's own parser with every subcommand's parser attached under its name."""
    top = importlib.import_module(DEFAULT_COMMAND).build_parser(PROG)
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        if name == "completion":
            child = commands.add_parser(name, help=summary)
            child.add_argument("shell", choices=SHELLS)
            continue
        parser = importlib.import_module(module_name).build_parser(f"{PROG} {name}")
        commands.add_parser(name, help=summary, parents=[parser], add_help=False, conflict_handler="resolve")
    return top


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(prog=prog, description="Print a shell completion script for realtime-console.")
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def run(args: argparse.Namespace) -> int:
    import shtab

    print(shtab.complete(combined_parser(), shell=args.shell))
    return 0
