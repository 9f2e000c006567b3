"""`realtime-console --call-id CALL_ID`: the main command attaching to a live call, as `attach` does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static

from console.app.attach_app import AttachConsoleApp, title_for
from console.app.launch import attach_arguments, build_parser
from console.attach.cli import AttachTarget, attach
from console.cli import PROG, UsageError
from console.session.attached import AttachedSession
from console.simulator import Simulator
from tests.app.console_harness import wait_for
from widgets.conversation_view import ConversationView

ROOT = Path(__file__).resolve().parents[2]


def _main_args(*argv: str):
    return build_parser(PROG).parse_args(list(argv))


async def test_call_id_on_the_main_command_opens_the_attach_view(tmp_path: Path) -> None:
    path = tmp_path / "call.jsonl"
    shown: dict[str, object] = {}
    async with Simulator(fast=True) as sim:
        call_id = sim.start_call()

        async def live(session: AttachedSession, target: AttachTarget) -> int:
            """`console.app.attach_app.run_live`, driven by Pilot."""
            app = AttachConsoleApp(session, title=title_for(session, target))
            async with app.run_test(size=(140, 40)) as pilot:
                await session.wait_attached()
                shown["title"] = str(app.main.query_one("#attach-title", Static).render())
                await sim.call_say(call_id, "hello", wait=True)
                conversation = app.main.view.query_one(ConversationView)
                await wait_for(pilot, lambda: len(conversation.item_ids) == 2, what="the caller's turn and the answer")
                shown["items"] = list(conversation.item_ids)
            return 0

        args = attach_arguments(_main_args("--call-id", call_id, "--url", sim.url, "--record", str(path)))
        assert await attach(args, live=live, env={}) == 0
        expected = [item.id for item in sim.call(call_id).connection.conversation.items()]
    assert f"attached to call {call_id} at {sim.url}" in str(shown["title"])
    assert shown["items"] == expected
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0]["source"] == "attach" and records[0]["call_id"] == call_id
    assert "response.done" in [r["event"]["type"] for r in records[1:]]


def test_the_attach_options_are_read_by_the_attach_parser() -> None:
    args = attach_arguments(_main_args("--call-id", "rtc_1", "--api-key-env", "MY_KEY", "--no-record"))
    assert (args.call_id, args.url, args.api_key_env, args.no_record, args.simulator) == (
        "rtc_1", None, "MY_KEY", True, False)
    assert attach_arguments(_main_args("--call-id", "rtc_1")).api_key_env == "OPENAI_API_KEY"  # attach's default


@pytest.mark.parametrize("extra, named", [
    (["--model", "gpt-realtime"], "--model"),
    (["--vad"], "--vad/--ptt"),
    (["--no-audio", "--instructions", "hi"], "--instructions, --no-audio"),
])
def test_options_a_call_would_ignore_are_refused(extra: list[str], named: str) -> None:
    with pytest.raises(UsageError, match=f"--call-id attaches to a live call: {named} does not apply"):
        attach_arguments(_main_args("--call-id", "rtc_1", *extra))


def test_the_main_command_attaches_and_fails_with_one_line() -> None:
    result = subprocess.run([sys.executable, "-m", "console", "--call-id", "rtc_x", "--url",
                             "ws://127.0.0.1:9/v1/realtime", "--no-record"], cwd=ROOT, capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("realtime-console attach: cannot reach") and "Traceback" not in result.stderr


def test_an_empty_call_id_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "console", "--call-id", ""], cwd=ROOT, capture_output=True,
                            text=True, check=False, timeout=60)
    assert result.returncode == 2 and "CALL_ID is required" in result.stderr and "Traceback" not in result.stderr
