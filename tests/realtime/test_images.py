"""`console.realtime.images`: image parts from bytes, files and data URLs, checked as the
API checks them, and header-only dimensions of PNG, JPEG, GIF and WebP."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from console.realtime.conversation import RealtimeConversation
from console.realtime.images import (
    MAX_IMAGE_BYTES,
    ImageError,
    check_data_url,
    describe_data_url,
    image_dimensions,
    image_part,
    input_image_part,
    sniff_mime,
    to_data_url,
)
from tests.realtime.image_samples import (
    gif,
    jpeg,
    png,
    webp_extended,
    webp_lossless,
    webp_lossy,
)


@pytest.mark.parametrize(("data", "mime", "size"), [
    (png(640, 480), "image/png", (640, 480)),
    (jpeg(1, 65535), "image/jpeg", (1, 65535)),
    (gif(320, 200), "image/gif", (320, 200)),
    (webp_lossy(1000, 750), "image/webp", (1000, 750)),
    (webp_lossless(16383, 2), "image/webp", (16383, 2)),
    (webp_extended(5000, 3000), "image/webp", (5000, 3000)),
])
def test_dimensions_come_from_each_formats_header(data: bytes, mime: str, size: tuple[int, int]) -> None:
    assert sniff_mime(data) == mime
    assert image_dimensions(data) == size
    assert image_dimensions(data[:8]) is None  # a header cut short is unknown, not an error


def test_jpeg_frame_header_behind_large_segments_is_found() -> None:
    data = jpeg(800, 600, padding_segments=2)  # 128 KiB of APP1 before the SOF
    assert image_dimensions(data) == (800, 600)
    info = describe_data_url(to_data_url(data, "image/jpeg"))  # beyond the decoded prefix
    assert (info.width, info.height, info.size) == (800, 600, len(data))


def test_jpeg_without_frame_header_has_no_dimensions() -> None:
    assert image_dimensions(b"\xff\xd8\xff\xda\x00\x02") is None
    assert image_dimensions(b"\xff\xd8\xff\xe0\x00\x01") is None  # a segment length below 2


def test_part_from_bytes_path_and_data_url_are_the_same(tmp_path: Path) -> None:
    data = png(64, 48)
    path = tmp_path / "cat.png"
    path.write_bytes(data)
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    from_bytes, info_bytes = image_part(data)
    from_path, info_path = image_part(path)
    from_str_path, _ = image_part(str(path))
    from_url, info_url = image_part(url, detail="low")
    assert from_bytes == from_path == from_str_path == {"type": "input_image", "image_url": url}
    assert from_url == {"type": "input_image", "image_url": url, "detail": "low"}
    assert info_path.name == "cat.png" and info_bytes.name is None
    assert (info_url.mime, info_url.size, info_url.width, info_url.height) == ("image/png", len(data), 64, 48)
    assert info_path.label() == f"cat.png {len(data)} B 64×48"
    assert input_image_part(data) == from_bytes


def test_jpeg_parts_are_accepted_and_labelled() -> None:
    part, info = image_part(jpeg(1920, 1080, padding_segments=1))
    assert part["image_url"].startswith("data:image/jpeg;base64,")
    assert info.label() == "JPEG 64 KB 1920×1080"


@pytest.mark.parametrize(("source", "message"), [
    (gif(10, 10), "GIF images are not accepted: use PNG or JPEG"),
    (webp_lossy(10, 10), "WebP images are not accepted: use PNG or JPEG"),
    (b"hello, not an image", "not a PNG or JPEG image"),
    (b"", "the image is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dJUNK", "PNG header is damaged"),
    ("data:image/png;base64,@@@@", "malformed base64"),
    ("data:image/png," + "iVBORw0KGgo=", "must be base64-encoded"),
    ("data:image/gif;base64," + base64.b64encode(gif(2, 2)).decode(), "image/gif is not accepted"),
    ("data:image/jpeg;base64," + base64.b64encode(png(2, 2)).decode(), "declared image/jpeg but the data is a PNG"),
    ("data:text/plain;base64,aGVsbG8=", "text/plain is not accepted"),
])
def test_bad_images_are_refused_in_one_line(source: bytes | str, message: str) -> None:
    with pytest.raises(ImageError) as caught:
        image_part(source)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_bad_detail_is_refused() -> None:
    with pytest.raises(ImageError, match="detail must be one of auto, low, high"):
        image_part(png(2, 2), detail="ultra")


def test_size_limit_is_enforced_for_bytes_files_and_data_urls(tmp_path: Path) -> None:
    big = png(2, 2) + b"\x00" * MAX_IMAGE_BYTES  # a PNG header followed by padding: over the limit
    with pytest.raises(ImageError, match=r"the image is 10\.0 MB; the limit is 10\.0 MB"):
        image_part(big)
    path = tmp_path / "big.png"
    path.write_bytes(big)
    with pytest.raises(ImageError, match=r"big\.png: the image is 10\.0 MB"):
        image_part(path)
    with pytest.raises(ImageError, match="the limit is 10.0 MB"):
        check_data_url(to_data_url(big, "image/png"))
    just_fits = png(2, 2)
    just_fits += b"\x00" * (MAX_IMAGE_BYTES - len(just_fits))
    assert image_part(just_fits)[1].size == MAX_IMAGE_BYTES


def test_missing_file_and_directory_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        image_part(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a directory"):
        image_part(tmp_path)
    with pytest.raises(ImageError, match="bytes, a path or a data URL"):
        image_part(42)  # type: ignore[arg-type]


def test_describe_data_url_trusts_the_declared_type_for_unknown_bytes() -> None:
    info = describe_data_url("data:image/png;base64,aGVsbG8=")
    assert (info.mime, info.size, info.width) == ("image/png", 5, None)
    assert info.label() == "PNG 5 B ?×?"
    with pytest.raises(ImageError, match="base64 data URL"):
        describe_data_url("https://example.com/cat.png")


def test_conversation_keeps_image_metadata_not_a_second_copy() -> None:
    conversation = RealtimeConversation()
    url = to_data_url(png(640, 480), "image/png")
    item = {"id": "item_1", "type": "message", "role": "user", "status": "completed",
            "content": [{"type": "input_text", "text": "what is it?"},
                        {"type": "input_image", "image_url": url, "detail": "high"}]}
    conversation.expect_images("item_1", [{"name": "cat.png", "mime": "image/png", "bytes": 9,
                                           "width": 640, "height": 480, "detail": "high"}])
    conversation.process_event({"type": "conversation.item.added", "event_id": "e1", "item": item})
    stored = conversation.get_item("item_1")
    assert stored is not None
    assert stored["formatted"]["images"] == [{"index": 1, "name": "cat.png", "mime": "image/png", "bytes": 9,
                                              "width": 640, "height": 480, "detail": "high"}]
    assert stored["formatted"]["text"] == "what is it?"
    assert stored["content"][1]["image_url"] is url  # the one data URL is shared, not copied
    # An item the client did not announce (another client's, a replay) is read from its parts.
    other = dict(item, id="item_2")
    conversation.process_event({"type": "conversation.item.added", "event_id": "e2", "item": other})
    images = conversation.get_item("item_2")["formatted"]["images"]  # type: ignore[index]
    assert images == [{"index": 1, "name": None, "mime": "image/png", "bytes": len(png(640, 480)),
                       "width": 640, "height": 480, "detail": "high"}]
    retrieved = conversation.process_event({"type": "conversation.item.retrieved", "event_id": "e3", "item": other})[0]
    assert retrieved is not None and retrieved["formatted"]["images"][0]["width"] == 640
