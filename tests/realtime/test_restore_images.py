"""Auto-reconnect restores a user message's images (GA), within the restore budget.

End to end: a real `RealtimeClient` sends a message with an image to the simulator on
loopback, the session expires, and the new session is given the message again with its
image, which the simulator bills by the same tile rule the restore budgeted with. Over
the budget, the message goes as its text with the image named in its place.
"""

from __future__ import annotations

from console.realtime.images import describe_data_url, image_tokens, input_image_part
from console.realtime.restore import ITEM_OVERHEAD_TOKENS, plan_restore, text_tokens
from console.simulator import Simulator
from console.simulator.errors import FatalError
from tests.realtime.helpers import until
from tests.realtime.image_samples import png
from tests.realtime.test_reconnect import FAST, start, wait_for

IMAGE = png(1024, 768)  # high detail: scaled to 1024×768, 2×2 tiles = 85 + 4×170 tokens


async def test_reconnect_restores_an_image_message_with_its_image() -> None:
    async with Simulator(fast=True) as sim:
        client, rec, sent = await start(sim, "ga", auto_reconnect=True, **FAST)
        part = input_image_part(IMAGE)
        client.send_user_message_content([{"type": "input_text", "text": "what is this?"}, part])
        await until(client, lambda: client.last_response is not None, timeout=10)
        first = client.last_response
        assert "1024×768 PNG" in client.conversation.get_items()[-1]["formatted"]["text"]
        await sim.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        (done,) = await wait_for(rec, "reconnected")
        assert [r["restored_as"] for r in done["restored"]] == ["image", "text"] and done["skipped"] == []
        user = sim.connections[-1].conversation.items()[0]
        assert [p.kind for p in user.content] == ["input_text", "input_image"]
        assert user.content[1].image is not None and user.content[1].image.dimensions == "1024×768"
        restored = [e for e in sent if e["type"] == "conversation.item.create"][-2]
        assert restored["item"]["content"][1]["image_url"] == part["image_url"]
        # The model still sees the image on the new session: a follow-up is billed for it.
        client.send_user_message_content([{"type": "input_text", "text": "and now?"}])
        await until(client, lambda: client.last_response is not first and client.last_response is not None
                    and client.last_response.get("status") == "completed", timeout=10)
        usage = client.last_response["usage"]
        assert usage["input_token_details"]["image_tokens"] == 85 + 4 * 170
        await client.disconnect()


def test_an_image_over_the_budget_is_named_in_its_place() -> None:
    part = input_image_part(IMAGE)
    item = {"id": "u", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": "look"}, part], "formatted": {"text": "look"}}
    info = describe_data_url(part["image_url"])
    whole = ITEM_OVERHEAD_TOKENS + text_tokens("look") + image_tokens(info)
    fits = plan_restore([item], protocol="ga", budget_tokens=whole, input_codec="pcm16", input_rate=24_000)
    assert fits.entries[0].kind == "image" and fits.tokens == whole == ITEM_OVERHEAD_TOKENS + 1 + 765
    assert fits.entries[0].payload["content"] == [{"type": "input_text", "text": "look"}, part]
    squeezed = plan_restore([item], protocol="ga", budget_tokens=whole - 1, input_codec="pcm16", input_rate=24_000)
    assert squeezed.entries[0].kind == "text"
    assert squeezed.entries[0].payload["content"] == [
        {"type": "input_text", "text": "look"}, {"type": "input_text", "text": "[image not restored: 1024×768 PNG]"}]


def test_an_image_without_its_data_url_is_skipped_with_the_reason() -> None:
    item = {"id": "u", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_image"}], "formatted": {}}
    result = plan_restore([item], protocol="ga", budget_tokens=1000, input_codec="pcm16", input_rate=24_000)
    assert result.entries == []
    assert result.skipped == [{"id": "u", "reason": "its image's data URL is not held (nothing to send again)"}]
