"""`Speaker`: plays response audio and counts what was actually played, per item.

With a device, a sounddevice `OutputStream` callback pulls from the `JitterBuffer`
(copy only, no loop calls). With `enabled=False` (`--no-audio`, tests, machines without
sound) a task on the asyncio loop pulls on a virtual real-time clock instead, so played
counts, interruption and the output waveform behave exactly the same, silently.

"Played" means handed to the device; the device's own output latency (typically
10-40 ms) is not subtracted. Counts are in samples at `samplerate` (24 kHz) even when the
device runs at another rate and audio is resampled for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import numpy as np

from .availability import FIX_NO_DEVICES, AudioUnavailable, load_sounddevice
from .jitter import JitterBuffer
from .resample import StreamResampler
from .ring import RingBuffer
from .settings import Device, normalize_device, pick_settings
from .source import LEVEL_RING_SECONDS

PREBUFFER_MS = 100
VIRTUAL_TICK_S = 0.02


class Speaker:
    """Response-audio playback with a jitter buffer and per-item played counts.

    Args:
        device: a sounddevice index or name substring; None for the default output.
        samplerate: the rate of the samples given to `enqueue` (the API's 24 kHz).
        enabled: False plays on a virtual clock without any device.
        prebuffer_ms: jitter buffer depth before playback starts.
        device_rate: force the device's rate (default: `samplerate` if supported).
    """

    def __init__(
        self,
        *,
        device: Device = None,
        samplerate: int = 24_000,
        enabled: bool = True,
        prebuffer_ms: int = PREBUFFER_MS,
        device_rate: int | None = None,
    ) -> None:
        self.device = normalize_device(device)
        self._forced_rate = device_rate
        self.samplerate = samplerate
        self.enabled = enabled
        self.prebuffer_ms = prebuffer_ms
        #: The rate the output runs at (known after `start()`; `samplerate` if virtual).
        self.device_rate = samplerate
        #: What was played, for the output waveform: samples at `device_rate` (which is
        #: `samplerate` unless the device needed another rate).
        self.level_ring = RingBuffer(samplerate * LEVEL_RING_SECONDS)
        #: Why the device could not be used, after `start(fallback=True)` fell back.
        self.problem = ""
        self.callbacks = 0
        self.output_underflows = 0
        self._jitter = JitterBuffer(samplerate * prebuffer_ms // 1000)
        self._stream: Any = None
        self._task: asyncio.Task[None] | None = None
        self._resamplers: dict[str, StreamResampler] = {}
        self._scratch = np.zeros(0, dtype=np.int16)
        self._wake = asyncio.Event()
        self._idle = False

    @property
    def running(self) -> bool:
        return self._stream is not None or self._task is not None

    async def start(self, *, fallback: bool = False) -> None:
        """Open the device (or start the virtual clock).

        Args:
            fallback: if the device cannot be opened, play on the virtual clock instead
                of raising (`enabled` becomes False and `problem` says why), so played
                counts and interruption keep working.

        Raises:
            AudioUnavailable: enabled, PortAudio or the output device is missing, and
                `fallback` is False.
        """
        if self.running:
            return
        if self.enabled:
            try:
                self._open_device()
                return
            except AudioUnavailable as exc:
                if not fallback:
                    raise
                self.problem = str(exc)
                self.enabled = False
        self._wake = asyncio.Event()  # bound to this loop; a restarted speaker gets a new one
        self._task = asyncio.create_task(self._virtual_clock(), name="speaker-clock")

    def _open_device(self) -> None:
        sd = load_sounddevice()
        rate, channels = pick_settings(sd, self.device, self._forced_rate or self.samplerate, "output")
        self.device_rate = rate
        self._scratch = np.zeros(rate, dtype=np.int16)  # mono staging for stereo devices
        if rate != self.samplerate:  # queued counts and samples are per rate
            self._jitter = JitterBuffer(rate * self.prebuffer_ms // 1000)
        try:
            stream = sd.OutputStream(
                device=self.device,
                samplerate=rate,
                channels=channels,
                dtype="int16",
                blocksize=rate // 50,
                callback=self._callback,
            )
            stream.start()
        except Exception as exc:  # noqa: BLE001
            raise AudioUnavailable(f"cannot open the output device: {exc}", FIX_NO_DEVICES) from None
        self._stream = stream

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        """PortAudio thread: fill from the jitter buffer, mirror to the level ring."""
        if outdata.shape[1] == 1:
            out = outdata[:, 0]
            self._jitter.pull(out)
        else:  # stereo-only device: the same mono signal on every channel
            out = self._scratch[:frames] if frames <= len(self._scratch) else np.zeros(frames, np.int16)
            self._jitter.pull(out)
            outdata[:] = out[:, None]
        self.level_ring.write(out)
        self.callbacks += 1
        if status:
            self.output_underflows += 1

    @property
    def idle(self) -> bool:
        """True while the virtual clock sleeps until audio is queued (see `_virtual_clock`)."""
        return self._idle

    async def _virtual_clock(self) -> None:
        """Pull on a real-time clock while there is anything to show; sleep otherwise.

        Why it stops: with nothing queued, each tick only writes silence into the level
        ring, and once the ring holds nothing but silence more of it changes nothing a
        reader can see. Ticking 50 times a second at rest was the largest part of an idle
        console's CPU, so the clock sleeps until `enqueue` wakes it, then restarts from
        the present (the idle time is not owed to anyone: no item was playing).
        """
        loop = asyncio.get_running_loop()
        scratch = np.zeros(self.samplerate, dtype=np.int16)
        capacity = self.level_ring.capacity
        silent = 0  # samples of silence written since the last audio sample
        while True:
            start = loop.time()
            consumed = 0
            while self._jitter.buffered or silent < capacity:
                await asyncio.sleep(VIRTUAL_TICK_S)
                due = int((loop.time() - start) * self.samplerate) - consumed
                while due > 0:  # at most one second per pull, however long the loop stalled
                    n = min(due, len(scratch))
                    out = scratch[:n]
                    filled = self._jitter.pull(out)
                    silent = n - filled if filled else silent + n
                    self.level_ring.write(out)
                    consumed += n
                    due -= n
            self._wake.clear()
            if self._jitter.buffered:  # queued between the last pull and the clear
                continue
            self._idle = True
            try:
                await self._wake.wait()
            finally:
                self._idle = False

    async def stop(self) -> None:
        """Stop playback and close the device; queued audio is dropped."""
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def enqueue(self, item_id: str, samples: np.ndarray) -> None:
        """Queue 24 kHz int16 samples of an item (e.g. each audio delta as it arrives).

        Late deltas of an item already interrupted are ignored.
        """
        samples = np.asarray(samples, dtype=np.int16)
        if self.device_rate != self.samplerate:
            rs = self._resamplers.get(item_id)
            if rs is None:
                rs = self._resamplers[item_id] = StreamResampler(self.samplerate, self.device_rate)
            samples = rs.process(samples)
        self._jitter.push(item_id, samples)
        self._wake.set()

    def _to_api_rate(self, device_samples: int) -> int:
        if self.device_rate == self.samplerate:
            return device_samples
        return device_samples * self.samplerate // self.device_rate

    def played(self, item_id: str) -> int:
        """Samples (at `samplerate`) of the item played so far."""
        return self._to_api_rate(self._jitter.played(item_id))

    def interrupt(self) -> tuple[str | None, int]:
        """Stop now and flush.

        Returns:
            (item, samples of it played) for `cancel_response`: the item most recently
            played from (its audio may have run out: an underrun mid-response looks the
            same), else the first queued item; (None, 0) if nothing was played or queued
            since the last interrupt. Call it when a response is in progress.
        """
        item, played = self._jitter.flush()
        return item, self._to_api_rate(played)

    def is_playing(self) -> bool:
        """True while response audio is queued or playing."""
        return self._jitter.is_playing()

    @property
    def buffered_ms(self) -> int:
        """Queued audio not yet played, in milliseconds."""
        return self._jitter.buffered * 1000 // self.device_rate
