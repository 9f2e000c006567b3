"""`realtime-console config`: where the settings file is, and what is in effect.

`--path` prints the file's location (it need not exist yet), so a user can open it in
an editor; `--show` prints the settings in effect without flags (defaults, then the
file) as TOML, which is itself a valid settings file. A bad file is reported as the
console reports it: one line naming the key, exit status 2.
"""

from __future__ import annotations

import argparse
from typing import Any

from console.user_config import config_path, load_settings, to_toml


def build_parser(prog: str) -> argparse.ArgumentParser:
    """`config --path | --show`. `console.cli` supplies the parser class (one-line errors)."""
    from console.cli import ArgumentParser

    parser = ArgumentParser(
        prog=prog,
        description="Show where the settings file is, or the settings in effect (defaults, then the file). "
                    "Command-line flags of the console override them.",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--path", action="store_true", help="print the settings file's path (it may not exist yet)")
    what.add_argument("--show", action="store_true", help="print the settings in effect as TOML")
    return parser


def run(args: Any) -> int:
    """Print the path or the settings; a bad file raises `UsageError` (exit status 2)."""
    if args.path:
        print(config_path())
        return 0
    settings = load_settings()
    where = settings.path if settings.path and settings.path.exists() else f"{config_path()} (no file: defaults)"
    print(f"# settings in effect, from {where}")
    print(to_toml(settings.effective()), end="")
    return 0
