"""A tiny module the tool tests load handlers from with `module:function` (`--tools` style)."""

from __future__ import annotations

import asyncio
from typing import Any

NOT_CALLABLE = 42

ADD_DEFINITION: dict[str, Any] = {
    "type": "function",
    "name": "add_numbers",
    "description": "Adds two numbers.",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    },
}


def lookup_order(args: dict[str, Any]) -> dict[str, Any]:
    """A sync handler: answers from its arguments so tests can check what it received."""
    return {"order": args.get("order_id"), "status": "shipped"}


async def add_numbers(args: dict[str, Any]) -> dict[str, Any]:
    """An async handler."""
    await asyncio.sleep(0)
    return {"sum": args["a"] + args["b"]}


def failing(args: dict[str, Any]) -> None:
    raise RuntimeError("the warehouse is closed")


#: What `--tools sample_tool_module:TOOLS` loads.
TOOLS = [(ADD_DEFINITION, add_numbers)]


def make_tools() -> list[Any]:
    """A callable attribute returning a list works too."""
    return [{"definition": {**ADD_DEFINITION, "name": "add_again"}, "handler": add_numbers}]
