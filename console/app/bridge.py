"""The thin layer between the client library and the TUI.

`SessionBridge` owns one `RealtimeClient` (and, offline, the embedded simulator). It
subscribes to the client's `realtime.event`, `conversation.updated`,
`conversation.item.appended/completed`, `conversation.interrupted`, `error` and `close`;
every event goes straight into the `EventStore` and `SessionStats`, but widgets hear about
it only at the next flush: a ~30 Hz timer posts one `BridgeFlushed` message with what
changed (new event count, changed item ids, notes), because a repaint per event costs
more than the events (see shared/textual-notes.md). Audio for playback is handed on at
once through `output_audio_listeners`, since the speaker's jitter buffer is the clock.

It also keeps what the inspection views need: the last session the console sent and the
one the server applied, marks the conversation does not record (truncation points, the
end status of each response), and the `/retrieve` drift check.

No widget code here; the only Textual dependency is posting messages to its target.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from textual.message import Message

from console.config import DEFAULT_SERVER_VAD, ConsoleConfig
from console.session.event_store import EventStore
from console.session.drift import compare_items
from console.app.messages import BridgeFlushed, ConnectionChanged
from console.session.annotations import ConversationNote, ItemMarks
from console.realtime.client import RealtimeClient
from console.realtime.protocol import canonical_type
from console.session.editable import diff_sessions, to_flat
from console.session.event_summary import error_text, status_reason
from console.session.stats import SessionStats

FLUSH_HZ = 30
#: How long `/retrieve` waits for the server's answers before calling an item missing.
RETRIEVE_TIMEOUT_S = 5.0

Post = Callable[[Message], Any]
AudioListener = Callable[[str, np.ndarray], None]


class SessionBridge:
    """Connects the console to a Realtime endpoint and batches what the UI must redraw."""

    def __init__(
        self,
        config: ConsoleConfig,
        store: EventStore,
        post: Post,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.post = post
        self.clock = clock
        self.stats = SessionStats(
            endpoint=config.endpoint_label,
            protocol=config.protocol,
            model=config.model,
            turn_mode=config.turn_mode,
        )
        self.client: RealtimeClient | None = None
        self.simulator: Any = None
        self.simulator_url: str | None = None
        self.output_audio_listeners: list[AudioListener] = []
        self.interrupt_listeners: list[Callable[[], None]] = []
        #: Called with every `realtime.event` payload as it happens (e.g. the recorder).
        self.event_listeners: list[Callable[[dict[str, Any]], None]] = []
        self.last_sent_session: dict[str, Any] | None = None
        self.applied_session: dict[str, Any] | None = None
        self.marks: dict[str, ItemMarks] = {}
        self._response_items: dict[str, list[str]] = {}
        self._new_events = 0
        self._changed: dict[str, None] = {}
        self._notes: list[ConversationNote] = []
        self._stats_changed = True
        self._reset = False
        self._vad: bool | None = None
        self._note_seq = 0
        self._retrievals: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._retrieve_ids: dict[str, str] = {}
        self._connect_lock = asyncio.Lock()

    # --- connection -----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.is_connected()

    def _set_connection(self, state: str, detail: str = "") -> None:
        detail = self.config.redact(detail)
        self.stats.connection = state  # type: ignore[assignment]
        self.stats.connection_detail = detail
        self._stats_changed = True
        self.post(ConnectionChanged(state, detail))

    async def _start_simulator(self) -> str:
        """Start the embedded simulator on loopback (offline mode) and return its URL."""
        if self.simulator is None:
            from console.simulator import Simulator

            self.simulator = Simulator(fast=self.config.simulator_fast)
            await self.simulator.__aenter__()
            self.simulator_url = self.simulator.url
        assert self.simulator_url is not None
        return self.simulator_url

    def open_client(self, url: str | None = None) -> RealtimeClient:
        """A wired client that is not connected yet (replays and scripted sessions feed it
        events through its API's dispatch; `connect()` uses the same wiring)."""
        if self.client is not None:
            self._retire_client()
        self.client = self._new_client(url)
        return self.client

    def _new_client(self, url: str | None, carry_from: RealtimeClient | None = None) -> RealtimeClient:
        kwargs = self.config.client_kwargs()
        if url is not None:
            kwargs["url"] = url
        session = copy.deepcopy(self.config.session)
        if carry_from is not None:
            # A reconnect keeps what the user changed (voice, instructions, turn mode...);
            # tools come from the registry, which installs itself on the new client.
            session = {k: v for k, v in copy.deepcopy(carry_from.session_config).items() if k != "tools"}
        client = RealtimeClient(session_config=session, **kwargs)
        client.on("realtime.event", self._on_realtime_event)
        client.on("conversation.updated", self._on_updated)
        client.on("conversation.item.appended", self._on_item)
        client.on("conversation.item.completed", self._on_item)
        client.on("conversation.interrupted", self._on_interrupted)
        client.on("error", self._on_error)
        client.on("close", self._on_close)
        try:
            self.config.tools.install(client)
        except Exception as exc:  # a broken tool must not stop the session
            self.add_note("error", f"tools not installed: {exc}")
        return client

    async def connect(self) -> bool:
        """Connect (starting the simulator when offline); False with a clear message on failure.

        Never raises for connection problems: the header and the log say what happened
        and the app keeps running, so the user can fix things and `/reconnect`.
        """
        async with self._connect_lock:
            if self.connected:
                return True
            self._set_connection("connecting", f"connecting to {self.config.endpoint_label}")
            try:
                url = await self._start_simulator() if self.config.offline else None
                previous = self.client
                if previous is not None:
                    self._retire_client()
                    self._reset = True  # a new session: the old conversation is gone
                    self.marks.clear()
                self.client = self._new_client(url, carry_from=previous)
                self.stats.reset_session()
                await self.client.connect()
                session = await self.client.wait_for_session_created(timeout=10)
                if session is None:
                    raise ConnectionError("no session.created within 10 s")
            except Exception as exc:  # every failure becomes a message, never a traceback
                message = self.config.redact(str(exc) or type(exc).__name__)
                self._set_connection("failed", message)
                self.add_note("error", f"connection failed: {message}")
                if self.client is not None and self.client.is_connected():
                    await self.client.disconnect()
                return False
            self._set_connection("connected", "")
            return True

    def _retire_client(self) -> None:
        old = self.client
        self.client = None
        if old is not None:
            old.clear_event_handlers()

    async def disconnect(self) -> None:
        """Close the connection (the conversation pane keeps what it showed)."""
        if self.client is not None and self.client.is_connected():
            await self.client.realtime.disconnect()

    async def close(self) -> None:
        """Disconnect and stop the embedded simulator (app shutdown)."""
        try:
            await self.disconnect()
        finally:
            if self.simulator is not None:
                sim, self.simulator = self.simulator, None
                await sim.__aexit__(None, None, None)

    # --- client events (called synchronously by the library) ----------------------------

    def _on_realtime_event(self, payload: dict[str, Any]) -> None:
        for listener in list(self.event_listeners):
            listener(payload)
        source = payload.get("source", "server")
        event = payload.get("event") or {}
        now = self.clock()
        index = self.store.append(source, event, now)
        self._new_events += 1
        if self.stats.observe(source, event, now):
            self._stats_changed = True
        etype = canonical_type(str(event.get("type", "")))
        if source == "client":
            if etype == "session.update":
                self.last_sent_session = copy.deepcopy(event.get("session"))
            elif etype == "conversation.item.retrieve" and isinstance(event.get("event_id"), str):
                self._retrieve_ids[event["event_id"]] = str(event.get("item_id"))
            return
        if etype in ("session.created", "session.updated"):
            self.applied_session = copy.deepcopy(event.get("session"))
            if etype == "session.updated":
                self._compare_applied(index)
        elif etype == "error":
            self._server_error(event, index)
        elif etype == "response.created":
            response = event.get("response") or {}
            self._response_items.setdefault(str(response.get("id")), [])
        elif etype == "response.output_item.added":
            item = event.get("item") or {}
            self._response_items.setdefault(str(event.get("response_id")), []).append(str(item.get("id")))
        elif etype == "response.done":
            self._response_done(event.get("response") or {}, index)
        elif etype == "conversation.item.truncated":
            item_id = str(event.get("item_id"))
            old = self.marks.get(item_id, ItemMarks())
            self.marks[item_id] = ItemMarks(int(event.get("audio_end_ms") or 0), old.response_status, old.response_reason)
            self._changed[item_id] = None
        elif etype == "input_audio_buffer.speech_started":
            self._vad = True
        elif etype == "input_audio_buffer.speech_stopped":
            self._vad = False
        elif etype == "conversation.item.retrieved":
            item = event.get("item") or {}
            future = self._retrievals.get(str(item.get("id")))
            if future is not None and not future.done():
                future.set_result(copy.deepcopy(event))

    def _compare_applied(self, index: int) -> None:
        """After `session.updated`, note every field the server did not apply as sent."""
        sent, applied = self.last_sent_session, self.applied_session
        if not isinstance(sent, dict) or not isinstance(applied, dict):
            return
        try:
            entries = diff_sessions(to_flat(sent), applied, protocol=self.config.protocol)
        except Exception:  # a session shape the comparison does not know: nothing to mark
            return
        differences = [e for e in entries if e.is_difference]
        if differences:
            text = "; ".join(
                f"{e.path}: sent {e.sent!r}, " + ("not applied" if e.status == "missing" else f"applied {e.applied!r}")
                for e in differences[:6]
            )
            self.add_note("drift", f"session.updated differs from what was sent: {text}", event_index=index)

    def _server_error(self, event: dict[str, Any], index: int) -> None:
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        caused = error.get("event_id")
        if isinstance(caused, str) and caused in self._retrieve_ids:
            item_id = self._retrieve_ids.pop(caused)
            future = self._retrievals.get(item_id)
            if future is not None and not future.done():
                future.set_result(None)
        cause = self.store.cause_of(index)
        suffix = f" (caused by {self.store.event_type(cause)} #{cause})" if cause is not None else ""
        self.add_note("error", error_text(event) + suffix, event_index=index)

    def _response_done(self, response: dict[str, Any], index: int) -> None:
        status = response.get("status")
        if status in (None, "completed"):
            return
        reason = status_reason(response)
        outputs = [o.get("id") if isinstance(o, dict) else o for o in response.get("output") or []]
        item_ids = [i for i in outputs if isinstance(i, str)] or self._response_items.get(str(response.get("id")), [])
        known = [i for i in item_ids if self.client is not None and self.client.conversation.get_item(i) is not None]
        for item_id in known:
            old = self.marks.get(item_id, ItemMarks())
            self.marks[item_id] = ItemMarks(old.truncated_ms, str(status), reason)
            self._changed[item_id] = None
        if not known:
            text = f"response {status}" + (f": {reason}" if reason else "")
            self.add_note("response", text, event_index=index)

    def _on_updated(self, payload: dict[str, Any]) -> None:
        item = payload.get("item") or {}
        item_id = item.get("id")
        if isinstance(item_id, str):
            self._changed[item_id] = None
        delta = payload.get("delta") or {}
        audio = delta.get("audio") if isinstance(delta, dict) else None
        if audio is not None and len(audio) and item.get("role") == "assistant" and isinstance(item_id, str):
            for listener in list(self.output_audio_listeners):
                listener(item_id, audio)

    def _on_item(self, payload: dict[str, Any]) -> None:
        item = payload.get("item") or {}
        if isinstance(item.get("id"), str):
            self._changed[item["id"]] = None

    def _on_interrupted(self, _payload: Any = None) -> None:
        for listener in list(self.interrupt_listeners):
            listener()

    def _on_error(self, event: dict[str, Any]) -> None:
        """Client-side failures (server errors already arrived as `realtime.event`)."""
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        if error.get("type") != "client_error":
            return
        logged = {k: v for k, v in event.items() if k != "raw"}
        index = self.store.append("server", logged, self.clock())
        self._new_events += 1
        self.stats.errors += 1
        self._stats_changed = True
        self.add_note("error", error_text(event), event_index=index)

    def _on_close(self, payload: dict[str, Any]) -> None:
        code = payload.get("code")
        reason = payload.get("reason") or ""
        if payload.get("expired"):
            detail = "the session expired (60 minutes): /reconnect starts a new one"
        elif payload.get("error"):
            detail = f"connection lost (close {code}{': ' + reason if reason else ''}): /reconnect to continue"
        else:
            detail = f"closed (close {code})" if code else "closed"
        for future in self._retrievals.values():
            if not future.done():
                future.set_result(None)
        self._set_connection("disconnected", detail)
        self.add_note("info", detail)

    # --- notes and flushing -----------------------------------------------------------

    def add_note(self, kind: str, text: str, *, event_index: int | None = None, after_item_id: str | None = None) -> None:
        """Queue a note for the conversation (shown at the next flush)."""
        self._note_seq += 1
        if after_item_id is None and self.client is not None:
            items = self.client.conversation.get_items()
            after_item_id = items[-1]["id"] if items else None
        self._notes.append(
            ConversationNote(f"note-{self._note_seq}", kind, self.config.redact(text), after_item_id, event_index)
        )

    def mark_stats_changed(self) -> None:
        """Something the header shows changed outside the event stream (mic, turn mode)."""
        self._stats_changed = True

    def flush(self) -> BridgeFlushed | None:
        """Post one `BridgeFlushed` with everything since the last flush (None if nothing)."""
        if not (self._new_events or self._changed or self._notes or self._stats_changed or self._reset or self._vad is not None):
            return None
        removed: list[str] = []
        changed: list[str] = []
        conversation = self.client.conversation if self.client is not None else None
        for item_id in self._changed:
            if conversation is not None and conversation.get_item(item_id) is not None:
                changed.append(item_id)
            else:
                removed.append(item_id)
        message = BridgeFlushed(
            new_events=self._new_events,
            changed_items=tuple(changed),
            removed_items=tuple(removed),
            notes=tuple(self._notes),
            stats_changed=self._stats_changed,
            conversation_reset=self._reset,
            vad_speaking=self._vad,
        )
        self._new_events = 0
        self._changed = {}
        self._notes = []
        self._stats_changed = False
        self._reset = False
        self._vad = None
        self.post(message)
        return message

    # --- commands -------------------------------------------------------------------

    def item(self, item_id: str) -> dict[str, Any] | None:
        """The live conversation item (None when unknown or deleted)."""
        return self.client.conversation.get_item(item_id) if self.client is not None else None

    def items(self) -> list[dict[str, Any]]:
        return self.client.conversation.get_items() if self.client is not None else []

    def item_marks(self, item_id: str) -> ItemMarks:
        return self.marks.get(item_id, ItemMarks())

    def set_turn_mode(self, mode: str) -> None:
        """Switch between server VAD and push-to-talk (while connected: a session.update)."""
        if self.client is None:
            raise RuntimeError("not connected")
        detection = copy.deepcopy(DEFAULT_SERVER_VAD) if mode == "vad" else None
        self.client.update_session(turn_detection=detection)
        self.stats.turn_mode = mode
        self._stats_changed = True

    async def check_drift(self, timeout: float = RETRIEVE_TIMEOUT_S) -> list[str]:
        """Retrieve every local item from the server and list the differences.

        Returns one line per difference (empty: the conversation matches). Each line is
        also shown as a `drift` note after its item.
        """
        client = self.client
        if client is None or not client.is_connected():
            raise RuntimeError("not connected")
        loop = asyncio.get_running_loop()
        local = [item for item in client.conversation.get_items()]
        self._retrievals = {item["id"]: loop.create_future() for item in local}
        for item in local:
            client.realtime.send("conversation.item.retrieve", {"item_id": item["id"]})
        try:
            done, _ = await asyncio.wait(list(self._retrievals.values()), timeout=timeout) if local else (set(), set())
        finally:
            answers = {k: (f.result() if f.done() else None) for k, f in self._retrievals.items()}
            self._retrievals = {}
            self._retrieve_ids.clear()
        drift: list[str] = []
        for item in local:
            answer = answers.get(item["id"])
            differences = compare_items(item, (answer or {}).get("item")) if answer else ["missing on the server"]
            for difference in differences:
                line = f"{item['id']}: {difference}"
                drift.append(line)
                self.add_note("drift", line, after_item_id=item["id"])
        if not drift:
            self.add_note("info", f"conversation matches the server ({len(local)} items)")
        return drift
