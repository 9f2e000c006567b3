"""A tiny schema checker that reports problems with upstream's error codes.

The simulator must reject what the real API rejects (unknown keys, missing or wrongly
typed fields, values out of range) with the same codes and a `param` path such as
`session.audio.input.format.rate`, so clients see the errors they will meet in
production. pydantic would accept unknown keys and word errors differently, so the few
shapes the simulator checks are declared here with five small node types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

Check = Callable[[Any, str], None]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_error(path: str, expected: str, value: Any) -> ApiError:
    return ApiError("invalid_type", f"Invalid type for '{path}': expected {expected}, but got {_kind(value)} instead.", path)


_ARTICLE = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean"}


@dataclass(frozen=True)
class Scalar:
    """A string, integer, number or boolean, with optional bounds or allowed values."""

    kind: str  # "string" | "integer" | "number" | "boolean"
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[Any, ...] = ()

    def __call__(self, value: Any, path: str) -> None:
        ok = {
            "string": isinstance(value, str),
            "boolean": isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        }[self.kind]
        if not ok:
            raise _type_error(path, _ARTICLE[self.kind], value)
        if self.values and value not in self.values:
            allowed = ", ".join(repr(v) for v in self.values)
            raise ApiError("invalid_value", f"Invalid value: {value!r}. Supported values are: {allowed}.", path)
        noun = "integer" if self.kind == "integer" else "decimal"
        if self.minimum is not None and value < self.minimum:
            raise ApiError(f"{noun}_below_min_value",
                           f"Invalid '{path}': {noun} below minimum value. Expected a value >= {self.minimum}, but got {value} instead.", path)
        if self.maximum is not None and value > self.maximum:
            raise ApiError(f"{noun}_above_max_value",
                           f"Invalid '{path}': {noun} above maximum value. Expected a value <= {self.maximum}, but got {value} instead.", path)


STRING = Scalar("string")
INTEGER = Scalar("integer")
NUMBER = Scalar("number")
BOOLEAN = Scalar("boolean")


def enum(*values: Any) -> Scalar:
    """A string limited to `values`."""
    return Scalar("string", values=values)


@dataclass(frozen=True)
class Obj:
    """An object with known keys: unknown keys are `unknown_parameter`, as upstream."""

    fields: Mapping[str, Check]
    required: frozenset[str] = frozenset()
    open: bool = False  #: free-form (JSON schema, metadata): any keys, any values

    def __call__(self, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _type_error(path, "an object", value)
        if self.open:
            return
        for key in self.required:
            if key not in value:
                where = _join(path, key)
                raise ApiError("missing_required_parameter", f"Missing required parameter: '{where}'.", where)
        for key, item in value.items():
            where = _join(path, key)
            if key not in self.fields:
                raise ApiError("unknown_parameter", f"Unknown parameter: '{where}'.", where)
            self.fields[key](item, where)


def obj(required: Iterable[str] = (), **fields: Check) -> Obj:
    return Obj(fields, frozenset(required))


ANY_OBJECT = Obj({}, open=True)


@dataclass(frozen=True)
class ListOf:
    item: Check
    min_items: int = 0

    def __call__(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise _type_error(path, "an array", value)
        if len(value) < self.min_items:
            raise ApiError("array_below_min_length", f"Invalid '{path}': expected at least {self.min_items} item(s).", path)
        for index, item in enumerate(value):
            self.item(item, _join(path, index))


@dataclass(frozen=True)
class Nullable:
    inner: Check

    def __call__(self, value: Any, path: str) -> None:
        if value is not None:
            self.inner(value, path)


@dataclass(frozen=True)
class OneOf:
    """The first alternative whose `accepts` says yes checks the value."""

    alternatives: tuple[tuple[Callable[[Any], bool], Check], ...]
    expected: str = "a supported value"

    def __call__(self, value: Any, path: str) -> None:
        for accepts, check in self.alternatives:
            if accepts(value):
                check(value, path)
                return
        raise ApiError("invalid_value", f"Invalid value for '{path}': expected {self.expected}.", path)


def tagged(tag: str, choices: Mapping[str, Check]) -> Check:
    """An object whose `tag` key (usually `type`) picks its schema."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise _type_error(path, "an object", value)
        if tag not in value:
            where = _join(path, tag)
            raise ApiError("missing_required_parameter", f"Missing required parameter: '{where}'.", where)
        kind = value[tag]
        if kind not in choices:
            where = _join(path, tag)
            allowed = ", ".join(repr(v) for v in choices)
            raise ApiError("invalid_value", f"Invalid value: {kind!r}. Supported values are: {allowed}.", where)
        choices[kind](value, path)

    return check
