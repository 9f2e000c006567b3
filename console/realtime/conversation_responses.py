"""The model side of `RealtimeConversation`: responses, their output items and streams.

A mixin: its processors read and write the tables `RealtimeConversation` owns (declared
below for readers and type checkers). Each one validates the event before changing
anything, so a rejected event leaves the conversation as it was.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from .audio import DeltaDecoder, Int16Buffer
from .conversation_items import NOTHING, ConversationError, Item, Result, missing_field, output_ids, require_fields


class ResponseProcessors:
    """Processors of `response.*` events: responses, output items, content parts, deltas
    and their `.done` final values."""

    _item_lookup: dict[str, Item]
    _oob_items: dict[str, Item]
    _responses: list[dict[str, Any]]
    _response_lookup: dict[str, dict[str, Any]]
    _audio: dict[str, Int16Buffer]
    _decoders: dict[str, DeltaDecoder]
    _awaiting_output_done: set[str]
    _reported_completed: set[str]
    output_codec: str
    last_item_completed: bool
    _bounded_put: Callable[[dict[str, Any], str, Any], Any]
    _find: Callable[..., tuple[Item, bool]]
    _event_item: Callable[[dict[str, Any]], Item]
    _new_formatted: Callable[[Item], None]
    _report_completed: Callable[[Item], bool]

    def _check_response(self, event: dict[str, Any], response: Any) -> None:
        if not isinstance(response, dict):
            raise missing_field(event, "response")
        if not response.get("id") or not isinstance(response["id"], str):
            raise ConversationError(f"{event.get('type')}: response has no 'id' string")
        if not isinstance(response.get("output", []), (list, type(None))):
            raise ConversationError(f"{event.get('type')}: response.output must be a list")

    def _response_created(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        response = event.get("response")
        self._check_response(event, response)
        if response["id"] not in self._response_lookup:
            stored = copy.deepcopy(response)
            stored["output"] = output_ids(stored.get("output"))
            self._responses.append(stored)
            self._response_lookup[stored["id"]] = stored
        return NOTHING

    def _response_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        """Fix: the reference ignores it; store final status, status_details and usage."""
        response = event.get("response")
        self._check_response(event, response)
        stored = self._response_lookup.get(response["id"])
        if stored is None:
            stored = {"id": response["id"], "output": []}
            self._responses.append(stored)
            self._response_lookup[stored["id"]] = stored
        for key, value in response.items():
            if key == "output":
                for out_id in output_ids(value):
                    if out_id not in stored["output"]:
                        stored["output"].append(out_id)
            else:
                stored[key] = copy.deepcopy(value)
        return NOTHING

    def _output_item_added(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        require_fields(event, "response_id")
        incoming = self._event_item(event)
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
        if incoming["id"] not in self._item_lookup and incoming["id"] not in self._oob_items:
            # Until conversation.item.created/added names it, the item lives aside: an
            # out-of-band response's items never join the conversation.
            item = copy.deepcopy(incoming)
            item.pop("formatted", None)
            self._new_formatted(item)
            self._bounded_put(self._oob_items, item["id"], item)
        return NOTHING

    def _output_item_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        incoming = self._event_item(event)
        item, in_conversation = self._find({"type": event.get("type"), "item_id": incoming["id"]})
        self._awaiting_output_done.discard(item["id"])
        if incoming.get("status") is not None:
            item["status"] = incoming["status"]
        final_arguments = incoming.get("arguments")
        if item.get("type") == "function_call" and not item.get("arguments") and isinstance(final_arguments, str):
            item["arguments"] = incoming["arguments"]
            item["formatted"]["tool"]["arguments"] = incoming["arguments"]
        if not in_conversation:
            return NOTHING
        self.last_item_completed = self._report_completed(item)
        return item, None

    def _content_part_added(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        part = event.get("part")
        if not isinstance(part, dict):
            raise missing_field(event, "part")
        item, in_conversation = self._find(event)
        content = item.get("content")
        if not isinstance(content, list):
            content = item["content"] = []
        index = event.get("content_index")
        # Fix: store a copy; the reference appends the event's own dict and then grows it.
        if not (isinstance(index, int) and 0 <= index < len(content)):
            content.append(copy.deepcopy(part))
        return (item, None) if in_conversation else NOTHING

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

    def _part_delta(self, event: dict[str, Any], key: str) -> Result:
        """A text or transcript delta: grows the content part's `key` and `formatted[key]`."""
        delta, item, in_conversation = self._streamed(event)
        part = self._part(item, event)
        if part is not None:
            part[key] = (part.get(key) or "") + delta
        item["formatted"][key] += delta
        return (item, {key: delta}) if in_conversation else NOTHING

    def _audio_transcript_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        return self._part_delta(event, "transcript")

    def _audio_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
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
        return (item, {"audio": samples}) if in_conversation else NOTHING

    def _text_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        return self._part_delta(event, "text")

    def _arguments_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        delta, item, in_conversation = self._streamed(event)
        current = item.get("arguments")
        item["arguments"] = (current if isinstance(current, str) else "") + delta
        tool = item["formatted"].get("tool")
        if tool is not None:
            tool["arguments"] = item["arguments"]
        return (item, {"arguments": delta}) if in_conversation else NOTHING

    # --- .done events: final values, filled in only where the deltas left a gap ----------

    def _final_value(self, event: dict[str, Any], key: str, formatted_key: str) -> Result:
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
        return (item, None) if changed and item_id in self._item_lookup else NOTHING

    def _audio_transcript_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        return self._final_value(event, "transcript", "transcript")

    def _text_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        return self._final_value(event, "text", "text")

    def _arguments_done(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        item = self._item_lookup.get(event.get("item_id")) or self._oob_items.get(event.get("item_id"))
        final = event.get("arguments")
        if item is None or not isinstance(final, str) or item.get("arguments"):
            return NOTHING
        item["arguments"] = final
        if "tool" in item["formatted"]:
            item["formatted"]["tool"]["arguments"] = final
        return (item, None) if item["id"] in self._item_lookup else NOTHING
