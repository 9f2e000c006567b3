"""Helpers for the WebRTC tests: a browser-style HTTP request, and an SDP offer to send."""

from __future__ import annotations

import asyncio
import http.client
from dataclasses import dataclass

#: A browser's offer, cut short: the simulator answers any non-empty one.
OFFER = ("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
         "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
         "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:1\r\na=sctp-port:5000\r\n")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  #: names lower-cased
    body: bytes

    def text(self) -> str:
        return self.body.decode()

    def everything(self) -> str:
        """Status line, headers and body as one text (to look for a secret in)."""
        return f"{self.status} {self.headers!r} {self.body.decode(errors='replace')}"


def _request(port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


async def request(port: int, method: str, path: str, body: str | bytes = b"",
                  headers: dict[str, str] | None = None) -> Answer:
    """One plain HTTP request on loopback, as `fetch` makes it (in a thread: http.client blocks)."""
    data = body.encode() if isinstance(body, str) else body
    return await asyncio.to_thread(_request, port, method, path, data, dict(headers or {}))


async def post_offer(port: int, key: str | None, *, path: str = "/v1/realtime/calls",
                     extra: dict[str, str] | None = None, offer: str = OFFER) -> Answer:
    """A browser's `POST /v1/realtime/calls` with its SDP offer (and key, when given)."""
    headers = {"Content-Type": "application/sdp", **(extra or {})}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return await request(port, "POST", path, offer, headers)
