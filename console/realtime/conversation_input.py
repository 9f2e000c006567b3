"""The user side of `RealtimeConversation`: input audio transcription and VAD speech.

A mixin: its processors read and write the tables `RealtimeConversation` owns (declared
below for readers and type checkers). Each one validates the event before changing
anything, so a rejected event leaves the conversation as it was.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np

from .audio import ms_to_samples, to_int16
from .conversation_items import NOTHING, ConversationError, Item, Result, check_ms, missing_field, require_fields


class InputProcessors:
    """Processors of `conversation.item.input_audio_transcription.*` and `input_audio_buffer.*`."""

    _item_lookup: dict[str, Item]
    _queued_speech: dict[str, dict[str, Any]]
    _queued_transcripts: dict[str, dict[str, Any]]
    _queued_failures: dict[str, Any]
    _committed_audio: dict[str, np.ndarray]
    _queued_input_audio: np.ndarray | None
    input_rate: int
    _bounded_put: Callable[[dict[str, Any], str, Any], Any]
    _set_audio: Callable[[Item, np.ndarray], None]

    def _transcription_completed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
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
        return item, {"transcript": raw}

    def _transcription_delta(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
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
        return item, {"transcript": delta}

    def _transcription_failed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        """Fix: the reference ignores failures; the item keeps the error for the UI."""
        require_fields(event, "item_id", "error")
        error = copy.deepcopy(event["error"])
        item = self._item_lookup.get(event["item_id"])
        if item is None:
            self._bounded_put(self._queued_failures, event["item_id"], error)
            return NOTHING
        item["formatted"]["transcript_error"] = error
        return item, {"transcript_error": error}

    # --- input audio ------------------------------------------------------------------

    def _speech_started(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
        require_fields(event, "item_id", "audio_start_ms")
        check_ms(event, "audio_start_ms")
        self._bounded_put(self._queued_speech, event["item_id"], {"audio_start_ms": event["audio_start_ms"]})
        return NOTHING

    def _speech_stopped(self, event: dict[str, Any], input_audio: Any, offset: int) -> Result:
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

    def _timeout_triggered(self, event: dict[str, Any], input_audio: Any, offset: int) -> Result:
        """GA idle timeout: the server commits [audio_start_ms, audio_end_ms) as an item,
        exactly as if speech had started and stopped there, so the item gets that audio."""
        require_fields(event, "item_id", "audio_start_ms", "audio_end_ms")
        check_ms(event, "audio_start_ms")
        check_ms(event, "audio_end_ms")
        self._speech_started(event, None, offset)
        return self._speech_stopped(event, input_audio, offset)

    def _committed(self, event: dict[str, Any], _audio: Any, _offset: int) -> Result:
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
        return item, None
