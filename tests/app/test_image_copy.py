"""`c` on an image event copies the image whole: the store keeps a marker in place of the
data URL, and the copy reads it back from the recording, or, unrecorded, from the item the
conversation holds. Real app, real simulator on loopback, Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.app.screens.replay import ReplayApp
from console.realtime.images import to_data_url
from console.recording import Recording
from tests.app.console_harness import connected, make_app, submit, wait_for
from tests.app.test_payload_readback import copy_event
from tests.app.test_replay import settle
from tests.realtime.image_samples import png

SIZE = (140, 44)


@pytest.mark.parametrize("recorded", [True, False])
async def test_copying_an_image_event_copies_its_data_url(recorded: bool, tmp_path: Path) -> None:
    image = png(48, 32)
    path = tmp_path / "dot.png"
    path.write_bytes(image)
    url = to_data_url(image, "image/png")
    app = make_app("--record", str(tmp_path / "s.jsonl")) if recorded else make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, f"/image {path} what is it?")
        await wait_for(pilot, lambda: any(app.store.event_type(i) == "response.done" for i in range(len(app.store))),
                       what="the answer")
        index = next(i for i in range(len(app.store)) if app.store.event_type(i) == "conversation.item.create")
        assert url not in app.store.raw(index).decode()  # the log keeps the marker only
        _, copied, head = await copy_event(pilot, index)
        assert "c in the log copies the full event with their data URLs" in head
        parts = copied["item"]["content"]
        assert parts[0] == {"type": "input_image", "image_url": url} or parts[0]["image_url"] == url
        assert parts[1] == {"type": "input_text", "text": "what is it?"}
        assert url not in app.store.raw(index).decode()  # copying restored a copy, not the store
    if recorded:  # the replay of that recording copies the image whole too
        with Recording(tmp_path / "s.jsonl") as rec:
            replay = ReplayApp(rec, audio=False)
            async with replay.run_test(size=SIZE) as pilot:
                screen = await settle(replay, pilot)
                store = screen.store
                index = next(i for i in range(len(store)) if store.event_type(i) == "conversation.item.create")
                assert store.holds_image_marker(index) and url not in store.raw(index).decode()
                assert store.full_event(index)["item"]["content"][0]["image_url"] == url
