"""The session editor driven by Pilot, against the real simulator through a real RealtimeClient."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from websockets.asyncio.server import ServerConnection, serve

import console.app.screens.session_editor as session_editor_module
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static, TabbedContent, TextArea

from console.realtime import RealtimeClient
from console.app.screens.session_editor import SessionEditorScreen
from console.app.screens.unsaved_changes import UnsavedChangesScreen
from console.simulator.server import Simulator
from tests.app.screen_helpers import screen_lines
from widgets.session_diff import SessionDiff


class EditorApp(App[None]):
    """A minimal host: the editor screen alone, over a connected client."""

    def __init__(self, client: RealtimeClient, **screen_kwargs: Any) -> None:
        super().__init__()
        self.client = client
        self.screen_kwargs = screen_kwargs
        self.applied: list[SessionEditorScreen.SessionApplied] = []

    def on_mount(self) -> None:
        self.push_screen(SessionEditorScreen(self.client, **self.screen_kwargs))

    def on_session_editor_screen_session_applied(self, message: SessionEditorScreen.SessionApplied) -> None:
        self.applied.append(message)


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await pilot.pause(0.02)


async def click(pilot: Pilot[Any], selector: str) -> None:
    """Click a button once it can be pressed again: Textual ignores clicks during the
    0.2 s press animation (`-active`), which a loaded machine can stretch."""
    button = pilot.app.screen.query_one(selector)
    await wait_until(pilot, lambda: not button.has_class("-active"))
    await pilot.click(selector)


async def connected(sim: Simulator, protocol: str) -> RealtimeClient:
    client = RealtimeClient(url=sim.url, api_key="sk-test", protocol=protocol)
    settled = asyncio.get_running_loop().create_future()
    client.on("realtime.event", lambda e: e["event"]["type"] == "session.updated" and not settled.done()
              and settled.set_result(True))
    await client.connect()
    await asyncio.wait_for(settled, 5)  # the update `connect` sends has been answered
    return client


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(fast=True) as server:
        yield server


def sent_updates(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["event"] for e in log if e["source"] == "client" and e["event"]["type"] == "session.update"]


async def test_invalid_value_blocks_sending_then_the_fix_is_applied_and_diffed(sim: Simulator) -> None:
    client = await connected(sim, "ga")
    log: list[dict[str, Any]] = []
    client.on("realtime.event", log.append)
    app = EditorApp(client)
    async with app.run_test(size=(110, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, SessionEditorScreen)
        opening = screen.query_one("#session-diff", SessionDiff)
        assert "when the editor opened" in opening.caption and opening.entries
        assert opening.differences == []  # the session `connect` sent was applied as sent
        screen.query_one("#max_response_output_tokens", Input).value = "lots"
        screen.query_one("#temperature", Input).value = "3"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "nothing was sent" in str(screen.query_one("#editor-status", Static).render()))
        assert sent_updates(log) == []
        assert "whole number" in str(screen.query_one("#max_response_output_tokens-error", Static).render())
        assert "between 0.6 and 1.2" in str(screen.query_one("#temperature-error", Static).render())
        assert "nothing was sent" in str(screen.query_one("#editor-status", Static).render())

        screen.query_one("#max_response_output_tokens", Input).value = "512"
        screen.query_one("#temperature", Input).value = "0.7"
        screen.query_one("#voice", Select).value = "marin"
        screen.query_one("#td-type", Select).value = "server_vad"
        await pilot.pause()
        screen.query_one("#td-threshold", Input).value = "0.25"
        await click(pilot, "#apply")
        diff = screen.query_one("#session-diff", SessionDiff)
        await wait_until(pilot, lambda: bool(diff.entries))

        (update,) = sent_updates(log)
        assert update["session"]["audio"]["output"]["voice"] == "marin"
        assert update["session"]["audio"]["input"]["turn_detection"]["threshold"] == 0.25
        assert update["session"]["max_output_tokens"] == 512
        assert not screen.query_one("#temperature-error", Static).display
        entries = {e.path: e for e in diff.entries}
        assert entries["voice"].status == "same" and entries["voice"].applied == "marin"
        assert entries["turn_detection.threshold"].status == "same"
        assert entries["temperature"].status == "ignored"  # GA has no temperature
        assert screen.query_one("#session-tabs", TabbedContent).active == "tab-answer"
        assert "temperature" in str(diff.render())
        assert app.applied and app.applied[0].sent["voice"] == "marin"
        assert screen.last_applied is not None and screen.last_applied["voice"] == "marin"
    await client.disconnect()


async def test_raw_json_bad_json_then_server_side_error_then_fix(sim: Simulator) -> None:
    client = await connected(sim, "ga")
    log: list[dict[str, Any]] = []
    client.on("realtime.event", log.append)
    app = EditorApp(client)
    async with app.run_test(size=(110, 48)) as pilot:
        screen = app.screen
        await pilot.press("f6")
        await pilot.pause()
        raw = screen.query_one("#raw-json", TextArea)
        assert json.loads(raw.text)["voice"] == "verse"

        raw.text = '{"voice": "coral",'
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "invalid JSON" in str(screen.query_one("#raw-json-error", Static).render()))
        assert "invalid JSON at line 1" in str(screen.query_one("#raw-json-error", Static).render())
        assert sent_updates(log) == []

        raw.text = json.dumps({"voice": "robot"})
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "unknown voice" in str(screen.query_one("#raw-json-error", Static).render()))
        assert "unknown voice 'robot'" in str(screen.query_one("#raw-json-error", Static).render())
        assert sent_updates(log) == []

        # Locally well-formed, but the server's range for idle_timeout_ms is 5000-30000.
        session = json.loads(json.dumps(client.session_config))
        session["turn_detection"] = {"type": "server_vad", "idle_timeout_ms": 100}
        raw.text = json.dumps(session)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen.query_one("#session-diff", SessionDiff).error is not None)
        (update,) = sent_updates(log)
        error_event = next(e["event"] for e in log if e["source"] == "server" and e["event"]["type"] == "error")
        assert error_event["error"]["event_id"] == update["event_id"]
        inline = str(screen.query_one("#turn_detection-error", Static).render())
        assert inline.startswith("server:") and "idle_timeout_ms" in inline
        assert screen.query_one("#session-tabs", TabbedContent).active == "tab-form"

        # The form now holds the JSON's values; switching the VAD type fixes it.
        assert screen.query_one("#td-type", Select).value == "server_vad"
        screen.query_one("#td-type", Select).value = "semantic_vad"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(screen.query_one("#session-diff", SessionDiff).entries))
        assert len(sent_updates(log)) == 2
        applied = client.session or {}
        assert applied["audio"]["input"]["turn_detection"]["type"] == "semantic_vad"
    await client.disconnect()


async def test_presets_round_trip_through_the_screen(sim: Simulator, tmp_path: Path) -> None:
    client = await connected(sim, "beta")
    app = EditorApp(client, preset_path=str(tmp_path / "preset.json"))
    async with app.run_test(size=(110, 48)) as pilot:
        screen = app.screen
        screen.query_one("#instructions", TextArea).text = "Answer like a pirate."
        screen.query_one("#voice", Select).value = "ash"
        screen.query_one("#input_audio_transcription", Select).value = "whisper-1"
        await click(pilot, "#save-preset")
        await pilot.pause()
        saved = json.loads((tmp_path / "preset.json").read_text())
        assert saved["instructions"] == "Answer like a pirate." and saved["voice"] == "ash"
        assert saved["input_audio_transcription"] == {"model": "whisper-1"}

        screen.query_one("#voice", Select).value = "echo"
        screen.query_one("#instructions", TextArea).text = ""
        await click(pilot, "#load-preset")
        await pilot.pause()
        assert screen.query_one("#voice", Select).value == "ash"
        assert screen.query_one("#instructions", TextArea).text == "Answer like a pirate."

        (tmp_path / "broken.json").write_text("{oops")
        screen.query_one("#preset-path", Input).value = str(tmp_path / "broken.json")
        await click(pilot, "#load-preset")
        await pilot.pause()
        status = screen.query_one("#editor-status", Static)
        assert "broken.json: invalid JSON" in str(status.render()) and status.has_class("-error")
        assert screen.query_one("#voice", Select).value == "ash"  # nothing lost

        await pilot.press("ctrl+s")  # beta keeps temperature: it is applied, not ignored
        diff = screen.query_one("#session-diff", SessionDiff)
        await wait_until(pilot, lambda: bool(diff.entries))
        entries = {e.path: e for e in diff.entries}
        assert entries["temperature"].status == "same"
        assert entries["instructions"].applied == "Answer like a pirate."
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SessionEditorScreen)
    await client.disconnect()


async def test_not_connected_stores_the_session_for_later() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", api_key="sk-test")
    app = EditorApp(client, protocol="ga")
    async with app.run_test(size=(110, 48)) as pilot:
        app.screen.query_one("#voice", Select).value = "sage"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert client.session_config["voice"] == "sage"
        assert "not connected" in str(app.screen.query_one("#editor-status", Static).render())


async def test_form_and_json_views_stay_in_step() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", api_key="sk-test")  # never connected
    app = EditorApp(client, protocol="ga", tool_names=["get_weather"])
    async with app.run_test(size=(110, 48)) as pilot:
        screen = app.screen
        screen.query_one("#voice", Select).value = "coral"
        screen.query_one("#tool_choice", Select).value = "fn:get_weather"
        await pilot.press("f6")
        await pilot.pause()
        raw = screen.query_one("#raw-json", TextArea)
        data = json.loads(raw.text)
        assert data["voice"] == "coral"
        assert data["tool_choice"] == {"type": "function", "name": "get_weather"}

        data.update(voice="shimmer", turn_detection={"type": "semantic_vad", "eagerness": "high"})
        raw.text = json.dumps(data)
        await pilot.press("f5")
        await pilot.pause()
        assert screen.query_one("#voice", Select).value == "shimmer"
        assert screen.query_one("#td-type", Select).value == "semantic_vad"
        assert screen.query_one("#td-eagerness", Select).value == "high"
        assert screen.query_one("#semantic-vad-params").display
        assert not screen.query_one("#server-vad-params").display

        await pilot.press("f6")
        await pilot.pause()
        raw.text = "[1,"
        await pilot.press("f5")
        await pilot.pause()
        assert "JSON view has errors" in str(screen.query_one("#editor-status", Static).render())
        assert screen.query_one("#voice", Select).value == "shimmer"  # the form kept its values

        screen.query_one("#temperature", Input).value = "hot"
        await pilot.press("f6")
        await pilot.pause()
        assert "invalid values" in str(screen.query_one("#raw-json-error", Static).render())
        assert json.loads(raw.text)["temperature"] == 0.8  # the last valid value


async def test_a_server_that_never_answers_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    async def silent(ws: ServerConnection) -> None:
        await ws.wait_closed()

    monkeypatch.setattr(session_editor_module, "ANSWER_TIMEOUT_S", 0.3)
    async with serve(silent, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        client = RealtimeClient(url=f"ws://127.0.0.1:{port}/v1/realtime", api_key="sk-test")
        await client.connect()
        app = EditorApp(client)
        async with app.run_test(size=(110, 48)) as pilot:
            await pilot.press("ctrl+s")
            status = app.screen.query_one("#editor-status", Static)
            await wait_until(pilot, lambda: "no answer from the server" in str(status.render()))
            assert status.has_class("-error")
        await client.disconnect()


async def test_function_tool_choice_in_each_protocol_shape(sim: Simulator) -> None:
    for protocol, expected in (("beta", "get_weather"), ("ga", {"type": "function", "name": "get_weather"})):
        client = await connected(sim, protocol)
        client.add_tool({"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
                        lambda args: {"ok": True})
        log: list[dict[str, Any]] = []
        client.on("realtime.event", log.append)
        app = EditorApp(client)
        async with app.run_test(size=(110, 48)) as pilot:
            screen = app.screen
            screen.query_one("#tool_choice", Select).value = "fn:get_weather"
            await pilot.press("ctrl+s")
            diff = screen.query_one("#session-diff", SessionDiff)
            await wait_until(pilot, lambda: not diff.caption and bool(diff.entries))
            assert sent_updates(log)[-1]["session"]["tool_choice"] == expected
            assert {e.path: e.status for e in diff.entries}["tools"] == "same"
            assert diff.differences == []
        await client.disconnect()


async def test_closing_after_the_client_was_reset_is_quiet() -> None:
    client = RealtimeClient(url="ws://127.0.0.1:9/v1/realtime", api_key="sk-test")
    app = EditorApp(client, protocol="ga")
    async with app.run_test(size=(110, 48)) as pilot:
        client.reset()  # drops every handler, the editor's too
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SessionEditorScreen)
    assert app.return_code in (None, 0)


# --- leaving the editor: Tab never traps, Esc never silently drops edits ---------------------


def footer_line(app: App[None]) -> str:
    return screen_lines(app)[-1]


async def test_tab_leaves_every_text_area_and_the_footer_says_how(sim: Simulator) -> None:
    client = await connected(sim, "ga")
    app = EditorApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SessionEditorScreen))
        screen = app.screen
        instructions = screen.query_one("#instructions", TextArea)
        instructions.focus()
        await wait_until(pilot, lambda: "tab Next field" in footer_line(app))
        assert "esc Close" in footer_line(app)
        before = instructions.text
        await pilot.press("tab")
        await wait_until(pilot, lambda: screen.focused is not instructions)
        assert instructions.text == before
        await wait_until(pilot, lambda: "tab Next field" not in footer_line(app))  # only in a text area

        await pilot.press("f6")
        raw = screen.query_one("#raw-json", TextArea)
        raw.focus()
        await wait_until(pilot, lambda: "tab Next field" in footer_line(app))
        text = raw.text
        await pilot.press("tab")
        await wait_until(pilot, lambda: screen.focused is not raw)
        await pilot.press("shift+tab")
        await wait_until(pilot, lambda: screen.focused is raw)
        assert raw.text == text  # no indentation typed into the JSON


async def open_editor(pilot: Pilot[Any], client: RealtimeClient) -> SessionEditorScreen:
    app = pilot.app
    await app.push_screen(SessionEditorScreen(client))
    await wait_until(pilot, lambda: isinstance(app.screen, SessionEditorScreen))
    return app.screen  # type: ignore[return-value]


async def ask_to_leave(pilot: Pilot[Any]) -> None:
    """Press esc in the editor and wait for the unsaved-changes question, read off the screen."""
    await pilot.press("escape")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, UnsavedChangesScreen))
    await wait_until(pilot, lambda: any("Unsaved changes to the session" in line for line in screen_lines(pilot.app)))


async def test_esc_closes_a_clean_editor_at_once_and_asks_before_dropping_edits(sim: Simulator) -> None:
    client = await connected(sim, "ga")
    log: list[dict[str, Any]] = []
    client.on("realtime.event", log.append)
    app = EditorApp(client)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, SessionEditorScreen))
        await pilot.press("escape")  # nothing changed: no question
        await wait_until(pilot, lambda: not isinstance(app.screen, (SessionEditorScreen, UnsavedChangesScreen)))

        screen = await open_editor(pilot, client)
        instructions = screen.query_one("#instructions", TextArea)
        instructions.focus()
        await pilot.press(*"terse")
        await ask_to_leave(pilot)
        await pilot.press("escape")  # keep editing
        await wait_until(pilot, lambda: app.screen is screen)
        assert "terse" in instructions.text

        temperature = screen.query_one("#temperature", Input)
        temperature.focus()
        temperature.value = ""
        await pilot.press(*"hot")
        await ask_to_leave(pilot)
        await pilot.press("s")  # apply: refused while a value is invalid, and nothing is lost
        await wait_until(pilot, lambda: app.screen is screen)
        assert "invalid value" in str(screen.query_one("#editor-status", Static).render())
        assert "hot" in temperature.value and "terse" in instructions.text
        assert screen.query_one("#temperature-error", Static).display
        updates_before = len(sent_updates(log))

        await ask_to_leave(pilot)
        await pilot.press("d")  # discard
        await wait_until(pilot, lambda: not isinstance(app.screen, (SessionEditorScreen, UnsavedChangesScreen)))
        assert len(sent_updates(log)) == updates_before and "terse" not in client.session_config["instructions"]

        screen = await open_editor(pilot, client)
        screen.query_one("#instructions", TextArea).focus()
        await pilot.press(*"terse")
        await ask_to_leave(pilot)
        await pilot.press("s")  # apply, and close once the server has accepted it
        await wait_until(pilot, lambda: not isinstance(app.screen, (SessionEditorScreen, UnsavedChangesScreen)))
        assert len(sent_updates(log)) == updates_before + 1
        assert "terse" in (client.session or {}).get("instructions", "")
