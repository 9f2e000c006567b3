"""A raw-websockets test client for the simulator that checks every frame it receives.

Every server event is validated strictly against the official `openai` models for the
connection's protocol (`oracle.validate_server_event(..., strict=True)`), except for the
few keys upstream itself sends beyond the models (`ALLOWED_EXTRAS`).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
from tests import oracle
import websockets

from console.realtime.audio import encode_base64
from console.simulator import Simulator

#: Keys upstream sends that the models do not declare (protocol.md, "Keep going on the unknown").
ALLOWED_EXTRAS = {"$.session.object", "$.session.expires_at", "$.session.id", "$.obfuscation"}
TIMEOUT = 10.0


def check_server_event(event: dict[str, Any], protocol: str) -> None:
    validated = oracle.validate_server_event(event, protocol)
    extra = [path for path in oracle.unknown_keys(validated) if path not in ALLOWED_EXTRAS]
    assert not extra, f"{protocol} {event['type']} has unknown keys {extra}"


class SimClient:
    """One connection; `events` holds every (validated) server event received."""

    def __init__(self, ws: Any, protocol: str) -> None:
        self.ws = ws
        self.protocol = protocol
        self.events: list[dict[str, Any]] = []
        self._count = 0

    @classmethod
    async def open(cls, sim: Simulator, protocol: str = "ga", model: str | None = "gpt-realtime",
                   headers: dict[str, str] | None = None, **kwargs: Any) -> SimClient:
        url = sim.url + (f"?model={model}" if model else "")
        all_headers = dict(headers or {})
        if protocol == "beta":
            all_headers["OpenAI-Beta"] = "realtime=v1"
        # max_queue=None: a test that stops reading mid-response must still close promptly
        # (a full queue pauses reading, and the server's close frame would wait behind it).
        kwargs.setdefault("max_queue", None)
        ws = await websockets.connect(url, additional_headers=all_headers, max_size=None, **kwargs)
        return cls(ws, protocol)

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> SimClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def send(self, event_type: str, **fields: Any) -> str:
        self._count += 1
        event_id = f"client_evt_{self._count}"
        await self.ws.send(json.dumps({"type": event_type, "event_id": event_id, **fields}))
        return event_id

    async def send_raw(self, data: str | bytes) -> None:
        await self.ws.send(data)

    async def recv(self) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        event = json.loads(raw)
        check_server_event(event, self.protocol)
        self.events.append(event)
        return event

    async def until(self, event_type: str, **match: Any) -> dict[str, Any]:
        """Receive until an event of `event_type` (whose fields equal `match`) arrives."""
        while True:
            event = await self.recv()
            if event["type"] == event_type and all(event.get(k) == v for k, v in match.items()):
                return event

    async def error(self) -> dict[str, Any]:
        return (await self.until("error"))["error"]

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    async def append_audio(self, samples: np.ndarray, codec: str = "pcm16", chunk_ms: int = 40,
                           rate: int = 24000) -> None:
        step = rate * chunk_ms // 1000
        for start in range(0, len(samples), step):
            await self.send("input_audio_buffer.append", audio=encode_base64(samples[start:start + step], codec))

    async def say_text(self, text: str) -> None:
        await self.send("conversation.item.create", item={
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})

    async def text_session(self) -> None:
        """Switch to text output without turn detection (quick, deterministic turns)."""
        if self.protocol == "ga":
            await self.send("session.update", session={"type": "realtime", "output_modalities": ["text"],
                                                       "audio": {"input": {"turn_detection": None}}})
        else:
            await self.send("session.update", session={"modalities": ["text"], "turn_detection": None})
        await self.until("session.updated")


def silence(ms: int, rate: int = 24000) -> np.ndarray:
    return np.zeros(rate * ms // 1000, dtype=np.int16)
