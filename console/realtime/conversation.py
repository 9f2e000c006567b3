"""RealtimeConversation: the sans-I/O client-side cache of a Realtime conversation.

A port of the JS reference client's `RealtimeConversation`, extended to the GA protocol.
It takes server events in (plus the client's own input audio) and hands changes out; it
never touches a socket, so the client, the recorder's replay and the tests drive the very
same state machine.

Where the reference is wrong this port fixes it, and each fix is named in the code:
queued transcripts are found (the reference reads the wrong key); item audio grows in an
`Int16Buffer` (amortised O(1)) instead of being copied whole on every delta; an event it
cannot apply raises `ConversationError` *before* touching state, so the caller can report
it and keep going; out-of-band responses (`conversation: "none"`) are legal traffic, kept
in a side table; everything stored is deep-copied so logged events never change after the
fact; a duplicate item is updated in place, not appended twice; manual-mode input audio
goes to the item named by `input_audio_buffer.committed`, not to the next user item; the
real sample rate (24 kHz PCM16, 8 kHz G.711) is used for all millisecond arithmetic; an
odd trailing PCM16 byte is carried to the next delta; `response.done` and transcription
failures are recorded instead of ignored.

It is one state machine, so it is one class: every processor reads and writes the same
tables (items, responses, queues, audio buffers), declared once in `clear()`. The class
reads top to bottom as: public API, copies, `apply_event`, item bookkeeping (storing,
merging, completion), then the processors of each event family (items, input
transcription and VAD speech, responses and their streams). What needs no state
(`ConversationError`, `Change`, field checks, content formatting) is in
`conversation_items`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from . import conversation_mcp, protocol
from .audio import DeltaDecoder, Int16Buffer, base64_to_bytes, decode, ms_to_samples, to_int16
from .conversation_items import (  # noqa: F401 (AUDIO_PART_TYPES, TEXT_PART_TYPES, Delta: re-exported)
    AUDIO_PART_TYPES,
    NOTHING,
    TEXT_PART_TYPES,
    Change,
    ConversationError,
    Delta,
    Item,
    Result,
    check_ms,
    merge_content,
    missing_field,
    output_ids,
    part_type,
    require_fields,
    text_of,
    transcript_of,
)
from .images import describe_parts

#: Side tables for things that may never be claimed (speech whose item never comes,
#: out-of-band items) keep only this many entries, oldest dropped first, so a long session
#: cannot grow them without bound.
MAX_PENDING = 256

_ID_KEYS = ("item_id", "response_id")


class RealtimeConversation:
    """Client-side cache of conversation items and responses, fed by server events.

    Items are the server's item dicts plus `item["formatted"]`: `audio` (numpy int16, always
    current), `text`, `transcript`, `tool` {type, name, call_id, arguments} for function
    calls, `output` for function call outputs, `transcript_error` after a failed input
    transcription, and `images` for a message with `input_image` parts: one dict per image
    (`index` of its part, `name`, `mime`, `bytes`, `width`, `height`, `detail`; see
    `images.ImageInfo`), never the image again: the data URL stays in its part only.

    `apply_event` returns a `Change`: besides the item and delta (what `process_event`
    returns), whether that event appended a new item (so the client emits
    `conversation.item.appended` once, even for a duplicate `conversation.item.created` or
    for GA's `item.added` followed by `item.done`) and whether it is the one that reports
    the item completed (so `conversation.item.completed` is emitted once per item). As in
    the reference, an item that a response outputs is reported completed by
    `response.output_item.done` (where the client runs a finished tool call), even though
    GA's `conversation.item.done` arrives just before it and already sets the status;
    other items (user, client-created) are reported when they arrive completed.
    """

    def __init__(self, *, input_codec: str = "pcm16", output_codec: str = "pcm16") -> None:
        """
        Args:
            input_codec: codec of the session's input audio (`pcm16`, `g711_ulaw`,
                `g711_alaw`, or a GA format object); sets the rate VAD offsets use.
            output_codec: codec of the output audio deltas; sets the rate of truncation.
        """
        self.input_codec: str = protocol.audio_codec(input_codec)
        self.output_codec: str = protocol.audio_codec(output_codec)
        self.clear()

    # --- public API -------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every item, response, queue and buffer (codecs are kept)."""
        self._items: list[Item] = []
        self._item_lookup: dict[str, Item] = {}
        self._responses: list[dict[str, Any]] = []
        self._response_lookup: dict[str, dict[str, Any]] = {}
        self._oob_items: dict[str, Item] = {}
        self._audio: dict[str, Int16Buffer] = {}
        self._decoders: dict[str, DeltaDecoder] = {}
        self._queued_speech: dict[str, dict[str, Any]] = {}
        self._queued_transcripts: dict[str, dict[str, Any]] = {}
        self._queued_failures: dict[str, Any] = {}
        self._committed_audio: dict[str, np.ndarray] = {}
        self._expected_images: dict[str, list[dict[str, Any]]] = {}
        self._queued_input_audio: np.ndarray | None = None
        self._awaiting_output_done: set[str] = set()
        self._reported_completed: set[str] = set()

    def set_audio_formats(self, input_codec: Any, output_codec: Any) -> None:
        """Use these codecs (beta names or GA format objects) for audio from now on.

        Called when `session.created` / `session.updated` reports the formats; an item
        already receiving audio keeps decoding with the codec it started with.
        """
        self.input_codec = protocol.audio_codec(input_codec)
        self.output_codec = protocol.audio_codec(output_codec)

    @property
    def input_rate(self) -> int:
        return protocol.sample_rate(self.input_codec)

    @property
    def output_rate(self) -> int:
        return protocol.sample_rate(self.output_codec)

    def queue_input_audio(self, samples: Any) -> None:
        """Hold manual-mode input audio until `input_audio_buffer.committed` names its item.

        Args:
            samples: int16 array, float array in [-1, 1] or PCM16 bytes; copied, so the
                caller may reuse its buffer.
        """
        self._queued_input_audio = np.array(to_int16(samples), dtype=np.int16, copy=True)

    def expect_images(self, item_id: str, images: list[dict[str, Any]]) -> None:
        """What the client knows of the images of an item it is creating (their file names
        above all, which the wire does not carry); used for `formatted.images` when the
        server's copy of the item arrives, instead of reading the data URLs again."""
        self._bounded_put(self._expected_images, item_id, [dict(image) for image in images])

    def get_item(self, item_id: str) -> Item | None:
        """The live item with this id, or None (out-of-band items are not included)."""
        return self._item_lookup.get(item_id)

    def get_items(self) -> list[Item]:
        """The conversation's items in order (a new list; the items themselves are live)."""
        return list(self._items)

    def rename_item(self, old_id: str, new_id: str) -> Item:
        """Give a live item the id a new session knows it by (see `RealtimeClient`'s
        reconnect): the item keeps its place and data, `item["id"]` becomes `new_id` and
        `item["restored_from"]` records `old_id`, so later server events naming `new_id`
        (truncated, deleted, retrieved) find it.

        Raises:
            KeyError: no live item has `old_id`.
            ValueError: `new_id` is already taken.
        """
        item = self._item_lookup[old_id]
        if new_id == old_id:
            return item
        if new_id in self._item_lookup:
            raise ValueError(f"item id {new_id!r} is already in the conversation")
        del self._item_lookup[old_id]
        self._item_lookup[new_id] = item
        item.setdefault("restored_from", old_id)
        item["id"] = new_id
        for table in (self._audio, self._decoders, self._committed_audio):
            if old_id in table:
                table[new_id] = table.pop(old_id)  # type: ignore[index]
        for ids in (self._reported_completed, self._awaiting_output_done):
            if old_id in ids:
                ids.discard(old_id)
                ids.add(new_id)
        for response in self._responses:
            output = response.get("output")
            if isinstance(output, list) and old_id in output:
                response["output"] = [new_id if i == old_id else i for i in output]
        return item

    def mark_interrupted(self) -> list[Item]:
        """The connection was lost: end every response still in progress.

        Its items still in progress become `incomplete` (with the text and audio that
        arrived) and the response gets status `incomplete`, reason `connection_lost`, as
        no `response.done` will ever come. Returns the items changed.
        """
        changed: list[Item] = []
        for response in self._responses:
            if response.get("status") not in (None, "in_progress"):
                continue
            response["status"] = "incomplete"
            response["status_details"] = {"type": "incomplete", "reason": "connection_lost"}
            for item_id in response.get("output") or []:
                self._awaiting_output_done.discard(item_id)
                item = self._item_lookup.get(item_id)
                if item is not None and item.get("status") in (None, "in_progress"):
                    item["status"] = "incomplete"
                    changed.append(item)
        return changed

    def get_out_of_band_item(self, item_id: str) -> Item | None:
        """An item of an out-of-band response (never part of the conversation)."""
        return self._oob_items.get(item_id)

    def get_response(self, response_id: str) -> dict[str, Any] | None:
        """A response as stored: the server's object, `output` as item ids, and after
        `response.done` its final `status`, `status_details` and `usage`."""
        return self._response_lookup.get(response_id)

    def get_responses(self) -> list[dict[str, Any]]:
        """Every response seen, in order of arrival (a new list)."""
        return list(self._responses)

    # --- copies (replay checkpoints) ---------------------------------------------------

    def audio_item_ids(self) -> list[str]:
        """Ids of the items (out-of-band ones included) whose audio the conversation holds."""
        return list(self._audio)

    def freeze_audio(self, item_id: str, reuse: np.ndarray | None = None) -> np.ndarray:
        """Hold an item's audio in an exact-size read-only array, and return that array.

        Copies of the conversation (`copy()`) then share the array instead of copying it,
        so many saved states hold the audio once. The item keeps working: its next delta
        reallocates, and truncation or appends never write into the array (copy-on-write
        in `Int16Buffer`). `reuse`: an array an earlier call returned for this item; if
        the item's audio has the same length it is adopted without copying (the caller
        vouches the samples are unchanged: audio only grows, except by truncation).

        Raises:
            KeyError: the conversation holds no audio for `item_id`.
        """
        data = self._audio[item_id].freeze(reuse)
        item = self._item_lookup.get(item_id) or self._oob_items.get(item_id)
        if item is not None:
            shown = item["formatted"].get("audio")
            if isinstance(shown, np.ndarray) and len(shown) == len(data):
                item["formatted"]["audio"] = data
        return data

    def copy(self) -> RealtimeConversation:
        """An independent deep copy; frozen audio (see `freeze_audio`) is shared, not copied.

        Processing events on either conversation never changes the other. Equivalent to
        `copy.deepcopy(conversation)`, which a caller copying a larger state relies on.
        """
        return copy.deepcopy(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> RealtimeConversation:
        # Each item's `formatted.audio` is a view of its buffer: the copy's must be a view of
        # the copied buffer (one array per item, not two), or the frozen array itself.
        for item_id, buffer in self._audio.items():
            copied = copy.deepcopy(buffer, memo)
            item = self._item_lookup.get(item_id) or self._oob_items.get(item_id)
            shown = item["formatted"].get("audio") if item is not None else None
            if (
                isinstance(shown, np.ndarray)
                and len(shown) == len(buffer)
                and len(shown)
                and np.may_share_memory(shown, buffer.view())
            ):
                memo.setdefault(id(shown), copied.freeze() if copied.frozen else copied.view())
        duplicate = RealtimeConversation.__new__(RealtimeConversation)
        memo[id(self)] = duplicate
        for key, value in self.__dict__.items():
            duplicate.__dict__[key] = copy.deepcopy(value, memo)
        return duplicate

    def process_event(
        self, event: dict[str, Any], input_audio: np.ndarray | None = None, input_audio_offset: int = 0
    ) -> Result:
        """Apply one server event; return `(item, delta)` for the UI, or `(None, None)`.

        `input_audio` is the session's input audio (int16) whose sample 0 is input sample
        `input_audio_offset` of the session; `speech_stopped` slices it. Unknown event types
        return `(None, None)` (new types keep arriving); events missing `type`, fields a
        processor needs, or naming unknown items raise `ConversationError`, leaving the
        state unchanged. `event_id` is not required (GA DTMF events have none).

        Args:
            event: a parsed server event; never mutated, and nothing stored aliases it.
            input_audio: the client's input audio so far (for `speech_stopped`).
            input_audio_offset: the session sample index of `input_audio[0]`.

        Returns:
            `(item, delta)`: the live item that changed (None if nothing for the UI) and
            what changed: `{"audio": new int16 samples}`, `{"text": str}`,
            `{"transcript": str}`, `{"arguments": str}` or `{"transcript_error": error}`;
            None for whole-item changes (created, truncated, deleted, done).

        Raises:
            ConversationError: the event cannot be applied; nothing was changed.
        """
        change = self.apply_event(event, input_audio, input_audio_offset)
        return change.item, change.delta

    def apply_event(
        self, event: dict[str, Any], input_audio: np.ndarray | None = None, input_audio_offset: int = 0
    ) -> Change:
        """`process_event`, returning the whole `Change`: with `appended` (this event added
        the item to the conversation) and `completed` (this event reports it completed).

        Raises:
            ConversationError: the event cannot be applied; nothing was changed.
        """
        if not isinstance(event, dict):
            raise ConversationError(f"event must be a JSON object, not {type(event).__name__}")
        event_type = event.get("type")
        if not isinstance(event_type, str) or not event_type:
            raise ConversationError("event is missing its 'type'")
        processor = _PROCESSORS.get(protocol.canonical_type(event_type))
        if processor is None:
            return NOTHING
        for key in _ID_KEYS:  # ids index tables: anything but a string is rejected here
            value = event.get(key)
            if value is not None and type(value) is not str:
                raise ConversationError(f"{event_type}: {key} must be a string, not {value!r}")
        try:
            return processor(self, event, input_audio, input_audio_offset)
        except RecursionError:
            # Copying a value nested thousands deep; processors copy before they change
            # anything, so the state is as it was.
            raise ConversationError(f"{event_type}: a value is nested too deeply to store") from None

    # --- helpers ----------------------------------------------------------------------

    def _find(self, event: dict[str, Any], key: str = "item_id") -> tuple[Item, bool]:
        """(item, in_conversation) for the event's item id, from the conversation or the
        out-of-band table; raises ConversationError if neither knows it."""
        item_id = event.get(key)
        if item_id is None:
            raise missing_field(event, key)
        item = self._item_lookup.get(item_id)
        if item is not None:
            return item, True
        item = self._oob_items.get(item_id)
        if item is not None:
            return item, False
        raise ConversationError(f"{event.get('type')}: item {item_id!r} not found")

    def _content_audio(self, content: list[Any]) -> np.ndarray:
        """Audio carried inline in content parts (base64), decoded; ValueError if invalid."""
        chunks = []
        for part in content:
            if part_type(part) in AUDIO_PART_TYPES and part.get("audio"):
                if not isinstance(part["audio"], str):
                    raise ValueError("audio must be a base64 string")
                codec = self.input_codec if part["type"] == "input_audio" else self.output_codec
                data = base64_to_bytes(part["audio"])
                if codec == "pcm16" and len(data) % 2:
                    data = data[:-1]
                chunks.append(decode(data, codec))
        return np.concatenate(chunks).astype(np.int16) if chunks else np.zeros(0, dtype=np.int16)

    def _bounded_put(self, table: dict[str, Any], key: str, value: Any) -> Any:
        """Insert into a side table, dropping its oldest entries beyond MAX_PENDING."""
        table[key] = value
        while len(table) > MAX_PENDING:
            oldest = next(iter(table))
            del table[oldest]
            if table is self._oob_items:
                self._audio.pop(oldest, None)
                self._decoders.pop(oldest, None)
                self._awaiting_output_done.discard(oldest)
        return value

    def _set_audio(self, item: Item, samples: np.ndarray) -> None:
        buffer = Int16Buffer(samples, capacity=max(4096, len(samples)))
        self._audio[item["id"]] = buffer
        item["formatted"]["audio"] = buffer.view()

    def _new_formatted(self, item: Item) -> None:
        """Give a freshly stored item its `formatted` view, as the reference does."""
        item_id = item["id"]
        content = item.get("content") if isinstance(item.get("content"), list) else []
        item["formatted"] = {"audio": np.zeros(0, dtype=np.int16), "text": text_of(content), "transcript": ""}
        speech = self._queued_speech.get(item_id)
        if speech is not None and speech.get("audio") is not None:
            del self._queued_speech[item_id]
            self._set_audio(item, speech["audio"])
        # (Speech still open stays queued: speech_stopped then gives the item its audio.)
        committed = self._committed_audio.pop(item_id, None)
        if committed is not None:
            self._set_audio(item, committed)
        # Fix: the reference reads the queued entry's wrong key and shows `undefined`.
        queued = self._queued_transcripts.pop(item_id, None)
        if queued is not None:
            item["formatted"]["transcript"] = queued["shown"]
            index = queued.get("content_index")
            if queued.get("raw") is not None and isinstance(index, int) and 0 <= index < len(content):
                if isinstance(content[index], dict):
                    content[index]["transcript"] = queued["raw"]
        if not len(item["formatted"]["audio"]):
            # Items created with inline audio (`conversation.item.create` with input_audio,
            # replays of retrieved items): the reference leaves them silent.
            try:
                inline = self._content_audio(content)
            except (ValueError, TypeError):
                inline = None  # the item itself is still worth keeping
            if inline is not None and len(inline):
                self._set_audio(item, inline)
        failure = self._queued_failures.pop(item_id, None)
        if failure is not None:
            item["formatted"]["transcript_error"] = failure
        self._set_images(item, content)
        kind = item.get("type")
        if kind == "message":
            # Fix: assistant / system messages the client created arrive `completed`.
            if item.get("role") == "user" or item.get("status") == "completed":
                item["status"] = "completed"
            else:
                item["status"] = "in_progress"
        elif kind == "function_call":
            # Fix: the reference builds `"undefined"` arguments when the key is absent.
            arguments = item.get("arguments")
            item["arguments"] = arguments if isinstance(arguments, str) else ""
            item["formatted"]["tool"] = {
                "type": "function",
                "name": item.get("name"),
                "call_id": item.get("call_id"),
                "arguments": item["arguments"],
            }
            if item.get("status") != "completed":
                item["status"] = "in_progress"
        elif kind == "function_call_output":
            item["status"] = "completed"
            item["formatted"]["output"] = item.get("output")
        elif conversation_mcp.is_mcp_item(item):
            conversation_mcp.stored(self, item)

    def _set_images(self, item: Item, content: list[Any]) -> None:
        """`formatted.images` of a message with image parts: what the client said when it
        sent them, else read from the parts' headers (cheap: no image is decoded whole)."""
        expected = self._expected_images.pop(item["id"], None)
        found = describe_parts(content) if any(part_type(p) == "input_image" for p in content) else []
        if expected is not None and len(expected) == len(found):
            found = [{**seen, "index": read["index"]} for seen, read in zip(expected, found)]
        if found:
            item["formatted"]["images"] = found

    def _report_completed(self, item: Item) -> bool:
        """True once per item: when it is completed and nothing it waits for is pending."""
        item_id = item["id"]
        if item.get("status") != "completed" or item_id in self._reported_completed:
            return False
        if item_id in self._awaiting_output_done:
            return False
        self._reported_completed.add(item_id)
        return True

    def _merge_item(self, item: Item, incoming: Item) -> bool:
        """Update a known item from a later server copy; True if it is now reported completed."""
        was_completed = item.get("status") == "completed"
        # Every new value is copied before the item changes: a copy that fails (a value
        # nested too deeply) must leave the item as it was.
        updates: dict[str, Any] = {}
        for key, value in incoming.items():
            if key in ("id", "formatted"):
                continue
            if key == "content" and isinstance(value, list):
                old = item.get("content") if isinstance(item.get("content"), list) else []
                updates["content"] = merge_content(old, value)
            elif key == "arguments" and not isinstance(value, str):
                continue  # arguments stay a string: deltas are appended to them
            elif key == "status":
                keep_completed = item.get("role") == "user" or item.get("type") == "function_call_output"
                if not (keep_completed and was_completed) and value is not None:
                    updates["status"] = copy.deepcopy(value)
            elif value is not None or key not in item:
                updates[key] = copy.deepcopy(value)
        item.update(updates)
        formatted = item["formatted"]
        content = item.get("content") if isinstance(item.get("content"), list) else []
        formatted["text"] = formatted["text"] or text_of(content)
        formatted["transcript"] = formatted["transcript"] or transcript_of(content)
        if "tool" in formatted and isinstance(item.get("arguments"), str) and item["arguments"]:
            formatted["tool"]["arguments"] = item["arguments"]
        if "output" in formatted and "output" in item:
            formatted["output"] = item["output"]
        if "images" not in formatted and "content" in updates:
            self._set_images(item, content)
        if conversation_mcp.is_mcp_item(item):
            conversation_mcp.refresh(item)
        return self._report_completed(item)

    def _store_new(self, incoming: Item) -> Change:
        """Append a new item (the change reports it appended, and completed if it is)."""
        item = copy.deepcopy(incoming)
        item.pop("formatted", None)
        oob = self._oob_items.pop(item["id"], None)
        self._new_formatted(item)
        if oob is not None:
            # Parts and deltas that arrived before the item joined the conversation are kept.
            content = item.get("content") if isinstance(item.get("content"), list) else []
            if len(oob.get("content") or []) > len(content):
                item["content"] = merge_content(content, oob["content"])
            if len(oob.get("arguments") or "") > len(item.get("arguments") or ""):
                item["arguments"] = oob["arguments"]
                if "tool" in item["formatted"]:
                    item["formatted"]["tool"]["arguments"] = item["arguments"]
            for key in ("audio", "text", "transcript"):
                value = oob["formatted"].get(key)
                if value is not None and len(value):
                    item["formatted"][key] = value
        self._items.append(item)
        self._item_lookup[item["id"]] = item
        return Change(item, None, appended=True, completed=self._report_completed(item))

    def _event_item(self, event: dict[str, Any]) -> Item:
        item = event.get("item")
        if not isinstance(item, dict):
            raise missing_field(event, "item")
        if not item.get("id") or not isinstance(item["id"], str):
            raise ConversationError(f"{event.get('type')}: item has no 'id' string")
        if not isinstance(item.get("content", []), (list, type(None))):
            raise ConversationError(f"{event.get('type')}: item.content must be a list")
        return item

    # --- items ------------------------------------------------------------------------

    def _item_created(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """conversation.item.created (beta) / conversation.item.added (GA)."""
        incoming = self._event_item(event)
        existing = self._item_lookup.get(incoming["id"])
        if existing is not None:
            # Fix: a duplicate updates in place; the reference appends a detached copy.
            return Change(existing, None, completed=self._merge_item(existing, incoming))
        return self._store_new(incoming)

    def _item_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """GA conversation.item.done: the final item (created if never seen)."""
        incoming = self._event_item(event)
        existing = self._item_lookup.get(incoming["id"])
        if existing is None:
            return self._store_new(incoming)
        return Change(existing, None, completed=self._merge_item(existing, incoming))

    def _item_retrieved(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """The server's copy of an item, with `formatted`, without changing state.

        A caller compares it with `get_item(id)` to show drift; audio carried in its
        content is decoded into `formatted.audio`.
        """
        item = copy.deepcopy(self._event_item(event))
        content = item.get("content") if isinstance(item.get("content"), list) else []
        try:
            audio = self._content_audio(content)
        except ValueError as exc:
            raise ConversationError(f"{event.get('type')}: {exc}") from None
        item["formatted"] = {
            "audio": audio,
            "text": text_of(content),
            "transcript": transcript_of(content),
        }
        if any(part_type(p) == "input_image" for p in content):
            item["formatted"]["images"] = describe_parts(content)
        return Change(item, None)

    def _item_truncated(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        require_fields(event, "item_id", "audio_end_ms")
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            raise ConversationError(f"conversation.item.truncated: item {event['item_id']!r} not found")
        check_ms(event, "audio_end_ms")
        end_ms = event["audio_end_ms"]
        keep = ms_to_samples(end_ms, self.output_rate)
        buffer = self._audio.get(item["id"])
        if buffer is not None:
            buffer.truncate(keep)
            item["formatted"]["audio"] = buffer.view()
        else:
            item["formatted"]["audio"] = item["formatted"]["audio"][:keep]
        item["formatted"]["transcript"] = ""
        # Upstream drops the transcript of the truncated part too.
        index = event.get("content_index")
        content = item.get("content")
        if isinstance(index, int) and isinstance(content, list) and 0 <= index < len(content):
            if isinstance(content[index], dict) and "transcript" in content[index]:
                content[index]["transcript"] = ""
        return Change(item, None)

    def _item_deleted(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        require_fields(event, "item_id")
        item = self._item_lookup.pop(event["item_id"], None)
        if item is None:
            raise ConversationError(f"conversation.item.deleted: item {event['item_id']!r} not found")
        # By identity, never by `==` (dicts holding numpy arrays must not be compared).
        del self._items[next(i for i, other in enumerate(self._items) if other is item)]
        self._audio.pop(item["id"], None)
        self._decoders.pop(item["id"], None)
        self._awaiting_output_done.discard(item["id"])
        return Change(item, None)

    def _ignore(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        return NOTHING

    # --- input transcription ---------------------------------------------------------

    def _transcription_completed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        require_fields(event, "item_id")
        raw = event.get("transcript")
        if not isinstance(raw, str):
            raise missing_field(event, "transcript")
        # A single space in `formatted` tells "empty transcript" apart from "not
        # transcribed yet"; the delta carries what the server said, as the reference does.
        shown = raw or " "
        index = event.get("content_index", 0)
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            self._bounded_put(self._queued_transcripts, event["item_id"], {"raw": raw, "shown": shown, "content_index": index})
            return NOTHING
        content = item.get("content")
        if isinstance(index, int) and isinstance(content, list) and 0 <= index < len(content):
            if isinstance(content[index], dict):
                content[index]["transcript"] = raw
        item["formatted"]["transcript"] = shown
        return Change(item, {"transcript": raw})

    def _transcription_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """Streaming input transcription: a growing `formatted.transcript`."""
        require_fields(event, "item_id")
        delta = event.get("delta")
        if delta is None:
            delta = ""
        if not isinstance(delta, str):
            raise ConversationError(f"{event.get('type')}: delta must be a string")
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            queued = self._queued_transcripts.get(event["item_id"])
            if queued is None:
                queued = self._bounded_put(
                    self._queued_transcripts,
                    event["item_id"],
                    {"raw": None, "shown": "", "content_index": event.get("content_index", 0)},
                )
            if queued["raw"] is None:  # a completed transcript already queued wins
                queued["shown"] += delta
            return NOTHING
        item["formatted"]["transcript"] += delta
        return Change(item, {"transcript": delta})

    def _transcription_failed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """Fix: the reference ignores failures; the item keeps the error for the UI."""
        require_fields(event, "item_id", "error")
        error = copy.deepcopy(event["error"])
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            self._bounded_put(self._queued_failures, event["item_id"], error)
            return NOTHING
        item["formatted"]["transcript_error"] = error
        return Change(item, {"transcript_error": error})

    # --- input audio: VAD speech, commits ------------------------------------------------------------------

    def _speech_started(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        require_fields(event, "item_id", "audio_start_ms")
        check_ms(event, "audio_start_ms")
        self._bounded_put(self._queued_speech, event["item_id"], {"audio_start_ms": event["audio_start_ms"]})
        return NOTHING

    def _speech_stopped(self, event: dict[str, Any], input_audio: Any, offset: int) -> Change:
        require_fields(event, "item_id", "audio_end_ms")
        check_ms(event, "audio_end_ms")
        item_id, end_ms = event["item_id"], event["audio_end_ms"]
        samples = None if input_audio is None else to_int16(input_audio)
        speech = self._queued_speech.get(item_id)
        if speech is None:
            speech = self._bounded_put(self._queued_speech, item_id, {"audio_start_ms": end_ms})
        speech["audio_end_ms"] = end_ms
        if samples is not None:
            rate = self.input_rate
            start = max(0, min(len(samples), ms_to_samples(speech["audio_start_ms"], rate) - offset))
            stop = max(start, min(len(samples), ms_to_samples(end_ms, rate) - offset))
            speech["audio"] = samples[start:stop].copy()
            item = self._item_lookup.get(item_id)
            if item is not None:  # the item came first: give it the audio directly
                self._queued_speech.pop(item_id)
                self._set_audio(item, speech["audio"])
        return NOTHING

    def _timeout_triggered(self, event: dict[str, Any], input_audio: Any, offset: int) -> Change:
        """GA idle timeout: the server commits [audio_start_ms, audio_end_ms) as an item,
        exactly as if speech had started and stopped there, so the item gets that audio."""
        require_fields(event, "item_id", "audio_start_ms", "audio_end_ms")
        check_ms(event, "audio_start_ms")
        check_ms(event, "audio_end_ms")
        self._speech_started(event, None, offset)
        return self._speech_stopped(event, input_audio, offset)

    def _committed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """Fix: manual-mode audio belongs to the committed item, not the next user item."""
        require_fields(event, "item_id")
        if self._queued_input_audio is None:
            return NOTHING
        samples, self._queued_input_audio = self._queued_input_audio, None
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            self._bounded_put(self._committed_audio, event["item_id"], samples)
            return NOTHING
        self._set_audio(item, samples)
        return Change(item, None)

    # --- responses, output items, content parts -----------------------------------------

    def _check_response(self, event: dict[str, Any], response: Any) -> None:
        if not isinstance(response, dict):
            raise missing_field(event, "response")
        if not response.get("id") or not isinstance(response["id"], str):
            raise ConversationError(f"{event.get('type')}: response has no 'id' string")
        if not isinstance(response.get("output", []), (list, type(None))):
            raise ConversationError(f"{event.get('type')}: response.output must be a list")

    def _response_created(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        response = event.get("response")
        self._check_response(event, response)
        if response["id"] not in self._response_lookup:
            stored = copy.deepcopy(response)
            stored["output"] = output_ids(stored.get("output"))
            self._responses.append(stored)
            self._response_lookup[stored["id"]] = stored
        return NOTHING

    def _response_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """Fix: the reference ignores it; store final status, status_details and usage."""
        response = event.get("response")
        self._check_response(event, response)
        final = {key: copy.deepcopy(value) for key, value in response.items() if key != "output"}  # before any change
        stored = self._response_lookup.get(response["id"])
        if stored is None:
            stored = {"id": response["id"], "output": []}
            self._responses.append(stored)
            self._response_lookup[stored["id"]] = stored
        for out_id in output_ids(response.get("output")):
            if out_id not in stored["output"]:
                stored["output"].append(out_id)
        stored.update(final)
        return NOTHING

    def _output_item_added(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        require_fields(event, "response_id")
        incoming = self._event_item(event)
        known = incoming["id"] in self._item_lookup or incoming["id"] in self._oob_items
        aside = None if known else copy.deepcopy(incoming)  # before any change
        response = self._response_lookup.get(event["response_id"])
        if response is None:
            # Out-of-band or missed response.created: legal traffic, remember a stub.
            response = {"id": event["response_id"], "object": "realtime.response", "status": "in_progress", "output": []}
            self._responses.append(response)
            self._response_lookup[response["id"]] = response
        if incoming["id"] not in response["output"]:
            response["output"].append(incoming["id"])
        if incoming["id"] not in self._reported_completed:
            self._awaiting_output_done.add(incoming["id"])
        if aside is not None:
            # Until conversation.item.created/added names it, the item lives aside: an
            # out-of-band response's items never join the conversation.
            aside.pop("formatted", None)
            self._new_formatted(aside)
            self._bounded_put(self._oob_items, aside["id"], aside)
        return NOTHING

    def _output_item_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        incoming = self._event_item(event)
        item, in_conversation = self._find({"type": event.get("type"), "item_id": incoming["id"]})
        self._awaiting_output_done.discard(item["id"])
        if incoming.get("status") is not None:
            item["status"] = incoming["status"]
        final_arguments = incoming.get("arguments")
        if item.get("type") == "function_call" and not item.get("arguments") and isinstance(final_arguments, str):
            item["arguments"] = final_arguments
            tool = item["formatted"].get("tool")  # absent if the item was first stored with another type
            if tool is not None:
                tool["arguments"] = final_arguments
        if conversation_mcp.is_mcp_item(item) and "mcp" in item["formatted"]:
            conversation_mcp.merge_final(item, incoming)
        if not in_conversation:
            return NOTHING
        return Change(item, None, completed=self._report_completed(item))

    def _content_part_added(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        part = event.get("part")
        if not isinstance(part, dict):
            raise missing_field(event, "part")
        item, in_conversation = self._find(event)
        content = item.get("content")
        index = event.get("content_index")
        if isinstance(content, list) and isinstance(index, int) and 0 <= index < len(content):
            return Change(item, None) if in_conversation else NOTHING
        # Fix: store a copy; the reference appends the event's own dict and then grows it.
        stored = copy.deepcopy(part)  # before any change
        if not isinstance(content, list):
            content = item["content"] = []
        content.append(stored)
        return Change(item, None) if in_conversation else NOTHING

    # --- deltas -----------------------------------------------------------------------

    def _part(self, item: Item, event: dict[str, Any]) -> dict[str, Any] | None:
        index = event.get("content_index", 0)
        content = item.get("content")
        if isinstance(index, int) and isinstance(content, list) and 0 <= index < len(content):
            part = content[index]
            return part if isinstance(part, dict) else None
        return None

    def _streamed(self, event: dict[str, Any]) -> tuple[str, Item, bool]:
        """(delta, item, in_conversation) of a streaming event, checked before any change."""
        delta = event.get("delta")
        if not isinstance(delta, str):
            raise missing_field(event, "delta")
        item, in_conversation = self._find(event)
        return delta, item, in_conversation

    def _part_delta(self, event: dict[str, Any], key: str) -> Change:
        """A text or transcript delta: grows the content part's `key` and `formatted[key]`."""
        delta, item, in_conversation = self._streamed(event)
        part = self._part(item, event)
        if part is not None:
            # A stored value that is not text (a malformed part) is replaced by the
            # stream, which is the real content; it never makes the delta fail.
            current = part.get(key)
            part[key] = (current if isinstance(current, str) else "") + delta
        item["formatted"][key] += delta
        return Change(item, {key: delta}) if in_conversation else NOTHING

    def _audio_transcript_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        return self._part_delta(event, "transcript")

    def _audio_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        """Append decoded audio in amortised O(1) (the reference copies the whole array)."""
        data, item, in_conversation = self._streamed(event)
        item_id = item["id"]
        decoder = self._decoders.get(item_id)
        if decoder is None:
            decoder = self._decoders[item_id] = DeltaDecoder(self.output_codec)
        try:
            samples = decoder.feed(data)
        except ValueError as exc:
            raise ConversationError(f"{event.get('type')}: {exc}") from None
        buffer = self._audio.get(item_id)
        if buffer is None:
            buffer = self._audio[item_id] = Int16Buffer(item["formatted"]["audio"], capacity=1 << 16)
        buffer.append(samples)
        item["formatted"]["audio"] = buffer.view()
        return Change(item, {"audio": samples}) if in_conversation else NOTHING

    def _text_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        return self._part_delta(event, "text")

    def _arguments_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        delta, item, in_conversation = self._streamed(event)
        current = item.get("arguments")
        item["arguments"] = (current if isinstance(current, str) else "") + delta
        tool = item["formatted"].get("tool")
        if tool is not None:
            tool["arguments"] = item["arguments"]
        return Change(item, {"arguments": delta}) if in_conversation else NOTHING

    # --- .done events: final values, filled in only where the deltas left a gap ----------

    def _final_value(self, event: dict[str, Any], key: str, formatted_key: str) -> Change:
        """Set the final text/transcript of a `.done` event if the deltas left it empty."""
        final = event.get(key)
        item_id = event.get("item_id")
        item = self._item_lookup.get(item_id) or self._oob_items.get(item_id)  # type: ignore[arg-type]
        if item is None or not isinstance(final, str) or not final:
            return NOTHING
        changed = False
        part = self._part(item, event)
        if part is not None and not part.get(key):
            part[key] = final
            changed = True
        if not item["formatted"].get(formatted_key):
            item["formatted"][formatted_key] = final
            changed = True
        return Change(item, None) if changed and item_id in self._item_lookup else NOTHING

    def _audio_transcript_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        return self._final_value(event, "transcript", "transcript")

    def _text_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        return self._final_value(event, "text", "text")

    def _arguments_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Change:
        item = self._item_lookup.get(event.get("item_id")) or self._oob_items.get(event.get("item_id"))
        final = event.get("arguments")
        if item is None or not isinstance(final, str) or item.get("arguments"):
            return NOTHING
        item["arguments"] = final
        if "tool" in item["formatted"]:
            item["formatted"]["tool"]["arguments"] = final
        return Change(item, None) if item["id"] in self._item_lookup else NOTHING


Processor = Callable[[RealtimeConversation, dict[str, Any], Any, int], Change]

#: The processor of each canonical (beta-named) event type; other types change nothing.
_PROCESSORS: dict[str, Processor] = {
    "conversation.item.created": RealtimeConversation._item_created,
    "conversation.item.done": RealtimeConversation._item_done,
    "conversation.item.retrieved": RealtimeConversation._item_retrieved,
    "conversation.item.truncated": RealtimeConversation._item_truncated,
    "conversation.item.deleted": RealtimeConversation._item_deleted,
    "conversation.item.input_audio_transcription.completed": RealtimeConversation._transcription_completed,
    "conversation.item.input_audio_transcription.delta": RealtimeConversation._transcription_delta,
    "conversation.item.input_audio_transcription.failed": RealtimeConversation._transcription_failed,
    "conversation.item.input_audio_transcription.segment": RealtimeConversation._ignore,
    "input_audio_buffer.speech_started": RealtimeConversation._speech_started,
    "input_audio_buffer.speech_stopped": RealtimeConversation._speech_stopped,
    "input_audio_buffer.committed": RealtimeConversation._committed,
    "input_audio_buffer.timeout_triggered": RealtimeConversation._timeout_triggered,
    "response.created": RealtimeConversation._response_created,
    "response.done": RealtimeConversation._response_done,
    "response.output_item.added": RealtimeConversation._output_item_added,
    "response.output_item.done": RealtimeConversation._output_item_done,
    "response.content_part.added": RealtimeConversation._content_part_added,
    "response.audio_transcript.delta": RealtimeConversation._audio_transcript_delta,
    "response.audio.delta": RealtimeConversation._audio_delta,
    "response.text.delta": RealtimeConversation._text_delta,
    "response.function_call_arguments.delta": RealtimeConversation._arguments_delta,
    "response.audio_transcript.done": RealtimeConversation._audio_transcript_done,
    "response.text.done": RealtimeConversation._text_done,
    "response.function_call_arguments.done": RealtimeConversation._arguments_done,
    **conversation_mcp.PROCESSORS,
}
