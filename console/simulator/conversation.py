"""The simulator's own conversation store: items, their order, and their audio.

Deliberately independent of the client's `console/realtime/conversation.py`: the
simulator is the oracle the client is tested against, so it must not share the logic
it judges. Items are held protocol-neutrally and rendered per protocol on the way out
(assistant content is `text`/`audio` in beta, `output_text`/`output_audio` in GA).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from console.realtime.audio import Int16Buffer, encode_base64, samples_to_ms
from console.realtime.images import ImageInfo
from console.realtime.protocol import AudioCodec, Protocol, new_event_id, sample_rate

from . import voice
from .errors import ApiError

_GA_ASSISTANT = {"text": "output_text", "audio": "output_audio"}


@dataclass
class Part:
    """One content part. `kind` uses beta names: input_text, input_audio, text, audio, ..."""

    kind: str
    text: str | None = None
    transcript: str | None = None
    audio: Int16Buffer | None = None
    codec: AudioCodec = "pcm16"
    heard: str | None = None  #: what the simulator read from the audio (its own voice), or a length label
    image: ImageInfo | None = None  #: an `input_image` part's type, size and dimensions (see `images.py`)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> int:
        return sample_rate(self.codec)

    def audio_ms(self) -> int:
        return samples_to_ms(len(self.audio), self.rate) if self.audio is not None else 0

    def spoken_text(self) -> str:
        """What this part says, as far as the simulator knows."""
        if self.text is not None:
            return self.text
        return self.transcript or self.heard or ""


@dataclass
class Item:
    id: str
    type: str  # message | function_call | function_call_output
    role: str | None = None
    status: str = "completed"
    content: list[Part] = field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None

    def text(self) -> str:
        return " ".join(p.spoken_text() for p in self.content if p.spoken_text()).strip()

    def render(self, protocol: Protocol, *, with_audio: bool = False) -> dict[str, Any]:
        """The item as the API shows it (audio bytes only when asked, as in retrieve)."""
        out: dict[str, Any] = {"id": self.id, "object": "realtime.item", "type": self.type, "status": self.status}
        if self.type == "message":
            out["role"] = self.role
            out["content"] = [self._render_part(p, protocol, with_audio) for p in self.content]
        elif self.type == "function_call":
            out.update(name=self.name, call_id=self.call_id, arguments=self.arguments or "")
        else:
            out.update(call_id=self.call_id, output=self.output or "")
        return out

    def _render_part(self, part: Part, protocol: Protocol, with_audio: bool) -> dict[str, Any]:
        kind = part.kind
        if protocol == "ga" and self.role == "assistant":
            kind = _GA_ASSISTANT.get(kind, kind)
        rendered: dict[str, Any] = {"type": kind, **part.extra}
        if part.kind in ("input_text", "text"):
            rendered["text"] = part.text or ""
        elif part.kind in ("input_audio", "audio"):
            rendered["transcript"] = part.transcript
            if with_audio and part.audio is not None:
                rendered["audio"] = encode_base64(part.audio.view(), part.codec)
        return rendered


class Conversation:
    """Ordered items with `previous_item_id` insertion, deletion and truncation."""

    def __init__(self) -> None:
        self.id = new_event_id("conv_")
        self._order: list[str] = []
        self._items: dict[str, Item] = {}

    def __len__(self) -> int:
        return len(self._order)

    def items(self) -> list[Item]:
        return [self._items[i] for i in self._order]

    def get(self, item_id: str, param: str = "item_id") -> Item:
        try:
            return self._items[item_id]
        except KeyError:
            raise ApiError("invalid_value", f"Conversation item with item_id '{item_id}' does not exist.", param) from None

    def last_id(self) -> str | None:
        return self._order[-1] if self._order else None

    def insert(self, item: Item, previous_item_id: str | None = None) -> str | None:
        """Add `item` after `previous_item_id` ("root": first; None: last). Returns its predecessor."""
        if item.id in self._items:
            raise ApiError("invalid_value", f"Item with id '{item.id}' already exists.", "item.id")
        if previous_item_id is None:
            index = len(self._order)
        elif previous_item_id == "root":
            index = 0
        else:
            self.get(previous_item_id, "previous_item_id")
            index = self._order.index(previous_item_id) + 1
        self._order.insert(index, item.id)
        self._items[item.id] = item
        return self._order[index - 1] if index else None

    def delete(self, item_id: str) -> None:
        self.get(item_id)
        self._order.remove(item_id)
        del self._items[item_id]

    def truncate(self, item_id: str, content_index: int, audio_end_ms: int) -> None:
        """Cut an assistant audio part at `audio_end_ms`; beyond its audio is an error."""
        item = self.get(item_id)
        if item.type != "message" or item.role != "assistant":
            raise ApiError("invalid_value", "Only assistant messages can be truncated.", "item_id")
        if not 0 <= content_index < len(item.content) or item.content[content_index].audio is None:
            raise ApiError("invalid_value", f"Content index {content_index} of item '{item_id}' has no audio.", "content_index")
        part = item.content[content_index]
        if audio_end_ms > part.audio_ms():
            raise ApiError("invalid_value",
                           f"Audio content of {part.audio_ms()}ms is already shorter than {audio_end_ms}ms.", "audio_end_ms")
        assert part.audio is not None
        part.audio.truncate(audio_end_ms * part.rate // 1000)
        part.transcript = ""  # upstream drops the transcript so no unheard text stays in context


def audio_part(kind: str, samples: np.ndarray, codec: AudioCodec, transcript: str | None = None) -> Part:
    """A part holding audio (copied into its own buffer), with what the simulator hears in it."""
    heard = voice.transcribe(samples, sample_rate(codec))
    return Part(kind, transcript=transcript, audio=Int16Buffer(samples), codec=codec, heard=heard)
