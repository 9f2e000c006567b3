"""A recording Realtime proxy: apps connect here instead of OpenAI, the key stays here.

`ProxyServer` relays each app connection to its own upstream connection (OpenAI, Azure,
any compatible server, or the embedded simulator), frame for frame, and records every
session. `handshake` holds its decisions as pure functions; `session` one relayed
session (with the watcher hooks a future live view will use); `rawrelay` its forwarding of
data frames as received bytes; `framing` the frames the relay builds when it decodes;
`recording` its recorder; `http_relay` WebRTC apps' plain HTTP requests
(`/v1/realtime/calls`, `/v1/realtime/client_secrets`) and `sideband` the calls they start,
watched as sessions; `cli` the `realtime-console proxy` command. Nothing here imports a UI.
"""

from .handshake import AccessPolicy, UpstreamTarget
from .server import ProxyServer
from .session import Frame, ProxySession

__all__ = ["AccessPolicy", "Frame", "ProxyServer", "ProxySession", "UpstreamTarget"]
