"""Checking function tool definitions without a jsonschema dependency.

The tool editor, `--tools` files and the session model all ask the same questions: is
this a name the API accepts, is this parameters object a usable JSON schema, can this
`module:function` be imported? Every answer that is "no" is a `ToolSpecError` with one
line fit to show next to the offending field.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from typing import Any, Callable

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_JSON_SCHEMA_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_DEFINITION_KEYS = frozenset({"type", "name", "description", "parameters"})


class ToolSpecError(ValueError):
    """A tool definition, handler or tools file that cannot be used (one clear line)."""


def validate_name(name: Any) -> str:
    """A function name the API accepts: 1-64 letters, digits, '_' or '-'."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ToolSpecError(
            f"invalid tool name {name!r}: use 1-64 letters, digits, '_' or '-'"
        )
    return name


def validate_parameters(schema: Any) -> dict[str, Any]:
    """Check the basic structure of a parameters JSON schema (no jsonschema dependency).

    It must be an object schema with `type: "object"` and a `properties` object whose
    values are schemas with a known `type` (when they give one); `required` must list
    existing properties.
    """
    if not isinstance(schema, dict):
        raise ToolSpecError("parameters must be a JSON object (a JSON schema)")
    if schema.get("type") != "object":
        raise ToolSpecError('parameters must have "type": "object"')
    props = schema.get("properties")
    if not isinstance(props, dict):
        raise ToolSpecError('parameters must have "properties": an object of property schemas')
    for prop, sub in props.items():
        _check_subschema(sub, f"property {prop!r}")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise ToolSpecError('"required" must be a list of property names')
    unknown = [r for r in required if r not in props]
    if unknown:
        raise ToolSpecError(f'"required" names {unknown[0]!r}, which is not in "properties"')
    return schema


def _check_subschema(sub: Any, where: str) -> None:
    if not isinstance(sub, dict):
        raise ToolSpecError(f"{where} must be a schema object")
    kind = sub.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k not in _JSON_SCHEMA_TYPES:
            raise ToolSpecError(f"{where} has unknown type {k!r}")
    if "enum" in sub and not isinstance(sub["enum"], list):
        raise ToolSpecError(f'{where}: "enum" must be a list')
    if "object" in kinds and "properties" in sub:
        if not isinstance(sub["properties"], dict):
            raise ToolSpecError(f'{where}: "properties" must be an object')
        for name, inner in sub["properties"].items():
            _check_subschema(inner, f"{where}.{name}")
    if "array" in kinds and "items" in sub:
        _check_subschema(sub["items"], f"{where} items")


def validate_definition(definition: Any) -> dict[str, Any]:
    """Check a function tool definition and return it normalised (with `type: "function"`)."""
    if not isinstance(definition, dict):
        raise ToolSpecError("a tool definition must be a JSON object")
    if definition.get("type", "function") != "function":
        raise ToolSpecError(f"only function tools are supported, not {definition.get('type')!r}")
    extra = sorted(set(definition) - _DEFINITION_KEYS)
    if extra:
        raise ToolSpecError(f"tool definition has unknown key {extra[0]!r}")
    name = validate_name(definition.get("name"))
    description = definition.get("description", "")
    if not isinstance(description, str):
        raise ToolSpecError(f"tool {name}: description must be text")
    try:
        parameters = validate_parameters(definition.get("parameters", {"type": "object", "properties": {}}))
    except ToolSpecError as exc:
        raise ToolSpecError(f"tool {name}: {exc}") from None
    return {"type": "function", "name": name, "description": description, "parameters": copy.deepcopy(parameters)}


def parse_json_text(text: str, what: str) -> Any:
    """Parse JSON typed into an editor; ToolSpecError with line and column when it is bad."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolSpecError(f"{what}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def resolve_callable(target: str) -> Callable[..., Any]:
    """Import `module:function` (dots allowed after the colon) and check it is callable."""
    if not isinstance(target, str) or ":" not in target:
        raise ToolSpecError(f"python handler {target!r} must look like module:function")
    module_name, _, attr_path = target.partition(":")
    if not module_name or not attr_path:
        raise ToolSpecError(f"python handler {target!r} must look like module:function")
    try:
        obj: Any = importlib.import_module(module_name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any import failure is one line, never an exit
        raise ToolSpecError(f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}") from None
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ToolSpecError(f"module {module_name!r} has no attribute {attr_path!r}") from None
    if not callable(obj):
        raise ToolSpecError(f"{target} is not callable (it is a {type(obj).__name__})")
    return obj
