"""Every live session is recorded: by default under `$XDG_STATE_HOME`, or where `--record`
says, or not at all with `--no-record`; the header shows where. Real app, real simulator on
loopback, real files (conftest points `XDG_STATE_HOME` at a temporary directory)."""

from __future__ import annotations

import json
import os
import re
import resource
import stat
from pathlib import Path

import pytest

from console.recording.reader import Recording
from console.simulator import Simulator
from console.session.stats import SessionStats
from tests.app.console_harness import connected, make_app, submit, wait_for
from widgets.conversation_view import ConversationView
from widgets.status_header import StatusHeader, render_status, shorten_path

KEY = "sk-test-RECORDING-SECRET-42"
NAME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d_gpt-realtime_sim(-\d+)?\.jsonl$")


def header_text(app) -> str:
    return str(app.main.query_one(StatusHeader).render())


def rec_line(app) -> str:
    """The header line that shows the recording (the one that had more room); "" if none."""
    return next((line for line in header_text(app).splitlines() if "  rec " in line), "")


def answered(app) -> bool:
    return any(i.get("role") == "assistant" and i.get("status") == "completed" for i in app.session.items())


def sessions_dir() -> Path:
    return Path(os.environ["XDG_STATE_HOME"]) / "realtime-console" / "sessions"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_default_session_is_recorded_under_the_xdg_state_dir() -> None:
    app = make_app()
    assert app.config.record is not None and app.config.record.parent == sessions_dir()
    async with app.run_test(size=(220, 44)) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        recorded = app.config.record
        await wait_for(pilot, lambda: f"/sessions/{recorded.name}" in rec_line(app), what="the recording in the header")
        first = rec_line(app)
        assert f"/sessions/{recorded.name}" in first  # wide enough for the name and more
        assert shorten_path(recorded, len(first.split("rec ", 1)[1])) == first.split("rec ", 1)[1]
    files = list(sessions_dir().iterdir())
    assert files == [recorded] and NAME.match(recorded.name)
    assert mode(recorded) == 0o600 and mode(recorded.parent) == 0o700
    lines = [json.loads(line) for line in recorded.read_text().splitlines()]
    assert lines[0]["realtime_console_log"] == 1 and lines[0]["endpoint"] == "offline: local simulator"
    assert len(lines) - 1 == len(app.store)  # the header, then every event the log showed
    with Recording.open(recorded) as rec:  # and the recordings reader takes it as it is
        assert [rec.record(n).event["type"] for n in range(len(rec))] == [
            app.store.event_type(i) for i in range(len(app.store))]


async def test_the_header_shortens_the_path_to_the_room_left() -> None:
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        await wait_for(pilot, lambda: "…" in rec_line(app), what="the shortened path in the header")
        first = rec_line(app)
        assert "…" in first
        assert len(first) <= 140 - 2  # fits beside the padding: nothing for the ellipsis to cut
        shown = first.split("rec ", 1)[1]
        assert shown == shorten_path(app.config.record, len(shown))
        await pilot.resize_terminal(320, 44)
        await wait_for(pilot, lambda: f"rec {app.config.record}" in header_text(app),
                       what="the whole path once the header is redrawn for the new width")


async def test_record_path_keeps_the_key_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    target = tmp_path / "session.jsonl"
    async with Simulator(fast=True, require_key=KEY) as sim:
        app = make_app("--url", sim.url, "--record", str(target))
        async with app.run_test(size=(140, 44)) as pilot:
            await connected(pilot)
            await submit(pilot, "hello")
            await wait_for(pilot, lambda: answered(app), what="answer")
    text = target.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) - 1 == len(app.store)
    assert lines[1]["event"]["type"] == "session.update" and KEY not in text
    assert mode(target) == 0o600
    assert not sessions_dir().exists()  # only where asked


async def test_no_record_writes_nothing_and_says_so() -> None:
    app = make_app("--no-record")
    assert app.config.record is None
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        assert "rec off" in header_text(app)
    assert app.recorder is None and not sessions_dir().exists()


async def test_an_unusable_state_dir_is_a_note_and_the_session_goes_on(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # the sessions dir cannot be created under a file
    app = make_app()
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        await wait_for(pilot, lambda: "rec stopped" in header_text(app), what="the header says rec stopped")
        notes = " ".join(str(n.render()) for n in app.main.query_one(ConversationView).notes)
        assert "cannot record to" in notes and "unrecorded" in notes


async def test_a_write_failure_stops_the_recording_not_the_session(tmp_path: Path) -> None:
    """A real failed write (the file-size limit, as a full disk would): EFBIG from the OS."""
    target = tmp_path / "session.jsonl"
    app = make_app("--record", str(target))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        size = target.stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 64, hard))
        try:
            await submit(pilot, "hello")
            await wait_for(pilot, lambda: app.recorder is None, what="the recording to stop")
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        await wait_for(pilot, lambda: answered(app), what="the answer, unrecorded")
        await wait_for(pilot, lambda: "rec stopped" in header_text(app), what="the header says rec stopped")
        notes = " ".join(str(n.render()) for n in app.main.query_one(ConversationView).notes)
        assert f"recording to {target} stopped" in notes
        assert app.is_running
    # what was written before the failure is still a readable recording
    with Recording.open(target) as rec:
        assert len(rec) >= 1 and rec.record(0).event["type"] == "session.update"


# --- the header's path, alone -------------------------------------------------------------


def test_shorten_path_uses_tilde_then_drops_middle_directories_then_cuts_the_name() -> None:
    home = "/home/ada"
    path = "/home/ada/.local/state/realtime-console/sessions/2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    assert shorten_path(path, 200, home) == "~/.local/state/realtime-console/sessions/2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    assert shorten_path(path, 60, home) == "~/…/sessions/2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    assert shorten_path(path, 45, home) == "…/2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    cut = shorten_path(path, 21, home)
    assert cut == "2026-11-24…_sim.jsonl" and len(cut) == 21
    assert cut.startswith("2026-11-24") and cut.endswith("_sim.jsonl") and "…" in cut
    assert shorten_path("/srv/rec/a.jsonl", 40, home) == "/srv/rec/a.jsonl"  # not under home: as is
    assert shorten_path("/home/adam/x.jsonl", 40, home) == "/home/adam/x.jsonl"  # a prefix is not a parent
    for cells in range(1, 90):
        assert len(shorten_path(path, cells, home)) <= cells


def test_render_status_shows_recording_only_for_live_sessions() -> None:
    live = SessionStats(endpoint="offline: local simulator", connection="connected", model="gpt-realtime")
    assert "rec" not in render_status(live, 0.0).plain.splitlines()[0]  # replay: nothing
    live.recording = "off"
    assert render_status(live, 0.0).plain.splitlines()[0].endswith("rec off")
    live.recording = "stopped"
    assert render_status(live, 0.0).plain.splitlines()[0].endswith("rec stopped")
    live.recording, live.recording_path = "on", "/var/tmp/sessions/2026-11-24T15-46-02_gpt-realtime_sim.jsonl"
    fitted = render_status(live, 0.0, width=90).plain.splitlines()[0]
    assert len(fitted) == 90 and fitted.endswith("_sim.jsonl")
    narrow = render_status(live, 0.0, width=70).plain.splitlines()[0]  # no room: a readable stub,
    assert narrow.split("rec ", 1)[1] == "2026-11…im.jsonl"  # which the widget's ellipsis may cut
    wide = render_status(live, 0.0, width=200).plain.splitlines()[0]
    assert wide.endswith("rec /var/tmp/sessions/2026-11-24T15-46-02_gpt-realtime_sim.jsonl")


@pytest.mark.parametrize("explicit", [False, True])
async def test_a_reconnect_records_the_new_session_to_a_new_file(tmp_path: Path, explicit: bool) -> None:
    app = make_app(*(["--record", str(tmp_path / "talk.jsonl")] if explicit else []))
    first = app.config.record
    async with app.run_test(size=(140, 44)) as pilot:
        await connected(pilot)
        first_session = app.session.stats.session_id
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.session.stats.session_id not in (None, first_session)
                       and app.session.stats.connection == "connected", what="a new session")
        await submit(pilot, "hello")
        await wait_for(pilot, lambda: answered(app), what="answer")
        second = app.recorder.path
        assert app.session.stats.recording_path == str(second)
    assert second != first and second.parent == first.parent
    if explicit:
        assert second.name == "talk-2.jsonl"
    else:
        assert sorted(sessions_dir().iterdir()) == sorted([first, second]) and NAME.match(second.name)
    for path, session_id in ((first, first_session), (second, app.session.stats.session_id)):
        events = [json.loads(line)["event"] for line in path.read_text().splitlines()[1:]]
        created = [e["session"]["id"] for e in events if e["type"] == "session.created"]
        assert created == [session_id] and mode(path) == 0o600


def test_the_recording_goes_on_the_line_with_more_room() -> None:
    stats = SessionStats(endpoint="offline: local simulator", connection="connected", model="gpt-realtime",
                         recording="on", recording_path="/r/2026-11-24T15-46-02_gpt-realtime_sim.jsonl")
    assert "rec /r/" in render_status(stats, 0.0, width=150).plain.splitlines()[0]
    stats.session_id, stats.session_started, stats.expires_at = "sess_C9ZxYwVuTsRqPoNmLkJiH", 0.0, 3600.0
    first, second = render_status(stats, 95.0, width=150).plain.splitlines()
    assert "rec" not in first and second.endswith("rec /r/2026-11-24T15-46-02_gpt-realtime_sim.jsonl")
