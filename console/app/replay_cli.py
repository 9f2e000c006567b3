"""`realtime-console replay FILE [--speed X] [--no-audio] [--at EVENT|TIME] [--play] [--no-follow]`.

A file of a reconnected session's chain replays the whole chain (see
`console/recording/chain.py`), starting at the named file's first event, unless
`--no-follow` says to show that file alone.

Only parses arguments, checks the file (the first 64 KiB are indexed here, so a file that
is not a log fails with one line and exit status 2 before any screen is drawn) and starts
the `ReplayApp`; the rest of the file is indexed by the app's worker while it shows.
"""

from __future__ import annotations

import argparse

from console.cli import ArgumentParser, UsageError
from console.recording.opening import open_recording
from console.recording.reader import Recording


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.05 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{text} is out of range (0.05 to 1000)")
    return value


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="Replay a recorded session in the console's panes, read-only: play at the recorded "
        "timing times a speed factor, step, seek, jump between turns and errors.",
        epilog="Keys: space play/pause, . , (or right/left) step, ] [ (or + -) speed, g go to an event or "
        "time, n/N next/previous turn, e/E next/previous error, s seek to the event selected in the log, "
        "ctrl+p every command, q quit.",
    )
    parser.add_argument("file", help="a recording (.jsonl), a header-less event log, or bare API events")
    parser.add_argument("--speed", type=_speed, default=1.0, metavar="X",
                        help="replay speed factor (default 1: the recorded timing)")
    parser.add_argument("--no-audio", action="store_true",
                        help="silent review: no sound device (waveforms still follow the replay)")
    parser.add_argument("--output-device", metavar="DEVICE", help="sound device index or name for the model's voice")
    parser.add_argument("--at", metavar="EVENT|TIME",
                        help="start at an event number (123) or a time (83.5s, 1:23), counted from a chain's "
                        "first file (default: where FILE starts)")
    parser.add_argument("--play", action="store_true", help="start playing at once (default: paused)")
    parser.add_argument("--no-follow", action="store_true",
                        help="replay this file alone, not the chain of files a reconnected session continued in")
    return parser


def open_for_replay(path: str, follow: bool = True) -> Recording:
    """Open a recording (with the files it continues and continues in, if `follow`) without
    indexing it all, turning failures into a one-line UsageError."""
    return open_recording(path, follow=follow, index=False)


def run(args: argparse.Namespace) -> int:
    from console.app.screens.replay_seek import TargetError, parse_target

    start = None
    if args.at is not None:
        try:
            start = parse_target(args.at)
        except TargetError as exc:
            raise UsageError(f"--at: {exc}") from None
    audio = not args.no_audio
    if audio:  # before the app draws (see preload_sounddevice)
        from console.audio.availability import preload_sounddevice

        preload_sounddevice()
    from console.app.settings import app_settings
    from console.user_config import DEFAULT_THEME

    settings = app_settings()
    rec = open_for_replay(args.file, follow=not args.no_follow)
    from console.app.screens.replay import ReplayApp

    try:
        app = ReplayApp(rec, speed=args.speed, audio=audio, output_device=args.output_device,
                        autoplay=args.play, start=start,
                        theme=settings.theme or DEFAULT_THEME, keymap=settings.keymap)
        return int(app.run() or 0)
    finally:
        rec.close()
