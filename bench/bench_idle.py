"""Cost at rest: CPU and terminal output of the console while connected and idle.

    .venv/bin/python bench/bench_idle.py [--window 20] [--no-wav] [--size 120x40]

Each scenario runs a real process in a real terminal (a pseudo-terminal of the given size,
`TERM=xterm-256color`) and counts every byte it writes to the terminal:

1. **baseline**: a bare Textual app whose only activity is a clock label updated once a
   second (what "idle" costs any Textual app on this machine);
2. **console idle**: `realtime-console --no-record --no-audio` offline, on its embedded
   simulator (same process), once its header says `● connected`;
3. **console + WAV** (skip with `--no-wav`): the same with `--vad --input-wav FILE`, a
   generated voice-like WAV fed at real time, so the simulator answers with its voice and
   both waveforms animate: the cost of a live session, for scale.

After the scenario is ready and has settled (`--settle` seconds), the process's CPU time
(user + system, from `/proc/<pid>/stat`, all its threads) and the bytes it wrote are taken
over `--window` seconds of wall time. CPU time is used, not wall time, so other load on
the machine does not count. Figures: CPU as a share of one core, and bytes/s written.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
_CSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


@dataclass
class Result:
    """One scenario's figures over the measured window."""

    name: str
    cpu_percent: float
    bytes_per_s: float
    startup_s: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (all threads), from `/proc/<pid>/stat`."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class PtyProcess:
    """A child process on its own pseudo-terminal; the parent reads and counts its output."""

    def __init__(self, argv: list[str], cols: int, rows: int, env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        set_winsize(slave, cols, rows)
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env,
            start_new_session=True, close_fds=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        self.total = 0
        self._tail = ""

    def pump(self, seconds: float) -> None:
        """Read (and count) whatever the child writes for `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    return
                self.total += len(data)
                self._tail = (self._tail + data.decode("utf-8", "replace"))[-200_000:]

    def wait_for(self, text: str, timeout: float) -> bool:
        """Read until `text` shows on screen (escape sequences ignored), at most `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            self.pump(0.1)
            if text in _CSI.sub("", self._tail):
                self._tail = ""
                return True
        return False

    def close(self) -> None:
        """Ask the app to quit (ctrl+q), then end the child if it does not."""
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"\x11")
            except OSError:
                pass
            end = time.monotonic() + 5
            while self.proc.poll() is None and time.monotonic() < end:
                self.pump(0.1)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def measure(name: str, argv: list[str], ready: str, args: argparse.Namespace) -> Result:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")}
    env.update(TERM="xterm-256color", COLUMNS=str(args.cols), LINES=str(args.rows))
    env.pop("TEXTUAL", None)
    start = time.monotonic()
    child = PtyProcess(argv, args.cols, args.rows, env)
    try:
        if not child.wait_for(ready, args.timeout):
            raise SystemExit(f"{name}: {ready!r} did not show within {args.timeout:.0f} s")
        startup = time.monotonic() - start
        child.pump(args.settle)
        cpu0, bytes0, t0 = cpu_seconds(child.proc.pid), child.total, time.monotonic()
        child.pump(args.window)
        cpu1, bytes1, t1 = cpu_seconds(child.proc.pid), child.total, time.monotonic()
    finally:
        child.close()
    wall = t1 - t0
    return Result(name, 100 * (cpu1 - cpu0) / wall, (bytes1 - bytes0) / wall, startup)


def write_voice_wav(path: Path, seconds: float, rate: int = 24_000) -> None:
    """Voice-like bursts (1.5 s of a modulated 180 Hz tone, then 2.5 s of silence)."""
    t = np.arange(int(seconds * rate)) / rate
    burst = (t % 4.0) < 1.5
    tone = np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t)) * 16_000
    samples = np.where(burst, tone, 0).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def run_baseline_app() -> None:
    """The baseline: a bare Textual app with a clock label ticking once a second."""
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class ClockApp(App[None]):
        BINDINGS = [("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Label("", id="clock")

        def on_mount(self) -> None:
            self.tick()
            self.set_interval(1.0, self.tick)

        def tick(self) -> None:
            self.query_one(Label).update(time.strftime("clock %H:%M:%S"))

    ClockApp().run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=float, default=20.0, help="measured seconds per scenario")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after ready before measuring")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for ready")
    parser.add_argument("--size", default="120x40", help="terminal COLSxROWS")
    parser.add_argument("--no-wav", action="store_true", help="skip the live (WAV at real time) scenario")
    parser.add_argument("--baseline-app", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_app:
        run_baseline_app()
        return
    args.cols, args.rows = (int(n) for n in args.size.lower().split("x"))
    console = [sys.executable, "-m", "console", "--no-record", "--no-audio"]
    results = [
        measure("baseline: bare Textual app, 1 Hz clock",
                [sys.executable, str(Path(__file__).resolve()), "--baseline-app"], "clock ", args),
        measure("console, connected, idle", console, "● connected", args),
    ]
    if not args.no_wav:
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "voice.wav"
            write_voice_wav(wav, args.settle + args.window + 30)
            results.append(measure("console + WAV at real time, VAD",
                                   [*console, "--vad", "--input-wav", str(wav)], "● connected", args))
    print(f"\nterminal {args.cols}x{args.rows}, {args.window:.0f} s window after {args.settle:.0f} s settle; "
          "CPU = process CPU time / wall time (one core = 100 %)\n")
    print(f"| {'scenario':<40} | {'CPU %':>6} | {'output B/s':>10} | {'ready after':>11} |")
    print(f"|{'-' * 42}|{'-' * 7}:|{'-' * 11}:|{'-' * 12}:|")
    for r in results:
        print(f"| {r.name:<40} | {r.cpu_percent:6.1f} | {r.bytes_per_s:10.0f} | {r.startup_s:10.1f}s |")


if __name__ == "__main__":
    main()
