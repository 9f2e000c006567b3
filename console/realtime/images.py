"""Images in user messages (GA `input_image` parts): checks, sizes and dimensions.

A GA user message may carry `{"type": "input_image", "image_url": "data:image/png;base64,…"}`
(optionally with `"detail": "auto" | "low" | "high"`). The beta protocol has no image input.
This module builds such parts from bytes, a file or a data URL, checks them the way the
API does before anything is sent, and describes them (MIME type, size, dimensions) for a
UI without decoding whole images: the dimensions come from the header of each format
(PNG, JPEG, GIF, WebP are read; no imaging library is needed).

What is accepted, and why:

- **MIME types**: `image/png` and `image/jpeg` (`ACCEPTED_MIME_TYPES`), the formats the
  API's own description of `input_image.image_url` names. GIF and WebP are recognised
  (and measured) only to say clearly that they are not accepted. The declared type of a
  data URL must match the bytes it holds.
- **Size**: at most `MAX_IMAGE_BYTES` (10 MiB) of image data. The largest client event the
  API is known to take is an `input_audio_buffer.append` of 15 MiB; base64 makes data 4/3
  as large, so 10 MiB of image is 13.3 MiB of data URL, which stays under that with room
  for the rest of the event (11.25 MiB would be the bare maximum).

Pure: no I/O besides reading a file given as a path, and no other module of the project.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Image types the Realtime API takes in `input_image` parts.
ACCEPTED_MIME_TYPES: tuple[str, ...] = ("image/png", "image/jpeg")
#: Largest image accepted, in bytes of image data (see the module docstring).
MAX_IMAGE_BYTES = 10 * 1024 * 1024
#: `detail` values of an `input_image` part.
DETAILS: tuple[str, ...] = ("auto", "low", "high")
#: Base64 characters decoded to find a header (48 KiB of image): every format but JPEG
#: needs 30 bytes; a JPEG whose frame header lies further (big EXIF or ICC blocks) is
#: decoded whole.
_HEADER_CHARS = 65_536

_DATA_URL = re.compile(r"data:([^,;]*)((?:;[^,;]*)*),", re.IGNORECASE)
_NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}


class ImageError(ValueError):
    """An image the API would refuse (or that cannot be read); the message says why, in
    one line fit to show a user."""


@dataclass(frozen=True)
class ImageInfo:
    """What a UI shows of an image: never the image itself.

    `size` counts bytes of image data (decoded); `width` / `height` are None when the
    header could not be read; `name` is the file name when the image came from a file.
    """

    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    name: str | None = None
    detail: str | None = None

    @property
    def format_name(self) -> str:
        """`PNG`, `JPEG`, … (the MIME subtype in capitals for other types)."""
        return _NAMES.get(self.mime, self.mime.rpartition("/")[2].upper() or "image")

    @property
    def dimensions(self) -> str:
        """`640×480`, or `?×?` when unknown."""
        if self.width is None or self.height is None:
            return "?×?"
        return f"{self.width}×{self.height}"

    def label(self) -> str:
        """`cat.png 34 KB 640×480` (the format stands in for a missing name)."""
        return f"{self.name or self.format_name} {human_size(self.size)} {self.dimensions}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageInfo:
        """Back from `as_dict()` (a conversation's `formatted.images` entry); missing or
        malformed values become unknown."""
        def number(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        name, detail, mime = data.get("name"), data.get("detail"), data.get("mime")
        return cls(mime if isinstance(mime, str) else "unknown", number("bytes") or 0, number("width"),
                   number("height"), name if isinstance(name, str) else None,
                   detail if isinstance(detail, str) else None)

    def as_dict(self) -> dict[str, Any]:
        """The JSON-friendly form kept on a conversation item (`formatted.images`)."""
        return {"name": self.name, "mime": self.mime, "bytes": self.size, "width": self.width,
                "height": self.height, "detail": self.detail}


def human_size(n_bytes: int) -> str:
    """`812 B`, `34 KB`, `2.5 MB` (powers of 1024, as file managers show them)."""
    if n_bytes < 1024:
        return f"{n_bytes} B"
    if n_bytes < 1024 * 1024:
        return f"{round(n_bytes / 1024)} KB"
    return f"{n_bytes / (1024 * 1024):.1f} MB"


# --- formats ----------------------------------------------------------------------------

def sniff_mime(data: bytes) -> str | None:
    """The image type the bytes start with (PNG, JPEG, GIF, WebP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_dimensions(data: bytes, mime: str | None = None) -> tuple[int, int] | None:
    """(width, height) read from the header of a PNG, JPEG, GIF or WebP; None if the header
    is cut short, malformed or of another format. `data` may be just the image's start."""
    mime = mime or sniff_mime(data)
    try:
        if mime == "image/png":
            if data[12:16] != b"IHDR":
                return None
            return _positive(*struct.unpack(">II", data[16:24]))
        if mime == "image/jpeg":
            return _jpeg_dimensions(data)
        if mime == "image/gif":
            return _positive(*struct.unpack("<HH", data[6:10]))
        if mime == "image/webp":
            return _webp_dimensions(data)
    except struct.error:
        return None
    return None


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None


#: JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic…): not DHT
#: (C4), JPG (C8) or DAC (CC), which share the range.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_dimensions(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's segments up to its frame header (SOFn), which holds the size."""
    i = 2
    n = len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # standalone markers
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            if i + 9 > n:
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return _positive(width, height)
        if length < 2:
            return None
        i += 2 + length
    return None


def _webp_dimensions(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: a key frame's start code, then 14-bit sizes
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":  # lossless: a signature byte, then 14-bit sizes minus one
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: 24-bit canvas sizes minus one
        if len(data) < 30:
            return None
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


# --- data URLs ----------------------------------------------------------------------------

def to_data_url(data: bytes, mime: str) -> str:
    """`data:<mime>;base64,<data>`."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def split_data_url(url: str) -> tuple[str, str]:
    """(declared MIME type, base64 text) of a base64 data URL; `ImageError` otherwise."""
    if not isinstance(url, str):
        raise ImageError(f"image_url must be a string data URL, not {type(url).__name__}")
    m = _DATA_URL.match(url)
    if m is None:
        shown = url[:40] + ("…" if len(url) > 40 else "")
        raise ImageError(f"image_url must be a base64 data URL (data:image/png;base64,…), not {shown!r}")
    params = [p.strip().lower() for p in m.group(2).split(";") if p.strip()]
    if "base64" not in params:
        raise ImageError("image_url must be base64-encoded (data:image/png;base64,…)")
    mime = m.group(1).strip().lower()
    if not mime:
        raise ImageError("image_url has no MIME type (data:image/png;base64,…)")
    return mime, url[m.end():]


def decoded_size(b64: str) -> int:
    """Bytes that well-formed base64 text decodes to, without decoding it."""
    n = len(b64)
    if n == 0:
        return 0
    pad = 2 if b64.endswith("==") else 1 if b64.endswith("=") else 0
    return max(0, n * 3 // 4 - pad)


def describe_data_url(url: str, *, detail: str | None = None, name: str | None = None) -> ImageInfo:
    """What a data URL holds, cheaply: its declared type, size, and the dimensions from its
    header (only the first 48 KiB are decoded, unless a JPEG's frame header lies further).

    For display, not for checking: it trusts the declared type when the bytes are not an
    image it knows, and gives None dimensions when the header cannot be read. `ImageError`
    only when `url` is not a base64 data URL at all.
    """
    declared, b64 = split_data_url(url)
    head = _decode_prefix(b64, _HEADER_CHARS)
    mime = sniff_mime(head) or declared
    dims = image_dimensions(head, mime)
    if dims is None and mime == "image/jpeg" and len(b64) > _HEADER_CHARS:
        dims = image_dimensions(_decode_prefix(b64, len(b64)), mime)
    width, height = dims if dims else (None, None)
    return ImageInfo(mime, decoded_size(b64.rstrip()), width, height, name, detail)


def _decode_prefix(b64: str, chars: int) -> bytes:
    """The bytes of the first `chars` characters of base64 text (whole quanta only)."""
    prefix = b64[: chars - chars % 4] if len(b64) > chars else b64[: len(b64) - len(b64) % 4]
    try:
        return binascii.a2b_base64(prefix)
    except (binascii.Error, ValueError):
        return b""


# --- checks and parts ---------------------------------------------------------------------

def check_image(data: bytes, *, declared: str | None = None, name: str | None = None,
                detail: str | None = None) -> ImageInfo:
    """Check image bytes as the API would and describe them; `ImageError` says what is wrong:
    empty, too large, not an image, a type the API does not take, a declared type that is
    not the real one, or a header whose dimensions cannot be read."""
    what = f"{name}: " if name else ""
    if not data:
        raise ImageError(f"{what}the image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"{what}the image is {human_size(len(data))}; the limit is "
                         f"{human_size(MAX_IMAGE_BYTES)} of image data")
    mime = sniff_mime(data)
    if mime is None:
        raise ImageError(f"{what}not a PNG or JPEG image (unrecognised data)")
    if mime not in ACCEPTED_MIME_TYPES:
        raise ImageError(f"{what}{_NAMES[mime]} images are not accepted: use PNG or JPEG")
    if declared is not None and declared != mime and not (declared == "image/jpg" and mime == "image/jpeg"):
        raise ImageError(f"{what}declared {declared} but the data is a {_NAMES[mime]} image")
    dims = image_dimensions(data, mime)
    if dims is None:
        raise ImageError(f"{what}the {_NAMES[mime]} header is damaged: its dimensions cannot be read")
    if detail is not None and detail not in DETAILS:
        raise ImageError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    return ImageInfo(mime, len(data), dims[0], dims[1], name, detail)


def decode_data_url(url: str) -> tuple[str, bytes]:
    """(declared MIME type, image bytes) of a data URL; `ImageError` if it is malformed
    or larger than the limit (checked before decoding)."""
    declared, b64 = split_data_url(url)
    if decoded_size(b64.strip()) > MAX_IMAGE_BYTES:
        raise ImageError(f"the image is {human_size(decoded_size(b64.strip()))}; the limit is "
                         f"{human_size(MAX_IMAGE_BYTES)} of image data")
    try:
        data = binascii.a2b_base64(b64, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"image_url holds malformed base64 ({exc})") from None
    return declared, data


def check_data_url(url: str, *, detail: str | None = None, name: str | None = None) -> ImageInfo:
    """Check a data URL as the API would (well formed, accepted type matching its bytes,
    within the size limit, readable header) and describe it."""
    declared, data = decode_data_url(url)
    if declared not in ACCEPTED_MIME_TYPES and declared != "image/jpg":
        raise ImageError(f"image_url type {declared} is not accepted: use "
                         f"{' or '.join(ACCEPTED_MIME_TYPES)}")
    return check_image(data, declared=declared, name=name, detail=detail)


def read_image_file(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    """(bytes, file name) of an image file, refusing a missing, unreadable or oversized
    file with a one-line `ImageError` (the size is checked before reading)."""
    p = Path(path).expanduser()
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise ImageError(f"{p}: is a directory, not an image file")
        if size > MAX_IMAGE_BYTES:
            raise ImageError(f"{p.name}: the image is {human_size(size)}; the limit is "
                             f"{human_size(MAX_IMAGE_BYTES)} of image data")
        return p.read_bytes(), p.name
    except FileNotFoundError:
        raise ImageError(f"{p}: no such file") from None
    except OSError as exc:
        raise ImageError(f"{p}: cannot read it ({exc.strerror or exc})") from None


def image_part(source: bytes | str | os.PathLike[str], *, detail: str | None = None) -> tuple[dict[str, Any], ImageInfo]:
    """An `input_image` content part and what it holds, from image bytes, a file path, or
    a data URL (a `str` starting with `data:`; any other `str` is a path). Checked before
    it is built: `ImageError` with a one-line reason otherwise."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        info = check_image(bytes(source), detail=detail)
        url = to_data_url(bytes(source), info.mime)
    elif isinstance(source, str) and source[:5].lower() == "data:":
        info = check_data_url(source, detail=detail)
        url = source
    elif isinstance(source, (str, os.PathLike)):
        data, name = read_image_file(source)
        info = check_image(data, name=name, detail=detail)
        url = to_data_url(data, info.mime)
    else:
        raise ImageError(f"an image is bytes, a path or a data URL, not {type(source).__name__}")
    part: dict[str, Any] = {"type": "input_image", "image_url": url}
    if detail is not None:
        part["detail"] = detail
    return part, info


def describe_parts(content: list[Any]) -> list[dict[str, Any]]:
    """`ImageInfo.as_dict()` of each `input_image` part of an item's content, plus its
    `index` in the content: what a conversation keeps of its images besides the parts."""
    out = []
    for index, part in enumerate(content):
        if not isinstance(part, dict) or part.get("type") != "input_image":
            continue
        detail = part.get("detail") if isinstance(part.get("detail"), str) else None
        try:
            info = describe_data_url(part.get("image_url"), detail=detail).as_dict()  # type: ignore[arg-type]
        except ImageError:
            info = ImageInfo("unknown", 0, detail=detail).as_dict()
        out.append({"index": index, **info})
    return out


def input_image_part(source: bytes | str | os.PathLike[str], *, detail: str | None = None) -> dict[str, Any]:
    """The `input_image` part alone (see `image_part`), ready for `send_user_message_content`."""
    return image_part(source, detail=detail)[0]


#: Tokens of a low-detail image, and the base and per-tile cost of the others.
LOW_DETAIL_TOKENS = 85
TILE_TOKENS = 170
TILE = 512


def image_tokens(info: ImageInfo) -> int:
    """Input tokens of one image by the tile rule of OpenAI's vision models: `detail:
    "low"` (or unknown dimensions) costs 85; otherwise the image is scaled (never up) to
    fit 2048×2048, then so its shorter side is at most 768, and costs 85 plus 170 per
    512-pixel tile covering it. The simulator bills images with it; a restore budgets with it."""
    if info.detail == "low" or info.width is None or info.height is None:
        return LOW_DETAIL_TOKENS
    width, height = float(info.width), float(info.height)
    fit = min(1.0, 2048 / max(width, height))
    width, height = width * fit, height * fit
    short = min(1.0, 768 / min(width, height))
    width, height = width * short, height * short
    tiles = math.ceil(width / TILE) * math.ceil(height / TILE)
    return LOW_DETAIL_TOKENS + TILE_TOKENS * tiles
