"""`/image FILE [text]` in the whole console against the simulator (Pilot, loopback).

The image goes out as one user message; the conversation shows a compact placeholder
(name, size, dimensions), the event log's row and stored event carry a marker instead of
the data URL, the simulator's answer names the dimensions, and a bad file is one line in
the notice bar with nothing sent. The recording keeps the data URL whole.
"""

from __future__ import annotations

import json
from pathlib import Path

from console.realtime.images import to_data_url
from tests.app.console_harness import (
    connected,
    events_of,
    make_app,
    sent_types,
    submit,
    wait_for,
)
from tests.realtime.image_samples import gif, png
from widgets.conversation_view import ConversationView

SIZE = (140, 44)


def _notice(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.main.query_one("#notice").render())


def _cards_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(entry.render()) for entry in app.main.query_one(ConversationView).entries)


async def test_image_command_shows_a_placeholder_and_an_abbreviated_row(tmp_path: Path) -> None:
    image = png(640, 480)
    path = tmp_path / "cat.png"
    path.write_bytes(image)
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, f"/image {path} what is in it?")
        await wait_for(pilot, lambda: "I see a 640×480 PNG image." in _cards_text(app), what="the answer")
        assert f"[image cat.png {len(image)} B 640×480]" in _cards_text(app)
        user = next(i for i in app.session.items() if i.get("role") == "user")
        card = app.main.query_one(ConversationView).card(user["id"])
        assert card is not None and str(card.render()).splitlines()[1:] == [
            f"[image cat.png {len(image)} B 640×480]", "what is in it?"]
        index = next(i for i in range(len(app.store)) if app.store.event_type(i) == "conversation.item.create")
        stored = json.loads(app.store.raw(index))
        marker = f"<image data URL: image/png {len(image)} bytes 640×480>"
        assert stored["item"]["content"][0]["image_url"] == marker
        assert app.store.summary(index).endswith(f"user image 640×480 {len(image)} B")
        # The item the server echoed is abbreviated the same way.
        added = next(i for i in range(len(app.store)) if app.store.event_type(i) == "conversation.item.added"
                     and json.loads(app.store.raw(i))["item"].get("role") == "user")
        assert json.loads(app.store.raw(added))["item"]["content"][0]["image_url"] == marker
        assert app.session.findings == []  # an image turn is a clean turn for the linter
        assert not events_of(app, "error")


async def test_bad_image_files_are_one_line_and_send_nothing(tmp_path: Path) -> None:
    (tmp_path / "anim.gif").write_bytes(gif(4, 4))
    app = make_app("--no-record")
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        before = len(sent_types(app))
        for line, message in [
            (f"/image {tmp_path / 'missing.png'}", "/image: " + str(tmp_path / "missing.png") + ": no such file"),
            (f"/image {tmp_path / 'anim.gif'} hi", "/image: anim.gif: GIF images are not accepted: use PNG or JPEG"),
            ("/image", "usage: /image FILE [text]"),
        ]:
            await submit(pilot, line)
            await wait_for(pilot, lambda expected=message: expected in _notice(app), what=message)
            assert "\n" not in _notice(app).strip()
        assert len(sent_types(app)) == before


async def test_beta_sessions_refuse_the_image_command(tmp_path: Path) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(png(8, 8))
    app = make_app("--no-record", "--protocol", "beta")
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, f"/image {path}")
        await wait_for(pilot, lambda: "/image needs the GA protocol" in _notice(app), what="the refusal")
        assert not events_of(app, "conversation.item.create")


async def test_the_recording_keeps_the_image_whole(tmp_path: Path) -> None:
    from console.recording.reader import Recording

    image = png(32, 16)
    path = tmp_path / "dot.png"
    path.write_bytes(image)
    record = tmp_path / "session.jsonl"
    app = make_app("--record", str(record))
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, f"/image {path}")
        await wait_for(pilot, lambda: "I see a 32×16 PNG image." in _cards_text(app), what="the answer")
    recording = Recording.open(record)
    try:
        created = list(recording.iter_records(types=["conversation.item.create"]))
    finally:
        recording.close()
    assert created[0].event["item"]["content"][0]["image_url"] == to_data_url(image, "image/png")
