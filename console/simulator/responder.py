"""What the simulator answers: a small deterministic rule set, and tool calls.

The reply must be useful to a person testing a client: it repeats what it heard ("You
said: ..."), follows a few rules that exercise clients (a greeting, "count to N", "tell
me a long story" for interruption tests), calls a session tool when the user names it
or a rule file maps a phrase to it (arguments generated from the tool's JSON schema),
and after a tool's output answers with that output, saying what it did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conversation import Item
from .images import images_reply

GREETINGS = ("hello", "hi", "hey", "good morning", "good evening")
_FILLER_WORDS = frozenset({"get", "set", "fetch", "find", "lookup", "look", "search", "list", "do", "make", "call", "run", "the"})
_COUNT = re.compile(r"\bcount (?:to|up to) (\d+)", re.IGNORECASE)
_PLACE = re.compile(r"\b(?:in|for|at|of|near)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

LONG_STORY = " ".join(
    f"Chapter {n}: the simulator walked {n} more steps along the loopback road, "
    f"counting packets and humming {n * 3} tones to itself."
    for n in range(1, 13)
) + " The end."


@dataclass(frozen=True)
class Rule:
    """A rule-file entry: a phrase that triggers a tool call or a fixed reply."""

    phrase: str
    tool: str | None = None
    arguments: dict[str, Any] | None = None
    reply: str | None = None


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  #: JSON text


@dataclass(frozen=True)
class Reply:
    """Either text to say, a tool to call, or an MCP stream (`mcp.McpState.streamer`)."""

    text: str = ""
    call: ToolCall | None = None
    mcp: Callable[[Any], Awaitable[None]] | None = None


@dataclass
class Context:
    """What a response can see: its input items, tools and tool choice."""

    items: list[Item]
    tools: tuple[dict[str, Any], ...] = ()
    tool_choice: Any = "auto"
    rules: tuple[Rule, ...] = field(default_factory=tuple)


def load_rules(path: str | Path) -> tuple[Rule, ...]:
    """Read a rule file: a JSON list of {"phrase", "tool"[, "arguments"]} or {"phrase", "reply"}.

    Raises ValueError with a message naming the file and the entry at fault.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read rules file {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"rules file {path} is not JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict):  # {"phrase": {"tool": ..., "arguments": ...}} is accepted too
        data = [{"phrase": phrase, **(spec if isinstance(spec, dict) else {"reply": spec})} for phrase, spec in data.items()]
    if not isinstance(data, list):
        raise ValueError(f"rules file {path} must hold a JSON list of rules")
    rules = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("phrase"), str) or not entry["phrase"].strip():
            raise ValueError(f"rules file {path}: rule {index} needs a non-empty \"phrase\"")
        tool, reply, arguments = entry.get("tool"), entry.get("reply"), entry.get("arguments")
        if (tool is None) == (reply is None) or not isinstance(tool or reply, str):
            raise ValueError(f"rules file {path}: rule {index} needs exactly one of \"tool\" or \"reply\" (a string)")
        if arguments is not None and not isinstance(arguments, dict):
            raise ValueError(f"rules file {path}: rule {index}: \"arguments\" must be an object")
        unknown = set(entry) - {"phrase", "tool", "reply", "arguments"}
        if unknown:
            raise ValueError(f"rules file {path}: rule {index} has unknown keys {sorted(unknown)}")
        rules.append(Rule(entry["phrase"].strip().lower(), tool, arguments, reply))
    return tuple(rules)


# --- tool arguments from a JSON schema -------------------------------------------------


def _place(text: str) -> str:
    match = _PLACE.search(text)
    if match:
        return match.group(1)
    words = re.findall(r"[\w'-]+", text)
    return words[-1] if words else "Paris"


def value_for(schema: Any, name: str, text: str) -> Any:
    """A value satisfying `schema` for property `name`, taken from the user's text if possible."""
    if not isinstance(schema, dict):
        return text
    if "enum" in schema and schema["enum"]:
        lowered = text.lower()
        for option in schema["enum"]:
            if str(option).lower() in lowered:
                return option
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind in ("integer", "number"):
        numbers = _NUMBER.findall(text)
        value: float = float(numbers[0]) if numbers else float(schema.get("default", 1))
        value = max(value, schema.get("minimum", value))
        value = min(value, schema.get("maximum", value))
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return bool(schema.get("default", True))
    if kind == "array":
        return [value_for(schema.get("items", {}), name, text)] if schema.get("minItems", 0) else []
    if kind == "object":
        return arguments_for(schema, text)
    lowered = name.lower()
    if any(word in lowered for word in ("location", "city", "place", "town", "country", "where", "address")):
        return _place(text)
    return text


def arguments_for(schema: Any, text: str) -> dict[str, Any]:
    """Arguments for a tool whose `parameters` is `schema`: every property gets a value."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return {name: value_for(prop, name, text) for name, prop in properties.items()}


# --- choosing the reply ----------------------------------------------------------------


def _name_matches(tool_name: str, text: str) -> bool:
    lowered = text.lower()
    if tool_name.lower() in lowered or tool_name.replace("_", " ").lower() in lowered:
        return True
    words = set(re.findall(r"[a-z0-9]+", lowered))
    parts = [p for p in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", tool_name) if p]
    distinctive = [p.lower() for p in parts if p.lower() not in _FILLER_WORDS]
    return bool(distinctive) and all(p in words for p in distinctive)


def _pick_tool(context: Context, text: str) -> tuple[dict[str, Any], dict[str, Any] | None] | None:
    tools = {t["name"]: t for t in context.tools}
    choice = context.tool_choice
    if not tools or choice == "none":
        return None
    if isinstance(choice, dict) and choice.get("name") in tools:
        return tools[choice["name"]], None
    if isinstance(choice, str) and choice in tools:
        return tools[choice], None
    lowered = text.lower()
    for rule in context.rules:
        if rule.tool and rule.tool in tools and rule.phrase in lowered:
            return tools[rule.tool], rule.arguments
    for tool in context.tools:
        if _name_matches(tool["name"], text):
            return tool, None
    if choice == "required":
        return context.tools[0], None
    return None


def _summarise_output(output: str) -> str:
    try:
        data = json.loads(output)
    except (json.JSONDecodeError, TypeError):
        return output
    if isinstance(data, dict):
        return ", ".join(f"{k} {v}" for k, v in data.items()) or "nothing"
    return str(data)


def _answer_output(items: list[Item], output_item: Item) -> Reply:
    call = next((i for i in items if i.type == "function_call" and i.call_id == output_item.call_id), None)
    name = call.name if call else "the tool"
    arguments = f"({call.arguments})" if call and call.arguments else ""
    summary = _summarise_output(output_item.output or "")
    return Reply(f"(simulator) called {name}{arguments}, which returned: {summary}.")


def _rule_reply(text: str, rules: tuple[Rule, ...]) -> str | None:
    lowered = text.lower()
    for rule in rules:
        if rule.reply is not None and rule.phrase in lowered:
            return rule.reply
    count = _COUNT.search(text)
    if count:
        n = min(int(count.group(1)), 1000)
        return ", ".join(str(i) for i in range(1, n + 1)) + "." if n else "0."
    if "long story" in lowered:
        return LONG_STORY
    first = lowered.strip(" !.,?")
    if any(first == g or first.startswith(g + " ") or first.startswith(g + ",") for g in GREETINGS):
        return ("Hello! This is the realtime-console simulator. Say 'count to 5', 'tell me a long story', "
                "or name one of the session's tools, and I will act on it.")
    return None


def choose_reply(context: Context) -> Reply:
    """The reply to the latest user message or tool output in `context.items`."""
    latest = next((i for i in reversed(context.items)
                   if (i.type == "message" and i.role == "user") or i.type == "function_call_output"), None)
    if latest is None:
        return Reply("(simulator) There is nothing to answer yet: add a user message first.")
    if latest.type == "function_call_output":
        return _answer_output(context.items, latest)
    text = latest.text()
    seen = images_reply(latest)
    if seen is not None:
        return Reply(f"{seen} You said: {text}" if text else seen)
    if not text:
        return Reply("(simulator) I heard only silence. Are you still there?")
    if text.startswith("[") and text.endswith(" of audio]"):
        return Reply(f"(simulator) I heard {text}, but I can only read speech that the simulator synthesised itself.")
    picked = _pick_tool(context, text)
    if picked is not None:
        tool, fixed = picked
        arguments = fixed if fixed is not None else arguments_for(tool.get("parameters") or {}, text)
        return Reply(call=ToolCall(tool["name"], json.dumps(arguments)))
    return Reply(_rule_reply(text, context.rules) or f"You said: {text}")
