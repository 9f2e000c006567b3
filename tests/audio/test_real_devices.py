"""The real sounddevice path, against ALSA's null device, each case in a subprocess.

ALSA reads its configuration when PortAudio initialises, so every configuration runs
in a fresh interpreter with `XDG_CONFIG_HOME` (where alsa-lib looks for
`alsa/asoundrc`) and `HOME` (for `~/.asoundrc`) pointing at a temporary directory. The
null device is not clocked, so these tests prove the wiring (streams open, the callback
copies, blocks and played counts flow), not timing; pacing is tested with WavMicrophone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("device_probe.py")
ROOT = Path(__file__).resolve().parents[2]


def _portaudio_present() -> bool:
    r = subprocess.run([sys.executable, "-c", "import sounddevice"], capture_output=True, cwd=ROOT)
    return r.returncode == 0


needs_portaudio = pytest.mark.skipif(not _portaudio_present(), reason="libportaudio2 is not installed")


def alsa_env(tmp_path: Path, asoundrc: str | None) -> dict[str, str]:
    home = tmp_path / "home"
    (home / ".config" / "alsa").mkdir(parents=True)
    if asoundrc is not None:
        (home / ".config" / "alsa" / "asoundrc").write_text(asoundrc)
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), PYTHONPATH=str(ROOT))
    env.pop("ALSA_CONFIG_PATH", None)
    return env


def run_probe(env: dict[str, str], *args: str) -> dict:
    r = subprocess.run(
        [sys.executable, str(PROBE), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("PROBE "))
    return json.loads(line[len("PROBE ") :])


NULL_PCM = "pcm.!default { type null }\n"


@needs_portaudio
def test_microphone_and_speaker_open_and_move_audio_on_the_null_device(tmp_path: Path) -> None:
    out = run_probe(alsa_env(tmp_path, NULL_PCM), "open")
    assert out["status"]["available"] and out["status"]["input_ok"] and out["status"]["output_ok"]
    assert out["mic_device_rate"] == 24_000
    assert out["mic_callbacks"] > 0 and out["blocks"] > 0
    assert out["block_sizes"][-1] == 480  # 20 ms at 24 kHz (a shorter last block at stop)
    assert out["level_written"] >= out["blocks"] * 480 - 480
    assert out["speaker_callbacks"] > 0
    # (the null device is unclocked: usually the whole second has played by now)
    assert 0 < out["played"] <= 24_000 and out["speaker_level_written"] >= out["played"]
    assert out["interrupt"][0] == "item_probe" and out["interrupt"][1] >= out["played"]


@needs_portaudio
def test_devices_named_as_users_do_at_other_rates_are_resampled_to_24k(tmp_path: Path) -> None:
    out = run_probe(alsa_env(tmp_path, NULL_PCM), "open", "48000")
    assert out["mic_device_rate"] == 48_000 and out["speaker_device_rate"] == 48_000
    assert out["blocks"] > 0 and out["block_sizes"][-1] == 480
    assert 0 < out["played"] <= 24_000  # counted in 24 kHz samples


@needs_portaudio
def test_a_device_that_does_not_exist_is_named_with_where_to_look(tmp_path: Path) -> None:
    out = run_probe(alsa_env(tmp_path, NULL_PCM), "bad-device")
    assert "'no such mic'" in out["mic"]["reason"] and "realtime-console devices" in out["mic"]["fix"]
    assert "42" in out["speaker"]["reason"] and "realtime-console devices" in out["speaker"]["fix"]


@needs_portaudio
def test_without_devices_everything_says_why_and_the_virtual_speaker_still_works(tmp_path: Path) -> None:
    out = run_probe(alsa_env(tmp_path, None), "unavailable")
    assert out["status"]["available"] is False
    assert "no audio devices" in out["status"]["reason"]
    assert "--input-wav" in out["status"]["fix"]
    for name in ("mic", "speaker"):
        assert isinstance(out[name], dict) and "--no-audio" in out[name]["fix"], out[name]
    assert out["virtual_played"] > 0
    fb = out["fallback"]
    assert fb["enabled"] is False and "no audio devices" in fb["problem"] and fb["played"] > 0


def test_without_portaudio_the_reason_and_fix_are_given(tmp_path: Path) -> None:
    """No PortAudio cannot be arranged on a machine that has it, so a module named
    `sounddevice` that fails exactly as the real one does without the library (OSError
    at import) shadows it in the subprocess."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    env = alsa_env(tmp_path, None)
    env["PYTHONPATH"] = f"{shadow}{os.pathsep}{ROOT}"
    out = run_probe(env, "unavailable")
    assert out["status"]["available"] is False
    assert "PortAudio library not found" in out["status"]["reason"]
    assert "apt-get install libportaudio2" in out["status"]["fix"]
    assert "libportaudio2" in out["mic"]["fix"] and out["virtual_played"] > 0
    r = subprocess.run([sys.executable, "-m", "console", "devices"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 1
    assert "PortAudio library not found" in r.stderr and "libportaudio2" in r.stderr
    assert "Traceback" not in r.stderr


@needs_portaudio
def test_devices_command_lists_the_null_device_and_explains_no_devices(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "console", "devices"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=alsa_env(tmp_path / "a", NULL_PCM), cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "default (ALSA)" in r.stdout and "<>" in r.stdout
    r = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=alsa_env(tmp_path / "b", NULL_PCM), cwd=ROOT)
    data = json.loads(r.stdout)
    assert data["available"] and data["devices"][0]["default_input"] and data["devices"][0]["input_24k"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=alsa_env(tmp_path / "c", None), cwd=ROOT)
    assert r.returncode == 1 and "no audio devices found" in r.stderr and "Traceback" not in r.stderr
