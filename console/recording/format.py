"""The recording format: header, line schema, secret redaction.

A recording is JSON Lines. The first line is a header::

    {"realtime_console_log": 1, "started_at": ISO-8601, "endpoint": URL, "protocol": "ga"|"beta",
     "model": str, "tool": "realtime-console", "version": str}

and every further line is one `realtime.event` exactly as the client library emits it::

    {"time": ISO-8601, "source": "client"|"server", "event": {...}}

A session the console reconnected (the library's `auto_reconnect`) goes on in a new file:
its header adds `"continues": {"file": NAME, "session_id": ..., "reconnect": {...}}` naming
the previous file (in the same directory), and the previous file ends with one trailer line
`{"time": ISO-8601, "continued": {"file": NAME, "session_id": ...}}` naming the next. Readers
that predate it skip the trailer as one unreadable line; `chain.py` follows the links.

The writer puts the event's `type` first inside `event`, so the indexer can read a line's
type, time and source from its first few dozen bytes without parsing megabytes of base64
(see `index.py`). Readers must not rely on that: any key order is valid JSON and is read
through a slower, correct fallback.

Redaction lives here rather than in the writer so that exports (`export --events`) and any
other tool writing recordings apply the same rules.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from console import __version__
from console.realtime.protocol import CLIENT_EVENTS

HEADER_KEY = "realtime_console_log"
FORMAT_VERSION = 1
TOOL_NAME = "realtime-console"
SOURCES: tuple[str, str] = ("client", "server")
REDACTED = "[redacted]"
#: Key of the marker line the writer puts in place of an event it could not serialise.
UNRECORDED_KEY = "unrecorded"
#: Header key naming the file a continued recording goes on from (see `chain.py`).
CONTINUES_KEY = "continues"
#: Key of the trailer line naming the file the recording goes on in.
CONTINUED_KEY = "continued"

#: Keys whose values are secrets wherever they appear (compared case-insensitively).
SECRET_KEYS: frozenset[str] = frozenset(
    {
        "authorization",
        "api-key",
        "api_key",
        "apikey",
        "x-api-key",
        "openai-api-key",
        "client_secret",
        "proxy-authorization",
    }
)

#: OpenAI secret keys (`sk-...`, `sk-proj-...`, `sk-svcacct-...`) inside any string. Base64
#: never contains `-`, so audio payloads cannot match by accident.
_SK_PATTERN = re.compile(r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-]{16,}")
#: Substrings whose absence proves a serialised line holds nothing to redact (lets the
#: writer skip the structural walk for the common case, audio deltas included).
_SECRET_MARKERS: tuple[str, ...] = (
    "sk-",
    "uthorization",
    "UTHORIZATION",
    "pi-key",
    "pi_key",
    "PI-KEY",
    "PI_KEY",
    "piKey",
    "pikey",
    "client_secret",
    "CLIENT_SECRET",
    '"headers"',  # an MCP tool's headers (see `redact`)
)
#: Subprotocols that carry a key in browser-style auth (`openai-insecure-api-key.<key>`).
_SUBPROTOCOL_KEY = re.compile(r"(openai-insecure-api-key\.)\S+")


def printable(text: str) -> str:
    """`text` with lone UTF-16 surrogates written as `\\udXXX` (UTF-8 cannot encode them).

    A recorded text delta may hold half an emoji; printing or saving it must not fail.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def utc_now_iso() -> str:
    """Now as ISO-8601 UTC with milliseconds and a `Z`, as the reference client stamps events."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_header(
    *, endpoint: str, protocol: str, model: str, started_at: str | None = None, version: str = __version__
) -> dict[str, Any]:
    """The header line of a new recording (the endpoint's query secrets are redacted)."""
    return {
        HEADER_KEY: FORMAT_VERSION,
        "started_at": started_at or utc_now_iso(),
        "endpoint": redact_url(endpoint),
        "protocol": protocol,
        "model": model,
        "tool": TOOL_NAME,
        "version": version,
    }


def is_header(obj: Any) -> bool:
    """Whether a parsed line is a recording header."""
    return isinstance(obj, dict) and HEADER_KEY in obj


def is_trailer(obj: Any) -> bool:
    """Whether a parsed line is the trailer saying where the recording continues."""
    return isinstance(obj, dict) and isinstance(obj.get(CONTINUED_KEY), dict) and "event" not in obj


def is_wrapped_event(obj: Any) -> bool:
    """Whether a parsed line is a `realtime.event` line (`{"time", "source", "event"}`)."""
    return isinstance(obj, dict) and isinstance(obj.get("event"), dict) and "type" in obj["event"]


def is_bare_event(obj: Any) -> bool:
    """Whether a parsed line is a bare API event (`{"type": ..., ...}`), as other tools log them."""
    return isinstance(obj, dict) and isinstance(obj.get("type"), str) and "event" not in obj


def line_has_secret_marker(line: str) -> bool:
    """Cheap pre-check: False proves `line` holds nothing `redact` would change.

    A plain loop of substring tests: a third cheaper than `any()` over a generator on a
    short event, and about twice as fast as one regex alternation of the markers (the
    proxy runs this for every relayed frame)."""
    for marker in _SECRET_MARKERS:
        if marker in line:
            return True
    return False


def redact_string(value: str) -> str:
    """Replace secret keys embedded anywhere in a string."""
    if "sk-" in value:
        value = _SK_PATTERN.sub(REDACTED, value)
    if "openai-insecure-api-key." in value:
        value = _SUBPROTOCOL_KEY.sub(r"\1" + REDACTED, value)
    return value


def _redact_all_strings(value: Any) -> Any:
    """A copy of a secret-holding value with every string leaf replaced (keeps its shape,
    so e.g. a GA `client_secret {value, expires_at}` still shows when it expires)."""
    if isinstance(value, str):
        return REDACTED
    if isinstance(value, dict):
        return {k: _redact_all_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_all_strings(v) for v in value]
    return value


def redact(value: Any) -> Any:
    """A redacted copy of a JSON-like value; the input is never mutated.

    Values under secret keys (`Authorization`, `api-key`, `client_secret`, ...) are replaced
    wholesale, so is every `headers` value of an MCP tool (`{"type": "mcp", ...}`: a
    session's or a response's tools, sent or echoed, however they were typed in),
    `sk-...` keys are cut out of any string, and header lists of
    `[name, value]` pairs are treated like mappings. Unchanged sub-trees are shared with the
    input rather than copied, which keeps the cost proportional to what actually changes.
    """
    if isinstance(value, str):
        return redact_string(value)
    if isinstance(value, dict):
        out: dict[str, Any] | None = None
        for key, item in value.items():
            if isinstance(key, str) and key.lower() in SECRET_KEYS and item is not None:
                new = _redact_all_strings(item)
            elif key == "headers" and isinstance(item, dict) and value.get("type") == "mcp":
                new = _redact_all_strings(item) if item else item
            else:
                new = redact(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, (list, tuple)):
        if (
            len(value) == 2
            and isinstance(value[0], str)
            and value[0].lower() in SECRET_KEYS
            and isinstance(value[1], str)
        ):
            return [value[0], REDACTED]
        items = [redact(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items
    return value


def redact_url(url: str) -> str:
    """A URL with secret query parameters (`api-key=`, `key=`) and user info redacted."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_string(url)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_KEYS or k.lower() in ("key", "token", "access_token") for k, _ in pairs):
            query = urlencode(
                [
                    (k, REDACTED if k.lower() in SECRET_KEYS or k.lower() in ("key", "token", "access_token") else v)
                    for k, v in pairs
                ]
            )
    netloc = parts.netloc
    if "@" in netloc:
        netloc = REDACTED + "@" + netloc.rsplit("@", 1)[1]
    return redact_string(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def parse_time(value: Any) -> float | None:
    """Seconds since the epoch of an ISO-8601 string (naive times are UTC), else None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def infer_source(event_type: str) -> str:
    """`client` for client event types of either protocol, else `server` (unknown types too)."""
    return "client" if event_type in CLIENT_EVENTS["ga"] or event_type in CLIENT_EVENTS["beta"] else "server"
