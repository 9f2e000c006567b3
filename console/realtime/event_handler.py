"""A small named-event dispatcher, the base of `RealtimeAPI` and `RealtimeClient`.

It keeps the reference's model (persistent `on` handlers, one-shot `on_next` handlers,
no wildcard matching: `server.*` is an ordinary name dispatched explicitly) and fixes its
defects:

- `wait_for_next` waits on an asyncio future instead of polling, removes its one-shot
  handler when it times out or is cancelled, and resolves for events dispatched without
  a payload (`conversation.interrupted` resolves with `{}`).
- `wait_for_next` misses nothing between two waits. The socket reader dispatches every
  frame already buffered without yielding (upstream often sends `item.created`,
  `response.created`, `output_item.added` and the assistant's `item.created` in one TCP
  segment), so a caller awaiting the user's item and then the assistant's registers its
  second wait after the assistant's item was dispatched. Once a name has been waited for
  (or a name of its wait group, see `group_waits`), its events that no pending wait takes
  are kept (at most `WAIT_BACKLOG`, oldest dropped) and the next wait returns the oldest
  of them at once. A wait registered before the event resolves with it, as in the
  reference; the very first wait of a group sees only events dispatched after it.
- Coroutine handlers are scheduled as tasks. The tasks are referenced until they finish
  (asyncio keeps only weak references), and their exceptions are reported too.
- A handler that raises does not stop dispatch to the others and never escapes into the
  socket reader: it is logged and reported as an `error` event. An `error` handler that
  raises is only logged, so a broken error handler cannot recurse forever.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from .events import ErrorPayload

logger = logging.getLogger("console.realtime")

Handler = Callable[[Any], Any]

#: Events of one name kept for the next `wait_for_next` when no wait is pending (oldest
#: dropped first): a caller who waited once and never again cannot grow memory forever.
WAIT_BACKLOG = 1024

#: `error.code` of the `error` events this library reports for its own failures.
HANDLER_ERROR_CODE = "client_handler_error"


def client_error_event(code: str, message: str, **extra: Any) -> ErrorPayload:
    """Build an `error` event for a failure detected on the client side.

    Shaped like the server's `error` event (`{"type": "error", "error": {...}}`) so a UI
    shows both the same way; `error.type` is `"client_error"` so it is never mistaken for
    something the server said. `extra` keys (e.g. the offending `event`) sit beside it.
    """
    return {"type": "error", "error": {"type": "client_error", "code": code, "message": message}, **extra}  # type: ignore[typeddict-item]


class RealtimeEventHandler:
    """Named events with persistent and one-shot handlers (sync or async)."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._next_handlers: dict[str, list[Handler]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._reporting = False
        #: Per name waited for: events dispatched while no wait was pending, oldest first.
        self._backlogs: dict[str, deque[Any]] = {}
        #: Names whose events are kept together from the first wait for any of them on.
        self._wait_groups: dict[str, tuple[str, ...]] = {}

    # --- registration -------------------------------------------------------------

    def on(self, name: str, handler: Handler) -> Handler:
        """Call `handler(event)` for every `name` dispatched. Returns the handler."""
        self._handlers.setdefault(name, []).append(handler)
        return handler

    def on_next(self, name: str, handler: Handler) -> Handler:
        """Call `handler(event)` for the next `name` dispatched only. Returns the handler."""
        self._next_handlers.setdefault(name, []).append(handler)
        return handler

    def off(self, name: str, handler: Handler | None = None) -> None:
        """Remove one persistent handler, or all of `name` when `handler` is None.

        Raises ValueError when the given handler was not registered (as the reference).
        """
        self._remove(self._handlers, name, handler)

    def off_next(self, name: str, handler: Handler | None = None) -> None:
        """Remove one one-shot handler, or all of `name` when `handler` is None."""
        self._remove(self._next_handlers, name, handler)

    @staticmethod
    def _remove(table: dict[str, list[Handler]], name: str, handler: Handler | None) -> None:
        if handler is None:
            table.pop(name, None)
            return
        handlers = table.get(name, [])
        if handler not in handlers:
            raise ValueError(f"handler {handler!r} is not registered for {name!r}")
        handlers.remove(handler)
        if not handlers:
            del table[name]

    def clear_event_handlers(self) -> None:
        """Forget every handler (persistent and one-shot) and every event kept for waits."""
        self._handlers.clear()
        self._next_handlers.clear()
        self._backlogs.clear()

    def group_waits(self, *names: str) -> None:
        """Waiting for any of `names` starts keeping the events of all of them.

        For callers that chain waits for different names: `RealtimeClient` groups
        `conversation.item.appended` and `conversation.item.completed`, so a wait for the
        next completed item after two waits for appended items still sees the user item
        that completed in the same burst as the first of them.
        """
        for name in names:
            self._wait_groups[name] = tuple(names)

    def clear_waits(self) -> None:
        """Forget the events kept for the next `wait_for_next` calls (e.g. on a reconnect,
        so a wait never returns an event of the previous connection)."""
        self._backlogs.clear()

    # --- dispatch -----------------------------------------------------------------

    def dispatch(self, name: str, event: Any = None) -> bool:
        """Call the persistent handlers of `name` in order, then the one-shot ones.

        Returns True (like the reference). Handlers registered while dispatching run from
        the next dispatch on.
        """
        handlers = self._handlers.get(name)
        once = self._next_handlers.pop(name, None) if self._next_handlers else None
        if self._backlogs:
            backlog = self._backlogs.get(name)
            if backlog is not None and not (once and any(isinstance(h, _Waiter) and not h.future.done() for h in once)):
                backlog.append({} if event is None else event)
        if handlers:
            for handler in tuple(handlers):  # a copy: handlers may (un)register others
                self._call(name, handler, event)
        if once:
            for handler in once:
                self._call(name, handler, event)
        return True

    def _call(self, name: str, handler: Handler, event: Any) -> None:
        try:
            result = handler(event)
        except Exception as exc:  # noqa: BLE001 - a handler must not break dispatch
            self._report(name, handler, exc)
            return
        if result is not None and inspect.isawaitable(result):
            self._schedule(name, handler, result)

    def _schedule(self, name: str, handler: Handler, awaitable: Any) -> None:
        try:
            task = asyncio.ensure_future(awaitable)
        except RuntimeError as exc:  # no running loop: the coroutine can never run
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            self._report(name, handler, exc)
            return
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None:
                self._report(name, handler, t.exception())  # type: ignore[arg-type]

        task.add_done_callback(done)

    def _report(self, name: str, handler: Handler, exc: BaseException) -> None:
        """Log a handler failure and, unless it came from error handling, dispatch `error`."""
        label = getattr(handler, "__qualname__", repr(handler))
        logger.error("handler %s for %r raised %s: %s", label, name, type(exc).__name__, exc, exc_info=exc)
        if name == "error" or self._reporting:
            return
        self._reporting = True
        try:
            self.dispatch(
                "error",
                client_error_event(
                    HANDLER_ERROR_CODE,
                    f"handler {label} for {name!r} raised {type(exc).__name__}: {exc}",
                    event_name=name,
                ),
            )
        finally:
            self._reporting = False

    async def wait_for_next(self, name: str, timeout: float | None = None) -> Any:
        """The next `name` event (`{}` if dispatched without payload), or None on timeout.

        "Next" means: the oldest `name` event dispatched since the previous wait for
        `name` resolved that no wait took yet (returned at once), else the next one
        dispatched. `timeout` is in seconds. The one-shot handler is removed on
        timeout/cancellation.
        """
        backlog = self._backlogs.get(name)
        if backlog:
            return backlog.popleft()
        if backlog is None:
            for kept in self._wait_groups.get(name, (name,)):
                if kept not in self._backlogs:
                    self._backlogs[kept] = deque(maxlen=WAIT_BACKLOG)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        resolve = _Waiter(future)
        self.on_next(name, resolve)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            pending = self._next_handlers.get(name)
            if pending and resolve in pending:
                self.off_next(name, resolve)

    async def drain_tasks(self) -> None:
        """Wait for the handler tasks scheduled so far (useful in tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class _Waiter:
    """The one-shot handler of a `wait_for_next`: resolves its future with the event.

    A class (not a closure) so `dispatch` can tell a pending wait, which takes the event,
    from a user's `on_next` handler, which does not.
    """

    __slots__ = ("future",)

    def __init__(self, future: asyncio.Future[Any]) -> None:
        self.future = future

    def __call__(self, event: Any) -> None:
        if not self.future.done():
            self.future.set_result({} if event is None else event)
