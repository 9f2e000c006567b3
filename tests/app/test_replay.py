"""The replay in the TUI, driven by Pilot: a real simulator session recorded by
SessionRecorder, replayed; the keys move the cursor and the panes follow it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from console.cli import main
from console.realtime import RealtimeClient
from console.recording import Recording, SessionRecorder
from console.recording.paths import sessions_dir
from console.recording.synthetic import SessionBuilder
from console.app.screens.replay import ReplayApp, ReplayScreen
from console.app.screens.replay_seek import SeekPrompt, TargetError, parse_target
from console.simulator import Simulator
from widgets.conversation_view import ConversationView
from widgets.event_detail import EventDetail
from widgets.event_log import EventLog
from widgets.replay_bar import ReplayBar
from widgets.status_header import StatusHeader
from tests.app.console_harness import FakeClock, palette_lists
from tests.app.screen_helpers import settle as settle_layout

KEY = "sk-sim-replay-test-key-0123456789"
RATE = 24_000
SIZE = (160, 48)


def tone(ms: int, amplitude: int = 12000) -> np.ndarray:
    n = ms * RATE // 1000
    return (np.sin(2 * np.pi * 300 * np.arange(n) / RATE) * amplitude).astype(np.int16)


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


def item_summary(items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (i["id"], i.get("role"), i["formatted"]["text"], i["formatted"]["transcript"], len(i["formatted"]["audio"]))
        for i in items
    ]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[Any, ...]]]:
    """A live session on the simulator (text turn, push-to-talk turn, a bad event), recorded."""
    path = tmp_path_factory.mktemp("replay") / "live.jsonl"

    async def session() -> list[tuple[Any, ...]]:
        async with Simulator(fast=True, require_key=KEY) as sim:
            client = RealtimeClient(url=sim.url, api_key=KEY, protocol="ga")
            recorder = SessionRecorder(path, endpoint=sim.url, protocol="ga", model="gpt-realtime")
            client.on("realtime.event", recorder.on_realtime_event)
            done: list[dict[str, Any]] = []
            errors: list[dict[str, Any]] = []
            limits: list[dict[str, Any]] = []
            client.on("realtime.event", lambda p: done.append(p) if p["event"]["type"] == "response.done" else None)
            client.on("realtime.event", lambda p: limits.append(p) if p["event"]["type"] == "rate_limits.updated" else None)
            client.on("realtime.event", lambda p: errors.append(p) if p["event"]["type"] == "error" else None)
            await client.connect()
            assert await client.wait_for_session_created(5) is not None
            client.send_user_message_content([{"type": "input_text", "text": "Hello there"}])
            await wait_for(lambda: len(done) == 1)
            client.realtime.send("conversation.item.delete", {"item_id": "no_such_item"})
            await wait_for(lambda: len(errors) == 1)
            client.append_input_audio(tone(1000))
            client.create_response()
            await wait_for(lambda: len(done) == 2)
            await wait_for(lambda: len(limits) == 2)  # the simulator's last event of a response
            live = item_summary(client.conversation.get_items())
            await client.disconnect()
            recorder.close()
            return live

    return path, asyncio.run(session())


async def settle(app: ReplayApp, pilot: Any) -> ReplayScreen:
    screen = app.replay
    await pilot.pause()
    await wait_for(lambda: not screen.indexing and screen.loaded == len(screen.rec))
    await pilot.pause()
    return screen


async def test_replay_shows_what_the_live_client_had(recorded: tuple[Path, list[tuple[Any, ...]]]) -> None:
    path, live = recorded
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            assert screen.loaded == len(rec) == len(screen.store)
            header = screen.query_one(StatusHeader)
            assert "replay: live.jsonl" in str(header.render())
            await pilot.press("g")
            assert isinstance(app.screen, SeekPrompt)
            await pilot.press(*str(len(rec) - 1), "enter")
            await pilot.pause()
            assert screen.controller.cursor == len(rec) - 1
            # paused after a jump, the waveforms show the audio that ends at the cursor
            model_wave = screen.query_one("#model-wave")
            assert model_wave.ring is screen.preview_ring
            assert np.abs(screen.preview_ring.latest(RATE)).max() > 1000
            shown = screen.query_one(ConversationView)
            assert shown.item_ids == [i[0] for i in live]
            assert item_summary(screen.controller.items()) == live
            for item_id, _, text, transcript, _ in live:
                card = shown.card(item_id)
                assert card is not None
                rendered = str(card.render())
                for part in (text, transcript):
                    if part:
                        assert part.strip()[:30] in rendered
            notes = [n for n in shown.notes]
            assert len(notes) == 1 and "no_such_item" in str(notes[0].render())
            assert KEY not in str(header.render())
            log = screen.query_one(EventLog)
            assert log.selected_event() == len(rec) - 1
            assert screen.query_one(EventDetail).index == len(rec) - 1


async def test_keys_step_seek_turns_errors_and_speed(recorded: tuple[Path, list[tuple[Any, ...]]]) -> None:
    path, live = recorded
    with Recording.open(path) as full:
        turns = [int(t) for t in full.turn_starts()]
        error = int(full.error_rows()[0])
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            ctl = screen.controller
            bar = screen.query_one(ReplayBar)
            conversation = screen.query_one(ConversationView)
            await pilot.press("full_stop", "full_stop", "right")
            assert ctl.cursor == 2 and "event #2 of" in bar.text
            await pilot.press("left")
            assert ctl.cursor == 1
            await pilot.press("n")
            assert ctl.cursor == turns[0] and f"turn 1/{len(turns)}" in bar.text
            await pilot.press("n")
            assert ctl.cursor == turns[1]
            await pilot.pause()
            after_two = list(conversation.item_ids)
            assert after_two and after_two == [i["id"] for i in ctl.items()]
            await pilot.press("N")
            assert ctl.cursor == turns[0]
            await pilot.pause()
            assert conversation.item_ids == [i["id"] for i in ctl.items()]
            assert len(conversation.item_ids) < len(after_two) or conversation.item_ids == []
            await pilot.press("e")
            assert ctl.cursor == error and rec.type_of(error) == "error"
            await pilot.pause()
            assert len(conversation.notes) == 1
            await pilot.press("comma")
            await pilot.pause()
            assert ctl.cursor == error - 1 and conversation.notes == []
            await pilot.press("e")
            await pilot.press("e")  # no further error: a notice, the cursor stays
            assert ctl.cursor == error
            assert "no next error" in str(screen.query_one("#notice").render())
            await pilot.press("right_square_bracket")
            assert ctl.speed == 1.5 and "1.5×" in bar.text
            await pilot.press("plus", "plus")
            assert ctl.speed == 4.0
            await pilot.press("minus")
            assert ctl.speed == 2.0
            # the log's selection can be sent to the replay
            log = screen.query_one(EventLog)
            log.focus()
            await pilot.press("home")
            assert log.selected_event() == 0
            await pilot.press("s")
            assert ctl.cursor == 0
            # while the search box has focus, space and . are text, not replay keys
            await pilot.press("ctrl+f", *"a b.c")
            search = screen.query_one("#log-search")
            assert search.value == "a b.c" and not ctl.playing and ctl.cursor == 0
            await pilot.press("escape")
            log.focus()
            # a time target
            await pilot.press("g", *"0.0s", "enter")
            await pilot.pause()
            assert rec.time_of(ctl.cursor) == 0.0 < rec.time_of(ctl.cursor + 1)
            await pilot.press("g", "x", "enter")
            await pilot.pause()
            assert isinstance(app.screen, SeekPrompt)
            assert "not an event number" in str(app.screen.query_one("#seek-error").render())
            await pilot.press("escape")
            assert isinstance(app.screen, ReplayScreen)


async def test_play_follows_the_clock_and_feeds_the_waveforms(recorded: tuple[Path, list[tuple[Any, ...]]]) -> None:
    path, live = recorded
    clock = FakeClock(start=1000.0)
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False, clock=clock, speed=2.0)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            ctl = screen.controller
            await pilot.press("space")
            assert ctl.playing and "▶ playing 2×" in screen.query_one(ReplayBar).text
            clock.now += rec.duration / 4  # half the recording at 2x
            expected = rec.seek_time(rec.duration / 2 + 1e-9) - 1
            await wait_for(lambda: ctl.cursor >= expected)  # the next tick; the clock stands still after it
            assert ctl.cursor == expected
            clock.now += rec.duration
            await wait_for(lambda: not ctl.playing)
            await pilot.pause()
            assert ctl.cursor == len(rec) - 1 and "■ end" in screen.query_one(ReplayBar).text
            assert screen.mic_ring.written >= RATE  # the push-to-talk second passed the mic waveform
            assert screen.speaker.level_ring.written > 0  # the silent speaker still drives the waveform
            assert item_summary(ctl.items()) == live
            await pilot.press("space")  # at the end: starts again from the beginning
            assert ctl.playing and ctl.time == 0.0
            await pilot.press("space")
            assert not ctl.playing


async def test_every_action_is_in_the_command_palette(recorded: tuple[Path, list[tuple[Any, ...]]]) -> None:
    path, _ = recorded
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            first_turn = int(rec.turn_starts()[0])
            await pilot.press("ctrl+p")
            await wait_for(lambda: palette_lists(app, "") is not None)
            # one search instead of one per typed key (the palette is slow to re-rank here)
            from textual.widgets import Input

            app.screen.query_one(Input).value = "next turn"
            await wait_for(lambda: palette_lists(app, "next turn"))
            await pilot.press("enter")
            await pilot.pause()
            assert screen.controller.cursor == first_turn
            from console.app.screens.replay_commands import REPLAY_COMMANDS

            for _, _, action in REPLAY_COMMANDS:
                name = action.split("(")[0]
                assert hasattr(screen, f"action_{name}"), name
            ids = {b.id for b in ReplayScreen.BINDINGS}
            assert all(ids) and len(ids) == len(ReplayScreen.BINDINGS)


async def test_a_cut_file_with_unknown_types_replays_with_a_warning(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_text("hello")
    b.response_create()
    b.emit("server", {"type": "response.brand_new_event", "detail": 1})
    b.response(transcript="Hi there", audio_ms=300)
    path = tmp_path / "cut.jsonl"
    b.write(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # a crash mid-line
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False, start=("event", 10_000.0))
        seen: list[Any] = []
        async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
            screen = await settle(app, pilot)
            from console.app.screens.replay_loader import IndexFinished, IndexProgressed

            progress = [m for m in seen if isinstance(m, IndexProgressed)]
            assert progress and progress[-1].total == path.stat().st_size  # the cut line stays unscanned
            assert any(isinstance(m, IndexFinished) and m.error == "" for m in seen)
            assert not screen.query_one(ReplayBar).progress_shown
            assert "cut off" in str(screen.query_one("#notice").render())
            assert screen.controller.cursor == len(rec) - 1  # --at beyond the end: the last event
            assert any(i.get("role") == "assistant" for i in screen.controller.items())
            assert "response.brand_new_event" in screen.store.types_seen


async def test_headerless_bare_events_replay(tmp_path: Path) -> None:
    b = SessionBuilder()
    b.session()
    b.user_text("hi")
    b.response_create()
    b.response(text_only=True, transcript="Hello from a bare log")
    path = tmp_path / "bare.jsonl"
    path.write_text("\n".join(json.dumps(e) for _, source, e in b.events if source == "server") + "\n")
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False, start=("time", 1e9))
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            texts = [i["formatted"]["text"] for i in screen.controller.items()]
            assert "Hello from a bare log" in texts
            notice = str(screen.query_one("#notice").render())
            assert "synthesised" in notice


def test_cli_refuses_what_it_cannot_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    not_log = tmp_path / "notes.txt"
    not_log.write_text("just some notes\nnot json\n")
    assert main(["replay", str(not_log), "--no-audio"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a realtime-console recording" in err[0] and "Traceback" not in err[0]
    assert main(["replay", str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["replay", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err
    good = tmp_path / "ok.jsonl"
    b = SessionBuilder()
    b.session()
    b.write(good)
    with pytest.raises(SystemExit) as exited:  # argparse's own usage errors exit directly
        main(["replay", str(good), "--speed", "0"])
    assert exited.value.code == 2 and "out of range" in capsys.readouterr().err
    assert main(["replay", str(good), "--at", "soon"]) == 2
    assert "--at" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("123", ("event", 123.0)), ("#7", ("event", 7.0)), ("83.5s", ("time", 83.5)), ("1:23", ("time", 83.0)),
     ("1:02:03.5", ("time", 3723.5)), ("2.5", ("time", 2.5))],
)
def test_seek_targets(text: str, expected: tuple[str, float]) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1:xx", "#", "-3"])
def test_bad_seek_targets(text: str) -> None:
    with pytest.raises(TargetError):
        parse_target(text)


async def test_a_long_seek_runs_in_steps_and_keeps_drawing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import console.app.screens.replay as replay_screen
    from console.recording.rebuild import ConversationRebuilder

    monkeypatch.setattr(replay_screen, "SEEK_CHUNK", 200)
    b = SessionBuilder(chunk_ms=20)
    b.session()
    for turn in range(3):
        b.user_speech(4000, f"turn {turn}")
        b.response(audio_ms=2000, transcript=f"answer {turn}")
    path = tmp_path / "long.jsonl"
    b.write(path)
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            ctl = screen.controller
            steps: list[int] = []
            seek = ctl.seek
            monkeypatch.setattr(ctl, "seek", lambda event: (steps.append(event), seek(event))[1])
            last = len(rec) - 1
            await pilot.press("g", *str(last), "enter")
            await wait_for(lambda: ctl.cursor == last and not list(app.workers))
            await pilot.pause()
            assert len(steps) >= last // 200 and steps == sorted(steps)  # forward, 200 events a step
            assert "at event" in str(screen.query_one("#notice").render())
            rebuilder = ConversationRebuilder(rec)
            rebuilder.advance_to()
            assert screen.query_one(ConversationView).item_ids == [i["id"] for i in rebuilder.items()]
            assert item_summary(ctl.items()) == item_summary(rebuilder.items())


@asynccontextmanager
async def replay_at_the_end(path: Path) -> AsyncIterator[tuple[ReplayApp, Any, ReplayScreen]]:
    """A silent replay of `path`, fully loaded, its cursor on the last event."""
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(app, pilot)
            screen.seek(len(rec) - 1)
            await pilot.pause()
            yield app, pilot, screen


async def test_the_cards_actions_play_save_copy_and_refuse_to_delete(
    recorded: tuple[Path, list[tuple[Any, ...]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The conversation view's item requests reach `ReplayItemActions`, which acts on the
    replay's rebuilt conversation: real WAV on disk, audio queued on the (silent) speaker,
    the clipboard, and a delete refused."""
    from console.audio.wavfile import read_wav

    monkeypatch.chdir(tmp_path)
    async with replay_at_the_end(recorded[0]) as (app, pilot, screen):
        notice = screen.query_one("#notice")
        items = screen.controller.items()
        answer = next(i for i in reversed(items) if i.get("role") == "assistant")
        audio = answer["formatted"]["audio"]
        view = screen.query_one(ConversationView)
        # posted by the view, as its keys do (p, w, y, x on the focused item)
        view.post_message(ConversationView.PlayRequested(answer["id"]))
        await pilot.pause()
        assert f"{len(audio) / RATE:.1f} s of {answer['id']} runs on a silent clock" in str(notice.render())
        assert screen.speaker.buffered_ms > 0
        view.post_message(ConversationView.SaveRequested(answer["id"]))
        await pilot.pause()
        saved = tmp_path / f"{answer['id']}.wav"
        assert f"saved {len(audio) / RATE:.1f} s to {saved}" in str(notice.render())
        samples, info = read_wav(saved)
        assert info.rate == RATE and np.array_equal(samples, audio)
        view.post_message(ConversationView.CopyRequested(answer["id"], "the answer's text"))
        await pilot.pause()
        assert app.clipboard == "the answer's text"
        saved_copy = sessions_dir().parent / "clipboard.txt"  # outside tmux the copy is also a file
        assert f"item {answer['id']} (17 characters) saved to {saved_copy}" in str(notice.render())
        assert saved_copy.read_text() == "the answer's text"
        view.post_message(ConversationView.DeleteRequested(answer["id"]))
        await pilot.pause()
        assert "read-only" in str(notice.render()) and screen.controller.items() == items
        assert notice.has_class("-warning")
        # an item without audio says so and writes nothing
        text_user = next(i for i in items if i.get("role") == "user" and not len(i["formatted"]["audio"]))
        screen.item_actions.save(text_user["id"], tmp_path)
        assert "has no audio to save" in str(notice.render())
        assert sorted(p.name for p in tmp_path.iterdir()) == [saved.name]


async def test_after_a_jump_the_waveforms_show_the_audio_ending_at_the_cursor(
    recorded: tuple[Path, list[tuple[Any, ...]]],
) -> None:
    from console.app.screens.replay_preview import audio_at_cursor

    async with replay_at_the_end(recorded[0]) as (app, pilot, screen):
        window = RATE // 2
        user, assistant = audio_at_cursor(screen.controller, window)
        items = screen.controller.items()
        spoken = next(i for i in reversed(items) if i.get("role") == "user")["formatted"]["audio"]
        answer = next(i for i in reversed(items) if i.get("role") == "assistant")["formatted"]["audio"]
        assert len(user) == len(assistant) == 2 * window
        assert not user[:window].any() and np.array_equal(user[window:], spoken[-window:])
        assert np.array_equal(assistant[window:], answer[-window:])
        screen.seek(-1)  # before anything: silence only
        await pilot.pause()
        user, assistant = audio_at_cursor(screen.controller, window)
        assert len(user) == len(assistant) == window and not user.any() and not assistant.any()


async def test_the_footer_keeps_every_label_whole_at_80_and_150_columns(
        recorded: tuple[Path, list[tuple[Any, ...]]]) -> None:
    """Textual's own footer cut the replay's at 150 columns ("g G▏") and worse at 80."""
    from tests.app.screen_helpers import footer_labels_whole
    from tests.app.screen_helpers import screen_lines
    from widgets.console_footer import ConsoleFooter

    path, _ = recorded
    with Recording(path) as rec:
        app = ReplayApp(rec, audio=False)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await settle(app, pilot)
            footer = screen.query_one(ConsoleFooter)
            for width in (80, 150, 200):
                await pilot.resize_terminal(width, 24)
                await wait_for(lambda: app.size.width == width and screen.size.width == width)
                await settle_layout(pilot)  # the footer's recompose for the new width
                labels = footer.labels()
                assert "space Play" in " ".join(labels) and labels[-1] == "^p palette", (width, labels)
                footer_labels_whole(screen_lines(app)[-1], labels)
            assert footer.style_name == "compact" and "s Seek here" in footer.labels()  # 200: full labels again
