"""One client connection to the simulator: event dispatch and the input audio buffer.

Reads client events in order, checks them (`validation`), applies them to the session,
the conversation and the input buffer, and starts responses (`response`). Every
outgoing event passes through `send`, where fault injection applies. Client mistakes
become `error` events and the connection stays open; fatal errors close it with
upstream's codes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Any
from typing import Protocol as TypingProtocol

from websockets.exceptions import ConnectionClosed

from console.realtime.audio import Int16Buffer, samples_to_ms
from console.realtime.protocol import Protocol, new_event_id

from .conversation import Conversation, Item, Part, audio_part
from .errors import ApiError, FatalError
from .faults import FaultInjector, FaultPlan
from .idle import IdleTimer
from .mcp import McpState
from .mcp_schema import function_tools
from .responder import Context, Reply, Rule, choose_reply
from .response import ResponseParams, ResponseRun, audio_tokens, text_tokens
from .session import Session
from .vad import EnergyVad
from .validation import (
    RESPONSE,
    check_client_event,
    client_event_id,
    decode_audio,
    parse_item,
)
from .voice import synthesise

MIN_COMMIT_MS = 100
#: In VAD mode, idle input audio kept before speech (upstream keeps a bounded window too);
#: at least the prefix padding, so a long-running session streaming silence stays small.
IDLE_INPUT_KEEP_MS = 1000
#: In real-time mode, how long input transcription "takes" (fast mode sends it at once).
TRANSCRIPTION_DELAY_S = 0.15
logger = logging.getLogger("console.simulator")


@dataclass(frozen=True)
class ServerSettings:
    """What a connection needs from the server that accepted it.

    The server hands these values over instead of itself, so this module does not
    import the server (which imports this module to create connections).
    """

    fast: bool = False
    seed: int = 0
    session_duration_s: float = 3600.0
    faults: FaultPlan | None = None
    rules: tuple[Rule, ...] = ()


class Wire(TypingProtocol):
    """Where a session's server events go: its WebSocket, or every sideband of a call."""

    async def send(self, message: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class Connection:
    """A live simulated session, sending on one `Wire` (a WebSocket, or a call's sidebands)."""

    def __init__(self, settings: ServerSettings, ws: Wire, protocol: Protocol, model: str,
                 index: int) -> None:
        self.settings = settings
        self.ws = ws
        self.protocol: Protocol = protocol
        self.fast = settings.fast
        self.session = Session(protocol, model, settings.session_duration_s)
        self.conversation = Conversation()
        self._rng = random.Random(f"{settings.seed}:{index}")
        self.injector: FaultInjector | None = None
        self.set_faults(settings.faults)
        self.input = Int16Buffer()
        self.input_start = 0  #: session sample index of `input[0]`
        self.total_input = 0  #: input samples received this session
        self.vad: EnergyVad | None = None
        self.speech_item_id: str | None = None
        self.speech_start_ms = 0
        self.idle = IdleTimer(self._idle_timeout, self.spawn)
        self.active: ResponseRun | None = None
        self.last_response: ResponseRun | None = None
        self.mcp = McpState()
        self.sent_counts: Counter[str] = Counter()  #: events sent per type (bounded, for debugging)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reset_vad()

    # --- sending ------------------------------------------------------------------

    def set_faults(self, plan: FaultPlan | None) -> None:
        """Apply (or with None, remove) a fault plan for this connection from now on."""
        self.injector = FaultInjector(plan, self._send_text, self.close) if plan else None

    async def _send_text(self, text: str) -> None:
        try:
            await self.ws.send(text)
        except ConnectionClosed:
            pass

    async def send(self, event: dict[str, Any]) -> None:
        self.sent_counts[event["type"]] += 1
        if self.injector is not None:
            await self.injector.send(event)
        else:
            await self._send_text(json.dumps(event))

    async def close(self, code: int, reason: str) -> None:
        await self.ws.close(code, reason)

    async def fatal(self, error: FatalError, client_event_id: str | None = None) -> None:
        """Send a fatal error and close with upstream's code and `<type>.<code>` reason."""
        await self.send(error.event(client_event_id))
        await self.close(error.close_code, error.close_reason)

    def obfuscation(self) -> str:
        """Random padding like upstream's, so delta sizes do not leak content length (4-15 chars)."""
        bits = self._rng.getrandbits(64)
        return f"{bits:016x}"[: 4 + bits % 12]

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # --- lifecycle ----------------------------------------------------------------

    async def run(self, incoming: AsyncIterable[str | bytes]) -> None:
        """Serve a WebSocket session: `session.created`, then every client frame until it closes."""
        await self.send({"type": "session.created", "event_id": new_event_id(), "session": self.session.snapshot()})
        self.begin()
        try:
            async for message in incoming:
                await self.handle(message)
        except ConnectionClosed:
            pass
        finally:
            await self.shutdown()

    def begin(self) -> None:
        """Start the session's clock (it expires after the session duration)."""
        self.spawn(self._expire())

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _expire(self) -> None:
        await asyncio.sleep(self.settings.session_duration_s)
        if self.active is not None and self.active.task is not None:
            self.active.task.cancel()  # a task cancel (not `request_cancel`): no response.done, the session ends
        await self.fatal(FatalError("session_expired", "Your session hit the maximum duration of "
                                    f"{self.settings.session_duration_s:g} seconds.", 1000))

    # --- dispatch -----------------------------------------------------------------

    async def handle(self, message: str | bytes) -> None:
        """Handle one client frame; any client mistake becomes an `error` event."""
        event_id: str | None = None
        try:
            if isinstance(message, bytes):
                raise ApiError("invalid_event", "Binary frames are not supported: send JSON text frames.")
            try:
                event = json.loads(message)
            except json.JSONDecodeError as exc:
                raise ApiError("invalid_json", f"The event is not valid JSON: {exc.msg} "
                               f"(line {exc.lineno} column {exc.colno}).") from None
            event_id = client_event_id(event)
            event_type = check_client_event(event, self.protocol)
            handler = getattr(self, "on_" + event_type.replace(".", "_"))
            await handler(event)
        except ApiError as error:
            await self.send(error.event(event_id))
        except Exception as exc:  # a simulator bug: say so in-band, keep the session alive
            logger.exception("simulator failed to handle a client event")
            await self.send(ApiError(None, f"The simulator failed to handle this event: {exc!r}. This is a "
                                     "simulator bug; its log has the details.", None, "server_error").event(event_id))

    async def on_session_update(self, event: dict[str, Any]) -> None:
        before = self.session.settings
        self.session.update(event["session"])
        after = self.session.settings
        if after.input_rate != before.input_rate:
            # Keep the VAD clock in milliseconds across a format change: recount the samples
            # so far at the new rate; buffered audio in the old format cannot be kept.
            self.total_input = self.total_input * after.input_rate // before.input_rate
            self.input.clear()
            self.input_start = self.total_input
        if after.turn_detection != before.turn_detection or after.input_rate != before.input_rate:
            self._reset_vad()
        await self.send({"type": "session.updated", "event_id": new_event_id(), "session": self.session.snapshot()})
        if self.protocol == "ga":
            await self.mcp.session_updated(self)

    async def on_transcription_session_update(self, event: dict[str, Any]) -> None:
        raise ApiError(None, "The simulator runs realtime sessions only; transcription sessions are not simulated.", "type")

    # --- input audio --------------------------------------------------------------

    def _reset_vad(self) -> None:
        self.idle.disarm()
        config = self.session.settings.turn_detection
        self.vad = EnergyVad(self.session.settings.input_rate, config) if config else None
        if self.vad is not None:
            self.vad.reset(self.total_input)
        self.speech_item_id = None

    def _input_ms(self, sample_index: int) -> int:
        return samples_to_ms(sample_index, self.session.settings.input_rate)

    async def on_input_audio_buffer_append(self, event: dict[str, Any]) -> None:
        samples = decode_audio(event["audio"], self.session.settings.input_codec, "audio")
        self.input.append(samples)
        self.total_input += len(samples)
        if self.vad is None:
            return
        for boundary in self.vad.feed(samples, floor_ms=self._input_ms(self.input_start)):
            if boundary.kind == "started":
                await self._speech_started(boundary.ms)
            else:
                await self._speech_stopped(boundary.ms)
        if not self.vad.speaking:
            self._drop_idle_input()
            await self.idle.check(self._input_ms(self.total_input))

    def _drop_idle_input(self) -> None:
        settings = self.session.settings
        padding = int((settings.turn_detection or {}).get("prefix_padding_ms", 300))
        keep = settings.input_rate * max(IDLE_INPUT_KEEP_MS, padding) // 1000
        excess = len(self.input) - keep
        if excess > 0:
            self.input.drop_front(excess)
            self.input_start += excess

    async def _speech_started(self, ms: int) -> None:
        self.idle.disarm()
        self.speech_item_id = new_event_id("item_")
        self.speech_start_ms = ms
        await self.send({"type": "input_audio_buffer.speech_started", "event_id": new_event_id(),
                         "audio_start_ms": ms, "item_id": self.speech_item_id})
        config = self.session.settings.turn_detection or {}
        if self.active is not None and config.get("interrupt_response", True):
            await self.cancel_active("turn_detected")

    async def _speech_stopped(self, ms: int) -> None:
        item_id = self.speech_item_id or new_event_id("item_")
        await self.send({"type": "input_audio_buffer.speech_stopped", "event_id": new_event_id(),
                         "audio_end_ms": ms, "item_id": item_id})
        rate = self.session.settings.input_rate
        start = max(0, self.speech_start_ms * rate // 1000 - self.input_start)
        end = min(len(self.input), ms * rate // 1000 - self.input_start)
        await self._commit(start, end, item_id)
        config = self.session.settings.turn_detection or {}
        if config.get("create_response", True) and self.active is None:
            await self.start_response({})

    async def caller_said(self, text: str) -> None:
        """The far end of a call spoke `text` (tests play the caller of a WebRTC/SIP call).

        A call's audio never reaches the sidebands, so this plays what upstream shows them:
        speech started and stopped, the commit, the user item with its transcript (always,
        as a call's transcript is what a sideband watches), then a response.
        """
        settings = self.session.settings
        samples = synthesise(text, settings.input_rate)
        start_ms = self._input_ms(self.total_input)
        self.total_input += len(samples)  # the call's audio clock moves on; its audio is not in the buffer
        self.input_start += len(self.input) + len(samples)
        self.input.clear()
        await self._speech_started(start_ms)
        item_id = self.speech_item_id or new_event_id("item_")
        self.speech_item_id = None
        await self.send({"type": "input_audio_buffer.speech_stopped", "event_id": new_event_id(),
                         "audio_end_ms": self._input_ms(self.total_input), "item_id": item_id})
        part = Part("input_audio", audio=Int16Buffer(samples), codec=settings.input_codec, heard=text)
        item = Item(id=item_id, type="message", role="user", content=[part])
        previous = self.conversation.insert(item)
        await self.send({"type": "input_audio_buffer.committed", "event_id": new_event_id(),
                         "previous_item_id": previous, "item_id": item_id})
        await self._announce_item(item, previous)
        await self._transcribe(item)
        if self.active is None:
            await self.start_response({})

    async def _commit(self, start: int, end: int, item_id: str) -> None:
        """Turn input[start:end] into a user item; the buffer keeps what follows `end`."""
        settings = self.session.settings
        samples = self.input.view()[start:end].copy()
        self.input.drop_front(end)
        self.input_start += end
        self.speech_item_id = None
        item = Item(id=item_id, type="message", role="user",
                    content=[audio_part("input_audio", samples, settings.input_codec)])
        previous = self.conversation.insert(item)
        await self.send({"type": "input_audio_buffer.committed", "event_id": new_event_id(),
                         "previous_item_id": previous, "item_id": item_id})
        await self._announce_item(item, previous)
        if settings.transcription:
            if self.fast:
                await self._transcribe(item)
            else:  # as upstream: the transcript arrives on its own, usually after the response started
                self.spawn(self._transcribe_later(item))

    async def _announce_item(self, item: Item, previous: str | None) -> None:
        rendered = item.render(self.protocol)
        if self.protocol == "ga":
            await self.send({"type": "conversation.item.added", "event_id": new_event_id(),
                             "previous_item_id": previous, "item": rendered})
            await self.send({"type": "conversation.item.done", "event_id": new_event_id(),
                             "previous_item_id": previous, "item": rendered})
        else:
            await self.send({"type": "conversation.item.created", "event_id": new_event_id(),
                             "previous_item_id": previous, "item": rendered})

    async def _transcribe_later(self, item: Item) -> None:
        await asyncio.sleep(TRANSCRIPTION_DELAY_S)
        await self._transcribe(item)

    async def _transcribe(self, item: Item) -> None:
        part = item.content[0]
        text = part.heard or ""
        part.transcript = text
        if text:
            await self.send({"type": "conversation.item.input_audio_transcription.delta", "event_id": new_event_id(),
                             "item_id": item.id, "content_index": 0, "delta": text})
        heard, written = audio_tokens(part.audio_ms()), text_tokens(text)
        await self.send({
            "type": "conversation.item.input_audio_transcription.completed", "event_id": new_event_id(),
            "item_id": item.id, "content_index": 0, "transcript": text,
            "usage": {"type": "tokens", "input_tokens": heard, "output_tokens": written, "total_tokens": heard + written,
                      "input_token_details": {"audio_tokens": heard, "text_tokens": 0}},
        })

    async def on_input_audio_buffer_commit(self, event: dict[str, Any]) -> None:
        ms = self._input_ms(len(self.input))
        if ms < MIN_COMMIT_MS:
            raise ApiError("input_audio_buffer_commit_empty",
                           f"Error committing input audio buffer: buffer too small. Expected at least {MIN_COMMIT_MS}ms "
                           f"of audio, but buffer only has {ms:.2f}ms of audio.", None)
        await self._commit(0, len(self.input), self.speech_item_id or new_event_id("item_"))
        self._reset_vad()

    async def on_input_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        self.input_start += len(self.input)
        self.input.clear()
        self._reset_vad()
        await self.send({"type": "input_audio_buffer.cleared", "event_id": new_event_id()})

    async def on_output_audio_buffer_clear(self, event: dict[str, Any]) -> None:
        response = self.active or self.last_response
        if response is None:
            raise ApiError(None, "There is no output audio to clear: no response has been created yet.", None)
        if self.active is not None:
            await self.cancel_active("client_cancelled")
        await self.send({"type": "output_audio_buffer.cleared", "event_id": new_event_id(), "response_id": response.id})

    # --- conversation -------------------------------------------------------------

    async def on_conversation_item_create(self, event: dict[str, Any]) -> None:
        approval = self.protocol == "ga" and event["item"].get("type") == "mcp_approval_response"
        if approval:
            item: Item = self.mcp.parse_response_item(event["item"])
        else:
            item = parse_item(event["item"], self.protocol, self.session.settings)
        previous = self.conversation.insert(item, event.get("previous_item_id"))
        await self._announce_item(item, previous)
        if approval and self.active is None:  # the server goes on with the approved (or declined) call
            await self.start_response({})

    async def on_conversation_item_delete(self, event: dict[str, Any]) -> None:
        self.conversation.delete(event["item_id"])
        await self.send({"type": "conversation.item.deleted", "event_id": new_event_id(), "item_id": event["item_id"]})

    async def on_conversation_item_retrieve(self, event: dict[str, Any]) -> None:
        item = self.conversation.get(event["item_id"])
        await self.send({"type": "conversation.item.retrieved", "event_id": new_event_id(),
                         "item": item.render(self.protocol, with_audio=True)})

    async def on_conversation_item_truncate(self, event: dict[str, Any]) -> None:
        item_id = event["item_id"]
        self.conversation.get(item_id)
        if self.active is not None and any(i.id == item_id for i in self.active.output):
            await self.cancel_active("client_cancelled")
        self.conversation.truncate(item_id, event["content_index"], event["audio_end_ms"])
        await self.send({"type": "conversation.item.truncated", "event_id": new_event_id(), "item_id": item_id,
                         "content_index": event["content_index"], "audio_end_ms": event["audio_end_ms"]})

    # --- responses ----------------------------------------------------------------

    async def on_response_create(self, event: dict[str, Any]) -> None:
        if self.active is not None:
            raise ApiError("conversation_already_has_active_response",
                           f"Conversation already has an active response in progress: {self.active.id}. "
                           "Wait until the response is finished before creating a new one.", None)
        overrides = event.get("response") or {}
        RESPONSE[self.protocol](overrides, "response")
        await self.start_response(overrides)

    def _resolve_input(self, entries: list[dict[str, Any]]) -> list[Item]:
        items = []
        for index, entry in enumerate(entries):
            if entry.get("type") == "item_reference":
                items.append(self.conversation.get(entry["id"], f"response.input[{index}].id"))
            else:
                items.append(parse_item(entry, self.protocol, self.session.settings))
        return items

    async def start_response(self, overrides: dict[str, Any]) -> None:
        self.idle.disarm()
        settings = self.session.settings
        items = self._resolve_input(overrides["input"]) if "input" in overrides else self.conversation.items()
        context = Context(items, function_tools(overrides.get("tools", settings.tools)),
                          overrides.get("tool_choice", settings.tool_choice), self.settings.rules)
        params = ResponseParams.resolve(self.protocol, self.session, overrides)
        plan = self.mcp.plan(items) if self.protocol == "ga" else None
        reply = Reply(mcp=self.mcp.streamer(plan)) if plan is not None else choose_reply(context)
        run = ResponseRun(self, params, reply, items)
        self.active = run
        run.task = self.spawn(run.run())

    async def cancel_active(self, reason: str) -> None:
        """Stop the active response and wait until it closed its part and item and sent `response.done`."""
        run = self.active
        if run is None or run.task is None:
            return
        run.request_cancel(reason)
        await asyncio.gather(run.task, return_exceptions=True)

    async def response_finished(self, run: ResponseRun) -> None:
        if self.active is run:
            self.active = None
        self.last_response = run
        self._arm_idle(run)
        await self.send({"type": "rate_limits.updated", "event_id": new_event_id(), "rate_limits": [
            {"name": "requests", "limit": 5000, "remaining": 4999, "reset_seconds": 0.012},
            {"name": "tokens", "limit": 40000, "remaining": max(0, 40000 - run.usage.total),
             "reset_seconds": 0.6},
        ]})

    # --- idle timeout (GA server VAD) ---------------------------------------------------

    def _arm_idle(self, run: ResponseRun) -> None:
        config = self.session.settings.turn_detection or {}
        timeout_ms = config.get("idle_timeout_ms")
        if self.protocol != "ga" or config.get("type") != "server_vad" or not timeout_ms:
            return
        playback_ms = run.audio_ms() if self.fast else 0  # fast mode: the client still has it to play
        self.idle.arm(self._input_ms(self.total_input) + playback_ms, int(timeout_ms), wall_clock=not self.fast)

    async def _idle_timeout(self, start_ms: int) -> None:
        """No speech for `idle_timeout_ms`: say so, commit the silence, and respond."""
        if self.vad is not None and self.vad.speaking:
            return
        item_id = new_event_id("item_")
        await self.send({"type": "input_audio_buffer.timeout_triggered", "event_id": new_event_id(),
                         "audio_start_ms": start_ms, "audio_end_ms": self._input_ms(self.total_input),
                         "item_id": item_id})
        await self._commit(0, len(self.input), item_id)
        if self.active is None:
            await self.start_response({})

    async def on_response_cancel(self, event: dict[str, Any]) -> None:
        wanted = event.get("response_id")
        if self.active is None or (wanted is not None and wanted != self.active.id):
            raise ApiError("response_cancel_not_active", "Cancellation failed: no active response found.", None)
        await self.cancel_active("client_cancelled")

