"""The whole console driven by Pilot against the real simulator (fast mode) on loopback.

Flows: connect, text turn, push-to-talk turn from `--input-wav`, VAD turn, interruption,
log filter and search, slash commands, drift check, disconnect / server close
mid-response and reconnect, connection failure; none may leave a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.simulator import FaultPlan, Simulator
from widgets.textual_compat import notification_texts
from tests.app.console_harness import (connected, events_of, make_app, palette_lists, sent_types, submit, wait_for,
                                      write_speech_wav)
from widgets.conversation_view import ConversationView
from widgets.event_log import EventLog
from widgets.status_header import StatusHeader

SIZE = (140, 44)


def assistant_items(app) -> list[dict]:
    return [i for i in app.session.items() if i.get("role") == "assistant"]


def _header(app) -> str:
    return str(app.main.query_one(StatusHeader).render())


def _notes(app) -> str:
    return " ".join(str(n.render()) for n in app.main.query_one(ConversationView).notes)


def _logged_types(app, log: EventLog) -> set[str]:
    """Types of the events the log's rows show (what has reached the log, not just the store)."""
    return {app.store.event_type(log.view.event_index(row)) for row in range(len(log.view))}


async def test_connects_offline_and_says_so() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await wait_for(pilot, lambda: "● connected" in _header(app), what="the header says connected")
        header = str(app.main.query_one(StatusHeader).render())
        assert "● connected" in header and "offline: local simulator" in header
        assert app.session.stats.session_id and app.session.stats.session_id in header
        assert sent_types(app)[:1] == ["session.update"]
        assert "session.created" in {app.store.event_type(i) for i in range(len(app.store))}
        await wait_for(pilot, lambda: "local simulator" in _notes(app), what="the offline note")
        notes = " ".join(str(n.render()) for n in app.main.query_one(ConversationView).notes)
        assert "local simulator" in notes


async def test_text_turn_fills_conversation_log_and_stats() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello there")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        view = app.main.query_one(ConversationView)
        await wait_for(pilot, lambda: len(view.item_ids) == 2 and "simulator" in str(view.card(view.item_ids[1]).render()),
                       what="both cards drawn, the answer complete")
        assert len(view.item_ids) == 2
        user_card, assistant_card = (view.card(i) for i in view.item_ids)
        assert "hello there" in str(user_card.render())
        assert "simulator" in str(assistant_card.render())
        stats = app.session.stats
        assert stats.responses == 1 and stats.input_tokens > 0 and stats.cost_usd > 0
        assert stats.last_latency_ms is not None
        assert sent_types(app)[-2:] == ["conversation.item.create", "response.create"]
        log = app.main.query_one(EventLog)
        assert len(log.view) > 5  # folded rows, not one per delta


async def test_push_to_talk_turn_from_a_wav(tmp_path: Path) -> None:
    wav = write_speech_wav(tmp_path / "hello.wav", "hello there console")
    app = make_app("--input-wav", str(wav), "--ptt", wav_speed=4.0)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert app.turns.mic_state == "off"
        await pilot.press("f2")
        await wait_for(pilot, lambda: "the turn ends with the file" in str(app.main.query_one("#notice").render())
                       or "input_audio_buffer.commit" in sent_types(app), what="the WAV turn announced")
        # The WAV ends the turn by itself: commit, then response.create.
        await wait_for(pilot, lambda: "input_audio_buffer.commit" in sent_types(app), what="commit")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], timeout=15,
                       what="answer to speech")
        user = [i for i in app.session.items() if i.get("role") == "user"][0]
        assert len(user["formatted"]["audio"]) > 24000 * 0.5
        await wait_for(pilot, lambda: "hello" in (app.session.item(user["id"])["formatted"]["transcript"] or "").lower(),
                       what="input transcript")
        assert sent_types(app).count("input_audio_buffer.append") > 10
        assert not app.turns.recording


async def test_vad_turn_from_a_wav(tmp_path: Path) -> None:
    wav = write_speech_wav(tmp_path / "hello.wav", "hello from the voice test")
    app = make_app("--input-wav", str(wav), "--vad", wav_speed=2.0)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert app.turns.mic_state == "streaming"
        await wait_for(pilot, lambda: events_of(app, "input_audio_buffer.speech_stopped"), timeout=15, what="speech stop")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], timeout=15,
                       what="answer")
        assert "input_audio_buffer.commit" not in sent_types(app)  # the server decided the turn
        assert events_of(app, "input_audio_buffer.speech_started")


async def test_switching_turn_mode_while_connected() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.session.applied_session and
                       (app.session.applied_session.get("audio", {}).get("input", {}).get("turn_detection") or {}).get("type")
                       == "server_vad", what="VAD applied")
        assert app.turns.mode == "vad"
        await submit(pilot, "/ptt")
        await wait_for(pilot, lambda: app.session.applied_session.get("audio", {}).get("input", {}).get("turn_detection") is None,
                       what="PTT applied")
        assert app.turns.mode == "ptt"


async def test_interrupting_truncates_what_was_heard() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "tell me a long story")
        await wait_for(pilot, lambda: app.turns.speaker.played(assistant_items(app)[0]["id"]) > 4800 if assistant_items(app) else False,
                       what="some audio played")
        generating = app.session.annotations.active_response is not None
        await pilot.press("f3")
        await wait_for(pilot, lambda: events_of(app, "conversation.item.truncated"), what="truncated")
        sent = events_of(app, "conversation.item.truncate")[0]
        item = assistant_items(app)[0]
        assert sent["item_id"] == item["id"]
        assert 200 <= sent["audio_end_ms"] < 10_000
        # a response is cancelled only while it is being generated
        assert ("response.cancel" in sent_types(app)) == generating
        card = app.main.query_one(ConversationView).card(item["id"])
        await wait_for(pilot, lambda: "✂ not heard after" in str(card.render()), what="the truncation mark")
        shown = str(card.render())
        assert "✂ not heard after" in shown
        streamed = "".join(e.get("delta", "") for e in events_of(app, "response.output_audio_transcript.delta")
                           if e.get("item_id") == item["id"])
        assert streamed[:12].strip() and streamed[:12] in shown  # the text that streamed is kept


async def test_interrupting_after_response_done_truncates_without_an_error() -> None:
    """The real API generates faster than real time: playback outlives `response.done`,
    and cancelling a finished response only earns `response_cancel_not_active`."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "tell me a long story")
        await wait_for(pilot, lambda: events_of(app, "response.done"), what="the whole answer generated")
        item = assistant_items(app)[0]
        await wait_for(pilot, lambda: app.turns.speaker.played(item["id"]) > 2400, what="some audio played")
        assert app.turns.speaker.is_playing()  # the answer is done, its audio is not
        await pilot.press("f3")
        await wait_for(pilot, lambda: events_of(app, "conversation.item.truncated"), what="truncated")
        assert "response.cancel" not in sent_types(app)
        assert not events_of(app, "error")
        assert "truncated there" in str(app.main.query_one("#notice").render())


async def test_log_filter_and_search() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        log = app.main.query_one(EventLog)
        await wait_for(pilot, lambda: "response.done" in _logged_types(app, log), what="the answer's events in the log")
        everything = len(log.view)
        await pilot.press("ctrl+f")
        assert app.focused.id == "log-search"
        app.focused.value = "session.created"
        await wait_for(pilot, lambda: log.text == "session.created", what="the search applied")
        assert 1 <= len(log.view) < everything
        await pilot.press("enter")  # to the log
        assert app.focused is log
        await pilot.press("home")
        await wait_for(pilot, lambda: log.selected_event() is not None, what="a row selected")
        assert app.store.event_type(log.selected_event()) in ("session.created", "session.updated")
        await pilot.press("d")  # direction: client only
        await wait_for(pilot, lambda: log.directions == frozenset({"client"}), what="the direction filter")


async def test_slash_commands_validate_then_send() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, '/send {"type": "response.done"}')
        await wait_for(pilot, lambda: "server event" in str(app.main.query_one("#notice").render()),
                       what="the refusal of a server event")
        await submit(pilot, '/send {"type": "conversation.item.retrieve", "item_id": "nope"}')
        await wait_for(pilot, lambda: events_of(app, "error"), what="server error")
        error_index = [i for i in range(len(app.store)) if app.store.event_type(i) == "error"][0]
        cause = app.store.cause_of(error_index)
        assert cause is not None and app.store.event_type(cause) == "conversation.item.retrieve"
        await wait_for(pilot, lambda: "caused by conversation.item.retrieve" in _notes(app), what="the error's note")
        await submit(pilot, "/voice ash")
        await wait_for(pilot, lambda: (app.session.applied_session or {}).get("audio", {}).get("output", {}).get("voice") == "ash",
                       what="voice applied")
        await submit(pilot, "/instructions Be brief.")
        await wait_for(pilot, lambda: (app.session.applied_session or {}).get("instructions") == "Be brief.", what="instructions")
        assert (app.session.last_sent_session or {}).get("instructions") == "Be brief."
        await submit(pilot, "/help")
        await wait_for(pilot, lambda: any("/retrieve" in str(n.render()) for n in app.main.query_one(ConversationView).notes),
                       what="the help note")


async def test_drift_check_matches_after_a_turn() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        await submit(pilot, "/retrieve")
        await wait_for(pilot, lambda: "matches the server" in str(app.main.query_one("#notice").render())
                       or "drift" in str(app.main.query_one("#notice").render()), what="drift result")
        assert "matches the server" in str(app.main.query_one("#notice").render())
        assert len(events_of(app, "conversation.item.retrieve")) == 2


async def test_delete_and_copy_from_the_conversation() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        view = app.main.query_one(ConversationView)
        await wait_for(pilot, lambda: len(view.item_ids) == 2, what="both cards drawn")
        first = view.item_ids[0]
        view.card(first).focus()
        await pilot.press("y")
        assert app.clipboard == "hello"
        await pilot.press("x")
        await wait_for(pilot, lambda: first not in view.item_ids, what="item removed")
        assert events_of(app, "conversation.item.deleted")[0]["item_id"] == first


async def test_save_wav_of_an_answer(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        item = assistant_items(app)[0]
        path = app.save_item_wav(item["id"], tmp_path)
        assert path is not None and path.stat().st_size == 44 + 2 * len(item["formatted"]["audio"])


async def test_server_close_mid_response_then_reconnect() -> None:
    async with Simulator(fast=True, faults=FaultPlan(close_after_events=12, close_reason="simulated fault")) as sim:
        app = make_app("--url", sim.url, "--no-reconnect")  # the manual path: auto reconnect has its own test
        async with app.run_test(size=SIZE) as pilot:
            await connected(pilot)
            await submit(pilot, "tell me a long story")
            await wait_for(pilot, lambda: app.session.stats.connection == "disconnected", what="drop")
            await wait_for(pilot, lambda: "disconnected" in _header(app), what="the header says disconnected")
            header = str(app.main.query_one(StatusHeader).render())
            assert "disconnected" in header and "1011" in header
            assert "reconnect" in str(app.main.query_one("#notice").render())
            # the app is alive: typing while disconnected explains itself
            await submit(pilot, "hi")
            assert "not connected" in str(app.main.query_one("#notice").render())
            sim.faults = None
            await pilot.press("ctrl+r")
            await connected(pilot)
            assert app.main.query_one(ConversationView).item_ids == []


async def test_connection_failure_is_a_message_not_a_crash() -> None:
    app = make_app("--url", "ws://127.0.0.1:9/v1/realtime")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.stats.connection == "failed", what="failure")
        await wait_for(pilot, lambda: "failed" in _header(app), what="the header says failed")
        header = str(app.main.query_one(StatusHeader).render())
        assert "failed" in header and "could not connect" in header
        assert app.is_running


def test_every_palette_command_names_a_real_action() -> None:
    from console.app.app import RealtimeConsoleApp
    from console.app.commands import CONSOLE_COMMANDS

    for title, _help, method, _args in CONSOLE_COMMANDS:
        assert callable(getattr(RealtimeConsoleApp, method, None)), title
    ids = [b.id for b in RealtimeConsoleApp.BINDINGS]
    assert all(ids) and len(set(ids)) == len(ids)


async def test_command_palette_runs_a_console_command() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: palette_lists(app, "") is not None, what="the palette's commands listed")
        from textual.command import CommandInput

        app.screen.query_one(CommandInput).value = "slash command help"
        await wait_for(pilot, lambda: palette_lists(app, "slash command help"), what="the command found")
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("/retrieve" in str(n.render()) for n in app.main.query_one(ConversationView).notes), what="help note")



KEY = "sk-proj-THIS-IS-A-SECRET-KEY-0123456789abcdef"


def _everything_shown(app) -> str:
    store = app.store
    raw = b"".join(store.raw(i) for i in range(len(store))).decode("utf-8", "replace")
    notes = " ".join(str(n.render()) for n in app.main.query_one(ConversationView).notes)
    return app.export_screenshot() + raw + notes + str(app.main.query_one("#notice").render()) + repr(app.config)


async def test_the_api_key_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    async with Simulator(fast=True, require_key=KEY) as sim:
        app = make_app("--url", sim.url)
        async with app.run_test(size=SIZE) as pilot:
            await connected(pilot)
            await submit(pilot, "hello")
            await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
            await pilot.press("ctrl+p")
            await wait_for(pilot, lambda: palette_lists(app, "") is not None, what="the palette's commands listed")
            await pilot.pause()
            assert KEY not in _everything_shown(app)


async def test_a_refused_key_is_reported_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    async with Simulator(fast=True, require_key="sk-the-right-one", auth_failure="close") as sim:
        app = make_app("--url", sim.url)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.session.stats.connection == "failed", what="refusal")
            await wait_for(pilot, lambda: "authentication failed" in _header(app), what="the refusal in the header")
            header = str(app.main.query_one(StatusHeader).render())
            assert "authentication failed" in header
            assert KEY not in _everything_shown(app)


async def test_demo_tool_call_shows_call_output_and_answer() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "What's the weather in Paris?")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        kinds = [i.get("type") for i in app.session.items()]
        assert "function_call" in kinds and "function_call_output" in kinds
        view = app.main.query_one(ConversationView)
        call = next(i for i in app.session.items() if i.get("type") == "function_call")
        output = next(i for i in app.session.items() if i.get("type") == "function_call_output")
        await wait_for(pilot, lambda: view.card(call["id"]) is not None and view.card(output["id"]) is not None
                       and "temperature" in str(view.card(output["id"]).render()), what="the call's cards drawn")
        assert "get_weather(" in str(view.card(call["id"]).render())
        assert "temperature" in str(view.card(output["id"]).render())


async def test_an_unexpected_failure_in_an_action_is_a_notice_not_a_traceback() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)

        def broken(**_fields):
            raise RuntimeError("session store exploded")

        app.session.client.update_session = broken
        await submit(pilot, "/voice ash")
        await wait_for(pilot, lambda: "session store exploded" in str(app.main.query_one("#notice").render()),
                       what="the failure's notice")
        assert app.is_running
        await submit(pilot, "hello")  # and the console still works
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")


async def test_reconnect_keeps_the_voice_and_turn_mode_chosen_in_the_session() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "/voice cedar")
        await submit(pilot, "/vad")
        await wait_for(pilot, lambda: app.turns.mode == "vad", what="vad")
        first_session = app.session.stats.session_id
        updated_before = len(events_of(app, "session.updated"))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.session.stats.session_id not in (None, first_session)
                       and app.session.stats.connection == "connected", what="a new session")
        await wait_for(pilot, lambda: len(events_of(app, "session.updated")) > updated_before,
                       what="the new session configured")
        sent = app.session.last_sent_session
        assert sent["audio"]["output"]["voice"] == "cedar"
        assert sent["audio"]["input"]["turn_detection"]["type"] == "server_vad"


async def test_speaking_over_the_model_in_vad_mode_interrupts_it(tmp_path: Path) -> None:
    wav = write_speech_wav(tmp_path / "stop.wav", "stop please")
    app = make_app("--input-wav", str(wav), "--vad", wav_speed=1.0)
    start = app.turns.start

    async def start_silent() -> list[str]:
        problems = await start()
        app.turns.source.muted = True  # hold the "user" back until the model is speaking
        return problems

    app.turns.start = start_silent
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "tell me a long story")
        await wait_for(pilot, lambda: assistant_items(app) and app.turns.speaker.played(assistant_items(app)[0]["id"]) > 4800,
                       what="the model speaking")
        app.turns.source.muted = False
        await wait_for(pilot, lambda: events_of(app, "conversation.item.truncated"), timeout=15, what="barge-in truncation")
        truncate = events_of(app, "conversation.item.truncate")[0]
        assert truncate["item_id"] == assistant_items(app)[0]["id"] and truncate["audio_end_ms"] > 0
        assert events_of(app, "input_audio_buffer.speech_started")


async def test_editor_screens_open_from_their_keys() -> None:
    from console.app.screens.session_editor import SessionEditorScreen
    from console.app.screens.tool_editor import ToolEditorScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionEditorScreen), what="the session editor")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ToolEditorScreen), what="the tool editor")


async def test_palette_actions_on_the_last_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        app.action_copy_last()
        assert "simulator" in app.clipboard
        app.action_save_last()
        assert list(tmp_path.glob("item_*.wav"))
        app.action_play_last()
        await wait_for(pilot, lambda: "nothing to hear (--no-audio)" in str(app.main.query_one("#notice").render()),
                       what="the --no-audio notice")


async def test_events_arriving_under_an_editor_show_when_it_closes() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        from console.app.screens.session_editor import SessionEditorScreen

        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionEditorScreen), what="the session editor")
        app.send_text("hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        await pilot.pause()  # the app takes in the answer's messages under the editor
        assert isinstance(app.screen, SessionEditorScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")
        await wait_for(pilot, lambda: len(app.main.query_one(ConversationView).item_ids) == 2, what="both cards drawn")
        assert len(app.main.query_one(EventLog).view) > 5


async def test_an_editor_key_inside_an_editor_does_not_stack_editors() -> None:
    from console.app.screens.session_editor import SessionEditorScreen
    from console.app.screens.tool_editor import ToolEditorScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionEditorScreen), what="the session editor")
        editor = app.screen
        await pilot.press("ctrl+e")  # again, inside the session editor: nothing new
        await pilot.pause()
        app.action_tool_editor()  # the other editor's action (key or palette): a hint, no stack
        await wait_for(pilot, lambda: any("close the session editor" in text for text in notification_texts(app)),
                       what="the hint shown")
        await pilot.pause()
        assert app.screen is editor and app.screen_stack[-2:] == [app.main, app.screen]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ToolEditorScreen), what="the tool editor")
        tools = app.screen
        app.action_tool_editor()
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: any("close the tool editor" in text for text in notification_texts(app)),
                       what="the hint shown")
        await pilot.pause()
        assert app.screen is tools and app.screen_stack[-2:] == [app.main, app.screen]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the main screen")


async def test_startup_objects_are_frozen_after_the_first_paint_and_released_on_exit() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    app = make_app(autoconnect=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: gc.get_freeze_count() > 0, what="gc.freeze after the first paint")
        frozen = gc.get_freeze_count()
        painted: list[int] = []
        for paint in range(3):  # three more refreshes, each seen through (call_after_refresh runs after it)
            app.main.refresh()
            app.call_after_refresh(painted.append, paint)
            await wait_for(pilot, lambda: len(painted) > paint, what="another refresh")
        assert gc.get_freeze_count() <= frozen  # once, not per refresh (frozen objects may still be freed)
    assert gc.get_freeze_count() == 0  # unfrozen on shutdown: the next app's garbage is collectable


async def test_a_refused_session_update_is_rolled_back_and_does_not_poison_later_ones() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        voice = app.session.client.session_config.get("voice")
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        await submit(pilot, "/voice marin" if voice != "marin" else "/voice ash")
        await wait_for(pilot, lambda: events_of(app, "error"), what="the voice change refused")
        assert events_of(app, "error")[0]["error"]["code"] == "cannot_update_voice"
        assert app.session.client.session_config.get("voice") == voice  # rolled back
        await wait_for(pilot, lambda: "refused" in str(app.main.query_one("#notice").render()), what="refusal shown")
        updated_before = len(events_of(app, "session.updated"))
        await submit(pilot, "/instructions Answer in one sentence.")
        await wait_for(pilot, lambda: len(events_of(app, "session.updated")) > updated_before, what="instructions applied")
        assert len(events_of(app, "error")) == 1  # the later update did not carry the refused voice
        await wait_for(pilot, lambda: "instructions applied" in str(app.main.query_one("#notice").render()),
                       what="applied shown")


async def test_playing_an_answer_under_no_audio_says_nothing_is_heard() -> None:
    app = make_app()  # the harness runs with --no-audio
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        app.action_play_last()
        await pilot.pause()
        notice = str(app.main.query_one("#notice").render())
        assert "nothing to hear (--no-audio)" in notice and not notice.startswith("playing")


async def test_a_notice_about_one_turn_is_cleared_when_the_next_response_starts() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        notice = app.main.query_one("#notice")
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: events_of(app, "response.done"), what="first answer")
        app.main.show_notice("interrupted after 2.10 s of audio")
        await pilot.pause()
        assert "interrupted after" in str(notice.render())
        await submit(pilot, "hello again")
        await wait_for(pilot, lambda: len(events_of(app, "response.created")) >= 2, what="second response")
        await wait_for(pilot, lambda: "interrupted after" not in str(notice.render()), what="stale notice cleared")


async def test_an_expired_session_reconnects_with_the_conversation_restored() -> None:
    from console.simulator.errors import FatalError

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: [i for i in assistant_items(app) if i.get("status") == "completed"], what="answer")
        texts = [(i.get("role"), i["formatted"].get("text") or i["formatted"].get("transcript")) for i in app.session.items()]
        simulator = app.session.simulator
        await simulator.connections[0].fatal(FatalError("session_expired", "Your session hit the maximum duration.", 1000))
        await wait_for(pilot, lambda: any("reconnected to session" in n.text for n in app.session.annotations.notes),
                       timeout=20, what="the reconnect")
        assert any(n.text.startswith("⟳ reconnecting (session_expired)") for n in app.session.annotations.notes)
        restored = app.session.items()
        assert [(i.get("role"), i["formatted"].get("text") or i["formatted"].get("transcript")) for i in restored] == texts
        assert all(i.get("restored_from") for i in restored)
        await wait_for(pilot, lambda: app.session.stats.connection == "connected", what="connected again")
        view = app.main.query_one(ConversationView)
        await wait_for(pilot, lambda: all(view.card(i["id"]) is not None for i in restored), what="cards redrawn")
        assert app.session.stats.sessions == 2
