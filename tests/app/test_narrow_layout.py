"""The main screen on an 80×24 SSH terminal and on a wide one, read as the user reads it.

The scripted session of the snapshot tests is played into a real app driven by Pilot,
and the screen is exported as text (`screen_lines`): what the header, the footer and the
event log show at each width is asserted on that text, not on widget internals.
"""

from __future__ import annotations


from rich.text import Text
from textual.widgets import Input, OptionList

from console.session.stats import RateLimit, SessionStats
from tests.app.console_harness import FakeClock, make_app, wait_for
from tests.app.scripted_session import T0
from tests.app.screen_helpers import footer_labels_whole, log_rows, play_scripted, screen_lines, settle
from widgets.console_footer import ConsoleFooter
from widgets.status_header import render_status

async def test_80x24_header_footer_and_log_stay_readable() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_scripted(app, pilot)
        await settle(pilot)
        lines = screen_lines(app)
        state, counters = lines[0], lines[1]
        for needed in ("● connected", "offline: local simulator", "age 01:34 / 59:59"):
            assert needed in state, (needed, state)
        for needed in ("errors 1", "≈$0.0215", "latency 32 ms", "tok 574/250", "PTT", "mic n/a", "rec off"):
            assert needed in counters, (needed, counters)
        assert "…" not in state + counters  # nothing is cut: it was shortened instead
        footer = app.main.query_one(ConsoleFooter)
        labels = footer.labels()
        assert {"^t Tools", "^r Reconnect", "^p palette", "f3 Stop", "f4 Turn"} <= set(labels)
        footer_labels_whole(lines[-1], labels)
        # the conversation is stacked under the log, which gets the whole width
        assert app.main.has_class("-narrow") and app.main.query_one("#log").outer_size.width == 80
        rows = log_rows(lines)
        assert len(rows) >= 4
        # the type whole (there is room), the summary shortened inside its id, never cut at the edge
        # the log follows the tail: its last row is the newest event, named in full
        assert rows[-1][0] == app.store.event_type(len(app.store) - 1) == "rate_limits.updated"
        assert all(len(summary) >= 24 for _, summary in rows)  # the summaries keep their room
        # short terminal: the detail pane appears while the log has focus, and goes again
        assert not app.main.query_one("#detail").display
        app.main.event_log().focus()
        await settle(pilot)
        assert app.main.query_one("#detail").display
        assert any("No event selected" in line for line in screen_lines(app))
        app.main.action_focus_input()
        await settle(pilot)
        assert not app.main.query_one("#detail").display


async def test_160x45_shows_everything_shown_before() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await play_scripted(app, pilot)
        await settle(pilot)
        lines = screen_lines(app)
        state, counters = lines[0], lines[1]
        for needed in ("● connected", "offline: local simulator · ga · gpt-realtime · sess_SNAPSHOT0000000001",
                       "age 01:34 / 59:59", "rec off"):
            assert needed in state, (needed, state)
        for needed in ("turn push-to-talk", "mic unavailable (--no-audio)", "tokens 574 in / 250 out", "≈$0.0215",
                       "latency 32 ms", "errors 1", "limits req 4,997/5,000 tok 398.8k/400.0k"):
            assert needed in counters, (needed, counters)
        labels = app.main.query_one(ConsoleFooter).labels()
        for needed in ("^e Session", "^f Search log", "^q Quit", "f2 Talk", "f3 Interrupt", "f4 VAD/PTT", "^t Tools",
                       "^r Reconnect", "^p palette"):
            assert needed in labels
        footer_labels_whole(lines[-1], labels)
        # side by side: the log and the conversation share rows; the detail and waveforms show
        assert app.main.query_one("#talk-pane").region.x > app.main.query_one("#log-pane").region.x
        assert any("session.update" in line and line.count("│") == 4 for line in lines)  # a log row, then the conversation
        assert app.main.query_one("#detail").display and app.main.query_one("#waves").display
        assert any("▸response.output_audio.delta" in line for line in lines)  # the type in full


async def test_resizing_switches_layout_and_footer_both_ways() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await play_scripted(app, pilot)
        footer = app.main.query_one(ConsoleFooter)
        assert "f3 Interrupt" in footer.labels() and not footer.compact
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert app.main.has_class("-narrow", "-short") and footer.style_name == "dropped"
        assert "f3 Stop" in footer.labels() and "^q Quit" not in footer.labels()
        footer_labels_whole(screen_lines(app)[-1], footer.labels())
        await pilot.resize_terminal(100, 30)  # compact, full labels, quit back
        await settle(pilot)
        assert footer.style_name == "compact" and {"^q Quit", "f3 Interrupt"} <= set(footer.labels())
        footer_labels_whole(screen_lines(app)[-1], footer.labels())
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert app.main.has_class("-wide", "-tall") and not footer.compact
        assert "f3 Interrupt" in footer.labels() and "^q Quit" in footer.labels()


# --- the header alone, at every width ---------------------------------------------------------


def busy_stats() -> SessionStats:
    stats = SessionStats(endpoint="offline: local simulator", protocol="ga", model="gpt-realtime-2025-08-28",
                         connection="connected", session_id="sess_C9ZxYwVuTsRqPoNmLkJiH", session_started=0.0,
                         expires_at=3600.0, input_tokens=123_456, output_tokens=7_890, cost_usd=1.2345,
                         last_latency_ms=412.0, turn_mode="vad", mic="unavailable", mic_detail="--no-audio",
                         errors=3, recording="stopped")
    stats.rate_limits["requests"] = RateLimit("requests", 5000, 4997, 1.0, 0.0)
    stats.rate_limits["tokens"] = RateLimit("tokens", 400_000, 398_800, 1.0, 0.0)
    return stats


def test_header_shrinks_in_priority_order_and_keeps_the_essentials() -> None:
    stats = busy_stats()
    full = render_status(stats, 95.0).plain
    for width in range(70, 220):
        first, second = render_status(stats, 95.0, width).plain.splitlines()
        assert len(first) <= width and len(second) <= width, width
        for needed in ("● connected", "offline", "01:35", "errors 3", "≈$1.23", "412 ms", "rec stopped"):
            assert needed in first + second, (width, needed)
        if width >= len(max(full.splitlines(), key=len)):
            assert Text("\n").join([Text(first), Text(second)]).plain == full  # all of it, as before
    # what goes first: the rate limits (their line overflows) before any label is shortened,
    first, second = render_status(stats, 95.0, 130).plain.splitlines()
    assert "limits" not in first + second and "tokens 123.5k in / 7,890 out" in second and "sess_" in first
    # and the session id when its own line overflows
    first, second = render_status(stats, 95.0, 100).plain.splitlines()
    assert "sess_" not in first and "gpt-realtime-2025-08-28" in first


def test_rate_limits_move_to_the_first_line_when_only_it_has_room() -> None:
    stats = busy_stats()
    stats.session_id = None
    first, second = render_status(stats, 95.0, 145).plain.splitlines()
    assert "limits req 4,997/5,000 tok 398.8k/400.0k" in first and "limits" not in second
    assert len(first) <= 145 and len(second) <= 145


async def test_many_keys_are_never_cut_even_on_a_wide_terminal() -> None:
    """With the log focused its own keys join the app's: the footer shortens, then leaves
    keys out from the end, rather than letting the palette key cover half a label."""
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(150, 45)) as pilot:
        await play_scripted(app, pilot)
        footer = app.main.query_one(ConsoleFooter)
        assert footer.style_name == "normal"
        app.main.event_log().focus()
        await settle(pilot)
        labels = footer.labels()
        assert footer.style_name != "normal" and "^p palette" in labels and len(labels) > 8
        footer_labels_whole(screen_lines(app)[-1], labels)
        for width in (120, 90, 60):
            await pilot.resize_terminal(width, 30)
            await settle(pilot)
            line = screen_lines(app)[-1]
            footer_labels_whole(line, footer.labels())
            assert line.rstrip().endswith("^p palette"), line


async def test_the_empty_memory_pane_gives_its_rows_back_on_a_short_terminal() -> None:
    from console.tools.registry import Memory
    from widgets.memory_pane import MemoryPane

    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.main.query_one(MemoryPane)
        conversation_rows = app.main.query_one("#conversation").outer_size.height
        assert pane.has_class("-empty") and not pane.display
        assert not any("memory" in line for line in screen_lines(app))
        app.tools.memory.set("favourite_colour", "green")  # what the set_memory tool does
        await settle(pilot)
        assert not pane.has_class("-empty") and pane.display and pane.outer_size.height >= 3
        assert any("favourite_colour" in line and "green" in line for line in screen_lines(app))
        assert app.main.query_one("#conversation").outer_size.height < conversation_rows
        pane.set_memory(Memory())  # a rebuilt registry's memory starts empty: hidden again
        await settle(pilot)
        assert pane.has_class("-empty") and not pane.display
        filled = Memory()
        filled.set("city", "Paris")
        pane.set_memory(filled)
        await settle(pilot)
        assert pane.display and any("Paris" in line for line in screen_lines(app))
        await pilot.resize_terminal(80, 40)  # a tall terminal has room for the hint
        pane.set_memory(Memory())
        await settle(pilot)
        assert pane.has_class("-empty") and pane.display
        assert any("the model fills it by calling set_memory" in line for line in screen_lines(app))


# --- moving between the panes: discoverable, and never leaking keys into the log ------------


async def test_pane_keys_show_where_there_is_room_and_in_the_palette() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await play_scripted(app, pilot)
        footer = app.main.query_one(ConsoleFooter)
        line = screen_lines(app)[-1]
        for needed in ("^l Log", "^o Conversation", "^n Input", "f3 Interrupt", "^q Quit"):
            assert needed in line, (needed, line)
        footer_labels_whole(line, footer.labels())
        await pilot.resize_terminal(80, 24)  # no room: the keys that act keep theirs
        await settle(pilot)
        line = screen_lines(app)[-1]
        assert "^l Log" not in line and {"f3 Stop", "^t Tools"} <= set(footer.labels())
        footer_labels_whole(line, footer.labels())

        await pilot.press("ctrl+p")  # the palette names each pane key, at every width
        await settle(pilot)
        await pilot.press(*"focus")

        def prompts() -> str:
            lists = app.screen.query(OptionList)
            if not lists:
                return ""
            options = lists.last()
            return "\n".join(str(options.get_option_at_index(i).prompt) for i in range(options.option_count))

        await wait_for(pilot, lambda: all(f in prompts() for f in ("ctrl+l", "ctrl+o", "ctrl+n")),
                       what="the focus commands with their keys")
        assert "Focus the input line" in prompts()
        await pilot.press("escape")


async def test_typing_in_the_input_never_reaches_the_log_keys_across_resizes() -> None:
    app = make_app("--no-record", clock=FakeClock(float(T0)), autoconnect=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await play_scripted(app, pilot)
        log, line = app.main.event_log(), app.main.query_one("#input", Input)
        for size in ((160, 45), (80, 24), (160, 45)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await pilot.press("ctrl+l")  # visit the log, then come back with ctrl+n
            await wait_for(pilot, lambda: app.focused is log, what="the log focused")
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: app.focused is line, what="the input focused")
            follow, fold = log.follow, log.fold
            line.value = ""  # (the input selects its text on focus: typing would replace it)
            keys = "tdfculo"  # types, direction, follow, copy, fold all, cause/error, open
            await pilot.press(*keys)
            await wait_for(pilot, lambda: line.value == keys, what=f"{keys!r} in the input at {size}")
            await settle(pilot)
            assert app.screen is app.main  # no type picker, no full-screen event
            assert not log.filtered and (log.follow, log.fold) == (follow, fold)
            assert "Copied" not in "\n".join(screen_lines(app))
