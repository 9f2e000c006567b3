"""The proxy's decisions about an app's upgrade request, as pure functions (no sockets).

Everything the proxy decides before a byte goes upstream lives here, so it is tested on
plain values: which paths are served, whether the app may connect (token, Origin,
session limit), and what the upstream request looks like (URL with the app's query,
headers and subprotocols with the app's credentials removed and the proxy's key added).

The plain HTTP endpoints of WebRTC apps (`/v1/realtime/calls`, `/v1/realtime/client_secrets`)
are decided here the same way: who may POST, the CORS answers for browser pages, and the
upstream request, whose credential is the app's ephemeral key for a call it presents one
for, else the proxy's key.

The security rule this module enforces: the app's `Authorization`, `api-key` and
`openai-insecure-api-key.*` subprotocol never go upstream (they carry the proxy token, or
a key the app should not have), and the proxy's upstream key is added here and nowhere
else, so no other module handles it.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Paths an app may connect to: OpenAI's, and Azure's (GA and dated preview shapes).
SERVED_PATHS: tuple[str, ...] = ("/v1/realtime", "/openai/v1/realtime", "/openai/realtime")
#: Query parameters passed upstream; anything else (a key in the query, for one) is dropped.
FORWARDED_QUERY: tuple[str, ...] = ("model", "call_id", "api-version", "deployment")
#: Request headers passed upstream (compared case-insensitively). `OpenAI-Beta: realtime=v1`
#: is what makes a beta client a beta session upstream.
FORWARDED_HEADERS: tuple[str, ...] = ("OpenAI-Beta", "OpenAI-Organization", "OpenAI-Project", "User-Agent")
KEY_SUBPROTOCOL = "openai-insecure-api-key."
BETA_SUBPROTOCOL = "openai-beta.realtime-v1"
LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


@dataclass(frozen=True)
class Refusal:
    """An HTTP answer instead of the upgrade: status, body and its content type."""

    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"

    @classmethod
    def text(cls, status: int, message: str) -> Refusal:
        return cls(status, (message.rstrip("\n") + "\n").encode())


@dataclass(frozen=True)
class AccessPolicy:
    """Who may open a session through the proxy.

    `token`: None lets any local app in (only allowed on a loopback listen address); else
    the app must present it. `allowed_origins`: browser Origins accepted; empty means
    loopback origins only (a web page from elsewhere must not drive a proxy holding a key),
    `"*"` means any.
    """

    token: str | None = None
    allowed_origins: tuple[str, ...] = ()
    max_sessions: int = 64

    def __repr__(self) -> str:  # never shows the token
        token = "set" if self.token else "none"
        return f"AccessPolicy(token={token}, allowed_origins={self.allowed_origins!r}, max_sessions={self.max_sessions})"


@dataclass(frozen=True)
class UpstreamTarget:
    """Where sessions go and the credential the proxy adds (`key_header`: name, value)."""

    url: str
    key_header: tuple[str, str] | None = field(default=None, repr=False)
    kind: Literal["openai", "azure", "url", "simulator"] = "url"

    @property
    def label(self) -> str:
        """Scheme, host and path: safe to print (the query may carry secrets)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The key (and its header value) to scrub from anything shown to the app."""
        if self.key_header is None:
            return ()
        value = self.key_header[1]
        bare = value[7:].strip() if value[:7].lower() == "bearer " else value
        return (value, bare) if bare != value else (value,)


@dataclass(frozen=True)
class UpstreamRequest:
    """The upstream upgrade request made for one app request."""

    url: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    subprotocols: tuple[str, ...] = ()
    user_agent: str | None = None


# --- parsing ----------------------------------------------------------------------------


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[v6]:PORT`, or `:PORT` for loopback) → (host, port); ValueError if bad."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ValueError(f"--listen {text!r} is not HOST:PORT")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port_text)


def is_loopback_host(host: str) -> bool:
    """Whether a listen address only accepts connections from this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def offered_subprotocols(headers: Iterable[tuple[str, str]]) -> list[str]:
    """Every subprotocol in the `Sec-WebSocket-Protocol` headers, in order."""
    offered: list[str] = []
    for name, value in headers:
        if name.lower() == "sec-websocket-protocol":
            offered += [p.strip() for p in value.split(",") if p.strip()]
    return offered


def header_value(headers: Iterable[tuple[str, str]], wanted: str) -> str | None:
    wanted = wanted.lower()
    for name, value in headers:
        if name.lower() == wanted:
            return value
    return None


def presented_token(headers: Iterable[tuple[str, str]]) -> str | None:
    """The proxy token an app presented: `Authorization: Bearer T`, or (browsers, which
    cannot set headers) the subprotocol `openai-insecure-api-key.T`."""
    headers = list(headers)
    auth = header_value(headers, "Authorization") or ""
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    for proto in offered_subprotocols(headers):
        if proto.startswith(KEY_SUBPROTOCOL):
            return proto[len(KEY_SUBPROTOCOL):]
    return None


def session_protocol(headers: Iterable[tuple[str, str]]) -> Literal["ga", "beta"]:
    """The protocol an app asks for: beta with `OpenAI-Beta: realtime=v1` or its subprotocol."""
    headers = list(headers)
    beta = (header_value(headers, "OpenAI-Beta") or "").replace(" ", "") == "realtime=v1"
    return "beta" if beta or BETA_SUBPROTOCOL in offered_subprotocols(headers) else "ga"


def requested_model(path: str) -> str | None:
    """The app's `model=` (or Azure's `deployment=`) query parameter."""
    query = dict(parse_qsl(urlsplit(path).query))
    return query.get("model") or query.get("deployment")


def _is_loopback_origin(origin: str) -> bool:
    host = urlsplit(origin).hostname
    return host is not None and is_loopback_host(host)


# --- decisions --------------------------------------------------------------------------


def decide_access(policy: AccessPolicy, path: str, headers: Sequence[tuple[str, str]],
                  open_sessions: int) -> Refusal | None:
    """None to let the app in, else the HTTP refusal (nothing is opened upstream then).

    Order: unknown path 404, missing or wrong token 401, Origin not allowed 403, too
    many sessions 503; so a stranger learns nothing about the proxy's load.
    """
    if urlsplit(path).path.rstrip("/") not in SERVED_PATHS:
        return Refusal.text(HTTPStatus.NOT_FOUND, "Not found: connect to /v1/realtime?model=... "
                            "(or /openai/realtime for Azure-shaped clients)")
    return (_token_refusal(policy, headers) or _origin_refusal(policy, headers)
            or _capacity_refusal(policy, open_sessions))


def token_ok(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> bool:
    """Whether the app presented the proxy's token (always, when the proxy has none)."""
    if policy.token is None:
        return True
    token = presented_token(headers)
    return token is not None and hmac.compare_digest(token.encode(), policy.token.encode())


def _token_refusal(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> Refusal | None:
    if token_ok(policy, headers):
        return None
    return Refusal.text(HTTPStatus.UNAUTHORIZED, "This proxy needs its token: send "
                        "'Authorization: Bearer TOKEN' or the subprotocol 'openai-insecure-api-key.TOKEN'.")


def origin_allowed(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> bool:
    """No Origin (not a browser), or one the policy allows."""
    origin = header_value(headers, "Origin")
    if origin is None or "*" in policy.allowed_origins:
        return True
    return origin in policy.allowed_origins if policy.allowed_origins else _is_loopback_origin(origin)


def _origin_refusal(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> Refusal | None:
    if origin_allowed(policy, headers):
        return None
    return Refusal.text(HTTPStatus.FORBIDDEN, f"Origin {header_value(headers, 'Origin')!r} is not allowed by this proxy "
                        "(start it with --allow-origin ORIGIN).")


def _capacity_refusal(policy: AccessPolicy, open_sessions: int) -> Refusal | None:
    if open_sessions < policy.max_sessions:
        return None
    return Refusal.text(HTTPStatus.SERVICE_UNAVAILABLE,
                        f"This proxy already relays {policy.max_sessions} sessions (--max-sessions); try later.")


def upstream_url(target_url: str, app_path: str) -> str:
    """The target URL with the app's forwarded query parameters the target does not fix itself."""
    target = urlsplit(target_url)
    pairs = parse_qsl(target.query, keep_blank_values=True)
    fixed = {name for name, _ in pairs}
    for name, value in parse_qsl(urlsplit(app_path).query, keep_blank_values=True):
        if name in FORWARDED_QUERY and name not in fixed:
            pairs.append((name, value))
            fixed.add(name)
    return urlunsplit((target.scheme, target.netloc, target.path, urlencode(pairs), ""))


def upstream_request(target: UpstreamTarget, app_path: str,
                     headers: Sequence[tuple[str, str]]) -> UpstreamRequest:
    """The upstream upgrade for an app's request: forwarded query, allow-listed headers,
    the app's subprotocols minus any key, and the proxy's own key header."""
    wanted = {h.lower() for h in FORWARDED_HEADERS}
    forwarded = [(name, value) for name, value in headers if name.lower() in wanted and name.lower() != "user-agent"]
    if target.key_header is not None:
        forwarded.append(target.key_header)
    subprotocols = tuple(p for p in offered_subprotocols(headers) if not p.startswith(KEY_SUBPROTOCOL))
    return UpstreamRequest(upstream_url(target.url, app_path), tuple(forwarded), subprotocols,
                           header_value(headers, "User-Agent"))


def choose_subprotocol(offered: Sequence[str], upstream_selected: str | None) -> str | None:
    """The subprotocol to answer the app with: upstream's choice when the app offered it,
    else `realtime` if offered (a browser fails the upgrade when it offered some and got
    none), else none. Never a key subprotocol."""
    if upstream_selected and upstream_selected in offered and not upstream_selected.startswith(KEY_SUBPROTOCOL):
        return upstream_selected
    return "realtime" if "realtime" in offered else None


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced (for upstream bodies and close reasons)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def scrub_bytes(data: bytes, secrets: Iterable[str]) -> bytes:
    for secret in secrets:
        if secret:
            data = data.replace(secret.encode(), b"[redacted]")
    return data



# --- WebRTC calls: the plain HTTP endpoints ---------------------------------------------

#: The HTTP endpoints relayed beside the WebSocket, under any served path: `calls` (an SDP
#: offer in; the SDP answer and the call's `Location` out) and `client_secrets` (an
#: ephemeral key minted with the proxy's key).
HttpEndpoint = Literal["calls", "client_secrets"]
HTTP_ENDPOINTS: tuple[HttpEndpoint, ...] = ("calls", "client_secrets")
EPHEMERAL_KEY_PREFIX = "ek_"
#: Request headers passed upstream on those endpoints (the credential is added apart).
FORWARDED_HTTP_HEADERS: tuple[str, ...] = (*FORWARDED_HEADERS, "Content-Type", "Accept")
#: Upstream response headers passed back to the app (with the status and body).
RETURNED_HTTP_HEADERS: tuple[str, ...] = ("Content-Type", "Location", "x-request-id", "openai-processing-ms")
#: What a browser may send on them, answered to its CORS preflight.
CORS_REQUEST_HEADERS = "Authorization, Content-Type, OpenAI-Beta, OpenAI-Organization, OpenAI-Project"
#: Query parameters of the target URL that name a model: a call or a key names its own.
_TARGET_MODEL_QUERY = ("model", "deployment")
_CALL_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


def http_endpoint(path: str) -> HttpEndpoint | None:
    """`calls` or `client_secrets` when `path` is one of them under a served path, else None."""
    base, _, name = urlsplit(path).path.rstrip("/").rpartition("/")
    if base in SERVED_PATHS:
        for endpoint in HTTP_ENDPOINTS:
            if name == endpoint:
                return endpoint
    return None


def presented_ephemeral_key(headers: Iterable[tuple[str, str]]) -> str | None:
    """The ephemeral key (`Authorization: Bearer ek_…`) a browser presents to start its call."""
    auth = header_value(headers, "Authorization") or ""
    if auth[:7].lower() == "bearer " and auth[7:].strip().startswith(EPHEMERAL_KEY_PREFIX):
        return auth[7:].strip()
    return None


def decide_http_access(policy: AccessPolicy, endpoint: HttpEndpoint, method: str,
                       headers: Sequence[tuple[str, str]], open_sessions: int,
                       minted_here: Callable[[str], bool]) -> Refusal | None:
    """None to relay a POST to `endpoint`, else the refusal (nothing goes upstream then).

    `client_secrets` needs the proxy's token, as a WebSocket does. `calls` also accepts an
    ephemeral key instead: any when the proxy has no token, else only one this proxy minted
    (`minted_here`), since a browser sends one `Authorization` and that is the key. A call
    becomes a watched session, so it counts against --max-sessions.
    """
    if method != "POST":
        return Refusal.text(HTTPStatus.METHOD_NOT_ALLOWED, f"POST to /v1/realtime/{endpoint}, not {method}.")
    ephemeral = presented_ephemeral_key(headers) if endpoint == "calls" else None
    if ephemeral is None or (policy.token is not None and not minted_here(ephemeral)):
        if not token_ok(policy, headers):
            also = " or an ephemeral key minted through this proxy" if endpoint == "calls" else ""
            return Refusal.text(HTTPStatus.UNAUTHORIZED, f"This proxy needs its token "
                                f"('Authorization: Bearer TOKEN'){also}.")
    if (refusal := _origin_refusal(policy, headers)) is not None:
        return refusal
    return _capacity_refusal(policy, open_sessions) if endpoint == "calls" else None


def cors_headers(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers that let an allowed browser page read the answer (none for other callers).

    `Location` is exposed: it carries the call's id, which a WebRTC app needs.
    """
    origin = header_value(headers, "Origin")
    if origin is None or not origin_allowed(policy, headers):
        return []
    return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", "Location")]


def decide_preflight(policy: AccessPolicy, headers: Sequence[tuple[str, str]]) -> Refusal | list[tuple[str, str]]:
    """A CORS preflight (`OPTIONS`, which carries no credentials): the headers of its 204,
    or a 403 when the Origin is not allowed."""
    if (refusal := _origin_refusal(policy, headers)) is not None:
        return refusal
    return [*cors_headers(policy, headers), ("Access-Control-Allow-Methods", "POST, OPTIONS"),
            ("Access-Control-Allow-Headers", CORS_REQUEST_HEADERS), ("Access-Control-Max-Age", "600")]


def _without_model(target_url: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    target = urlsplit(target_url)
    pairs = [(n, v) for n, v in parse_qsl(target.query, keep_blank_values=True) if n not in _TARGET_MODEL_QUERY]
    return target.scheme, target.netloc, target.path.rstrip("/"), pairs


def endpoint_url(target_url: str, endpoint: HttpEndpoint, app_path: str) -> str:
    """The upstream HTTP URL of `endpoint`: the target's host and path (`ws`→`http`) with
    `/calls` or `/client_secrets`, the target's query minus its model, and the app's
    forwarded query."""
    scheme, netloc, path, pairs = _without_model(target_url)
    fixed = {name for name, _ in pairs}
    for name, value in parse_qsl(urlsplit(app_path).query, keep_blank_values=True):
        if name in FORWARDED_QUERY and name not in fixed and name != "call_id":
            pairs.append((name, value))
            fixed.add(name)
    http_scheme = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return urlunsplit((http_scheme, netloc, f"{path}/{endpoint}", urlencode(pairs), ""))


def sideband_url(target_url: str, call_id: str) -> str:
    """The WebSocket URL of a call's sideband: the target with `call_id=` instead of its model."""
    scheme, netloc, path, pairs = _without_model(target_url)
    return urlunsplit((scheme, netloc, path, urlencode([*pairs, ("call_id", call_id)]), ""))


def upstream_http_request(target: UpstreamTarget, endpoint: HttpEndpoint, app_path: str,
                          headers: Sequence[tuple[str, str]]) -> UpstreamRequest:
    """The upstream POST for an app's: allow-listed headers, and as credential the app's
    ephemeral key as is (for `calls`, when it presented one) or else the proxy's key."""
    wanted = {h.lower() for h in FORWARDED_HTTP_HEADERS}
    forwarded = [(name, value) for name, value in headers if name.lower() in wanted and name.lower() != "user-agent"]
    ephemeral = presented_ephemeral_key(headers) if endpoint == "calls" else None
    if ephemeral is not None:
        forwarded.append(("Authorization", f"Bearer {ephemeral}"))
    elif target.key_header is not None:
        forwarded.append(target.key_header)
    return UpstreamRequest(endpoint_url(target.url, endpoint, app_path), tuple(forwarded), (),
                           header_value(headers, "User-Agent"))


def call_id_from_location(location: str | None) -> str | None:
    """The call's id in upstream's `Location: /v1/realtime/calls/{call_id}` (None if absent or odd)."""
    if not location:
        return None
    last = urlsplit(location).path.rstrip("/").rpartition("/")[2]
    return last if _CALL_ID.match(last) else None
