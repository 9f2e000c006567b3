"""The simulator's image rules on their own: tokens by the tile rule, the answer's wording,
and the refusal of a part upstream would refuse (named by its path)."""

from __future__ import annotations

import pytest
from tests.realtime.image_samples import jpeg, png

from console.realtime.images import ImageInfo, to_data_url
from console.simulator.conversation import Item, Part
from console.simulator.errors import ApiError
from console.simulator.images import image_part, image_tokens, images_reply


@pytest.mark.parametrize(("width", "height", "detail", "tokens"), [
    (640, 480, None, 85 + 170 * 2),      # no scaling: 2×1 tiles
    (512, 512, "high", 85 + 170),        # exactly one tile
    (4096, 4096, "auto", 85 + 170 * 4),  # to 2048², then to 768²: 2×2 tiles
    (4000, 1000, None, 85 + 170 * 4),    # to 2048×512: 4×1 tiles (short side already < 768)
    (1920, 1080, None, 85 + 170 * 6),    # short side to 768: 1365×768, 3×2 tiles
    (5000, 5000, "low", 85),             # low detail: flat
])
def test_image_tokens_follow_the_tile_rule(width: int, height: int, detail: str | None, tokens: int) -> None:
    assert image_tokens(ImageInfo("image/png", 1, width, height, detail=detail)) == tokens


def test_the_answer_names_each_image() -> None:
    one = Item("item_1", "message", "user", content=[image_part({"type": "input_image", "image_url":
                                                                 to_data_url(png(64, 32), "image/png")}, "item.content[0]")])
    assert images_reply(one) == "I see a 64×32 PNG image."
    two = Item("item_2", "message", "user", content=[*one.content, Part("input_text", text="hi"),
                                                     image_part({"type": "input_image", "detail": "low", "image_url":
                                                                 to_data_url(jpeg(9, 7), "image/jpeg")}, "item.content[2]")])
    assert images_reply(two) == "I see 2 images: 64×32 PNG, 9×7 JPEG."
    assert images_reply(Item("item_3", "message", "user", content=[Part("input_text", text="hi")])) is None


@pytest.mark.parametrize(("part", "code", "message"), [
    ({"type": "input_image"}, "missing_required_parameter", "Missing required parameter: 'item.content[1].image_url'."),
    ({"type": "input_image", "image_url": "https://example.com/cat.png"}, "invalid_value", "must be a base64 data URL"),
    ({"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo"}, "invalid_value", "malformed base64"),
])
def test_bad_parts_are_refused_with_their_path(part: dict, code: str, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        image_part(part, "item.content[1]")
    assert caught.value.code == code and message in caught.value.message
    assert caught.value.param == "item.content[1].image_url"
