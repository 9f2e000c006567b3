"""Who may use the proxy, over real sockets: token, Origin, session limit, listen address."""

from __future__ import annotations

import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from console.cli import main
from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget
from tests.proxy.helpers import TOKEN, UPSTREAM_KEY, TapUpstream, wait_until


def _target(tap: TapUpstream) -> UpstreamTarget:
    return UpstreamTarget(tap.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")


async def _status(url: str, **kwargs: object) -> int:
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(url, **kwargs)  # type: ignore[arg-type]
    return refused.value.response.status_code


async def test_token_is_required_and_nothing_opens_upstream_without_it() -> None:
    async with TapUpstream(greeting=['{"type":"session.created"}']) as tap, \
            ProxyServer(_target(tap), policy=AccessPolicy(token=TOKEN)) as proxy:
        url = proxy.url + "?model=gpt-realtime"
        assert await _status(url) == 401
        assert await _status(url, additional_headers={"Authorization": "Bearer wrong"}) == 401
        assert await _status(url, subprotocols=["realtime", "openai-insecure-api-key.wrong"]) == 401
        assert tap.requests == []  # refused before anything went upstream
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {TOKEN}"}) as app:
            assert json.loads(await app.recv())["type"] == "session.created"
        # The token is the proxy's business: it does not go upstream.
        assert TOKEN not in str(list(tap.requests[0].headers.raw_items()))


async def test_origin_rule() -> None:
    async with TapUpstream() as tap, \
            ProxyServer(_target(tap), policy=AccessPolicy(allowed_origins=("https://app.example",))) as proxy:
        url = proxy.url + "?model=gpt-realtime"
        assert await _status(url, origin="https://evil.example") == 403
        assert tap.requests == []
        async with websockets.connect(url, origin="https://app.example"):
            await wait_until(lambda: len(tap.connections) == 1)


async def test_default_origin_rule_admits_only_loopback_pages() -> None:
    async with TapUpstream() as tap, ProxyServer(_target(tap)) as proxy:
        url = proxy.url + "?model=gpt-realtime"
        assert await _status(url, origin="https://evil.example") == 403
        async with websockets.connect(url, origin="http://localhost:5173"):
            await wait_until(lambda: len(tap.connections) == 1)


async def test_max_sessions_refuses_with_503() -> None:
    async with TapUpstream() as tap, ProxyServer(_target(tap), policy=AccessPolicy(max_sessions=2)) as proxy:
        url = proxy.url + "?model=gpt-realtime"
        async with websockets.connect(url), websockets.connect(url):
            await wait_until(lambda: len(proxy.sessions) == 2)
            assert await _status(url) == 503
            assert len(tap.requests) == 2
        await wait_until(lambda: not proxy.sessions)
        async with websockets.connect(url):  # room again
            await wait_until(lambda: len(proxy.sessions) == 1)


def test_non_loopback_listen_without_token_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy", "--listen", "0.0.0.0:0", "--simulator"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--token" in err and "0.0.0.0" in err


@pytest.mark.parametrize("argv", [["--listen", "nonsense"], ["--max-sessions", "0"], ["--token", " "],
                                  ["--upstream", "http://x/v1/realtime"], ["--api-key-env", "NOT_SET_ANYWHERE"]])
def test_bad_options_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["proxy", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
