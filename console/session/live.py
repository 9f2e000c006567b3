"""`LiveSession`: a session fed by the console's own `RealtimeClient`.

It owns the client (and, offline, the embedded simulator), connects and reconnects, and
turns the client's events into the session's store and annotations: `realtime.event`
feeds `Session.ingest`, `conversation.updated` and `conversation.item.*` mark items to
redraw, and the model's audio is handed on at once through `output_audio_listeners`,
since the speaker's jitter buffer is the clock. It is the only kind of session the
console can steer today, and it keeps the `/retrieve` drift check.

No UI here: the app's bridge polls `take_changes()` and turns connection changes
(`on_connection`) into Textual messages.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from console.config import ConsoleConfig
from console.realtime.client import RealtimeClient
from console.realtime.conversation import RealtimeConversation
from console.realtime.protocol import canonical_type
from console.realtime.session_config import DEFAULT_SERVER_VAD
from console.session.drift import compare_items
from console.session.event_store import EventStore
from console.session.event_summary import error_text
from console.session.session import Session
from console.session.stats import SessionStats

#: How long `/retrieve` waits for the server's answers before calling an item missing.
RETRIEVE_TIMEOUT_S = 5.0

AudioListener = Callable[[str, np.ndarray], None]


class LiveSession(Session):
    """A console-made session: connects to a Realtime endpoint and may be steered."""

    def __init__(self, config: ConsoleConfig, store: EventStore, *, clock: Callable[[], float] = time.time) -> None:
        stats = SessionStats(
            endpoint=config.endpoint_label,
            protocol=config.protocol,
            model=config.model,
            turn_mode=config.turn_mode,
        )
        super().__init__(store, stats, kind="console", protocol=config.protocol, clock=clock, redact=config.redact)
        self.config = config
        self.client: RealtimeClient | None = None
        self.simulator: Any = None
        self.simulator_url: str | None = None
        self.output_audio_listeners: list[AudioListener] = []
        self.interrupt_listeners: list[Callable[[], None]] = []
        #: Called with ("reconnecting" | "reconnected" | "close", the library's payload)
        #: after the session handled it (the recorder moves on to a new file).
        self.reconnect_listeners: list[Callable[[str, dict[str, Any]], None]] = []
        #: Session updates sent and not answered yet: (event_id, the flat session sent,
        #: what the user asked for, or None when nobody waits for the answer).
        self._pending_updates: list[tuple[str, dict[str, Any], str | None]] = []
        self._asking: str | None = None
        #: The flat session the server last applied (what a refused update rolls back to).
        self._applied_config: dict[str, Any] | None = None
        self._retrievals: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self._retrieve_ids: dict[str, str] = {}
        self._connect_lock = asyncio.Lock()

    # --- what the views read ----------------------------------------------------------

    @property
    def conversation(self) -> RealtimeConversation | None:
        return self.client.conversation if self.client is not None else None

    @property
    def connected(self) -> bool:
        return self.client is not None and self.client.is_connected()

    @property
    def steerable(self) -> bool:
        return self.connected

    # --- connection -----------------------------------------------------------------

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
        client.on("reconnecting", self._on_reconnecting)
        client.on("reconnected", self._on_reconnected)
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
            self.set_connection("connecting", f"connecting to {self.config.endpoint_label}")
            try:
                url = await self._start_simulator() if self.config.offline else None
                previous = self.client
                if previous is not None:
                    self._retire_client()
                    self.reset_conversation()  # a new session: the old conversation is gone
                self.client = self._new_client(url, carry_from=previous)
                self.stats.reset_session()
                await self.client.connect()
                session = await self.client.wait_for_session_created(timeout=10)
                if session is None:
                    raise ConnectionError("no session.created within 10 s")
            except Exception as exc:  # every failure becomes a message, never a traceback
                message = self.config.redact(str(exc) or type(exc).__name__)
                self.set_connection("failed", message)
                self.add_note("error", f"connection failed: {message}")
                if self.client is not None and self.client.is_connected():
                    await self.client.disconnect()
                return False
            self.set_connection("connected", "")
            return True

    def _retire_client(self) -> None:
        old = self.client
        self.client = None
        self._pending_updates.clear()
        self._applied_config = None
        if old is not None:
            old.clear_event_handlers()

    async def disconnect(self) -> None:
        """Close the connection (the conversation pane keeps what it showed).

        The user asked for it, so the library must not reconnect by itself: a reconnect
        under way is stopped (the library's own `disconnect`, whose `close` says so);
        otherwise only the socket is closed, since that `disconnect` also clears the
        conversation the panes show.
        """
        client = self.client
        if client is None:
            return
        client.auto_reconnect = False
        if client.is_reconnecting():
            await client.disconnect()
        elif client.is_connected():
            await client.realtime.disconnect()

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
        self.ingest(payload)
        event = payload.get("event") or {}
        etype = canonical_type(str(event.get("type", "")))
        if payload.get("source", "server") == "client":
            if etype == "conversation.item.retrieve" and isinstance(event.get("event_id"), str):
                self._retrieve_ids[event["event_id"]] = str(event.get("item_id"))
            elif etype == "session.update" and self.client is not None:
                self._pending_updates.append(
                    (str(event.get("event_id")), copy.deepcopy(self.client.session_config), self._asking))
        elif etype == "session.updated":
            if self._pending_updates:
                _, self._applied_config, asked = self._pending_updates.pop(0)
                if asked:
                    self.status(f"{asked} applied by the server")
        elif etype == "error":
            self._retrieval_refused(event)
            self._update_refused(event)
        elif etype == "conversation.item.retrieved":
            item = event.get("item") or {}
            future = self._retrievals.get(str(item.get("id")))
            if future is not None and not future.done():
                future.set_result(copy.deepcopy(event))

    def _update_refused(self, event: dict[str, Any]) -> None:
        """An error caused by a `session.update`: the server applied none of it, so the
        client's local session goes back to what the server last applied. Otherwise the
        refused field (a voice after audio, say) would be re-sent with every later update
        and make each of them fail the same way."""
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        caused = error.get("event_id")
        refused = next((k for k, (event_id, _, _) in enumerate(self._pending_updates) if event_id == caused), None)
        if refused is None or self.client is None:
            return
        if self._applied_config is not None:
            self.client.session_config = copy.deepcopy(self._applied_config)
        reason = error.get("code") or error.get("message") or "refused"
        asked = self._pending_updates[refused][2] if refused < len(self._pending_updates) else None
        del self._pending_updates[refused:]  # later updates carried the refused change too
        self.status(f"{asked or 'session update'} refused: {error.get('message') or reason}", "error")

    def _retrieval_refused(self, event: dict[str, Any]) -> None:
        """An error caused by one of `/retrieve`'s requests: that item is missing."""
        error = event.get("error") if isinstance(event.get("error"), dict) else {}
        caused = error.get("event_id")
        if isinstance(caused, str) and caused in self._retrieve_ids:
            future = self._retrievals.get(self._retrieve_ids.pop(caused))
            if future is not None and not future.done():
                future.set_result(None)

    def _on_updated(self, payload: dict[str, Any]) -> None:
        item = payload.get("item") or {}
        item_id = item.get("id")
        if isinstance(item_id, str):
            self.item_changed(item_id)
        delta = payload.get("delta") or {}
        audio = delta.get("audio") if isinstance(delta, dict) else None
        if audio is not None and len(audio) and item.get("role") == "assistant" and isinstance(item_id, str):
            for listener in list(self.output_audio_listeners):
                listener(item_id, audio)

    def _on_item(self, payload: dict[str, Any]) -> None:
        item = payload.get("item") or {}
        if isinstance(item.get("id"), str):
            self.item_changed(item["id"])

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
        self.mark_stats_changed()
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
        self.set_connection("disconnected", detail)
        self.add_note("info", detail)
        self._tell_reconnect("close", payload)

    def _tell_reconnect(self, phase: str, payload: dict[str, Any]) -> None:
        for listener in list(self.reconnect_listeners):
            listener(phase, payload)

    def _on_reconnecting(self, payload: dict[str, Any]) -> None:
        """The library lost the connection and tries again (it restores the conversation)."""
        reason = payload.get("reason") or "connection lost"
        cut = payload.get("interrupted") or []
        detail = (f"reconnecting ({reason}): attempt {payload.get('attempt')} in {float(payload.get('delay') or 0):.1f} s"
                  + (f"; the answer in progress was cut off ({len(cut)} item(s) incomplete)" if cut else ""))
        # Before the new session's `session.created`, which sets the header's id and expiry
        # again (after `reconnected` would wipe what that event just set).
        self.stats.reset_session()
        self.set_connection("connecting", detail)
        self.add_note("info", "⟳ " + detail)
        self._tell_reconnect("reconnecting", payload)

    def _on_reconnected(self, payload: dict[str, Any]) -> None:
        """A new session holds the conversation again: its items have new ids, so every
        view redraws them (the marks of the old session no longer apply)."""
        restored, skipped = payload.get("restored") or [], payload.get("skipped") or []
        self.reset_conversation()
        for item in self.items():
            self.item_changed(item["id"])
        text = (f"⟳ reconnected to session {payload.get('session_id')}: {len(restored)} item(s) restored"
                + (f", {len(skipped)} left out (over the context budget or nothing to restore)" if skipped else ""))
        self.set_connection("connected", "")
        self.add_note("info", text)
        self._tell_reconnect("reconnected", payload)

    # --- commands -------------------------------------------------------------------

    def update_session(self, asked: str, **fields: Any) -> None:
        """Send a session update the user asked for (`asked` names it in the status line,
        which says whether the server applied or refused it)."""
        if self.client is None:
            raise RuntimeError("not connected")
        self._asking = asked
        try:
            self.client.update_session(**fields)
        finally:
            self._asking = None

    def set_turn_mode(self, mode: str) -> None:
        """Switch between server VAD and push-to-talk (while connected: a session.update)."""
        if self.client is None:
            raise RuntimeError("not connected")
        detection = copy.deepcopy(DEFAULT_SERVER_VAD) if mode == "vad" else None
        self.client.update_session(turn_detection=detection)
        self.stats.turn_mode = mode
        self.mark_stats_changed()

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
