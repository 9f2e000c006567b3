"""RealtimeEventHandler: ordering, one-shot handlers, async handlers, failures, waiting."""

from __future__ import annotations

import asyncio
import logging

import pytest

from console.realtime.event_handler import HANDLER_ERROR_CODE, RealtimeEventHandler


def test_persistent_then_one_shot_in_order() -> None:
    h = RealtimeEventHandler()
    calls: list[str] = []
    h.on_next("x", lambda e: calls.append(f"next:{e}"))
    h.on("x", lambda e: calls.append(f"a:{e}"))
    h.on("x", lambda e: calls.append(f"b:{e}"))
    h.dispatch("x", 1)
    h.dispatch("x", 2)
    assert calls == ["a:1", "b:1", "next:1", "a:2", "b:2"]


def test_no_wildcard_matching() -> None:
    h = RealtimeEventHandler()
    seen: list[object] = []
    h.on("server.*", seen.append)
    h.dispatch("server.session.created", {"a": 1})
    assert seen == []
    h.dispatch("server.*", {"a": 1})
    assert seen == [{"a": 1}]


def test_off_one_and_all_and_unknown_raises() -> None:
    h = RealtimeEventHandler()
    calls: list[str] = []
    a = h.on("x", lambda e: calls.append("a"))
    h.on("x", lambda e: calls.append("b"))
    h.off("x", a)
    h.dispatch("x")
    assert calls == ["b"]
    with pytest.raises(ValueError, match="not registered"):
        h.off("x", a)
    h.off("x")
    h.dispatch("x")
    assert calls == ["b"]
    n = h.on_next("y", lambda e: calls.append("n"))
    h.off_next("y", n)
    h.dispatch("y")
    assert calls == ["b"]
    h.on("z", lambda e: calls.append("z"))
    h.clear_event_handlers()
    h.dispatch("z")
    assert calls == ["b"]


def test_raising_handler_reported_and_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    h = RealtimeEventHandler()
    errors: list[dict] = []
    after: list[object] = []
    h.on("error", errors.append)

    def broken(event: object) -> None:
        raise RuntimeError("boom")

    h.on("x", broken)
    h.on("x", after.append)
    with caplog.at_level(logging.ERROR, logger="console.realtime"):
        h.dispatch("x", 7)
    assert after == [7]
    assert len(errors) == 1
    assert errors[0]["error"]["code"] == HANDLER_ERROR_CODE
    assert "boom" in errors[0]["error"]["message"] and errors[0]["event_name"] == "x"
    assert "boom" in caplog.text


def test_raising_error_handler_does_not_recurse(caplog: pytest.LogCaptureFixture) -> None:
    h = RealtimeEventHandler()
    count = 0

    def broken_error_handler(event: object) -> None:
        nonlocal count
        count += 1
        raise RuntimeError("error handler broken")

    h.on("error", broken_error_handler)
    h.on("x", lambda e: 1 / 0)
    with caplog.at_level(logging.ERROR, logger="console.realtime"):
        h.dispatch("x", None)
    assert count == 1
    assert "error handler broken" in caplog.text


async def test_coroutine_handlers_run_as_tasks_and_failures_reported() -> None:
    h = RealtimeEventHandler()
    done: list[object] = []
    errors: list[dict] = []
    h.on("error", errors.append)

    async def ok(event: object) -> None:
        await asyncio.sleep(0)
        done.append(event)

    async def bad(event: object) -> None:
        await asyncio.sleep(0)
        raise KeyError("nope")

    h.on("x", ok)
    h.on("x", bad)
    h.dispatch("x", "payload")
    assert done == []  # scheduled, not run inline
    await h.drain_tasks()
    assert done == ["payload"]
    assert len(errors) == 1 and "nope" in errors[0]["error"]["message"]


async def test_wait_for_next_resolves_with_event_and_empty_payload() -> None:
    h = RealtimeEventHandler()
    waiter = asyncio.create_task(h.wait_for_next("x", timeout=2))
    await asyncio.sleep(0)
    h.dispatch("x", {"v": 1})
    assert await waiter == {"v": 1}
    waiter = asyncio.create_task(h.wait_for_next("conversation.interrupted", timeout=2))
    await asyncio.sleep(0)
    h.dispatch("conversation.interrupted")
    assert await waiter == {}


async def test_wait_for_next_timeout_removes_its_handler() -> None:
    h = RealtimeEventHandler()
    assert await h.wait_for_next("x", timeout=0.01) is None
    assert h._next_handlers == {}
    task = asyncio.create_task(h.wait_for_next("y"))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h._next_handlers == {}


async def test_waits_chained_after_a_synchronous_burst_see_every_event_in_order() -> None:
    h = RealtimeEventHandler()
    h.dispatch("x", {"n": 0})  # before any wait: not kept (the reference's semantics)
    first = asyncio.create_task(h.wait_for_next("x", timeout=2))
    await asyncio.sleep(0)
    for n in (1, 2, 3):  # one burst: no yield between dispatches
        h.dispatch("x", {"n": n})
    h.dispatch("y", {"n": 9})  # a name never waited for is not kept
    assert await first == {"n": 1}
    assert await h.wait_for_next("x", timeout=2) == {"n": 2}
    assert await h.wait_for_next("x", timeout=2) == {"n": 3}
    assert await h.wait_for_next("x", timeout=0.01) is None
    assert "y" not in h._backlogs


async def test_wait_backlog_is_bounded_and_cleared() -> None:
    from console.realtime.event_handler import WAIT_BACKLOG

    h = RealtimeEventHandler()
    assert await h.wait_for_next("x", timeout=0.01) is None  # starts keeping "x"
    for n in range(WAIT_BACKLOG + 5):
        h.dispatch("x", n)
    assert await h.wait_for_next("x", timeout=2) == 5  # the oldest five were dropped
    h.clear_waits()
    assert await h.wait_for_next("x", timeout=0.01) is None
    h.dispatch("x")
    assert await h.wait_for_next("x", timeout=2) == {}


async def test_user_one_shot_handlers_do_not_take_events_from_waits() -> None:
    h = RealtimeEventHandler()
    seen: list[int] = []
    assert await h.wait_for_next("x", timeout=0.01) is None
    h.on_next("x", seen.append)
    h.dispatch("x", 1)
    assert seen == [1]
    assert await h.wait_for_next("x", timeout=2) == 1


async def test_grouped_names_are_kept_from_the_first_wait_of_the_group() -> None:
    h = RealtimeEventHandler()
    h.group_waits("appended", "completed")
    waiter = asyncio.create_task(h.wait_for_next("appended", timeout=2))
    await asyncio.sleep(0)
    h.dispatch("appended", "user")
    h.dispatch("completed", "user")
    h.dispatch("appended", "assistant")
    assert await waiter == "user"
    assert await h.wait_for_next("appended", timeout=2) == "assistant"
    assert await h.wait_for_next("completed", timeout=2) == "user"
