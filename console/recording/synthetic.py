"""Realistic synthetic sessions, for tests and the benchmark.

`SessionBuilder` produces the event sequence a real session of either protocol produces
(the GA event ordering, and its beta names), with a simulated clock,
so tests can check `inspect` numbers against values chosen by construction and the
benchmark can write a multi-hour recording quickly. The events go through the real
`SessionRecorder` when written to a file.
"""

from __future__ import annotations

import base64
import itertools
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from console.realtime.audio import encode_base64

from .writer import SessionRecorder

RATE = 24_000
Event = tuple[str, str, dict[str, Any]]  # (time ISO, source, event)


def tone(ms: int, freq: float = 220.0, amplitude: int = 8000) -> np.ndarray:
    """`ms` of a sine tone as int16 at 24 kHz (deterministic, so tests can compare audio)."""
    n = ms * RATE // 1000
    return (np.sin(2 * np.pi * freq * np.arange(n) / RATE) * amplitude).astype(np.int16)


class SessionBuilder:
    """Builds one session's events with a simulated clock.

    Args:
        protocol: "ga" or "beta" (event names and item shapes follow it).
        model: recorded in the header and `session.created`.
        start: wall-clock time of the first event.
        chunk_ms: input append size and output delta size.
        fast_audio: reuse one pre-encoded chunk of audio for every delta (the benchmark's
            choice: generating gigabytes of distinct base64 would dominate its run time).
    """

    def __init__(
        self,
        protocol: str = "ga",
        model: str = "gpt-realtime",
        start: datetime | None = None,
        chunk_ms: int = 100,
        fast_audio: bool = False,
    ) -> None:
        self.protocol = protocol
        self.model = model
        self.start = start or datetime(2026, 11, 24, 15, 46, 2, tzinfo=timezone.utc)
        self.t = 0.0
        self.chunk_ms = chunk_ms
        self.fast_audio = fast_audio
        self._fast_chunk = encode_base64(tone(chunk_ms, 330.0))
        self.events: list[Event] = []
        self.input_ms = 0  # input audio appended so far (the VAD clock)
        self._ids = itertools.count(1)
        self._barge_in: tuple[str, int] | None = None
        self.sink: Any = None  # a callable(time, source, event) to stream instead of storing

    # --- basics -----------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):04d}"

    def iso(self, t: float | None = None) -> str:
        when = self.start + timedelta(seconds=self.t if t is None else t)
        return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def emit(self, source: str, event: dict[str, Any]) -> dict[str, Any]:
        """Add one event at the current time (server events get an `event_id`)."""
        if "event_id" not in event:
            event = {"type": event["type"], "event_id": self._id("event_" if source == "server" else "evt_"), **event}
        if self.sink is not None:
            self.sink(self.iso(), source, event)
        else:
            self.events.append((self.iso(), source, event))
        return event

    def wait(self, ms: float) -> None:
        self.t += ms / 1000.0

    def name(self, ga: str) -> str:
        """The event name in this builder's protocol."""
        from console.realtime.protocol import GA_TO_BETA

        return ga if self.protocol == "ga" else GA_TO_BETA.get(ga, ga)

    def _audio_b64(self, ms: int, freq: float) -> str:
        return self._fast_chunk if self.fast_audio and ms == self.chunk_ms else encode_base64(tone(ms, freq))

    # --- session --------------------------------------------------------------------------

    def session(self, vad: bool = True) -> None:
        """session.update sent, session.created and session.updated received."""
        td = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 200}
        if self.protocol == "ga":
            sess = {"type": "realtime", "model": self.model, "output_modalities": ["audio"],
                    "audio": {"input": {"format": {"type": "audio/pcm", "rate": RATE},
                                        "transcription": {"model": "whisper-1"},
                                        "turn_detection": td if vad else None},
                              "output": {"format": {"type": "audio/pcm", "rate": RATE}, "voice": "marin"}}}
        else:
            sess = {"model": self.model, "modalities": ["text", "audio"], "voice": "verse",
                    "input_audio_format": "pcm16", "output_audio_format": "pcm16",
                    "input_audio_transcription": {"model": "whisper-1"},
                    "turn_detection": td if vad else None}
        update = {k: v for k, v in sess.items() if k != "model"}
        self.emit("client", {"type": "session.update", "session": update})
        self.wait(120)
        self.emit("server", {"type": "session.created", "session": {"id": self._id("sess_"), "object": "realtime.session", **sess}})
        self.wait(5)
        self.emit("server", {"type": "session.updated", "session": {"id": "sess_0001", **sess}})

    # --- user input -----------------------------------------------------------------------

    def append_audio(self, ms: int, freq: float = 220.0) -> None:
        """Stream `ms` of microphone audio in real time, one append per chunk."""
        left = ms
        while left > 0:
            chunk = min(self.chunk_ms, left)
            self.emit("client", {"type": "input_audio_buffer.append", "audio": self._audio_b64(chunk, freq)})
            self.input_ms += chunk
            self.wait(chunk)
            left -= chunk

    def _user_item(self, item_id: str, content: list[dict[str, Any]]) -> None:
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "user",
                "status": "completed", "content": content}
        if self.protocol == "ga":
            self.emit("server", {"type": "conversation.item.added", "previous_item_id": None, "item": item})
            self.emit("server", {"type": "conversation.item.done", "previous_item_id": None, "item": item})
        else:
            self.emit("server", {"type": "conversation.item.created", "previous_item_id": None, "item": item})

    def user_speech(self, speech_ms: int, transcript: str | None, silence_ms: int = 300,
                    transcript_usage: bool = True) -> str:
        """The user speaks (server VAD): appends, speech_started/stopped, commit, user item.

        Returns the user item's id. The clock ends at speech_stopped's arrival plus the
        commit, i.e. the point latency is measured from is `self.speech_end_t`.
        """
        barge_in, self._barge_in = self._barge_in, None
        if barge_in is not None:  # speech already started while the last response played
            item_id = barge_in[0]
        else:
            item_id = self._id("item_u")
            self.append_audio(silence_ms, 0.0)
            self.emit("server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": self.input_ms,
                                 "item_id": item_id})
        self.append_audio(speech_ms)
        end_ms = self.input_ms
        self.append_audio(200, 0.0)  # the silence VAD waits for
        self.emit("server", {"type": "input_audio_buffer.speech_stopped", "audio_end_ms": end_ms, "item_id": item_id})
        self.speech_end_t = self.t
        self.emit("server", {"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": item_id})
        self._user_item(item_id, [{"type": "input_audio", "transcript": None}])
        self._pending_transcript = (item_id, transcript, transcript_usage)
        return item_id

    def transcript_done(self) -> None:
        """The asynchronous input transcription arrives (for the last user speech)."""
        pending = getattr(self, "_pending_transcript", None)
        if not pending:
            return
        item_id, text, usage = pending
        self._pending_transcript = None
        if text is None:
            self.emit("server", {"type": "conversation.item.input_audio_transcription.failed", "item_id": item_id,
                                 "content_index": 0, "error": {"type": "transcription_error", "code": "audio_unintelligible",
                                                               "message": "could not transcribe"}})
            return
        event: dict[str, Any] = {"type": "conversation.item.input_audio_transcription.completed", "item_id": item_id,
                                 "content_index": 0, "transcript": text}
        if usage:
            event["usage"] = {"type": "tokens", "input_tokens": 20, "output_tokens": 5, "total_tokens": 25}
        self.emit("server", event)

    def user_text(self, text: str) -> str:
        """The client creates a user text message (and the server echoes the item)."""
        item_id = self._id("item_t")
        content = [{"type": "input_text", "text": text}]
        self.emit("client", {"type": "conversation.item.create",
                             "item": {"id": item_id, "type": "message", "role": "user", "content": content}})
        self.speech_end_t = self.t
        self.wait(30)
        self._user_item(item_id, content)
        return item_id

    def manual_commit(self, speech_ms: int) -> str:
        """Push-to-talk: appends, then the client commits; returns the user item id."""
        item_id = self._id("item_m")
        self.append_audio(speech_ms)
        self.emit("client", {"type": "input_audio_buffer.commit"})
        self.speech_end_t = self.t
        self.wait(40)
        self.emit("server", {"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": item_id})
        self._user_item(item_id, [{"type": "input_audio", "transcript": None}])
        self._pending_transcript = None
        return item_id

    def response_create(self) -> None:
        self.emit("client", {"type": "response.create"})

    # --- responses ------------------------------------------------------------------------

    def response(
        self,
        *,
        latency_ms: float = 400,
        transcript: str = "Hello there, how can I help?",
        audio_ms: int = 1000,
        text_only: bool = False,
        delta_gap_ms: float = 20,
        cancel_after_deltas: int | None = None,
        usage: dict[str, Any] | None = None,
        webrtc: bool = False,
        function_call: tuple[str, str] | None = None,
        transcript_after_deltas: int = 2,
        client_cancels: bool = False,
    ) -> dict[str, Any]:
        """One response: created, its item, interleaved deltas, dones, response.done.

        `latency_ms` is the time from now to the first delta. With `cancel_after_deltas`,
        the user barges in after that many audio deltas: speech_started arrives, the
        response ends `cancelled` (turn_detected) and the client truncates the item.
        Call `user_speech` next to finish the barging-in speech. With `client_cancels`
        the client also sends `response.cancel` on the barge-in.
        With `webrtc`, no audio deltas are sent (audio goes over the media track):
        `output_audio_buffer.started/stopped` instead. Returns facts for assertions.
        """
        resp_id = self._id("resp_")
        item_id = self._id("item_a")
        facts: dict[str, Any] = {"response_id": resp_id, "item_id": item_id}
        self.wait(min(60.0, latency_ms / 2))
        self.emit("server", {"type": "response.created", "response": {"id": resp_id, "object": "realtime.response",
                                                                         "status": "in_progress", "output": []}})
        if function_call is not None:
            return self._function_call_response(resp_id, item_id, function_call, latency_ms, facts, usage)
        self.wait(latency_ms - min(60.0, latency_ms / 2))
        item = {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant",
                "status": "in_progress", "content": []}
        self.emit("server", {"type": "response.output_item.added", "response_id": resp_id, "output_index": 0, "item": item})
        if self.protocol == "ga":
            self.emit("server", {"type": "conversation.item.added", "previous_item_id": None, "item": item})
        else:
            self.emit("server", {"type": "conversation.item.created", "previous_item_id": None, "item": item})
        part_type = "text" if text_only else "audio"
        self.emit("server", {"type": "response.content_part.added", "response_id": resp_id, "item_id": item_id,
                             "output_index": 0, "content_index": 0, "part": {"type": part_type, "transcript": ""}})
        facts["first_delta_t"] = self.t
        words = [w + " " for w in transcript.split(" ")]
        words[-1] = words[-1].rstrip()
        ids = dict(response_id=resp_id, item_id=item_id, output_index=0, content_index=0)
        n_audio = 0 if text_only or webrtc else max(1, audio_ms // self.chunk_ms)
        if webrtc and not text_only:
            self.emit("server", {"type": "output_audio_buffer.started", "response_id": resp_id})
        sent_text = ""
        cancelled = False
        lag = transcript_after_deltas if n_audio else 0
        facts["first_text_t"] = self.t + lag * delta_gap_ms / 1000.0
        text_kind = "response.output_text.delta" if text_only else "response.output_audio_transcript.delta"
        for i in range(max(n_audio, len(words) + lag)):
            if i < n_audio:
                self.emit("server", {"type": self.name("response.output_audio.delta"), **ids,
                                     "delta": self._audio_b64(self.chunk_ms, 440.0)})
            if 0 <= i - lag < len(words):
                self.emit("server", {"type": self.name(text_kind), **ids, "delta": words[i - lag]})
                sent_text += words[i - lag]
            if i == 0:
                self.transcript_done()  # input transcription arrives while the response streams
            self.wait(delta_gap_ms)
            if cancel_after_deltas is not None and i + 1 >= cancel_after_deltas:
                cancelled = True
                break
        facts["cancelled"] = cancelled
        status = "completed"
        details = None
        if cancelled:
            self.wait(50)
            self._barge_in = (self._id("item_u"), self.input_ms)
            self.emit("server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": self.input_ms,
                                 "item_id": self._barge_in[0]})
            if client_cancels:  # the app also cancels on the barge-in (a no-op race with VAD)
                self.emit("client", {"type": "response.cancel"})
            played_ms = (cancel_after_deltas or 0) * self.chunk_ms // 2
            facts["truncate_ms"] = played_ms
            status, details = "cancelled", {"type": "cancelled", "reason": "turn_detected"}
            self.emit("server", {"type": "response.done", "response": self._response_obj(
                resp_id, status, details, item_id, sent_text, text_only, usage)})
            self.wait(10)
            self.emit("client", {"type": "conversation.item.truncate", "item_id": item_id, "content_index": 0,
                                 "audio_end_ms": played_ms})
            self.wait(30)
            self.emit("server", {"type": "conversation.item.truncated", "item_id": item_id, "content_index": 0,
                                 "audio_end_ms": played_ms})
            facts["done_t"] = None
            return facts
        if n_audio:
            self.emit("server", {"type": self.name("response.output_audio.done"), **ids})
        if webrtc and not text_only:
            self.emit("server", {"type": "output_audio_buffer.stopped", "response_id": resp_id})
        done_kind = "response.output_text.done" if text_only else "response.output_audio_transcript.done"
        key = "text" if text_only else "transcript"
        self.emit("server", {"type": self.name(done_kind), **ids, key: sent_text})
        self.emit("server", {"type": "response.content_part.done", **ids, "part": {"type": part_type, key: sent_text}})
        self.wait(5)
        final = self._assistant_item(item_id, sent_text, text_only)
        if self.protocol == "ga":
            self.emit("server", {"type": "conversation.item.done", "previous_item_id": None, "item": final})
        self.emit("server", {"type": "response.output_item.done", "response_id": resp_id, "output_index": 0, "item": final})
        self.wait(5)
        facts["done_t"] = self.t
        self.emit("server", {"type": "response.done", "response": self._response_obj(
            resp_id, status, details, item_id, sent_text, text_only, usage)})
        self.emit("server", {"type": "rate_limits.updated", "rate_limits": [
            {"name": "tokens", "limit": 40000, "remaining": 39000, "reset_seconds": 1.5}]})
        facts["text"] = sent_text
        return facts

    def _assistant_item(self, item_id: str, text: str, text_only: bool) -> dict[str, Any]:
        if text_only:
            part = {"type": "output_text" if self.protocol == "ga" else "text", "text": text}
        else:
            part = {"type": "output_audio" if self.protocol == "ga" else "audio", "transcript": text}
        return {"id": item_id, "object": "realtime.item", "type": "message", "role": "assistant",
                "status": "completed", "content": [part]}

    def _response_obj(self, resp_id: str, status: str, details: Any, item_id: str, text: str,
                      text_only: bool, usage: dict[str, Any] | None) -> dict[str, Any]:
        usage = usage if usage is not None else default_usage()
        obj: dict[str, Any] = {"id": resp_id, "object": "realtime.response", "status": status,
                               "status_details": details, "output": [self._assistant_item(item_id, text, text_only)]}
        if usage:
            obj["usage"] = usage
        return obj

    def _function_call_response(self, resp_id: str, item_id: str, call: tuple[str, str], latency_ms: float,
                                facts: dict[str, Any], usage: dict[str, Any] | None) -> dict[str, Any]:
        name, arguments = call
        call_id = self._id("call_")
        self.wait(latency_ms - min(60.0, latency_ms / 2))
        item = {"id": item_id, "object": "realtime.item", "type": "function_call", "status": "in_progress",
                "name": name, "call_id": call_id, "arguments": ""}
        self.emit("server", {"type": "response.output_item.added", "response_id": resp_id, "output_index": 0, "item": item})
        ids = dict(response_id=resp_id, item_id=item_id, output_index=0, call_id=call_id)
        self.emit("server", {"type": "response.function_call_arguments.delta", **ids, "delta": arguments})
        self.emit("server", {"type": "response.function_call_arguments.done", **ids, "name": name, "arguments": arguments})
        final = {**item, "status": "completed", "arguments": arguments}
        self.emit("server", {"type": "response.output_item.done", "response_id": resp_id, "output_index": 0, "item": final})
        self.emit("server", {"type": "response.done", "response": {
            "id": resp_id, "object": "realtime.response", "status": "completed", "status_details": None,
            "output": [final], "usage": usage if usage is not None else default_usage()}})
        facts.update(call_id=call_id, done_t=self.t)
        return facts

    def function_output(self, call_id: str, output: str) -> None:
        self.emit("client", {"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": call_id, "output": output}})

    def error(self, code: str | None, message: str, caused_by: str | None = None,
              error_type: str = "invalid_request_error") -> None:
        self.emit("server", {"type": "error", "error": {"type": error_type, "code": code, "message": message,
                                                          "param": None, "event_id": caused_by}})

    # --- output -----------------------------------------------------------------------

    def write(self, path: str | os.PathLike[str], endpoint: str = "ws://127.0.0.1:8765/v1/realtime") -> None:
        """Write the events through a real `SessionRecorder`."""
        with SessionRecorder(path, endpoint=endpoint, protocol=self.protocol, model=self.model,
                             started_at=self.iso(0.0)) as rec:
            for t, source, event in self.events:
                rec.record(t, source, event)

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)


def default_usage(text_in: int = 100, audio_in: int = 50, cached_text: int = 40, cached_audio: int = 10,
                  text_out: int = 20, audio_out: int = 80) -> dict[str, Any]:
    """A `response.done` usage block with the given token counts."""
    return {
        "total_tokens": text_in + audio_in + text_out + audio_out,
        "input_tokens": text_in + audio_in,
        "output_tokens": text_out + audio_out,
        "input_token_details": {"text_tokens": text_in, "audio_tokens": audio_in, "cached_tokens": cached_text + cached_audio,
                                "cached_tokens_details": {"text_tokens": cached_text, "audio_tokens": cached_audio}},
        "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
    }


def decode_b64_pcm(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<i2")
