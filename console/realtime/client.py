"""`RealtimeClient`: the reference client's API on top of `RealtimeAPI` + `RealtimeConversation`.

It wires server events into the conversation and re-emits what a UI needs (each payload's
shape is named in `events.py`):

- `realtime.event` `{"time": ISO-8601 str, "source": "client" | "server", "event": dict}`
  for every event sent or received, *before* the conversation applies it, and even when
  the conversation rejects it;
- `conversation.updated` `{"item", "delta"}` whenever an event changes a conversation item
  (not for `response.created`, `response.output_item.added`, `response.content_part.added`,
  `speech_started` / `speech_stopped`, as in the reference, nor for the detached copy of
  `conversation.item.retrieved`);
- `conversation.item.appended` `{"item"}` once per new item, `conversation.item.completed`
  `{"item"}` once per item reaching status `completed`;
- `conversation.interrupted` `{"event": <speech_started event>}` when the user starts
  speaking (the reference sends no payload; the extra key is harmless);
- `error`: the server's `error` events, and client-side failures shaped the same way with
  `error.type == "client_error"`: `client_conversation_error` (the conversation could not
  apply an event; the offending event is under `"event"`), `client_handler_error`,
  `client_tool_error`, `invalid_json` / `invalid_event` (malformed frames, `"raw"` text);
- `close` `{"error", "code", "reason", "expired"}` once per connection (with
  `auto_reconnect`, once when the session finally ends: a drop that is reconnected
  emits `reconnecting` / `reconnected` instead).

Reconnect (`auto_reconnect=True`; off by default, as in the reference): on
`session_expired` or an unexpected close (not `disconnect()`, not a fatal refusal such as
close 3000/4000 or `invalid_api_key`) the client reconnects with jittered, capped
exponential backoff (`max_retries`, `initial_delay`, `max_delay`), re-sends its own
session configuration and tools, and re-creates the conversation in order with
`conversation.item.create` (see `restore.py` for what each item becomes and the
budget). Restored items keep their place in `get_items()`; their `id` becomes the new
session's and `restored_from` keeps the old one. A response cut off by the drop ends
`incomplete` (listed in `reconnecting.interrupted`); a tool call's handler never runs
twice, and an output it produces while the connection is down is sent after the restore.

Defects of the reference fixed here: the given
URL is honoured; `update_session` keeps unknown keys (passed through for the server to
judge) and keeps `tools` set through it; `remove_tool` updates the session; tools run only
for completed calls, with one `response.create` after all outputs of a response, sync or
async handlers, `null` for None; `cancel_response` checks before sending, uses the real
rate and clamps `audio_end_ms`; the input buffer is bounded in server-VAD mode and reset on
connect; float and byte audio are accepted everywhere; callers' content is not mutated.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import math
import random
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .api import (
    FATAL_ERROR_CODES,
    NotConnectedError,
    RealtimeAPI,
    RealtimeConnectionError,
    RealtimeError,
)
from .audio import encode_base64, samples_to_ms, to_int16
from .conversation import AUDIO_PART_TYPES, ConversationError, RealtimeConversation
from .conversation_items import Change, part_type
from .event_handler import RealtimeEventHandler, client_error_event
from .events import (
    ClosePayload,
    ConversationUpdated,
    Interrupted,
    ItemAppended,
    ItemCompleted,
    RealtimeEventPayload,
    Reconnected,
    Reconnecting,
    RestoredItem,
    SkippedItem,
)
from .images import ImageError, check_data_url, image_part
from .input_audio import IDLE_KEEP_S, InputAudioBuffer
from .mcp import mask_mcp_secrets, masked_mcp_tool
from .protocol import (
    CLOSE_AUTH_FAILED,
    CLOSE_BAD_REQUEST,
    canonical_type,
    new_event_id,
    sample_rate,
    session_audio_codecs,
)
from .restore import DEFAULT_RESTORE_BUDGET_TOKENS, plan_restore
from .session_config import (  # noqa: F401 (DEFAULT_SERVER_VAD: re-exported)
    DEFAULT_SERVER_VAD,
    DEFAULT_SESSION,
    apply_session_fields,
    session_payload,
)
from .tool_runner import ToolHandler, ToolRunner

logger = logging.getLogger("console.realtime")

#: In server-VAD mode, idle input audio kept (seconds) for a `speech_started` whose
#: `audio_start_ms` (with prefix padding and network lag) lies in the past.
VAD_IDLE_KEEP_S = IDLE_KEEP_S
#: Hard cap on input audio kept in server-VAD mode, even mid-utterance (seconds).
VAD_MAX_KEEP_S = 300

#: Events routed through the conversation without a `conversation.updated`.
_SILENT_TYPES = frozenset(
    {
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "conversation.item.retrieved",
    }
)


#: Server item events that echo an item the client re-created on a new session.
_ECHO_TYPES = frozenset({"conversation.item.created", "conversation.item.done"})
#: How long a restore waits for the server to confirm the items it re-created (seconds).
RESTORE_CONFIRM_TIMEOUT_S = 15.0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class RealtimeClient(RealtimeEventHandler):
    """A Realtime session: connection, session config, conversation cache and tools.

    Attributes: `realtime` (the `RealtimeAPI`), `conversation` (`RealtimeConversation`),
    `session_config` (the flat session the client sends), `tools` (`{name: {"definition",
    "handler"}}`), `session` (the server's applied session from `session.created` /
    `session.updated`, or None), `last_response` and `last_usage` (from the latest
    `response.done`), `input_audio_offset` (samples of the session's input audio already
    dropped from the client's buffer).
    """

    def __init__(
        self,
        url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        protocol: str = "ga",
        debug: bool = False,
        session_config: dict[str, Any] | None = None,
        *,
        auto_reconnect: bool = False,
        max_retries: int = 5,
        initial_delay: float = 0.5,
        max_delay: float = 8.0,
        restore_budget_tokens: int | None = None,
        **api_kwargs: Any,
    ) -> None:
        """`auto_reconnect` and its knobs: see the module docstring. `max_retries` bounds
        the connection attempts per drop; `restore_budget_tokens` (None: an estimate of
        the model's context, `DEFAULT_RESTORE_BUDGET_TOKENS`) bounds what is re-created."""
        super().__init__()
        if max_retries < 1 or initial_delay < 0 or max_delay < initial_delay:
            raise ValueError("need max_retries >= 1 and 0 <= initial_delay <= max_delay")
        self.auto_reconnect = auto_reconnect
        self.max_retries = max_retries
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.restore_budget_tokens = restore_budget_tokens or DEFAULT_RESTORE_BUDGET_TOKENS
        self._reconnect_task: asyncio.Task[None] | None = None
        self._user_closing = False
        self._last_error_code: str | None = None
        self._held_sends: list[tuple[str, dict[str, Any]]] | None = None  # not None: reconnecting
        self._respond_pending = False
        self._echo_ids: set[str] = set()  # new-session ids of re-created items: echoes not applied
        self._pending_restore: dict[str, str] = {}  # new id -> old id, until confirmed
        self._restore_events: dict[str, str] = {}  # event_id -> new id of its item
        self._restore_failed: list[SkippedItem] = []
        self._restore_changed = asyncio.Event()
        self._jitter = random.Random()
        self.realtime = RealtimeAPI(url, api_key, model, protocol, debug, **api_kwargs)
        self.conversation = RealtimeConversation()
        self._initial_config = copy.deepcopy(session_config or {})
        self._tool_runner = ToolRunner(
            lambda: self.tools,
            self._send_or_hold,
            lambda event: self.dispatch("error", event),
            self._respond,
            self._keep,
        )
        self._reset_config()
        self._add_api_event_handlers()
        # wait_for_next_item / wait_for_next_completed_item are chained by callers.
        self.group_waits("conversation.item.appended", "conversation.item.completed")

    @property
    def protocol(self) -> str:
        return self.realtime.protocol

    # --- state ---------------------------------------------------------------------

    def _reset_config(self) -> None:
        self.session_created = False
        self.session: dict[str, Any] | None = None
        self.last_response: dict[str, Any] | None = None
        self.last_usage: dict[str, Any] | None = None
        self.tools: dict[str, dict[str, Any]] = {}
        self.mcp_tools: list[dict[str, Any]] = []
        self.session_config: dict[str, Any] = copy.deepcopy(DEFAULT_SESSION)
        apply_session_fields(self.session_config, copy.deepcopy(self._initial_config))
        self._input = InputAudioBuffer(max_keep_s=VAD_MAX_KEEP_S)
        self._tool_runner.reset()

    def _add_api_event_handlers(self) -> None:
        self.realtime.on("client.*", self._on_client_event)
        self.realtime.on("server.*", self._on_server_event)
        self.realtime.on("error", lambda event: self.dispatch("error", event))
        self.realtime.on("close", self._on_close)

    def _on_client_event(self, event: dict[str, Any]) -> None:
        # Listeners log and show events: MCP credentials never reach them (the wire has them).
        payload: RealtimeEventPayload = {"time": _now(), "source": "client", "event": mask_mcp_secrets(event)}
        self.dispatch("realtime.event", payload)

    def _on_close(self, event: ClosePayload) -> None:
        self.session_created = False
        if self._reconnect_task is not None and not self._reconnect_task.done():
            self._restore_changed.set()  # lost again while restoring: the loop tries again
            return
        if self.auto_reconnect and not self._user_closing and not self._is_fatal(event):
            self._start_reconnect(event)
            return
        self.dispatch("close", event)

    def _input_codec(self) -> str:
        """The codec the client encodes input audio with: the one it asked for.

        Output audio is decoded by the conversation with the server's applied format.
        """
        return session_audio_codecs(self.session_config)[0]

    # --- server events -------------------------------------------------------------

    def _on_server_event(self, event: dict[str, Any]) -> None:
        """Log, apply to the conversation (reporting failures), then react."""
        logged: RealtimeEventPayload = {"time": _now(), "source": "server", "event": event}
        self.dispatch("realtime.event", logged)
        event_type = canonical_type(event["type"])
        if event_type == "error":
            self._on_error_event(event)
            self.dispatch("error", event)
        if event_type in _ECHO_TYPES and self._is_restore_echo(event):
            return
        change = self._apply(event, event_type)
        if event_type == "input_audio_buffer.speech_started":
            # The user is speaking even when the event's numbers are unusable (the
            # conversation rejected it): a UI must still stop playback.
            self._input.speech_started(event.get("audio_start_ms"))
            interrupted: Interrupted = {"event": event}
            self.dispatch("conversation.interrupted", interrupted)
        if change is None:
            return
        item, delta = change.item, change.delta
        if event_type in ("input_audio_buffer.speech_stopped", "input_audio_buffer.timeout_triggered"):
            self._input.speech_stopped()
            if self.get_turn_detection_type() is not None:  # after speech ends, VAD needs none of it
                self._input.trim_to(_int_or_none(event.get("audio_end_ms")), self._input_rate())
        elif event_type == "response.done":
            self._on_response_done(event)
        if item is None or event_type in _SILENT_TYPES:
            return
        updated: ConversationUpdated = {"item": item, "delta": delta}  # type: ignore[typeddict-item]
        self.dispatch("conversation.updated", updated)
        if change.appended:
            appended: ItemAppended = {"item": item}
            self.dispatch("conversation.item.appended", appended)
        if change.completed:
            completed: ItemCompleted = {"item": item}
            self.dispatch("conversation.item.completed", completed)
        if change.appended and item.get("type") == "mcp_approval_response":
            self._mcp_request_answered(item)
        if (
            event_type == "response.output_item.done"
            and item.get("type") == "function_call"
            and item.get("status") == "completed"
        ):
            self._tool_runner.call_completed(event, item)

    def _apply(self, event: dict[str, Any], event_type: str) -> Change | None:
        """Take in the session, apply the event to the conversation; None (reported as an
        `error` event) when it cannot be applied. Nothing raised here reaches a handler."""
        try:
            if event_type in ("session.created", "session.updated"):
                self._on_session(event)
            return self.conversation.apply_event(event, self._input.view(), self._input.offset)
        except ConversationError as exc:
            self._report_conversation_error(event, str(exc))
        except Exception as exc:  # noqa: BLE001 - a conversation bug must not end the session
            logger.exception("conversation failed on %s", event_type)
            self._report_conversation_error(event, f"{type(exc).__name__}: {exc}")
        return None

    def _report_conversation_error(self, event: dict[str, Any], message: str) -> None:
        self.dispatch(
            "error",
            client_error_event("client_conversation_error", f"could not apply {event.get('type')}: {message}", event=event),
        )

    def _on_session(self, event: dict[str, Any]) -> None:
        session = event.get("session")
        if not isinstance(session, dict):
            return
        self.session = copy.deepcopy(session)
        if event["type"] == "session.created":
            self.session_created = True
        self.conversation.set_audio_formats(*session_audio_codecs(session))

    def _on_response_done(self, event: dict[str, Any]) -> None:
        response = event.get("response")
        if isinstance(response, dict):
            self.last_response = copy.deepcopy(response)
            if response.get("usage") is not None:
                self.last_usage = copy.deepcopy(response["usage"])
            self._tool_runner.response_done(response.get("id"))

    # --- connection ----------------------------------------------------------------

    def is_connected(self) -> bool:
        return self.realtime.is_connected()

    async def connect(self) -> bool:
        """Connect and send the session. Raises RealtimeConnectionError on refusal."""
        if self.is_connected():
            raise RealtimeError("already connected: disconnect() first")
        self._input = InputAudioBuffer(max_keep_s=VAD_MAX_KEEP_S)
        self.session_created = False
        self.session = None
        self.clear_waits()
        self._user_closing = False
        self._last_error_code = None
        await self.realtime.connect()
        self.update_session()
        return True

    async def wait_for_session_created(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The server's session once `session.created` arrived, or None on timeout."""
        if not self.is_connected():
            raise NotConnectedError("not connected: call connect() first")
        if not self.session_created:
            if await self.realtime.wait_for_next("server.session.created", timeout) is None:
                return None
        return self.session or {}

    async def disconnect(self) -> None:
        """Close the connection and clear the conversation (config and tools stay).

        Never reconnects; stops a reconnect under way (then `close` says so).
        """
        self.session_created = False
        self._user_closing = True
        self._tool_runner.cancel()
        # A reconnect stopped between connections owes the `close` it held back; one
        # stopped while restoring on a live connection gets it from that connection.
        owed = await self._stop_reconnect() and not self.realtime.is_connected()
        await self.realtime.disconnect()
        self.conversation.clear()
        if owed:
            payload: ClosePayload = {"error": False, "code": None, "reason": "disconnected while reconnecting", "expired": False}
            self.dispatch("close", payload)

    def reset(self) -> asyncio.Task[None] | None:
        """Disconnect, drop every handler, restore the initial config and re-wire.

        Synchronous like the reference; when connected, the close runs in a task that is
        returned (await it to be sure the socket is closed).
        """
        task: asyncio.Task[None] | None = None
        self._user_closing = True
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            self._reconnect_task = None
            self._held_sends = None
        if self.is_connected():
            task = asyncio.ensure_future(self.realtime.disconnect())
            self._keep(task)
        self.clear_event_handlers()
        self.realtime.clear_event_handlers()
        self.conversation.clear()
        self._reset_config()
        self._add_api_event_handlers()
        return task

    def _keep(self, task: asyncio.Future[Any]) -> None:
        """Reference a background task until it finishes (asyncio keeps weak refs only)."""
        self._tasks.add(task)  # type: ignore[arg-type]
        task.add_done_callback(self._tasks.discard)  # type: ignore[arg-type]

    # --- reconnect -----------------------------------------------------------------

    def is_reconnecting(self) -> bool:
        """True from a lost connection until `reconnected` or the final `close`."""
        return self._reconnect_task is not None and not self._reconnect_task.done()

    def _is_fatal(self, event: ClosePayload) -> bool:
        """A close no retry can fix: upstream's auth / bad-request codes or a fatal error."""
        return event.get("code") in (CLOSE_AUTH_FAILED, CLOSE_BAD_REQUEST) or self._last_error_code in FATAL_ERROR_CODES

    def _on_error_event(self, event: dict[str, Any]) -> None:
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        code = error.get("code")
        self._last_error_code = code if isinstance(code, str) else None
        new_id = self._restore_events.pop(str(error.get("event_id")), None)
        if new_id is not None and new_id in self._pending_restore:
            old_id = self._pending_restore.pop(new_id)
            self._restore_failed.append({"id": old_id, "reason": f"refused by the server: {error.get('message') or code}"})
            self._restore_changed.set()

    def _is_restore_echo(self, event: dict[str, Any]) -> bool:
        """The server's copy of an item the client re-created: map its id, apply nothing."""
        item = event.get("item")
        new_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(new_id, str) or new_id not in self._echo_ids:
            return False
        old_id = self._pending_restore.pop(new_id, None)
        if old_id is not None:
            try:
                self.conversation.rename_item(old_id, new_id)
            except (KeyError, ValueError) as exc:  # deleted locally meanwhile: nothing to map
                logger.info("restored item %s not mapped: %s", old_id, exc)
            self._restore_changed.set()
        return True

    def _send_or_hold(self, event_type: str, data: dict[str, Any]) -> Any:
        """Send, or while reconnecting hold the event for after the restore (tool outputs)."""
        if self._held_sends is not None:
            self._held_sends.append((event_type, data))
            return None
        return self.realtime.send(event_type, data)

    def _start_reconnect(self, close: ClosePayload) -> None:
        interrupted = self.conversation.mark_interrupted()
        for item in interrupted:
            updated: ConversationUpdated = {"item": item, "delta": None}
            self.dispatch("conversation.updated", updated)
        self._held_sends = []
        for response in self.conversation.get_responses():
            if (response.get("status_details") or {}).get("reason") == "connection_lost":
                self._tool_runner.response_done(response.get("id"))
        reason = "session_expired" if close.get("expired") else (close.get("reason") or f"connection closed (code {close.get('code')})")
        self._reconnect_task = asyncio.ensure_future(self._reconnect(close, reason, [i["id"] for i in interrupted]))
        self._keep(self._reconnect_task)

    async def _stop_reconnect(self) -> bool:
        """Cancel a reconnect under way; True if there was one (its `close` is owed)."""
        task = self._reconnect_task
        self._reconnect_task = None
        self._held_sends = None
        if task is None or task.done():
            return False
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return True

    def _backoff(self, attempt: int) -> float:
        """Exponential, capped at `max_delay`, with jitter (50-100%) so clients spread out."""
        delay = min(self.max_delay, self.initial_delay * 2 ** (attempt - 1))
        return delay * (0.5 + 0.5 * self._jitter.random())

    async def _reconnect(self, close: ClosePayload, reason: str, interrupted: list[str]) -> None:
        last_error = reason
        last_code = close.get("code")
        attempt = 0
        for attempt in range(1, self.max_retries + 1):
            delay = self._backoff(attempt)
            payload: Reconnecting = {"attempt": attempt, "reason": reason, "delay": delay,
                                     "interrupted": interrupted if attempt == 1 else []}
            self.dispatch("reconnecting", payload)
            await asyncio.sleep(delay)
            self._input = InputAudioBuffer(max_keep_s=VAD_MAX_KEEP_S)
            self.session_created = False
            self._last_error_code = None
            try:
                await self.realtime.connect()
            except RealtimeConnectionError as exc:
                last_error, last_code = str(exc), exc.close_code or exc.http_status
                if exc.code in FATAL_ERROR_CODES or exc.close_code in (CLOSE_AUTH_FAILED, CLOSE_BAD_REQUEST) \
                        or exc.http_status in (401, 403):
                    break
                continue
            result = await self._restore()
            if result is None:
                last_error = "the connection closed again while the conversation was being restored"
                continue
            restored, skipped = result
            self._release_held()
            done: Reconnected = {"session_id": (self.session or {}).get("id"), "restored": restored, "skipped": skipped}
            self.dispatch("reconnected", done)
            return
        self._held_sends = None
        final: ClosePayload = {"error": True, "code": last_code if isinstance(last_code, int) else None,
                               "reason": f"reconnect failed after {attempt} attempt(s): {last_error}",
                               "expired": bool(close.get("expired"))}
        self.dispatch("close", final)

    async def _restore(self) -> tuple[list[RestoredItem], list[SkippedItem]] | None:
        """Re-send the session and re-create the conversation; None if the connection
        dropped meanwhile. Waits (bounded) for the server to confirm each item."""
        self.update_session()
        plan = plan_restore(
            self.conversation.get_items(),
            protocol=self.protocol,
            budget_tokens=self.restore_budget_tokens,
            input_codec=self._input_codec(),
            input_rate=self._input_rate(),
        )
        self._pending_restore = {}
        self._restore_events = {}
        self._restore_failed = []
        self._restore_changed.clear()
        restored: list[RestoredItem] = []
        previous = "root"
        for entry in plan.entries:
            new_id = new_event_id("item_")
            self._echo_ids.add(new_id)
            self._pending_restore[new_id] = entry.item_id
            sent = self.realtime.send(
                "conversation.item.create",
                {"previous_item_id": previous, "item": {"id": new_id, **entry.payload}},
            )
            self._restore_events[sent["event_id"]] = new_id
            restored.append({"id": new_id, "restored_from": entry.item_id, "restored_as": entry.kind})
            previous = new_id
        try:
            async with asyncio.timeout(RESTORE_CONFIRM_TIMEOUT_S):
                while self._pending_restore:
                    if not self.is_connected():
                        return None
                    self._restore_changed.clear()
                    await self._restore_changed.wait()
        except TimeoutError:
            logger.warning("%d restored item(s) not confirmed by the server", len(self._pending_restore))
        if not self.is_connected():
            return None
        failed = {s["id"] for s in self._restore_failed}
        restored = [r for r in restored if r["restored_from"] not in failed]
        skipped: list[SkippedItem] = [{"id": s["id"], "reason": s["reason"]} for s in plan.skipped]
        skipped.extend(self._restore_failed)
        return restored, skipped

    def _release_held(self) -> None:
        """Send what was held while reconnecting (tool outputs), then a deferred response."""
        held, self._held_sends = self._held_sends or [], None
        for event_type, data in held:
            try:
                self.realtime.send(event_type, data)
            except NotConnectedError:
                self.dispatch("error", client_error_event("client_tool_error", f"{event_type} not sent: disconnected"))
        if self._respond_pending and self.is_connected():
            self._respond_pending = False
            self.create_response()

    # --- session -------------------------------------------------------------------

    def get_turn_detection_type(self) -> str | None:
        """`server_vad` / `semantic_vad`, or None when the client commits turns itself."""
        detection = self.session_config.get("turn_detection")
        return detection.get("type") if isinstance(detection, dict) else None

    def session_payload(self, *, secrets: bool = False) -> dict[str, Any]:
        """The `session` object `session.update` carries, in the protocol's shape; MCP
        credentials masked unless `secrets` (only the wire gets them)."""
        mcp_tools = self.mcp_tools if secrets else [masked_mcp_tool(t) for t in self.mcp_tools]
        return session_payload(self.session_config, self.tools, self.protocol, mcp_tools)

    def update_session(self, **fields: Any) -> bool:
        """Change the stored session fields given (flat beta-style names), then send it.

        `turn_detection={"type": "none"}` means None. Unknown keys are kept and sent (the
        server reports them). Tools set here persist until replaced; tools added with
        `add_tool` are always included. Sent only when connected. For protocol "ga" the
        session is translated with `protocol.flat_to_ga_session` (temperature dropped).
        """
        backup = copy.deepcopy(self.session_config)
        apply_session_fields(self.session_config, fields)
        try:
            payload = self.session_payload(secrets=True)
        except ValueError:
            self.session_config = backup
            raise
        if self.is_connected():
            self.realtime.send("session.update", {"session": payload})
        return True

    # --- tools ---------------------------------------------------------------------

    def add_tool(self, definition: dict[str, Any], handler: ToolHandler) -> dict[str, Any]:
        """Register a function tool and its handler (sync or async); updates the session."""
        name = definition.get("name") if isinstance(definition, dict) else None
        if not name:
            raise ValueError("a tool definition needs a 'name'")
        if name in self.tools:
            raise ValueError(f"tool {name!r} is already added: remove_tool() it first")
        if not callable(handler):
            raise TypeError(f"the handler of tool {name!r} must be callable")
        definition = {k: copy.deepcopy(v) for k, v in definition.items() if k != "type"}
        self.tools[name] = {"definition": definition, "handler": handler}
        try:
            self.update_session()
        except ValueError:
            del self.tools[name]
            raise
        return self.tools[name]

    def remove_tool(self, name: str) -> bool:
        """Forget a tool added with `add_tool` and update the session (the reference did not)."""
        if name not in self.tools:
            raise KeyError(f"tool {name!r} does not exist")
        del self.tools[name]
        self.update_session()
        return True

    def _respond(self) -> None:
        """After a response's tools sent their outputs: the next response, if connected
        (while reconnecting: after the restore)."""
        if self._held_sends is not None:
            self._respond_pending = True
        elif self.is_connected():
            self.create_response()

    # --- MCP (GA) ------------------------------------------------------------------

    def approve_mcp(self, request_id: str, approve: bool, reason: str | None = None) -> str:
        """Answer an MCP server's `mcp_approval_request` (GA only): sends an
        `mcp_approval_response` item; the server then runs the call (or not) and goes on by
        itself, so no `response.create` follows. Returns the new item's id.

        Raises:
            ValueError: the session is beta (MCP is GA only), or `approve` is not a bool.
        """
        if self.protocol != "ga":
            raise ValueError("MCP approvals need the GA protocol: this session is beta")
        if not isinstance(approve, bool):
            raise ValueError("approve must be True or False")
        item: dict[str, Any] = {"type": "mcp_approval_response", "id": new_event_id("mcpa_"),
                                "approval_request_id": request_id, "approve": approve}
        if reason is not None:
            item["reason"] = reason
        self.realtime.send("conversation.item.create", {"item": item})
        return str(item["id"])

    def set_mcp_tools(self, definitions: list[dict[str, Any]]) -> bool:
        """Use these remote MCP servers (`{"type": "mcp", "server_label", ...}` tools; GA
        only) from now on, besides the session's other tools; updates the session. Kept
        apart from `session_config`, like `add_tool`'s tools, so an editor of the session
        never holds their credentials.

        Raises:
            ValueError: the session is beta, or a definition is not an `mcp` tool with a label.
        """
        if self.protocol != "ga" and definitions:
            raise ValueError("MCP servers need the GA protocol: this session is beta")
        for definition in definitions:
            if not isinstance(definition, dict) or definition.get("type") != "mcp" or not definition.get("server_label"):
                raise ValueError(f"not an MCP tool with a server_label: {definition!r}")
        self.mcp_tools = copy.deepcopy(list(definitions))
        return self.update_session()

    def _mcp_request_answered(self, answer: dict[str, Any]) -> None:
        """The request an approval answers changed state too: say so (one more update)."""
        request = self.conversation.get_item(str(answer.get("approval_request_id")))
        if request is not None:
            updated: ConversationUpdated = {"item": request, "delta": None}  # type: ignore[typeddict-item]
            self.dispatch("conversation.updated", updated)

    # --- conversation actions ------------------------------------------------------

    def delete_item(self, item_id: str) -> bool:
        """Ask the server to delete an item (the conversation updates on `.deleted`)."""
        self.realtime.send("conversation.item.delete", {"item_id": item_id})
        return True

    def send_user_message_content(self, content: list[dict[str, Any]] | None = None) -> bool:
        """Send a user message (audio parts may be samples: encoded here), then a response.

        An `input_image` part's `image_url` is a data URL, or image bytes or a path
        (`os.PathLike`) turned into one here (`images.input_image_part` builds parts
        too). Images are checked before anything is sent (type, size, header): a bad one,
        or any image on a beta session (beta has no image input), raises `ImageError`
        (a `ValueError`) and nothing is sent. A message with images is sent with an item
        id of the client's, so the conversation can show their file names.

        The caller's content objects are not modified.
        """
        parts = []
        images: list[dict[str, Any]] = []
        input_codec = self._input_codec()
        for part in content or []:
            part = dict(part)
            if part.get("type") == "input_audio" and not isinstance(part.get("audio"), str) and part.get("audio") is not None:
                part["audio"] = encode_base64(to_int16(part["audio"]), input_codec)
            elif part.get("type") == "input_image":
                part, info = self._image_part(part, len(images))
                images.append(info)
            parts.append(part)
        if parts:
            item: dict[str, Any] = {"type": "message", "role": "user", "content": parts}
            if images:
                item = {"id": new_event_id("item_"), **item}
                self.conversation.expect_images(item["id"], images)
            self.realtime.send("conversation.item.create", {"item": item})
        self.create_response()
        return True

    def _image_part(self, part: dict[str, Any], number: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """An `input_image` part checked and with a data URL, and its description
        (`ImageInfo.as_dict()`); `ImageError` on beta or for an image the API would refuse."""
        if self.protocol == "beta":
            raise ImageError("the beta protocol has no image input: connect with the GA protocol (--protocol ga)")
        source = part.get("image_url")
        detail = part.get("detail")
        if detail is not None and not isinstance(detail, str):
            raise ImageError(f"image {number + 1}: detail must be a string, not {type(detail).__name__}")
        if isinstance(source, str):
            if source[:5].lower() != "data:":
                raise ImageError(f"image {number + 1}: image_url must be a data URL (data:image/png;base64,…); "
                                 "pass a file as a pathlib.Path or bytes")
            info = check_data_url(source, detail=detail)
        elif source is None:
            raise ImageError(f"image {number + 1}: an input_image part needs an image_url")
        else:
            built, info = image_part(source, detail=detail)
            part["image_url"] = built["image_url"]
        return part, info.as_dict()

    def append_input_audio(self, samples: Any) -> bool:
        """Send input audio (int16 array, float array in [-1, 1] or PCM16 bytes).

        Empty input is ignored (returns False). In server-VAD mode the client keeps only
        the audio VAD slicing may still need.
        """
        data = to_int16(samples)
        if not len(data):
            return False
        self.realtime.send("input_audio_buffer.append", {"audio": encode_base64(data, self._input_codec())})
        self._input.append(data)
        if self.get_turn_detection_type() is not None:
            self._input.bound(self._input_rate())
        return True

    def _input_rate(self) -> int:
        return sample_rate(self._input_codec())

    @property
    def input_audio_buffer(self) -> np.ndarray:
        """The input audio still held (int16, a view; sample 0 is `input_audio_offset`)."""
        return self._input.view()

    @property
    def input_audio_offset(self) -> int:
        """Samples of the session's input audio already dropped from the client's buffer."""
        return self._input.offset

    def create_response(self) -> bool:
        """Ask for a response; in manual mode, commit pending input audio first."""
        if self.get_turn_detection_type() is None and len(self._input) > 0:
            self.realtime.send("input_audio_buffer.commit")
            self.conversation.queue_input_audio(self._input.take())
        self.realtime.send("response.create")
        return True

    def cancel_response(self, item_id: str | None = None, sample_count: int = 0) -> dict[str, Any] | None:
        """Cancel the response; with `item_id`, also truncate that item's audio.

        The item must be an assistant message with an audio part, checked before anything
        is sent. `sample_count` (samples played) is clamped to the audio received, and
        `audio_end_ms` uses the session's output rate. Returns the item (or None).
        """
        if item_id is None:
            self.realtime.send("response.cancel")
            return None
        item = self.conversation.get_item(item_id)
        if item is None:
            raise KeyError(f"could not find item {item_id!r}")
        if item.get("type") != "message" or item.get("role") != "assistant":
            raise ValueError(f"item {item_id!r} is not an assistant message: it cannot be truncated")
        content = item.get("content") or []
        audio_index = next(
            (i for i, part in enumerate(content) if part_type(part) in AUDIO_PART_TYPES),
            None,
        )
        if audio_index is None:
            raise ValueError(f"item {item_id!r} has no audio content to truncate")
        received = len(item["formatted"]["audio"])
        played = max(0, min(int(sample_count), received))
        audio_end_ms = samples_to_ms(played, self.conversation.output_rate)
        self.realtime.send("response.cancel")
        self.realtime.send(
            "conversation.item.truncate",
            {"item_id": item_id, "content_index": audio_index, "audio_end_ms": audio_end_ms},
        )
        return item

    # --- waiting -------------------------------------------------------------------

    async def wait_for_next_item(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next item appended to the conversation, or None on timeout."""
        event = await self.wait_for_next("conversation.item.appended", timeout)
        return event["item"] if event else None

    async def wait_for_next_completed_item(self, timeout: float | None = None) -> dict[str, Any] | None:
        """The next item completed, or None on timeout."""
        event = await self.wait_for_next("conversation.item.completed", timeout)
        return event["item"] if event else None


def _int_or_none(value: Any) -> int | None:
    """An int for a finite number, else None (int() of inf or nan raises)."""
    return int(value) if isinstance(value, (int, float)) and math.isfinite(value) else None
