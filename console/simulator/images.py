"""Images in the simulator: checking `input_image` parts, answering about them, counting them.

GA user messages may carry `{"type": "input_image", "image_url": "data:…", "detail": …}`;
the beta shape has no such part (its item check refuses the type, as upstream does). A GA
image is checked as upstream checks it (a base64 data URL, an accepted type that matches
its bytes, within the size limit, a readable header) using the library's
`console.realtime.images`, whose format readers are tested on their own against
hand-made headers; a refusal is an `invalid_value` error naming the part.

The answer is deterministic ("I see a 640×480 PNG image."), and so is the usage: image
tokens follow the tile rule of OpenAI's vision models (`console.realtime.images.image_tokens`, which
the client's reconnect restore budgets with too), so a test can predict them exactly:
`detail: "low"` costs 85 tokens; otherwise the image is scaled (never up) to fit in
2048×2048, then so that its shorter side is at most 768, and costs 85 plus 170 per
512-pixel tile that covers it. The simulator caches nothing, so cached image tokens
are 0, like its cached text and audio tokens.
"""

from __future__ import annotations

from typing import Any

from console.realtime.images import ImageError, check_data_url, image_tokens

from .conversation import Item, Part
from .errors import ApiError


def image_part(content: dict[str, Any], where: str) -> Part:
    """The store's `Part` for a checked `input_image` content part at `where`
    (`item.content[0]`); `ApiError` `invalid_value` if upstream would refuse it."""
    url = content.get("image_url")
    if url is None:
        raise ApiError("missing_required_parameter",
                       f"Missing required parameter: '{where}.image_url'.", f"{where}.image_url")
    try:
        info = check_data_url(url, detail=content.get("detail"))
    except ImageError as exc:
        raise ApiError("invalid_value", f"Invalid image in '{where}.image_url': {exc}.", f"{where}.image_url") from None
    extra = {k: content[k] for k in ("image_url", "detail") if k in content}
    return Part("input_image", extra=extra, image=info)


def part_image_tokens(part: Part) -> int:
    """Image tokens of a stored part (0 for a part that is not an image)."""
    return image_tokens(part.image) if part.image is not None else 0


def images_reply(item: Item) -> str | None:
    """What the simulator says about a message's images ("I see a 640×480 PNG image."),
    or None when it has none."""
    seen = [p.image for p in item.content if p.image is not None]
    if not seen:
        return None
    if len(seen) == 1:
        return f"I see a {seen[0].dimensions} {seen[0].format_name} image."
    listed = ", ".join(f"{info.dimensions} {info.format_name}" for info in seen)
    return f"I see {len(seen)} images: {listed}."
