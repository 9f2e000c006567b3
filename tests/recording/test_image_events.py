"""Recordings of image turns: the data URL is kept whole, a key typed beside it is still
redacted, and the readers (`inspect`'s report, the replay's log loading) read it back with
the image tokens counted and the event store's marker in place of the data URL."""

from __future__ import annotations

from pathlib import Path

from console.realtime.images import to_data_url
from console.recording.inspect_cli import render_text
from console.recording.reader import Recording
from console.recording.report import build_report
from console.recording.writer import SessionRecorder
from console.replay.log_events import log_events
from console.session.event_store import EventStore
from tests.realtime.image_samples import png

KEY = "sk-proj-" + "A1b2C3d4" * 4


def _usage(image_tokens: int) -> dict:
    return {"total_tokens": 20 + image_tokens, "input_tokens": 10 + image_tokens, "output_tokens": 10,
            "input_token_details": {"text_tokens": 10, "audio_tokens": 0, "image_tokens": image_tokens,
                                    "cached_tokens": 0, "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0,
                                                                                  "image_tokens": 0}},
            "output_token_details": {"text_tokens": 10, "audio_tokens": 0}}


def test_image_turns_are_recorded_whole_and_read_back(tmp_path: Path) -> None:
    url = to_data_url(png(640, 480), "image/png")
    item = {"id": "item_1", "type": "message", "role": "user",
            "content": [{"type": "input_image", "image_url": url}, {"type": "input_text", "text": f"my key is {KEY}"}]}
    path = tmp_path / "images.jsonl"
    recorder = SessionRecorder(path, endpoint="ws://x", protocol="ga", model="gpt-realtime")
    recorder.record("2026-01-01T00:00:00.000Z", "client",
                    {"type": "conversation.item.create", "event_id": "evt_1", "item": item})
    recorder.record("2026-01-01T00:00:00.100Z", "server",
                    {"type": "response.done", "event_id": "evt_2",
                     "response": {"id": "resp_1", "object": "realtime.response", "status": "completed",
                                  "output": [], "usage": _usage(425)}})
    recorder.close()
    text = path.read_text(encoding="utf-8")
    assert KEY not in text and url in text
    rec = Recording.open(path)
    try:
        created = rec.record(0).event
        assert created["item"]["content"][0]["image_url"] == url
        report = build_report(rec)
        assert report["usage"]["input"]["image"] == 425
        assert "(text 10, audio 0, image 425, cached 0" in render_text(report)
        store = EventStore(start_time=0.0)
        for source, event, seconds in log_events(rec, 0, len(rec)):
            store.append(source, event, seconds)
        assert store.event(0)["item"]["content"][0]["image_url"].startswith("<image data URL: image/png ")
        assert "image 640×480" in store.summary(0)
    finally:
        rec.close()
