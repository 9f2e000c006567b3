"""The proxy's upgrade decisions, on plain values (no sockets)."""

from __future__ import annotations

import pytest

from console.proxy.handshake import (
    AccessPolicy,
    UpstreamTarget,
    choose_subprotocol,
    decide_access,
    is_loopback_host,
    parse_listen,
    presented_token,
    session_protocol,
    upstream_request,
)

KEY = "sk-upstream-handshake-0123456789abcdef"
TARGET = UpstreamTarget("wss://api.openai.com/v1/realtime", ("Authorization", f"Bearer {KEY}"), "openai")


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:8081", ("127.0.0.1", 8081)), ("[::1]:9000", ("::1", 9000)), (":7000", ("127.0.0.1", 7000)),
    ("0.0.0.0:80", ("0.0.0.0", 80)),
])
def test_parse_listen(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["8081", "host:", "host:port", "h:70000"])
def test_parse_listen_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen(text)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.5.0.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.4", False), ("example.com", False),
])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_upstream_request_drops_app_credentials_and_adds_the_key() -> None:
    headers = [("Host", "127.0.0.1:8081"), ("Authorization", "Bearer app-token"), ("api-key", "app-azure-key"),
               ("OpenAI-Beta", "realtime=v1"), ("Cookie", "session=1"), ("User-Agent", "my-app/1"),
               ("Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key.app-token, openai-beta.realtime-v1")]
    up = upstream_request(TARGET, "/v1/realtime?model=gpt-realtime&api-key=leak&call_id=c1", headers)
    assert up.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime&call_id=c1"
    assert list(up.headers) == [("OpenAI-Beta", "realtime=v1"), ("Authorization", f"Bearer {KEY}")]
    assert up.subprotocols == ("realtime", "openai-beta.realtime-v1")
    assert up.user_agent == "my-app/1"
    assert KEY not in repr(up) and KEY not in repr(TARGET)


def test_upstream_query_keeps_what_the_target_fixes() -> None:
    azure = UpstreamTarget("wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01&deployment=dep",
                           ("api-key", KEY), "azure")
    up = upstream_request(azure, "/openai/realtime?api-version=1999&deployment=other&model=x", [])
    assert up.url == "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01&deployment=dep&model=x"
    assert list(up.headers) == [("api-key", KEY)]


def test_no_key_header_without_a_key() -> None:
    up = upstream_request(UpstreamTarget("ws://127.0.0.1:1/v1/realtime"), "/v1/realtime?model=m",
                          [("Authorization", "Bearer x")])
    assert up.headers == ()


def test_token_from_bearer_or_subprotocol() -> None:
    assert presented_token([("authorization", "Bearer t1")]) == "t1"
    assert presented_token([("Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key.t2")]) == "t2"
    assert presented_token([("Sec-WebSocket-Protocol", "realtime")]) is None


def test_protocol_from_header_or_subprotocol() -> None:
    assert session_protocol([("OpenAI-Beta", "realtime=v1")]) == "beta"
    assert session_protocol([("Sec-WebSocket-Protocol", "realtime, openai-beta.realtime-v1")]) == "beta"
    assert session_protocol([]) == "ga"


PATH = "/v1/realtime?model=gpt-realtime"


def test_access_paths() -> None:
    policy = AccessPolicy()
    assert decide_access(policy, PATH, [], 0) is None
    assert decide_access(policy, "/openai/realtime?deployment=d", [], 0) is None
    refusal = decide_access(policy, "/v1/other", [], 0)
    assert refusal is not None and refusal.status == 404


def test_access_token() -> None:
    policy = AccessPolicy(token="secret-token")
    assert decide_access(policy, PATH, [("Authorization", "Bearer secret-token")], 0) is None
    assert decide_access(policy, PATH, [("Sec-WebSocket-Protocol", "realtime, openai-insecure-api-key.secret-token")],
                         0) is None
    for headers in ([], [("Authorization", "Bearer wrong")], [("Authorization", "secret-token")]):
        refusal = decide_access(policy, PATH, headers, 0)
        assert refusal is not None and refusal.status == 401
        assert b"secret-token" not in refusal.body
    assert "secret-token" not in repr(policy)


def test_access_origin() -> None:
    default = AccessPolicy()
    assert decide_access(default, PATH, [("Origin", "http://localhost:5173")], 0) is None
    refused = decide_access(default, PATH, [("Origin", "https://evil.example")], 0)
    assert refused is not None and refused.status == 403
    listed = AccessPolicy(allowed_origins=("https://app.example",))
    assert decide_access(listed, PATH, [("Origin", "https://app.example")], 0) is None
    refused = decide_access(listed, PATH, [("Origin", "http://localhost:5173")], 0)
    assert refused is not None and refused.status == 403
    assert decide_access(AccessPolicy(allowed_origins=("*",)), PATH, [("Origin", "https://any.example")], 0) is None
    assert decide_access(listed, PATH, [], 0) is None  # not a browser


def test_access_limit_and_order() -> None:
    policy = AccessPolicy(token="t", max_sessions=2)
    ok = [("Authorization", "Bearer t")]
    assert decide_access(policy, PATH, ok, 1) is None
    full = decide_access(policy, PATH, ok, 2)
    assert full is not None and full.status == 503
    stranger = decide_access(policy, PATH, [], 2)
    assert stranger is not None and stranger.status == 401  # learns nothing about the load


def test_choose_subprotocol() -> None:
    assert choose_subprotocol(["realtime", "openai-insecure-api-key.t"], "realtime") == "realtime"
    assert choose_subprotocol(["openai-insecure-api-key.t", "realtime"], None) == "realtime"
    assert choose_subprotocol([], "realtime") is None
    assert choose_subprotocol(["openai-insecure-api-key.t"], "openai-insecure-api-key.t") is None
