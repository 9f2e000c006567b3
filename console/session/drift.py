"""Conversation drift: how a locally cached item differs from the server's copy.

Pure functions, tested without a connection; the session bridge's `/retrieve` command
fetches every item with `conversation.item.retrieve` and shows what these report.
"""

from __future__ import annotations

from typing import Any

from console.session.event_summary import base64_decoded_size


def compare_items(local: dict[str, Any], remote: dict[str, Any] | None) -> list[str]:
    """Differences between a local item and the server's copy, one phrase each.

    Compares what a user would care about: type, role, status, text, transcript, function
    name/arguments/output and (when the server returns audio) its length within 50 ms.
    Pure, so it is tested without a connection.
    """
    if remote is None:
        return ["missing on the server"]
    out: list[str] = []
    for key in ("type", "role", "name", "call_id", "arguments", "output"):
        a, b = local.get(key), remote.get(key)
        if (a or b) and a != b:
            out.append(f"{key} differs (local {a!r}, server {b!r})")
    if local.get("status") and remote.get("status") and local["status"] != remote["status"]:
        out.append(f"status differs (local {local['status']!r}, server {remote['status']!r})")
    local_parts = local.get("content") if isinstance(local.get("content"), list) else []
    remote_parts = remote.get("content") if isinstance(remote.get("content"), list) else []
    if len(local_parts) != len(remote_parts):
        out.append(f"{len(local_parts)} content parts locally, {len(remote_parts)} on the server")
    for i, (a, b) in enumerate(zip(local_parts, remote_parts)):
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        for key in ("text", "transcript"):
            if (a.get(key) or "") != (b.get(key) or "") and (a.get(key) or b.get(key)):
                out.append(f"part {i} {key} differs (local {_short(a.get(key))}, server {_short(b.get(key))})")
    remote_samples = sum(
        base64_decoded_size(p["audio"]) // 2
        for p in remote_parts
        if isinstance(p, dict) and isinstance(p.get("audio"), str)
    )
    local_audio = (local.get("formatted") or {}).get("audio")
    if remote_samples and local_audio is not None and abs(remote_samples - len(local_audio)) > 1200:  # 50 ms
        out.append(
            f"audio length differs (local {len(local_audio) / 24000:.2f} s, server {remote_samples / 24000:.2f} s)"
        )
    return out


def _short(value: Any, limit: int = 40) -> str:
    text = "" if value is None else str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")
