"""The command line as a whole: every command's help renders, and the completion scripts
cover every command and option (both are generated from the same parsers)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from console.cli import COMMANDS, main
from console.completion import combined_parser


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_prints_its_help(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--help-run"] if command is None else [command, "--help"]
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    assert "usage:" in capsys.readouterr().out


def every_option(parser: argparse.ArgumentParser) -> set[str]:
    options: set[str] = set()
    for action in parser._actions:  # argparse's own registry: the parsers are ours
        options.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                options |= every_option(child)
    return options


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_covers_every_command_and_option(shell: str) -> None:
    done = subprocess.run([sys.executable, "-m", "console", "completion", shell], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    script = done.stdout
    for name in COMMANDS:
        assert name in script, name
    options = every_option(combined_parser())
    assert {"--no-reconnect", "--fail-on", "--token", "--since"} <= options
    missing = [o for o in options if o not in script]
    assert missing == [], missing


def test_completion_refuses_an_unknown_shell(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["completion", "fish"])
    assert done.value.code == 2 and "invalid choice" in capsys.readouterr().err
