"""Conformance oracle: validate events against the official `openai` package's models.

Usable from any test folder (`from tests import oracle`). The API rejects unknown parameters while the models allow extra keys,
so events we *send* are validated strictly: the model is picked by `type` (a union would
report every variant's errors), and every `__pydantic_extra__` in the validated tree is
an error. Events we *receive* are validated leniently (upstream sends keys the models do
not list, e.g. `session.object`).
"""

from __future__ import annotations

import typing
from functools import lru_cache
from typing import Any

from pydantic import BaseModel


def _flatten(union: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(union)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(union)[0])
    if origin is typing.Union or str(origin) == "types.UnionType":
        return [m for arg in typing.get_args(union) for m in _flatten(arg)]
    return [union]


@lru_cache(maxsize=None)
def models(side: str, protocol: str) -> dict[str, type[BaseModel]]:
    """`{event type: pydantic model}` for `side` ("client"/"server") of `protocol` ("ga"/"beta")."""
    if protocol == "ga":
        import openai.types.realtime as mod
    elif protocol == "beta":
        import openai.types.beta.realtime as mod
    else:
        raise ValueError(f"unknown protocol {protocol!r}")
    union = mod.RealtimeClientEvent if side == "client" else mod.RealtimeServerEvent
    table: dict[str, type[BaseModel]] = {}
    for model in _flatten(union):
        for literal in typing.get_args(model.model_fields["type"].annotation):
            table[literal] = model
    return table


def unknown_keys(value: Any, path: str = "$") -> list[str]:
    """Paths of every key the models did not declare, anywhere in a validated tree."""
    found: list[str] = []
    if isinstance(value, BaseModel):
        for key in (value.__pydantic_extra__ or {}):
            found.append(f"{path}.{key}")
        for name in type(value).model_fields:
            found += unknown_keys(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += unknown_keys(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            found += unknown_keys(v, f"{path}.{k}")
    return found


class ConformanceError(AssertionError):
    """An event is not valid for its protocol according to the official models."""


def _model_for(event: dict[str, Any], side: str, protocol: str) -> type[BaseModel]:
    event_type = event.get("type")
    table = models(side, protocol)
    if event_type not in table:
        raise ConformanceError(f"{event_type!r} is not a {protocol} {side} event type")
    return table[event_type]


def validate_client_event(event: dict[str, Any], protocol: str) -> BaseModel:
    """Validate an event a client sends: strict, and unknown keys are errors."""
    model = _model_for(event, "client", protocol)
    try:
        validated = model.model_validate(event)
    except Exception as exc:  # pydantic.ValidationError
        raise ConformanceError(f"invalid {protocol} {event.get('type')}: {exc}") from None
    extra = unknown_keys(validated)
    if extra:
        raise ConformanceError(f"{protocol} {event.get('type')} has unknown keys: {', '.join(extra)}")
    return validated


def validate_server_event(event: dict[str, Any], protocol: str, *, strict: bool = False) -> BaseModel:
    """Validate an event a server sends: lenient about unknown keys unless `strict`."""
    model = _model_for(event, "server", protocol)
    try:
        validated = model.model_validate(event)
    except Exception as exc:
        raise ConformanceError(f"invalid {protocol} {event.get('type')}: {exc}") from None
    if strict:
        extra = unknown_keys(validated)
        if extra:
            raise ConformanceError(f"{protocol} {event.get('type')} has unknown keys: {', '.join(extra)}")
    return validated
