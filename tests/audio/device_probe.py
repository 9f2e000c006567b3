"""Run in a subprocess by test_real_devices.py, with ALSA configured through the
environment (ALSA reads its configuration once, when PortAudio initialises, so each
configuration needs a fresh process). Prints one JSON object describing what happened.

    python device_probe.py open [device_rate]   # open Microphone and Speaker for ~0.3 s
                                                # (with a rate: devices named as users do,
                                                # "0" for the mic and "default" for the speaker)
    python device_probe.py unavailable          # expect audio to be unavailable
    python device_probe.py bad-device           # devices that do not exist
"""

from __future__ import annotations

import asyncio
import json
import sys

import numpy as np

from console.audio import AudioUnavailable, audio_status
from console.audio.capture import Microphone
from console.audio.playback import Speaker


async def open_devices(device_rate: int | None) -> dict:
    mic = Microphone(block_ms=20, device_rate=device_rate, device="0" if device_rate else None)
    spk = Speaker(enabled=True, device_rate=device_rate, device="default" if device_rate else None)
    await mic.start()
    await spk.start()
    sizes: set[int] = set()
    count = 0

    async def consume() -> None:
        nonlocal count
        async for block in mic.blocks():
            sizes.add(len(block))
            count += 1

    task = asyncio.create_task(consume())
    spk.enqueue("item_probe", np.full(24_000, 1234, dtype=np.int16))
    await asyncio.sleep(0.3)
    played = spk.played("item_probe")
    interrupted = spk.interrupt()
    await mic.stop()
    await task
    await spk.stop()
    return {
        "status": audio_status().__dict__,
        "mic_device_rate": mic.device_rate,
        "mic_callbacks": mic.callbacks,
        "blocks": count,
        "block_sizes": sorted(sizes),
        "level_written": mic.level_ring.written,
        "speaker_device_rate": spk.device_rate,
        "speaker_callbacks": spk.callbacks,
        "played": played,
        "interrupt": list(interrupted),
        "speaker_level_written": spk.level_ring.written,
    }


async def unavailable() -> dict:
    result: dict = {"status": audio_status().__dict__}
    for name, make in (("mic", lambda: Microphone()), ("speaker", lambda: Speaker(enabled=True))):
        try:
            await make().start()
            result[name] = "opened"
        except AudioUnavailable as exc:
            result[name] = {"reason": exc.reason, "fix": exc.fix}
    spk = Speaker(enabled=False, prebuffer_ms=0)
    await spk.start()
    spk.enqueue("x", np.ones(2400, dtype=np.int16))
    fallback = Speaker(enabled=True, prebuffer_ms=0)
    await fallback.start(fallback=True)  # no device: plays on the virtual clock
    fallback.enqueue("y", np.ones(2400, dtype=np.int16))
    await asyncio.sleep(0.1)
    result["virtual_played"] = spk.played("x")
    result["fallback"] = {"enabled": fallback.enabled, "problem": fallback.problem, "played": fallback.played("y")}
    await spk.stop()
    await fallback.stop()
    return result


async def bad_device() -> dict:
    result = {}
    for name, src in (("mic", Microphone(device="no such mic")), ("speaker", Speaker(device=42))):
        try:
            await src.start()
            result[name] = "opened"
        except AudioUnavailable as exc:
            result[name] = {"reason": exc.reason, "fix": exc.fix}
    return result


def main() -> None:
    mode = sys.argv[1]
    if mode == "bad-device":
        out = asyncio.run(bad_device())
    elif mode == "open":
        rate = int(sys.argv[2]) if len(sys.argv) > 2 else None
        out = asyncio.run(open_devices(rate))
    else:
        out = asyncio.run(unavailable())
    print("PROBE " + json.dumps(out))


if __name__ == "__main__":
    main()
