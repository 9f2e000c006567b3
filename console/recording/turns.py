"""Where turns begin, from event types alone.

A turn is one exchange: the user's input (speech, a committed buffer, a created item) and
the response it gets. Turns are found from the index's type column only, so the replay can
offer "next turn" on a huge recording without parsing events, and the inspect report and
the export number turns the same way.

Rule: a turn starts at the first *input* event (`input_audio_buffer.speech_started`, the
client's `input_audio_buffer.commit`, `conversation.item.create` or `response.create`) after
the previous turn got its response (`response.created`); a `response.created` with no input
event since the last response (a server-initiated response) starts a turn of its own. Speech
starting while a response plays therefore starts the next turn (the barge-in), and a
function call's output sent back is the input of a new turn.

A `response.create` the server refused (see `refusals.py`) is no input at all: it gets no
response, so counting it would open a turn that absorbs the user's next message.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

INPUT_TYPES: tuple[str, ...] = (
    "input_audio_buffer.speech_started",
    "input_audio_buffer.commit",
    "conversation.item.create",
    "response.create",
)
RESPONSE_CREATED = "response.created"


def turn_start_rows(type_ids: np.ndarray, types: Sequence[str], ignore: np.ndarray | None = None) -> np.ndarray:
    """Event numbers where turns begin (ascending), by the rule in the module docstring.

    Args:
        type_ids: the index's type column.
        types: the type table the ids point into.
        ignore: event numbers that are not input (refused `response.create` requests).
    """
    input_ids = [i for i, t in enumerate(types) if t in INPUT_TYPES]
    response_ids = [i for i, t in enumerate(types) if t == RESPONSE_CREATED]
    if not input_ids and not response_ids:
        return np.zeros(0, dtype=np.int64)
    rows = np.flatnonzero(np.isin(type_ids, input_ids + response_ids))
    if ignore is not None and len(ignore):
        rows = rows[~np.isin(rows, ignore)]
    rule = TurnRule()
    starts = rule.starts
    names = [types[i] for i in type_ids[rows].tolist()]
    return np.asarray([row for row, name in zip(rows.tolist(), names) if starts(name)], dtype=np.int64)


class TurnRule:
    """The rule above, one event type at a time: what the index scan above and the
    event-by-event analysis (`analysis.TurnAnalyser`, fed by `inspect` and the live
    session alike) both apply, so they cut turns at the same events."""

    __slots__ = ("answered",)

    def __init__(self) -> None:
        self.answered = True  # before the first turn, as if the previous one had its response

    def starts(self, etype: str) -> bool:
        """Whether an event of type `etype` (a refused `response.create` is never given)
        begins a turn."""
        if etype == RESPONSE_CREATED:
            started, self.answered = self.answered, True
            return started
        if etype in INPUT_TYPES:
            started, self.answered = self.answered, False
            return started
        return False
