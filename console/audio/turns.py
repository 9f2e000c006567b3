"""Turn-taking: microphone to the client, speaker from it, push-to-talk, VAD, interruption.

The app owns one `TurnController`. It pumps microphone blocks (a sound card's
`Microphone` or a `WavMicrophone` for reproducible tests) into
`client.append_input_audio`, queues response audio on the `Speaker`, and implements the
two turn modes of the React console:

- push-to-talk: the source is muted until the talk key; pressing it again unmutes no more,
  and `create_response()` commits the buffer and asks for a response (with a WAV source
  the turn also ends by itself when the file has been sent);
- server VAD: audio streams continuously and the server decides turns; when the user
  starts speaking over the model, playback stops and what was heard is truncated.

Interrupting asks the speaker what was actually played (`Speaker.interrupt`) and calls
`cancel_response(item_id, samples_played)`, so the server forgets exactly what was not
heard. No Textual here: the screen calls these methods and reads `state`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from console.config import ConsoleConfig
from console.realtime.audio import samples_to_ms
from console.realtime.conversation import AUDIO_PART_TYPES


@dataclass
class AudioSetup:
    """What audio the console got, and why not when it did not."""

    source: Any = None  # a console.audio BlockSource, or None
    speaker: Any = None  # a console.audio Speaker, or None
    mic_problem: str = ""
    speaker_problem: str = ""


def open_audio(config: ConsoleConfig) -> AudioSetup:
    """Build the sources the options ask for; problems become sentences, never exceptions.

    The speaker always exists: without a usable output device (or with `--no-audio`) it
    runs on a virtual clock, so played-sample counts and interruption still work and the
    model-voice waveform still moves.
    """
    setup = AudioSetup()
    try:
        from console.audio import audio_status
        from console.audio.playback import Speaker
    except Exception as exc:  # audio package broken: text still works
        setup.mic_problem = setup.speaker_problem = f"audio unavailable: {exc}"
        return setup
    status = None if config.no_audio else audio_status()
    output_ok = bool(status and status.output_ok)
    setup.speaker = Speaker(device=config.output_device, enabled=output_ok)
    if not output_ok:
        setup.speaker_problem = "--no-audio" if config.no_audio else (status.summary() if status else "")
    if config.input_wav is not None:
        from console.audio.wav_source import WavMicrophone

        try:
            setup.source = WavMicrophone(config.input_wav, speed=config.wav_speed)
        except Exception as exc:
            setup.mic_problem = f"cannot read {config.input_wav}: {exc}"
        return setup
    if config.no_audio:
        setup.mic_problem = "--no-audio"
    elif status is not None and status.input_ok:
        from console.audio.capture import Microphone

        setup.source = Microphone(device=config.input_device)
    else:
        setup.mic_problem = status.summary() if status else "no microphone"
    return setup


class TurnController:
    """Push-to-talk / VAD turn logic over a live session's client and the audio devices."""

    def __init__(self, session: Any, setup: AudioSetup, mode: str = "ptt") -> None:
        self.session = session
        self.source = setup.source
        self.speaker = setup.speaker
        self.setup = setup
        self.mode = mode
        self.recording = False
        self.on_change: Callable[[], None] = lambda: None
        self._pump: asyncio.Task[None] | None = None
        self._wav_watch: asyncio.Task[None] | None = None
        self._started = False
        session.output_audio_listeners.append(self._play)
        session.interrupt_listeners.append(self._user_started_speaking)

    @property
    def mic_state(self) -> str:
        """"unavailable", "off", "recording" (push-to-talk) or "streaming" (VAD)."""
        if self.source is None:
            return "unavailable"
        if self.mode == "vad":
            return "streaming"
        return "recording" if self.recording else "off"

    async def start(self) -> list[str]:
        """Open the devices; returns problems found (shown to the user, not raised)."""
        problems: list[str] = []
        if self._started:
            return problems
        self._started = True
        if self.speaker is not None:
            try:
                await self.speaker.start()
            except Exception as exc:
                problems.append(f"speaker: {exc}")
        if self.source is not None:
            self.source.muted = self.mode != "vad"
            try:
                await self.source.start()
            except Exception as exc:
                problems.append(f"microphone: {exc}")
                self.setup.mic_problem = str(exc)
                self.source = None
            else:
                self._pump = asyncio.create_task(self._run_pump(), name="mic-pump")
                if hasattr(self.source, "finished"):
                    self._wav_watch = asyncio.create_task(self._watch_wav_end(), name="wav-end")
        return problems

    async def stop(self) -> None:
        """Close devices and tasks (app shutdown)."""
        for task in (self._pump, self._wav_watch):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._pump = self._wav_watch = None
        for device in (self.source, self.speaker):
            if device is not None:
                with contextlib.suppress(Exception):
                    await device.stop()

    # --- audio flow -------------------------------------------------------------------

    def _client(self) -> Any:
        client = self.session.client
        return client if client is not None and client.is_connected() else None

    async def _run_pump(self) -> None:
        assert self.source is not None
        async for block in self.source.blocks():
            client = self._client()
            if client is not None:
                client.append_input_audio(block)

    async def _watch_wav_end(self) -> None:
        """With a WAV source in push-to-talk, the turn ends when the file has been sent."""
        await self.source.finished.wait()
        await asyncio.sleep(0.05)  # let the pump hand over the last block
        if self.mode == "ptt" and self.recording:
            self.toggle_talk()

    def _play(self, item_id: str, samples: np.ndarray) -> None:
        if self.speaker is not None:
            self.speaker.enqueue(item_id, samples)

    def _user_started_speaking(self) -> None:
        """VAD heard the user: stop the model's voice and truncate what was not heard."""
        if self.speaker is not None and self.speaker.is_playing():
            self.interrupt()

    # --- user actions -----------------------------------------------------------------

    def toggle_talk(self) -> str:
        """Push-to-talk key: start recording, or stop, commit and ask for a response.

        Returns a short sentence describing what happened (for the status line).
        """
        if self.mode != "ptt":
            return "server VAD decides turns: just speak (/ptt switches to push-to-talk)"
        if self.source is None:
            return f"no microphone: {self.setup.mic_problem or 'unavailable'}"
        client = self._client()
        if client is None:
            return "not connected"
        if not self.recording:
            if self.speaker is not None and self.speaker.is_playing():
                self.interrupt()
            self.source.discard_pending()
            self.source.muted = False
            self.recording = True
            self.on_change()
            if self._wav_watch is not None:  # the file is the user: it ends the turn itself
                return "sending the WAV file: the turn ends with the file (no second key press)"
            return "recording: press the talk key again to send"
        self.source.muted = True
        while (block := self.source.read_nowait()) is not None:
            client.append_input_audio(block)
        self.recording = False
        self.on_change()
        client.create_response()
        return "sent: waiting for the response"

    def set_mode(self, mode: str) -> str:
        """Switch between "vad" and "ptt" (sends the session update when connected)."""
        if mode == self.mode:
            return f"already in {'server VAD' if mode == 'vad' else 'push-to-talk'} mode"
        if self.session.client is None:
            return "not connected"
        self.session.set_turn_mode(mode)
        self.mode = mode
        self.recording = False
        if self.source is not None:
            self.source.discard_pending()
            self.source.muted = mode != "vad"
        self.on_change()
        return "server VAD: just speak" if mode == "vad" else "push-to-talk: the talk key toggles recording"

    def interrupt(self) -> str:
        """Stop the model's voice, truncating its answer at what was played.

        The response is cancelled only while the server is still generating it: the real
        API generates faster than real time, so playback usually outlives `response.done`,
        and cancelling then only earns `response_cancel_not_active`. Returns a sentence
        for the status line.
        """
        client = self._client()
        item_id, played = (None, 0)
        if self.speaker is not None:
            item_id, played = self.speaker.interrupt()
        if client is None:
            return "not connected"
        generating = self.session.annotations.active_response is not None
        item = client.conversation.get_item(item_id) if item_id is not None else None
        if item is not None and audio_part_index(item) is not None:
            seconds = played / 24000
            if generating:
                client.cancel_response(item_id, played)
                return f"interrupted after {seconds:.2f} s of audio"
            truncate(client, item, played)
            return f"playback stopped after {seconds:.2f} s; the answer was truncated there"
        if generating:
            client.cancel_response()
            return "response cancelled"
        return "nothing to interrupt: no response in progress and nothing playing"


def audio_part_index(item: dict[str, Any]) -> int | None:
    """The index of an assistant message's audio part (None: nothing to truncate)."""
    if item.get("type") != "message" or item.get("role") != "assistant":
        return None
    content = item.get("content") or []
    return next((i for i, part in enumerate(content)
                 if isinstance(part, dict) and part.get("type") in AUDIO_PART_TYPES), None)


def truncate(client: Any, item: dict[str, Any], played: int) -> None:
    """Tell the server the user heard `played` samples of `item` (no cancel).

    `played` is clamped to the audio received, as `RealtimeClient.cancel_response` does.
    """
    index = audio_part_index(item)
    received = len(item["formatted"]["audio"])
    end_ms = samples_to_ms(max(0, min(int(played), received)), client.conversation.output_rate)
    client.realtime.send("conversation.item.truncate",
                         {"item_id": item["id"], "content_index": index, "audio_end_ms": end_ms})
