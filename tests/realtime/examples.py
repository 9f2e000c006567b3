"""One valid example of every event type of a protocol, built from the official models.

The examples fill each model's required fields only, from its annotations (first literal,
placeholder strings, zero numbers, empty lists), so they track the `openai` package
instead of a hand-kept list; `tests/oracle.py` confirms each one validates.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from tests.oracle import models


def _value(annotation: Any, name: str, depth: int) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value(args[0], name, depth)
    if origin is typing.Literal:
        return args[0]
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in args if a is not type(None)]
        for option in options:  # prefer plain values over nested objects
            if option in (str, int, float, bool) or typing.get_origin(option) is typing.Literal:
                return _value(option, name, depth)
        return _value(options[0], name, depth) if options else None
    if origin in (list, typing.List):  # noqa: UP006
        return []
    if origin in (dict, typing.Dict):  # noqa: UP006
        return {}
    if annotation is str:
        return f"{name}_example"
    if annotation is int:
        return 0
    if annotation is float:
        return 0.0
    if annotation is bool:
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return build(annotation, depth + 1)
    return None


def build(model: type[BaseModel], depth: int = 0) -> dict[str, Any]:
    """A dict with every required field of `model` filled."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.is_required() or name == "type":
            out[field.alias or name] = _value(field.annotation, name, depth)
    return out


def examples(side: str, protocol: str) -> dict[str, dict[str, Any]]:
    """`{event type: example event}` for every event type of `side` in `protocol`."""
    return {event_type: build(model) for event_type, model in models(side, protocol).items()}
