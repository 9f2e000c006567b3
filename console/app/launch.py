"""The default command, `realtime-console [options]`: parse, resolve, run the TUI.

Only argument parsing and start-up live here (as in Toolong's `cli.py`); everything the
options mean is decided in `console.config`, everything on screen in `console.app.app`.
"""

from __future__ import annotations

import argparse
from typing import Any

from console.realtime.protocol import DEFAULT_MODEL, PROTOCOLS, VOICES
from console.app.settings import check_settings
from console.user_config import load_settings


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The console's options. `console.cli` supplies the parser class (one-line errors)."""
    from console.cli import ArgumentParser

    parser = ArgumentParser(
        prog=prog,
        description=(
            "Inspect and debug OpenAI Realtime sessions in the terminal. Without an API key "
            "the console runs offline against the embedded simulator."
        ),
    )
    conn = parser.add_argument_group("connection")
    conn.add_argument("--url", help="Realtime WebSocket URL (default: api.openai.com, or the simulator without a key)")
    conn.add_argument("--model", help=f"model name (default {DEFAULT_MODEL})")
    conn.add_argument("--protocol", choices=PROTOCOLS, help="protocol shape (default ga)")
    conn.add_argument("--api-key-env", metavar="NAME", help="read the API key from this environment variable")
    conn.add_argument("--azure-endpoint", metavar="URL", help="Azure OpenAI resource endpoint (key from AZURE_OPENAI_API_KEY)")
    conn.add_argument("--azure-deployment", metavar="NAME", help="Azure deployment name")
    conn.add_argument("--api-version", metavar="VERSION", help="Azure API version (selects the dated preview URL)")
    conn.add_argument("--call-id", metavar="CALL_ID",
                      help="attach to a live WebRTC or SIP call instead of opening a session, as "
                           "'realtime-console attach CALL_ID' does (with --url, --api-key-env, --record, --no-record)")

    sess = parser.add_argument_group("session")
    sess.add_argument("--instructions", help="system instructions for the session")
    sess.add_argument("--voice", metavar="VOICE", help=f"output voice ({', '.join(VOICES)})")
    turn = sess.add_mutually_exclusive_group()
    turn.add_argument("--vad", dest="turn", action="store_const", const="vad", help="server voice activity detection decides turns")
    turn.add_argument("--ptt", dest="turn", action="store_const", const="ptt", help="push-to-talk: a key toggles recording (default)")
    sess.add_argument("--session", metavar="FILE.json", help="session preset to apply on connect")
    sess.add_argument("--tools", metavar="FILE.json|module:attr", help="function tools to offer the model")

    audio = parser.add_argument_group("audio")
    audio.add_argument("--input-device", metavar="DEVICE", help="microphone (index or name; see 'realtime-console devices')")
    audio.add_argument("--output-device", metavar="DEVICE", help="speaker (index or name)")
    audio.add_argument("--no-audio", action="store_true", help="do not open audio devices")
    audio.add_argument("--input-wav", metavar="FILE.wav", help="use a WAV file as the microphone (reproducible voice tests)")

    rec = parser.add_argument_group(
        "recording", "Every session is recorded by default, one JSON Lines file per session under "
        "$XDG_STATE_HOME/realtime-console/sessions (~/.local/state/... when unset).")
    where = rec.add_mutually_exclusive_group()
    where.add_argument("--record", metavar="PATH",
                       help="record to PATH instead (a new .jsonl file, or an existing directory for a default-named file)")
    where.add_argument("--no-record", action="store_true", help="do not record this session")
    parser.add_argument("--theme", metavar="NAME",
                        help="colour theme (a Textual theme name; default textual-dark). Picking one in the "
                             "command palette remembers it in the settings file ('realtime-console config --path')")
    parser.add_argument("--no-reconnect", action="store_true",
                        help="do not reconnect by itself when the session expires or the connection drops "
                             "(by default it does, restoring the conversation)")
    return parser


#: The console's options that also mean something when attaching to a call (`--call-id`).
CALL_OPTIONS = ("url", "api_key_env", "record", "no_record")


def attach_arguments(args: argparse.Namespace) -> argparse.Namespace:
    """`--call-id CALL_ID` and its options as `realtime-console attach` parses them.

    The attach command's own parser reads them (its defaults, its checks), so the two ways
    to attach cannot drift apart. Any other option of the console would be silently
    ignored by an attached call, so it is refused instead.
    """
    from console.app import attach_cli
    from console.cli import PROG, UsageError

    parser = build_parser(PROG)
    defaults = vars(parser.parse_args([]))
    flags: dict[str, list[str]] = {}
    for action in parser._actions:  # noqa: SLF001 - argparse keeps no public list of them
        if action.option_strings:
            flags.setdefault(action.dest, []).append(action.option_strings[0])
    unused = ["/".join(flags.get(name, [name])) for name, value in vars(args).items()
              if name not in ("call_id", *CALL_OPTIONS) and value != defaults.get(name)]
    if unused:
        raise UsageError(f"--call-id attaches to a live call: {', '.join(unused)} does not apply to it "
                         f"(it takes {', '.join('--' + o.replace('_', '-') for o in CALL_OPTIONS)})")
    argv = [args.call_id]
    for name in ("url", "api_key_env", "record"):
        if getattr(args, name) is not None:
            argv += [f"--{name.replace('_', '-')}", getattr(args, name)]
    if args.no_record:
        argv.append("--no-record")
    return attach_cli.build_parser(f"{PROG} --call-id").parse_args(argv)


def run(args: Any) -> int:
    """Resolve the options and run the TUI (or, with `--call-id`, the attach view);
    returns the process exit status."""
    if getattr(args, "call_id", None) is not None:
        from console.app import attach_cli

        return attach_cli.run(attach_arguments(args))
    from console.config import build_config

    settings = load_settings()
    check_settings(args, settings)
    config = build_config(args, settings)
    # Import sounddevice before Textual takes the terminal: its import briefly redirects
    # the output stream Textual draws on.
    if not config.no_audio:
        try:
            import console.audio  # noqa: F401
        except Exception:  # audio trouble is shown inside the app, never fatal here
            pass
    from console.app.app import RealtimeConsoleApp

    app = RealtimeConsoleApp(config)
    app.run()
    return int(app.return_code or 0)
