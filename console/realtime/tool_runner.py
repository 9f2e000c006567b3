"""`ToolRunner`: runs the function tools a response calls and sends their outputs.

The reference client runs a tool on `response.function_call_arguments.done`-era events,
calls `response.create` after every single output, and breaks on async handlers. Here a
tool runs once per call, only when its item is completed (`response.output_item.done`),
sync or async; its result (None included, as `null`) or its failure (`{"error": ...}`)
is sent JSON-encoded as a `function_call_output` item, and one `response.create` follows
once every output of that response was sent (when `response.done` has arrived). Calls of
tools without an added handler are left to the application.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections.abc import Callable
from typing import Any

from .api import NotConnectedError
from .event_handler import client_error_event

logger = logging.getLogger("console.realtime")

ToolHandler = Callable[[dict[str, Any]], Any]


class ToolRunner:
    """Tool calls of one client: started once per call id, grouped by response.

    Args:
        tools: returns the client's current tools, `{name: {"definition", "handler"}}`.
        send: sends a client event (`RealtimeAPI.send`); may raise NotConnectedError.
        report: dispatches an `error` event (a client-side failure).
        respond: asks for the next response (called once per response whose tools sent
            an output, and only while connected).
        keep: holds a background task until it finishes.
    """

    def __init__(
        self,
        tools: Callable[[], dict[str, dict[str, Any]]],
        send: Callable[..., Any],
        report: Callable[[dict[str, Any]], None],
        respond: Callable[[], None],
        keep: Callable[[asyncio.Future[Any]], None],
    ) -> None:
        self._tools = tools
        self._send = send
        self._report = report
        self._respond = respond
        self._keep = keep
        self._tasks: dict[str, list[asyncio.Task[bool]]] = {}
        self._started: set[str] = set()

    def cancel(self) -> None:
        """Cancel the tools still running (their outputs are not sent)."""
        for tasks in self._tasks.values():
            for task in tasks:
                task.cancel()
        self._tasks = {}

    def reset(self) -> None:
        """Cancel running tools and forget which calls ran (a fresh client)."""
        self.cancel()
        self._started = set()

    def call_completed(self, event: dict[str, Any], item: dict[str, Any]) -> None:
        """A function call item completed (`response.output_item.done`): run its tool once."""
        tool = item["formatted"].get("tool") or {}
        call_id = tool.get("call_id") or item.get("id")
        if call_id in self._started:
            return
        self._started.add(call_id)
        if tool.get("name") not in self._tools():
            logger.info("function call %r has no handler added: left to the application", tool.get("name"))
            return
        task = asyncio.ensure_future(self._run(tool))
        self._keep(task)
        response_id = event.get("response_id")
        if isinstance(response_id, str):
            self._tasks.setdefault(response_id, []).append(task)

    def response_done(self, response_id: Any) -> None:
        """Its response ended: answer once every tool it called has sent its output."""
        tasks = self._tasks.pop(response_id, []) if isinstance(response_id, str) else []
        if tasks:
            self._keep(asyncio.ensure_future(self._respond_after(tasks)))

    async def _run(self, tool: dict[str, Any]) -> bool:
        """Run one tool and send its output; True when an output was sent."""
        try:
            arguments = json.loads(tool.get("arguments") or "{}")
            result = self._tools()[tool["name"]]["handler"](arguments)
            if inspect.isawaitable(result):
                result = await result
            output = json.dumps(result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the model gets the failure as the output
            logger.warning("tool %r failed: %s", tool.get("name"), exc)
            output = json.dumps({"error": str(exc) or type(exc).__name__})
        try:
            self._send(
                "conversation.item.create",
                {"item": {"type": "function_call_output", "call_id": tool.get("call_id"), "output": output}},
            )
        except NotConnectedError:
            message = f"output of tool {tool.get('name')!r} not sent: disconnected"
            self._report(client_error_event("client_tool_error", message))
            return False
        return True

    async def _respond_after(self, tasks: list[asyncio.Task[bool]]) -> None:
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if any(r is True for r in results):
            self._respond()
