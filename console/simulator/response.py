"""One response being generated: the events of `response.create`, streamed as a task.

A response runs as its own asyncio task so `response.cancel`, `output_audio_buffer.clear`
and barge-in (VAD speech while the assistant talks) can stop it mid-stream. Like
upstream, a cancelled response closes what it opened before `response.done` (status
`cancelled`): the `.done` events of the unfinished part with what was sent so far,
`response.content_part.done`, `conversation.item.done` (GA) and
`response.output_item.done` with the item `incomplete`. A cancel is cooperative: it is
noticed between deltas (at the pacing points), never in the middle of sending one, so
"what was sent so far" is exact. Audio goes out
in 100 ms deltas paced in real time (or as fast as possible in fast mode) with the
transcript delta of each word just before the audio that speaks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from typing import Protocol as Interface

from console.realtime.audio import Int16Buffer, encode_base64
from console.realtime.protocol import (
    BETA_TO_GA,
    AudioCodec,
    Protocol,
    audio_codec,
    ga_audio_format,
    new_event_id,
    sample_rate,
)

from . import voice
from .conversation import Conversation, Item, Part
from .images import part_image_tokens
from .responder import Reply
from .session import Session

logger = logging.getLogger("console.simulator")

AUDIO_DELTA_MS = 100
TEXT_DELTA_PACE_S = 0.025
ARGUMENT_CHUNK = 12
FAST_YIELD_EVERY = 8  #: in fast mode, deltas sent between yields to the event loop


class ResponseHost(Interface):
    """What a response needs from the connection it runs on.

    Declared here rather than importing `Connection`, which imports this module to
    start responses: the dependency goes one way only.
    """

    protocol: Protocol
    fast: bool
    session: Session
    conversation: Conversation

    async def send(self, event: dict[str, Any]) -> None:
        """Send one server event to the client (through fault injection)."""

    def obfuscation(self) -> str:
        """Random padding for a GA delta's `obfuscation` field."""

    async def response_finished(self, run: ResponseRun) -> None:
        """Called once the response sent `response.done`."""


class _CancelRequested(Exception):
    """Raised at a pacing point once a cancel was requested; `run` turns it into `cancelled`."""


@dataclass
class ResponseParams:
    """A response's settings after per-response overrides were applied to the session's."""

    modalities: tuple[str, ...]
    voice: str
    output_codec: AudioCodec
    out_of_band: bool  #: conversation "none": items are not added to the conversation
    max_output_tokens: int | None
    metadata: dict[str, Any] | None = None
    temperature: float | None = None

    @classmethod
    def resolve(cls, protocol: Protocol, session: Session, overrides: dict[str, Any]) -> ResponseParams:
        """The session's settings with a `response.create`'s (already checked) overrides applied."""
        settings = session.settings
        if protocol == "beta":
            modalities = overrides.get("modalities")
            voice = overrides.get("voice", settings.voice)
            codec = overrides.get("output_audio_format", settings.output_codec)
            limit = overrides.get("max_response_output_tokens", session.data.get("max_response_output_tokens"))
        else:
            modalities = overrides.get("output_modalities")
            out = (overrides.get("audio") or {}).get("output") or {}
            voice = out.get("voice", settings.voice)
            codec = audio_codec(out["format"]) if "format" in out else settings.output_codec
            limit = overrides.get("max_output_tokens", session.data.get("max_output_tokens"))
        return cls(
            modalities=tuple(modalities or settings.modalities), voice=voice, output_codec=codec,
            out_of_band=overrides.get("conversation") == "none",
            max_output_tokens=None if limit in (None, "inf") else int(limit),
            metadata=overrides.get("metadata"), temperature=overrides.get("temperature"),
        )


@dataclass
class Usage:
    input_text: int = 0
    input_audio: int = 0
    input_image: int = 0
    output_text: int = 0
    output_audio: int = 0

    def render(self, protocol: str = "ga") -> dict[str, Any]:
        """Upstream's usage block (GA adds image and cached-token details)."""
        input_tokens = self.input_text + self.input_audio + self.input_image
        output_tokens = self.output_text + self.output_audio
        input_details: dict[str, Any] = {"text_tokens": self.input_text, "audio_tokens": self.input_audio,
                                         "cached_tokens": 0}
        if protocol == "ga":
            input_details["image_tokens"] = self.input_image
            input_details["cached_tokens_details"] = {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0}
        return {
            "total_tokens": input_tokens + output_tokens,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "input_token_details": input_details,
            "output_token_details": {"text_tokens": self.output_text, "audio_tokens": self.output_audio},
        }

    @property
    def total(self) -> int:
        return self.input_text + self.input_audio + self.input_image + self.output_text + self.output_audio


def text_tokens(text: str) -> int:
    """Roughly upstream's count: one token per four characters."""
    return math.ceil(len(text) / 4)


def audio_tokens(ms: int) -> int:
    """Roughly upstream's count: one token per 50 ms of audio."""
    return math.ceil(ms / 50)


@dataclass
class ResponseRun:
    """State and task of one response."""

    conn: ResponseHost
    params: ResponseParams
    reply: Reply
    input_items: list[Item]
    id: str = field(default_factory=lambda: new_event_id("resp_"))
    status: str = "in_progress"
    status_details: dict[str, Any] | None = None
    output: list[Item] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cancel_reason: str | None = None
    task: asyncio.Task[None] | None = None
    _open_item: Item | None = None
    #: Sends the closing events of the content part or arguments being streamed, if any.
    _close_stream: Callable[[], Awaitable[None]] | None = None
    _cancel_requested: asyncio.Event = field(default_factory=asyncio.Event)
    _unpaced: int = 0

    def request_cancel(self, reason: str) -> None:
        """Ask the stream to stop at its next pacing point (`client_cancelled` / `turn_detected`)."""
        if self.cancel_reason is None:
            self.cancel_reason = reason
        self._cancel_requested.set()

    def _check_cancel(self) -> None:
        if self.cancel_reason is not None:
            raise _CancelRequested

    # --- rendering ----------------------------------------------------------------

    def _name(self, beta_type: str) -> str:
        return BETA_TO_GA.get(beta_type, beta_type) if self.conn.protocol == "ga" else beta_type

    def render(self) -> dict[str, Any]:
        """The response object as `response.created` / `response.done` carry it."""
        protocol = self.conn.protocol
        out: dict[str, Any] = {
            "id": self.id,
            "object": "realtime.response",
            "status": self.status,
            "status_details": self.status_details,
            "output": [item.render(protocol) for item in self.output],
            "conversation_id": None if self.params.out_of_band else self.conn.conversation.id,
            "max_output_tokens": self.params.max_output_tokens or "inf",
            "metadata": self.params.metadata,
            "usage": self.usage.render(protocol) if self.status != "in_progress" else None,
        }
        if protocol == "beta":
            out.update(modalities=list(self.params.modalities), voice=self.params.voice,
                       output_audio_format=self.params.output_codec, temperature=self.params.temperature or 0.8)
        else:
            out.update(output_modalities=["audio" if "audio" in self.params.modalities else "text"],
                       audio={"output": {"format": ga_audio_format(self.params.output_codec), "voice": self.params.voice}})
        return out

    def audio_ms(self) -> int:
        """Milliseconds of audio this response produced (what a client has to play)."""
        return sum(part.audio_ms() for item in self.output for part in item.content)

    async def _send(self, event: dict[str, Any]) -> None:
        await self.conn.send(event)

    async def _delta(self, beta_type: str, **fields: Any) -> None:
        event = {"type": self._name(beta_type), "event_id": new_event_id(), "response_id": self.id, **fields}
        if self.conn.protocol == "ga":
            event["obfuscation"] = self.conn.obfuscation()
        await self._send(event)

    async def _pace(self, until: float) -> None:
        """Wait for the next delta's time (or just yield in fast mode); where cancels land."""
        if self.conn.fast:
            self._unpaced += 1
            if self._unpaced % FAST_YIELD_EVERY == 0:  # let cancels and other sessions in
                await asyncio.sleep(0)
        else:
            delay = until - time.monotonic()
            if delay > 0 and not self._cancel_requested.is_set():
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._cancel_requested.wait()
        self._check_cancel()

    # --- the stream ---------------------------------------------------------------

    async def run(self) -> None:
        """Stream the response; ends with `response.done` whatever happens (except shutdown)."""
        for item in self.input_items:
            for part in item.content:
                self.usage.input_text += text_tokens(part.text or "")
                self.usage.input_audio += audio_tokens(part.audio_ms())
                self.usage.input_image += part_image_tokens(part)
        await self._send({"type": "response.created", "event_id": new_event_id(), "response": self.render()})
        try:
            self._check_cancel()
            if self.reply.mcp is not None:
                await self.reply.mcp(self)
            elif self.reply.call is not None:
                await self._function_call()
            else:
                await self._message()
            if self.status == "in_progress":
                self.status = "completed"
        except _CancelRequested:  # (a task cancel, i.e. shutdown or expiry, propagates: no response.done)
            self.status = "cancelled"
            self.status_details = {"type": "cancelled", "reason": self.cancel_reason}
            await self._close_open()
        except Exception as exc:  # a simulator bug: fail in-band like upstream, keep the session usable
            logger.exception("simulator failed while generating a response")
            self.status = "failed"
            self.status_details = {"type": "failed", "error": {
                "type": "server_error", "code": None, "message": f"The simulator failed: {exc!r}"}}
        await self._send({"type": "response.done", "event_id": new_event_id(), "response": self.render()})
        await self.conn.response_finished(self)

    async def _close_open(self) -> None:
        """Close what a cancelled stream opened: the part (or arguments), then the item."""
        if self._close_stream is not None:
            close, self._close_stream = self._close_stream, None
            await close()
        if self._open_item is not None:
            await self._finish_item(self._open_item, "incomplete")

    async def _add_item(self, item: Item) -> int:
        output_index = len(self.output)
        self.output.append(item)
        self._open_item = item
        await self._send({"type": "response.output_item.added", "event_id": new_event_id(), "response_id": self.id,
                          "output_index": output_index, "item": item.render(self.conn.protocol)})
        if not self.params.out_of_band:
            previous = self.conn.conversation.insert(item)
            await self._send({"type": self._name("conversation.item.created"), "event_id": new_event_id(),
                              "previous_item_id": previous, "item": item.render(self.conn.protocol)})
        return output_index

    async def _finish_item(self, item: Item, status: str) -> None:
        item.status = status
        self._open_item = None
        rendered = item.render(self.conn.protocol)
        if self.conn.protocol == "ga" and not self.params.out_of_band:
            await self._send({"type": "conversation.item.done", "event_id": new_event_id(), "item": rendered})
        await self._send({"type": "response.output_item.done", "event_id": new_event_id(), "response_id": self.id,
                          "output_index": self.output.index(item), "item": rendered})

    async def _function_call(self) -> None:
        call = self.reply.call
        assert call is not None
        item = Item(id=new_event_id("item_"), type="function_call", status="in_progress", name=call.name,
                    call_id=new_event_id("call_"), arguments="")
        output_index = await self._add_item(item)
        ids = {"item_id": item.id, "output_index": output_index, "call_id": item.call_id}
        self._close_stream = lambda: self._close_arguments(item, ids)
        started = time.monotonic()
        for index in range(0, len(call.arguments), ARGUMENT_CHUNK):
            chunk = call.arguments[index:index + ARGUMENT_CHUNK]
            item.arguments = (item.arguments or "") + chunk
            await self._delta("response.function_call_arguments.delta", delta=chunk, **ids)
            await self._pace(started + TEXT_DELTA_PACE_S * (index // ARGUMENT_CHUNK + 1))
        self._close_stream = None
        await self._close_arguments(item, ids)
        await self._finish_item(item, "completed")

    async def _close_arguments(self, item: Item, ids: dict[str, Any]) -> None:
        """`function_call_arguments.done` with the arguments sent so far (all of them unless cancelled)."""
        arguments = item.arguments or ""
        self.usage.output_text += text_tokens(arguments)
        done = {"type": "response.function_call_arguments.done", "event_id": new_event_id(), "response_id": self.id,
                "arguments": arguments, **ids}
        if self.conn.protocol == "ga":
            done["name"] = item.name
        await self._send(done)

    def _limited_text(self) -> str:
        text = self.reply.text
        limit = self.params.max_output_tokens
        per_token = 1 if "audio" in self.params.modalities else 4  # audio spends tokens faster
        if limit is not None and len(text) > limit * per_token:
            self.status = "incomplete"
            self.status_details = {"type": "incomplete", "reason": "max_output_tokens"}
            return text[: max(1, limit * per_token)]
        return text

    async def _message(self) -> None:
        text = self._limited_text()
        audio = "audio" in self.params.modalities
        item = Item(id=new_event_id("item_"), type="message", role="assistant", status="in_progress")
        output_index = await self._add_item(item)
        ids = {"item_id": item.id, "output_index": output_index, "content_index": 0}
        if audio:
            part = Part("audio", transcript="", audio=Int16Buffer(), codec=self.params.output_codec)
        else:
            part = Part("text", text="")
        item.content.append(part)
        await self._send({"type": "response.content_part.added", "event_id": new_event_id(), "response_id": self.id,
                          **ids, "part": {"type": part.kind, **({"transcript": ""} if audio else {"text": ""})}})
        self._close_stream = lambda: self._close_part(part, ids)
        if audio:
            await self._stream_audio(part, text, ids)
        else:
            await self._stream_text(part, text, ids)
        self._close_stream = None
        await self._close_part(part, ids)
        await self._finish_item(item, "incomplete" if self.status == "incomplete" else "completed")

    async def _close_part(self, part: Part, ids: dict[str, Any]) -> None:
        """The part's `.done` events and `content_part.done`, with what was streamed so far."""
        if part.kind == "audio":
            await self._send({"type": self._name("response.audio.done"), "event_id": new_event_id(),
                              "response_id": self.id, **ids})
            await self._send({"type": self._name("response.audio_transcript.done"), "event_id": new_event_id(),
                              "response_id": self.id, **ids, "transcript": part.transcript or ""})
            self.usage.output_audio += audio_tokens(part.audio_ms())
            self.usage.output_text += text_tokens(part.transcript or "")
            done_part = {"type": "audio", "transcript": part.transcript or ""}
        else:
            await self._send({"type": self._name("response.text.done"), "event_id": new_event_id(),
                              "response_id": self.id, **ids, "text": part.text or ""})
            self.usage.output_text += text_tokens(part.text or "")
            done_part = {"type": "text", "text": part.text or ""}
        await self._send({"type": "response.content_part.done", "event_id": new_event_id(), "response_id": self.id,
                          **ids, "part": done_part})

    async def _stream_text(self, part: Part, text: str, ids: dict[str, Any]) -> None:
        started = time.monotonic()
        for index, word in enumerate(re.findall(r"\s*\S+", text)):
            part.text = (part.text or "") + word
            await self._delta("response.text.delta", delta=word, **ids)
            await self._pace(started + TEXT_DELTA_PACE_S * (index + 1))

    async def _stream_audio(self, part: Part, text: str, ids: dict[str, Any]) -> None:
        rate = sample_rate(self.params.output_codec)
        samples, marks = voice.synthesise_marked(text, rate)
        step = rate * AUDIO_DELTA_MS // 1000
        assert part.audio is not None
        started = time.monotonic()
        next_mark = 0
        for chunk_index, start in enumerate(range(0, len(samples), step)):
            chunk = samples[start:start + step]
            while next_mark < len(marks) and marks[next_mark].start < start + len(chunk):
                word = marks[next_mark].text
                part.transcript = (part.transcript or "") + word
                await self._delta("response.audio_transcript.delta", delta=word, **ids)
                next_mark += 1
            part.audio.append(chunk)
            await self._delta("response.audio.delta", delta=encode_base64(chunk, self.params.output_codec), **ids)
            self.conn.session.lock_voice()  # upstream: no voice change once the model has spoken
            await self._pace(started + (chunk_index + 1) * AUDIO_DELTA_MS / 1000)
