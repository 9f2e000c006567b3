"""Which upstream the proxy relays to, and with which key: a pure function of the options.

Order: `--simulator` (the embedded simulator), `--azure-endpoint` (Azure, key from
`--api-key-env` or `AZURE_OPENAI_API_KEY`, sent as `api-key`), `--upstream URL` (any
compatible server, key from `--api-key-env` or `OPENAI_API_KEY` if set, as a bearer),
else OpenAI's GA endpoint with `OPENAI_API_KEY`; and with no key at all, the simulator
(the offline default), which the caller announces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from console.realtime.api import azure_url

from .handshake import UpstreamTarget

OPENAI_URL = "wss://api.openai.com/v1/realtime"
OPENAI_KEY_ENV = "OPENAI_API_KEY"
AZURE_KEY_ENV = "AZURE_OPENAI_API_KEY"


class UpstreamOptionError(ValueError):
    """Options that do not name one usable upstream (the message is one line for the user)."""


@dataclass(frozen=True)
class UpstreamOptions:
    """The proxy's upstream options as given on the command line."""

    upstream: str | None = None
    api_key_env: str | None = None
    azure_endpoint: str | None = None
    azure_deployment: str | None = None
    api_version: str | None = None
    simulator: bool = False


def _key(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _azure_url(endpoint: str, deployment: str, api_version: str | None) -> str:
    try:
        return azure_url(endpoint, deployment, api_version)
    except ValueError:
        raise UpstreamOptionError(f"--azure-endpoint {endpoint!r} is not a URL") from None


def resolve_upstream(options: UpstreamOptions, env: Mapping[str, str]) -> UpstreamTarget | None:
    """The upstream target, or None for the embedded simulator (started by the caller).

    Raises `UpstreamOptionError` for contradictory options or a named key variable that
    is not set.
    """
    chosen = [name for name, given in (("--simulator", options.simulator), ("--upstream", options.upstream),
                                       ("--azure-endpoint", options.azure_endpoint)) if given]
    if len(chosen) > 1:
        raise UpstreamOptionError(f"give one of {', '.join(chosen)}, not several")
    if (options.azure_deployment or options.api_version) and not options.azure_endpoint:
        raise UpstreamOptionError("--azure-deployment and --api-version need --azure-endpoint")
    named_key = None
    if options.api_key_env:
        named_key = _key(env, options.api_key_env)
        if named_key is None and not options.simulator:
            raise UpstreamOptionError(f"--api-key-env {options.api_key_env}: that variable is not set")
    if options.simulator:
        return None
    if options.azure_endpoint:
        if not options.azure_deployment:
            raise UpstreamOptionError("--azure-endpoint needs --azure-deployment NAME")
        key = named_key or _key(env, AZURE_KEY_ENV)
        if key is None:
            raise UpstreamOptionError(f"Azure needs a key: set {AZURE_KEY_ENV} (or use --api-key-env NAME)")
        url = _azure_url(options.azure_endpoint, options.azure_deployment, options.api_version)
        return UpstreamTarget(url, ("api-key", key), "azure")
    key = named_key or _key(env, OPENAI_KEY_ENV)
    if options.upstream:
        if urlsplit(options.upstream).scheme not in ("ws", "wss") or not urlsplit(options.upstream).netloc:
            raise UpstreamOptionError(f"--upstream {options.upstream!r} is not a ws:// or wss:// URL")
        return UpstreamTarget(options.upstream, ("Authorization", f"Bearer {key}") if key else None, "url")
    if key is None:
        return None
    return UpstreamTarget(OPENAI_URL, ("Authorization", f"Bearer {key}"), "openai")
