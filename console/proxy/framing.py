"""WebSocket data frames for the relay, built without the library's general-purpose path.

The relay already has each message as received and only needs it framed again: one
unfragmented text or binary frame, no extension (the proxy negotiates none), masked
towards the upstream (the proxy is its client) and unmasked towards the app. That takes a
header and, when masked, the C-accelerated `apply_mask` websockets itself uses; the
library's `send` adds a lock, state checks and one socket write per frame, which is most
of what a relayed frame costs. (This is the library path's framing: on the raw path,
`rawrelay`, frames go on as they arrived.)
"""

from __future__ import annotations

import os
import struct

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets built without its C extension
    from websockets.utils import apply_mask

OP_TEXT = 0x1
OP_BINARY = 0x2
_FIN = 0x80
_MASKED = 0x80


def encode_frame(payload: bytes, *, text: bool, mask: bool) -> bytes:
    """One final (FIN) text or binary frame carrying `payload` (RFC 6455 section 5.2)."""
    head1 = _FIN | (OP_TEXT if text else OP_BINARY)
    head2 = _MASKED if mask else 0
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", head1, head2 | length)
    elif length < 65536:
        header = struct.pack("!BBH", head1, head2 | 126, length)
    else:
        header = struct.pack("!BBQ", head1, head2 | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    return header + key + apply_mask(payload, key)
