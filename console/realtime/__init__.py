"""The embedded Realtime client library: a Python port of OpenAI's JS reference client.

`RealtimeEventHandler` (named events), `RealtimeAPI` (the WebSocket), `RealtimeConversation`
(sans-I/O item cache) and `RealtimeClient` (all three wired together), for the beta and
GA protocols. It never imports textual or sounddevice, so it can be used on its own.
"""

from .api import NotConnectedError, RealtimeAPI, RealtimeConnectionError, RealtimeError
from .client import RealtimeClient
from .conversation import ConversationError, RealtimeConversation
from .event_handler import RealtimeEventHandler

__all__ = [
    "ConversationError",
    "NotConnectedError",
    "RealtimeAPI",
    "RealtimeClient",
    "RealtimeConnectionError",
    "RealtimeConversation",
    "RealtimeError",
    "RealtimeEventHandler",
]
