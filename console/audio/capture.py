"""`Microphone`: sounddevice capture at 24 kHz mono int16, delivered as asyncio blocks.

The PortAudio callback does the minimum (measured: p99 ~50 us): it copies its block
into a preallocated `RingBuffer` and, if no wake-up is pending yet, schedules one with
`loop.call_soon_threadsafe`. It never calls into Textual (`call_from_thread` can stall
for tens of milliseconds and deadlock) and never waits. A pump task on the loop drains
the ring, resamples when the device cannot run at 24 kHz, and cuts exact blocks.

The pump drains at most twice per block period. Real devices call back once per block
anyway; ALSA's null device is not clocked and would otherwise spin the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import numpy as np

from .availability import FIX_NO_DEVICES, AudioUnavailable, load_sounddevice
from .resample import StreamResampler
from .ring import RingBuffer
from .settings import Device, normalize_device, pick_settings
from .source import BlockSource

RAW_RING_SECONDS = 2


class Microphone(BlockSource):
    """Captures the microphone as 24 kHz mono int16 blocks of `block_ms`.

    `muted` (push-to-talk off) keeps capturing so the level meter stays live, but queues
    nothing for `blocks()`.

    Args:
        device: a sounddevice index or a unique part of a name (text "3" means index 3);
            None for the default input.
        block_ms: block length (20-40 ms suits the API).
        samplerate: delivered rate; the device is resampled to it if it cannot run at it.
        device_rate: force the device's rate (default: `samplerate` if the device
            supports it, else its default rate), e.g. for devices that misreport.
    """

    def __init__(
        self,
        *,
        device: Device = None,
        block_ms: int = 20,
        samplerate: int = 24_000,
        device_rate: int | None = None,
    ) -> None:
        super().__init__(block_ms=block_ms, samplerate=samplerate)
        self.device = normalize_device(device)
        self._forced_rate = device_rate
        #: The rate the device actually runs at (known after `start()`).
        self.device_rate: int | None = None
        #: Callbacks that reported an input overflow (the OS dropped samples).
        self.input_overflows = 0
        self.callbacks = 0
        self._stream: Any = None
        self._raw: RingBuffer | None = None
        self._resampler: StreamResampler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._wake_pending = False
        self._pump: asyncio.Task[None] | None = None

    @property
    def overruns(self) -> int:
        """Samples lost because the pump fell more than 2 s behind the device."""
        return self._raw.overruns if self._raw else 0

    async def start(self) -> None:
        """Open and start the input stream.

        Raises:
            AudioUnavailable: PortAudio missing, no input device, or it cannot be opened.
        """
        if self._stream is not None:
            return
        sd = load_sounddevice()
        rate, channels = pick_settings(sd, self.device, self._forced_rate or self.samplerate, "input")
        self.device_rate = rate
        self._raw = RingBuffer(rate * RAW_RING_SECONDS)
        self._resampler = StreamResampler(rate, self.samplerate) if rate != self.samplerate else None
        self._loop = asyncio.get_running_loop()
        self._closed = False
        try:
            stream = sd.InputStream(
                device=self.device,
                samplerate=rate,
                channels=channels,  # mono, or stereo of which the first channel is used
                dtype="int16",
                blocksize=rate * self.block_ms // 1000,
                callback=self._callback,
            )
            stream.start()
        except Exception as exc:  # noqa: BLE001 - PortAudioError and friends
            raise AudioUnavailable(f"cannot open the input device: {exc}", FIX_NO_DEVICES) from None
        self._stream = stream
        self._pump = asyncio.create_task(self._run_pump(), name="microphone-pump")

    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        """PortAudio thread: copy, maybe wake the loop, return. Nothing else."""
        self._raw.write(indata[:, 0])  # type: ignore[union-attr]
        self.callbacks += 1
        if status:
            self.input_overflows += 1
        if not self._wake_pending:
            self._wake_pending = True
            try:
                self._loop.call_soon_threadsafe(self._wake.set)  # type: ignore[union-attr]
            except RuntimeError:  # loop closed while the stream was stopping
                pass

    def _drain(self, *, final: bool = False) -> None:
        data = self._raw.read() if self._raw else np.zeros(0, dtype=np.int16)
        if self._resampler is not None:
            data = self._resampler.process(data)
            if final:
                data = np.concatenate([data, self._resampler.flush()])
        self._push_samples(data, final=final)

    async def _run_pump(self) -> None:
        loop = asyncio.get_running_loop()
        min_gap = self.block_ms / 2000
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._wake_pending = False
            started = loop.time()
            self._drain()
            await asyncio.sleep(max(0.0, min_gap - (loop.time() - started)))

    async def stop(self) -> None:
        """Stop capturing; queued blocks and the last partial block stay readable,
        then `blocks()` ends."""
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                stream.stop()
            with contextlib.suppress(Exception):
                stream.close()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None
        if self._raw is not None:
            self._drain(final=True)
        self._close()
