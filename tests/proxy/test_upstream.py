"""Choosing the upstream and its key from the options (pure)."""

from __future__ import annotations

import pytest

from console.proxy.upstream import OPENAI_URL, UpstreamOptionError, UpstreamOptions, resolve_upstream

KEY = "sk-upstream-choice-0123456789abcdef"


def test_openai_with_the_environment_key() -> None:
    target = resolve_upstream(UpstreamOptions(), {"OPENAI_API_KEY": KEY})
    assert target is not None and target.url == OPENAI_URL and target.key_header == ("Authorization", f"Bearer {KEY}")
    assert KEY not in repr(target) and KEY not in target.label


def test_no_key_means_the_simulator() -> None:
    assert resolve_upstream(UpstreamOptions(), {}) is None
    assert resolve_upstream(UpstreamOptions(simulator=True), {"OPENAI_API_KEY": KEY}) is None


def test_named_key_variable() -> None:
    target = resolve_upstream(UpstreamOptions(upstream="ws://h:1/v1/realtime", api_key_env="MY_KEY"), {"MY_KEY": KEY})
    assert target is not None and target.key_header == ("Authorization", f"Bearer {KEY}")
    with pytest.raises(UpstreamOptionError, match="MY_KEY"):
        resolve_upstream(UpstreamOptions(api_key_env="MY_KEY"), {})


def test_any_url_without_a_key() -> None:
    target = resolve_upstream(UpstreamOptions(upstream="ws://127.0.0.1:9/v1/realtime"), {})
    assert target is not None and target.key_header is None
    with pytest.raises(UpstreamOptionError, match="ws://"):
        resolve_upstream(UpstreamOptions(upstream="http://x/v1/realtime"), {})


def test_azure() -> None:
    options = UpstreamOptions(azure_endpoint="https://res.openai.azure.com", azure_deployment="dep",
                              api_version="2025-04-01-preview")
    target = resolve_upstream(options, {"AZURE_OPENAI_API_KEY": KEY})
    assert target is not None and target.kind == "azure" and target.key_header == ("api-key", KEY)
    assert target.url == "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=dep"
    with pytest.raises(UpstreamOptionError, match="AZURE_OPENAI_API_KEY"):
        resolve_upstream(options, {"OPENAI_API_KEY": KEY})
    with pytest.raises(UpstreamOptionError, match="--azure-deployment"):
        resolve_upstream(UpstreamOptions(azure_endpoint="https://res.openai.azure.com"), {"AZURE_OPENAI_API_KEY": KEY})


def test_contradictions() -> None:
    with pytest.raises(UpstreamOptionError, match="not several"):
        resolve_upstream(UpstreamOptions(simulator=True, upstream="ws://h:1/v1/realtime"), {})
    with pytest.raises(UpstreamOptionError, match="need --azure-endpoint"):
        resolve_upstream(UpstreamOptions(api_version="v"), {})
