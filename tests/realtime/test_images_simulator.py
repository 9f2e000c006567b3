"""Images over real loopback: `RealtimeClient` against the simulator, GA and beta.

GA: the client's image item is created (with the file name kept locally), the answer
states the image's dimensions, and `response.done` counts its image tokens by the
simulator's documented tile rule. Beta has no image input: the client refuses before
sending, and the simulator refuses an image item sent anyway, as upstream does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.realtime import ImageError, RealtimeClient
from console.realtime.images import to_data_url
from console.simulator import Simulator
from tests.oracle import validate_client_event, validate_server_event
from tests.realtime.helpers import Recorder, until
from tests.realtime.image_samples import gif, jpeg, png


async def _client(sim: Simulator, protocol: str) -> RealtimeClient:
    client = RealtimeClient(url=sim.url, protocol=protocol)
    await client.connect()
    assert await client.wait_for_session_created(5) is not None
    client.update_session(modalities=["text"])
    return client


async def test_image_message_is_answered_and_counted_in_ga(tmp_path: Path) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(png(640, 480))
    async with Simulator(fast=True) as sim:
        client = await _client(sim, "ga")
        sent: list[dict] = []
        received: list[dict] = []
        client.realtime.on("client.*", sent.append)
        client.realtime.on("server.*", received.append)
        rec = Recorder(client, "error")
        client.send_user_message_content([{"type": "input_text", "text": "What is this?"},
                                          {"type": "input_image", "image_url": path}])
        await until(client, lambda: client.last_response is not None, timeout=10)
        user = next(i for i in client.conversation.get_items() if i.get("role") == "user")
        assert user["formatted"]["images"] == [{"index": 1, "name": "cat.png", "mime": "image/png",
                                                "bytes": len(png(640, 480)), "width": 640, "height": 480,
                                                "detail": None}]
        assistant = client.conversation.get_items()[-1]
        assert assistant["formatted"]["text"] == "I see a 640×480 PNG image. You said: What is this?"
        details = client.last_usage["input_token_details"]  # type: ignore[index]
        assert details["image_tokens"] == 85 + 170 * 2  # 640×480: 2 tiles of 512
        assert client.last_usage["input_tokens"] == details["text_tokens"] + details["image_tokens"]  # type: ignore[index]
        await client.disconnect()
    assert rec["error"] == []
    create = next(e for e in sent if e["type"] == "conversation.item.create")
    assert create["item"]["content"][1]["image_url"] == to_data_url(png(640, 480), "image/png")
    for event in sent:
        validate_client_event(event, "ga")
    for event in received:
        validate_server_event(event, "ga")


async def test_low_detail_jpeg_and_two_images_in_ga() -> None:
    async with Simulator(fast=True) as sim:
        client = await _client(sim, "ga")
        client.send_user_message_content([
            {"type": "input_image", "image_url": jpeg(3000, 1000), "detail": "low"},
            {"type": "input_image", "image_url": to_data_url(png(20, 10), "image/png")},
        ])
        await until(client, lambda: client.last_response is not None, timeout=10)
        assistant = client.conversation.get_items()[-1]
        assert assistant["formatted"]["text"] == "I see 2 images: 3000×1000 JPEG, 20×10 PNG."
        # low detail: 85; 20×10: one tile, 85 + 170
        assert client.last_usage["input_token_details"]["image_tokens"] == 85 + 255  # type: ignore[index]
        await client.disconnect()


async def test_client_refuses_bad_images_before_sending() -> None:
    async with Simulator(fast=True) as sim:
        client = await _client(sim, "ga")
        sent: list[dict] = []
        client.realtime.on("client.*", sent.append)
        for part, message in [
            ({"type": "input_image", "image_url": gif(4, 4)}, "GIF images are not accepted"),
            ({"type": "input_image", "image_url": "cat.png"}, "must be a data URL"),
            ({"type": "input_image"}, "needs an image_url"),
        ]:
            with pytest.raises(ImageError, match=message):
                client.send_user_message_content([{"type": "input_text", "text": "hi"}, part])
        assert sent == []
        await client.disconnect()


async def test_simulator_refuses_bad_image_items_like_upstream() -> None:
    async with Simulator(fast=True) as sim:
        client = await _client(sim, "ga")
        rec = Recorder(client, "error")
        bad = {"type": "message", "role": "user",
               "content": [{"type": "input_image", "image_url": to_data_url(gif(4, 4), "image/gif")}]}
        sent = client.realtime.send("conversation.item.create", {"item": bad})
        await until(client, lambda: rec["error"], timeout=10)
        error = rec["error"][0]["error"]
        assert (error["type"], error["code"], error["param"]) == ("invalid_request_error", "invalid_value",
                                                                   "item.content[0].image_url")
        assert "image/gif is not accepted" in error["message"] and error["event_id"] == sent["event_id"]
        assert client.conversation.get_items() == []
        await client.disconnect()


async def test_beta_has_no_image_input() -> None:
    async with Simulator(fast=True) as sim:
        client = await _client(sim, "beta")
        sent: list[dict] = []
        client.realtime.on("client.*", sent.append)
        rec = Recorder(client, "error")
        with pytest.raises(ImageError, match="beta protocol has no image input"):
            client.send_user_message_content([{"type": "input_image", "image_url": png(8, 8)}])
        assert sent == []
        # Sent anyway, the simulator refuses the part's type as upstream's beta shape does.
        item = {"type": "message", "role": "user",
                "content": [{"type": "input_image", "image_url": to_data_url(png(8, 8), "image/png")}]}
        client.realtime.send("conversation.item.create", {"item": item})
        await until(client, lambda: rec["error"], timeout=10)
        error = rec["error"][0]["error"]
        assert (error["code"], error["param"]) == ("invalid_value", "item.content[0].type")
        assert "'input_image'" in error["message"]
        await client.disconnect()
