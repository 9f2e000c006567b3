"""`realtime-console devices`: list audio input and output devices.

Without PortAudio or without any device it prints why and how to fix it and exits 1
(the listing could not be made; 2 stays reserved for usage errors). Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .availability import FIX_NO_DEVICES, AudioUnavailable, load_sounddevice

API_RATE = 24_000


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The command's argument parser (cli.py supplies the one-line-error subclass)."""
    from console.cli import ArgumentParser  # the CLI's one-line usage errors

    parser = ArgumentParser(
        prog=prog,
        description="List audio devices usable with --input-device / --output-device "
        "(an index or a part of the name). '*' marks the defaults.",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    return parser


def _rate_ok(sd: Any, index: int, kind: str) -> bool:
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=index, samplerate=API_RATE, channels=1, dtype="int16")
        return True
    except Exception:  # noqa: BLE001 - unsupported rate or device error
        return False


def list_devices() -> list[dict[str, Any]]:
    """Devices as plain dicts (index, name, hostapi, inputs, outputs, default rate,
    whether each is a default and whether it opens at 24 kHz).

    Raises:
        AudioUnavailable: PortAudio missing or no devices.
    """
    sd = load_sounddevice()
    try:
        devices = list(sd.query_devices())
        hostapis = list(sd.query_hostapis())
    except Exception as exc:  # noqa: BLE001
        raise AudioUnavailable(f"cannot list audio devices ({exc})", FIX_NO_DEVICES) from None
    if not devices:
        raise AudioUnavailable("no audio devices found", FIX_NO_DEVICES)
    try:
        default_in, default_out = sd.default.device
    except Exception:  # noqa: BLE001
        default_in = default_out = -1
    rows = []
    for d in devices:
        i = d["index"]
        rows.append(
            {
                "index": i,
                "name": d["name"],
                "hostapi": hostapis[d["hostapi"]]["name"] if d["hostapi"] < len(hostapis) else "?",
                "inputs": d["max_input_channels"],
                "outputs": d["max_output_channels"],
                "default_samplerate": d["default_samplerate"],
                "default_input": i == default_in,
                "default_output": i == default_out,
                "input_24k": d["max_input_channels"] > 0 and _rate_ok(sd, i, "input"),
                "output_24k": d["max_output_channels"] > 0 and _rate_ok(sd, i, "output"),
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """A human-readable table; '*' marks defaults, '24k' which direction opens at 24 kHz
    without resampling."""
    lines = [f"{'':2}{'#':>3}  {'in':>3} {'out':>3}  {'rate':>6}  {'24 kHz':<8}{'name'}"]
    for r in rows:
        mark = ("<" if r["default_input"] else " ") + (">" if r["default_output"] else " ")
        native = ",".join(k for k, ok in (("in", r["input_24k"]), ("out", r["output_24k"])) if ok) or "resample"
        lines.append(
            f"{mark}{r['index']:>3}  {r['inputs']:>3} {r['outputs']:>3}  {r['default_samplerate']:>6.0f}  "
            f"{native:<8}{r['name']} ({r['hostapi']})"
        )
    lines.append("< default input, > default output")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the device list; 1 with the reason and fix if there is none."""
    try:
        rows = list_devices()
    except AudioUnavailable as exc:
        if args.json:
            print(json.dumps({"available": False, "reason": exc.reason, "fix": exc.fix}))
        else:
            print(f"audio unavailable: {exc.reason}", file=sys.stderr)
            print(f"fix: {exc.fix}", file=sys.stderr)
        return 1
    print(json.dumps({"available": True, "devices": rows}, indent=2) if args.json else format_table(rows))
    return 0
