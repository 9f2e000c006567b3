"""The embedded Realtime client library: a Python port of OpenAI's JS reference client.

`RealtimeEventHandler` (named events), `RealtimeAPI` (the WebSocket), `RealtimeConversation`
(sans-I/O item cache) and `RealtimeClient` (all three wired together), for the beta and
GA protocols. It never imports textual or sounddevice, so it can be used on its own.

The public names are loaded on first use (PEP 562 `__getattr__`): a tool that only needs
`console.realtime.protocol` (the recording readers, `stats`) then does not pay for, or
depend on, the WebSocket stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import NotConnectedError, RealtimeAPI, RealtimeConnectionError, RealtimeError
    from .client import RealtimeClient
    from .conversation import ConversationError, RealtimeConversation
    from .event_handler import RealtimeEventHandler
    from .images import ImageError, input_image_part

_HOMES: dict[str, str] = {
    "ConversationError": ".conversation",
    "ImageError": ".images",
    "NotConnectedError": ".api",
    "RealtimeAPI": ".api",
    "RealtimeClient": ".client",
    "RealtimeConnectionError": ".api",
    "RealtimeConversation": ".conversation",
    "RealtimeError": ".api",
    "RealtimeEventHandler": ".event_handler",
    "input_image_part": ".images",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
