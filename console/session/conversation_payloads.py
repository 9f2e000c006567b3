"""`ConversationPayloads`: output-audio payloads for the event log, from the conversation.

Without a recording (`--no-record`) the log's store still holds no audio, but the
conversation keeps every assistant item's audio as one int16 array. A delta's bytes are a
slice of it: this remembers, per logged output-audio delta, where in its item the delta
starts (one int64 per event, 8 bytes, within the event store's per-event budget) and cuts that slice on
demand. Only PCM16 round-trips byte for byte (G.711 is decoded to int16), and audio the
conversation no longer has (a truncated tail, a deleted item, an earlier session after a
reconnect, an odd trailing byte still carried) gives None: the pane then says it is not
kept rather than showing something that was not received.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import numpy as np

from console.session.event_store import EventStore
from console.session.event_summary import base64_decoded_size

#: Output audio deltas in both protocols.
OUTPUT_AUDIO_DELTAS = ("response.output_audio.delta", "response.audio.delta")


class ConversationPayloads:
    """An `EventStore.payload_reader` that slices output audio out of the conversation.

    `observe` must be a bridge `realtime.event` listener: the bridge calls listeners just
    before it appends the event, so the store's length is the event's index.
    """

    def __init__(self, store: EventStore, client: Callable[[], Any]) -> None:
        self.store = store
        self._client = client
        self._offsets = np.full(1024, -1, np.int64)  # byte offset in the item; -1: none
        self._item_bytes: dict[str, int] = {}  # bytes so far per item (a few per turn)

    def observe(self, payload: dict[str, Any]) -> None:
        event = payload.get("event")
        if payload.get("source") != "server" or not isinstance(event, dict):
            return
        if event.get("type") not in OUTPUT_AUDIO_DELTAS:
            return
        item_id, delta = event.get("item_id"), event.get("delta")
        if not isinstance(item_id, str) or not isinstance(delta, str):
            return
        index = len(self.store)
        if index >= len(self._offsets):
            grown = np.full(max(2 * len(self._offsets), index + 1), -1, np.int64)
            grown[: len(self._offsets)] = self._offsets
            self._offsets = grown
        start = self._item_bytes.get(item_id, 0)
        self._offsets[index] = start
        self._item_bytes[item_id] = start + base64_decoded_size(delta)

    def payload(self, index: int) -> str | None:
        """The base64 of output-audio delta `index`, if the conversation still holds it."""
        if index >= len(self._offsets) or self._offsets[index] < 0 or self.store.output_codec != "pcm16":
            return None
        client = self._client()
        item_id = self.store.event(index).get("item_id")
        item = client.conversation.get_item(item_id) if client is not None and isinstance(item_id, str) else None
        audio = (item or {}).get("formatted", {}).get("audio")
        if not isinstance(audio, np.ndarray):
            return None
        start = int(self._offsets[index])
        size = self.store.delta_size(index)
        data = np.ascontiguousarray(audio, dtype="<i2").view(np.uint8)[start : start + size].tobytes()
        return base64.b64encode(data).decode("ascii") if len(data) == size else None

    def images(self, index: int) -> dict[str, Any] | None:
        """Event `index`'s item as the conversation holds it (its parts keep the images'
        data URLs), for copying an image event the recording does not hold."""
        client = self._client()
        logged = self.store.event(index).get("item")
        item_id = logged.get("id") if isinstance(logged, dict) else None
        item = client.conversation.get_item(item_id) if client is not None and isinstance(item_id, str) else None
        return {"item": item} if isinstance(item, dict) else None
