"""The connected, idle console does (almost) nothing: what its timers do at rest.

Figures (CPU, terminal bytes/s) are in bench/bench_idle.py; these tests check the
behaviour behind them on the real app against the simulator.
"""

from __future__ import annotations

from tests.app.console_harness import connected, make_app, submit, wait_for
from widgets.input_line import InputLine
from widgets.waveform import IDLE_FPS, Waveform

SIZE = (120, 40)


async def test_at_rest_the_waveforms_poll_slowly_and_the_cursor_is_steady() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        mic = app.main.query_one("#mic-wave", Waveform)
        model = app.main.query_one("#model-wave", Waveform)
        assert mic.ring is None and mic.frame_rate == 0  # --no-audio: no microphone, no timer
        # The silent speaker's clock keeps writing silence: the model waveform only polls.
        await wait_for(pilot, lambda: model.frame_rate == IDLE_FPS, what="model waveform at rest")
        assert app.main.query_one("#input", InputLine).cursor_blink is False

        await submit(pilot, "hello there")  # the simulator answers with its voice
        await wait_for(pilot, lambda: model.frame_rate == model.fps, what="model waveform animating")
