"""The proxy's decisions about WebRTC apps' HTTP requests, on plain values (no sockets)."""

from __future__ import annotations

import pytest

from console.proxy.handshake import (
    AccessPolicy,
    UpstreamTarget,
    call_id_from_location,
    cors_headers,
    decide_http_access,
    decide_preflight,
    endpoint_url,
    http_endpoint,
    sideband_url,
    upstream_http_request,
)
from console.proxy.http_relay import MintedKeys, minted_key

KEY = "sk-upstream-key"
TARGET = UpstreamTarget("wss://api.openai.com/v1/realtime", ("Authorization", f"Bearer {KEY}"), "openai")


def _never(_key: str) -> bool:
    return False


@pytest.mark.parametrize("path, endpoint", [
    ("/v1/realtime/calls", "calls"),
    ("/v1/realtime/calls/", "calls"),
    ("/v1/realtime/client_secrets?x=1", "client_secrets"),
    ("/openai/v1/realtime/calls", "calls"),
    ("/v1/realtime", None),
    ("/v1/realtime/sessions", None),
    ("/v2/realtime/calls", None),
    ("/v1/realtime/calls/rtc_1/hangup", None),
])
def test_http_endpoints(path: str, endpoint: str | None) -> None:
    assert http_endpoint(path) == endpoint


def test_calls_take_the_token_or_an_ephemeral_key_minted_here() -> None:
    policy = AccessPolicy(token="tok")
    token = [("Authorization", "Bearer tok")]
    ek = [("Authorization", "Bearer ek_123")]
    assert decide_http_access(policy, "calls", "POST", token, 0, _never) is None
    assert decide_http_access(policy, "calls", "POST", ek, 0, lambda key: key == "ek_123") is None
    assert decide_http_access(policy, "calls", "POST", ek, 0, _never).status == 401  # type: ignore[union-attr]
    assert decide_http_access(policy, "calls", "POST", [], 0, _never).status == 401  # type: ignore[union-attr]
    # Without a token (loopback only), any ephemeral key is the app's own business.
    assert decide_http_access(AccessPolicy(), "calls", "POST", ek, 0, _never) is None


def test_client_secrets_take_the_token_only() -> None:
    policy = AccessPolicy(token="tok")
    ek = [("Authorization", "Bearer ek_123")]
    assert decide_http_access(policy, "client_secrets", "POST", ek, 0, lambda _: True).status == 401  # type: ignore[union-attr]
    assert decide_http_access(policy, "client_secrets", "POST", [("Authorization", "Bearer tok")], 99, _never) is None


def test_method_origin_and_capacity() -> None:
    policy = AccessPolicy(allowed_origins=("https://app.example",), max_sessions=1)
    assert decide_http_access(policy, "calls", "GET", [], 0, _never).status == 405  # type: ignore[union-attr]
    elsewhere = [("Origin", "https://elsewhere.example")]
    assert decide_http_access(policy, "calls", "POST", elsewhere, 0, _never).status == 403  # type: ignore[union-attr]
    assert decide_http_access(policy, "calls", "POST", [], 1, _never).status == 503  # type: ignore[union-attr]
    assert cors_headers(policy, elsewhere) == []
    assert cors_headers(policy, []) == []  # not a browser
    allowed = dict(cors_headers(policy, [("Origin", "https://app.example")]))
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert allowed["Access-Control-Expose-Headers"] == "Location"
    assert decide_preflight(policy, elsewhere).status == 403  # type: ignore[union-attr]
    preflight = dict(decide_preflight(AccessPolicy(), [("Origin", "http://localhost:5173")]))  # type: ignore[arg-type]
    assert preflight["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]


def test_upstream_urls() -> None:
    assert endpoint_url(TARGET.url, "calls", "/v1/realtime/calls") == "https://api.openai.com/v1/realtime/calls"
    assert endpoint_url("ws://127.0.0.1:8/v1/realtime?model=fixed&api-version=1", "client_secrets",
                        "/v1/realtime/client_secrets?key=sk-x&model=m") == (
        "http://127.0.0.1:8/v1/realtime/client_secrets?api-version=1&model=m")
    assert sideband_url("wss://h/openai/v1/realtime?model=dep", "rtc_1") == "wss://h/openai/v1/realtime?call_id=rtc_1"


def test_the_credential_upstream() -> None:
    app = [("Authorization", "Bearer ek_abc"), ("Content-Type", "application/sdp"), ("Cookie", "c=1"),
           ("OpenAI-Beta", "realtime=v1")]
    call = dict(upstream_http_request(TARGET, "calls", "/v1/realtime/calls", app).headers)
    assert call == {"Authorization": "Bearer ek_abc", "Content-Type": "application/sdp", "OpenAI-Beta": "realtime=v1"}
    with_token = [("Authorization", "Bearer tok"), ("Content-Type", "application/sdp")]
    assert dict(upstream_http_request(TARGET, "calls", "/v1/realtime/calls", with_token).headers)[
        "Authorization"] == f"Bearer {KEY}"
    # client_secrets always go with the proxy's key, whatever the app sent.
    assert dict(upstream_http_request(TARGET, "client_secrets", "/v1/realtime/client_secrets", app).headers)[
        "Authorization"] == f"Bearer {KEY}"
    azure = UpstreamTarget("wss://r.openai.azure.com/openai/v1/realtime?model=d", ("api-key", KEY), "azure")
    assert ("api-key", KEY) in upstream_http_request(azure, "calls", "/openai/v1/realtime/calls", with_token).headers


@pytest.mark.parametrize("location, call_id", [
    ("/v1/realtime/calls/rtc_abc123", "rtc_abc123"),
    ("https://api.openai.com/v1/realtime/calls/rtc_abc123/", "rtc_abc123"),
    (None, None),
    ("", None),
    ("/v1/realtime/calls/rtc bad", None),
])
def test_call_id_from_location(location: str | None, call_id: str | None) -> None:
    assert call_id_from_location(location) == call_id


def test_minted_keys_are_kept_as_digests_until_they_expire() -> None:
    now = [1000.0]
    keys = MintedKeys(clock=lambda: now[0])
    keys.add("ek_1", 1060.0)
    assert "ek_1" in keys and "ek_2" not in keys
    assert "ek_1" not in repr(vars(keys))
    now[0] = 1061.0
    assert "ek_1" not in keys
    assert minted_key(b'{"value": "ek_9", "expires_at": 5}') == ("ek_9", 5.0)
    assert minted_key(b'{"client_secret": {"value": "ek_8"}}') == ("ek_8", None)
    assert minted_key(b"not json") is None and minted_key(b'{"error": {}}') is None
