"""Per-turn timelines and costs as events arrive, for the console's turn view.

`inspect` analyses a whole indexed recording (`console.recording.analysis`); a live session
has no recording to index, and the replay wants every turn before its cursor gets there.
`TurnTimelines` is fed one event at a time (`observe`) by both: the live `Session` with
every event it ingests, the replay with every event it loads. It finds turns by the rule of
`console.recording.turns` (a turn starts at the first input event after the previous turn
got its `response.created`), collects the same timeline marks as the analysis, and turns
them into the report's `timeline` and `cost` objects with the same functions
(`timeline.build_timeline`, `turn_cost.turn_cost`), so a turn reads the same in the
console, the replay and `inspect --json`.

Deliberately simpler than the analysis where that needs the whole file: a refused
`response.create` is recognised by the `error` naming its `event_id` only, and audio is
measured from the deltas' base64 length (the replay's stand-in payloads keep it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from console.realtime.protocol import canonical_type, session_audio_codecs
from console.recording.prices import PriceTable
from console.recording.timeline import build_timeline
from console.recording.turn_cost import turn_cost, unheard_totals
from console.recording.turns import INPUT_TYPES, RESPONSE_CREATED

#: Canonical (beta) names: `canonical_type` maps the GA ones onto them.
_AUDIO_DELTAS = frozenset({"response.audio.delta"})
_TEXT_DELTAS = frozenset({"response.text.delta", "response.audio_transcript.delta"})
#: Bytes of encoded output audio per millisecond, by codec (as the analysis has them).
_BYTES_PER_MS = {"pcm16": 48.0, "g711_ulaw": 8.0, "g711_alaw": 8.0}


@dataclass
class TrackedTurn:
    """One turn's marks (seconds on the feeder's clock) and what its timeline needs."""

    number: int
    start_event: int
    start_s: float
    marks: dict[str, float] = field(default_factory=dict)
    response_id: str | None = None
    #: The assistant items of its response (a truncation names one of them).
    item_ids: list[str] = field(default_factory=list)
    #: The client `event_id` of the `response.create` that opened the turn, if one did.
    opened_by_request: str | None = None
    request_ids: list[str] = field(default_factory=list)
    audio_chars: int = 0
    truncated_at_ms: float | None = None
    truncated_s: float | None = None
    playback_end_source: str | None = None
    usage: dict[str, Any] | None = None

    def mark(self, name: str, t: float) -> bool:
        if name in self.marks:
            return False
        self.marks[name] = t
        return True


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class TurnTimelines:
    """Turns of one conversation, updated per event; `rows()` gives the report's shape."""

    def __init__(self) -> None:
        self.turns: list[TrackedTurn] = []
        self._answered = True
        self._by_response: dict[str, TrackedTurn] = {}
        self._by_item: dict[str, TrackedTurn] = {}
        self._playing: TrackedTurn | None = None
        self._codec = "pcm16"
        #: Bumped on every change, so a view redraws only when there is something new.
        self.version = 0
        self._rows_cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None

    def reset(self) -> None:
        """A new conversation: forget every turn (the version keeps counting up, so a
        view's cached rows are never taken for the new conversation's)."""
        version = self.version
        self.__init__()  # type: ignore[misc]
        self.version = version + 1

    # --- feeding ------------------------------------------------------------------------

    def observe(self, index: int, source: str, event: dict[str, Any], t: float) -> bool:
        """Account for event `index` at `t` seconds; True when a turn changed."""
        etype = canonical_type(str(event.get("type", "")))
        changed = self._observe(index, source, etype, event, t)
        if changed:
            self.version += 1
        return changed

    def _observe(self, index: int, source: str, etype: str, ev: dict[str, Any], t: float) -> bool:
        if etype in ("session.created", "session.updated") and isinstance(ev.get("session"), dict):
            self._codec = session_audio_codecs(ev["session"])[1]
            return False
        if etype == "error":
            return self._refused(ev.get("error"))
        if etype in INPUT_TYPES and (source == "server") == (etype == "input_audio_buffer.speech_started"):
            turn = self._input(index, t)
            if etype == "response.create":
                event_id = ev.get("event_id")
                if isinstance(event_id, str):
                    turn.request_ids.append(event_id)
                    if turn.start_event == index:
                        turn.opened_by_request = event_id
            name = {"input_audio_buffer.speech_started": "speech_started", "input_audio_buffer.commit": "commit",
                    "conversation.item.create": "item.create", "response.create": "response.create"}[etype]
            turn.mark(name, t)
            if etype == "input_audio_buffer.speech_started" and isinstance(ev.get("item_id"), str):
                self._by_item[ev["item_id"]] = turn
            return True
        if etype == RESPONSE_CREATED:
            return self._response_created(index, ev, t)
        if etype in ("input_audio_buffer.speech_stopped", "input_audio_buffer.committed"):
            turn = self._by_item.get(str(ev.get("item_id"))) or self._current()
            if turn is None:
                return False
            if isinstance(ev.get("item_id"), str):
                self._by_item[ev["item_id"]] = turn
            return turn.mark("speech_stopped" if etype.endswith("speech_stopped") else "committed", t)
        if etype in _AUDIO_DELTAS:
            turn = self._of_response(ev)
            if turn is None:
                return False
            delta = ev.get("delta")
            turn.audio_chars += len(delta) if isinstance(delta, str) else 0
            turn.mark("first_audio", t)
            return True
        if etype in _TEXT_DELTAS:
            turn = self._of_response(ev)
            return turn.mark("first_text", t) if turn is not None else False
        if etype in ("response.output_item.added", "response.output_item.done"):
            turn = self._of_response(ev)
            item = ev.get("item")
            if turn is not None and isinstance(item, dict) and isinstance(item.get("id"), str):
                self._add_item(turn, item["id"])
            return False
        if etype == "output_audio_buffer.started":
            turn = self._of_response(ev)
            if turn is not None:
                self._playing = turn
                return turn.mark("first_audio", t)
            return False
        if etype in ("output_audio_buffer.stopped", "output_audio_buffer.cleared"):
            turn, self._playing = self._playing, None
            if turn is not None and turn.mark("playback_end", t):
                turn.playback_end_source = etype
                return True
            return False
        if etype == "response.done":
            return self._response_done(ev, t)
        if etype in ("conversation.item.truncate", "conversation.item.truncated"):
            turn = self._by_item.get(str(ev.get("item_id")))
            end = _num(ev.get("audio_end_ms"))
            if turn is None or end is None:
                return False
            if turn.truncated_s is None:
                turn.truncated_s = t
            if turn.truncated_at_ms is None or etype == "conversation.item.truncated":
                turn.truncated_at_ms = end  # the server's confirmation is the figure that counts
            return True
        return False

    def _current(self) -> TrackedTurn | None:
        return self.turns[-1] if self.turns else None

    def _new_turn(self, index: int, t: float) -> TrackedTurn:
        turn = TrackedTurn(len(self.turns) + 1, index, t)
        self.turns.append(turn)
        return turn

    def _input(self, index: int, t: float) -> TrackedTurn:
        current = self._current()
        if self._answered or current is None:
            current = self._new_turn(index, t)
        self._answered = False
        return current

    def _response_created(self, index: int, ev: dict[str, Any], t: float) -> bool:
        response = ev.get("response") if isinstance(ev.get("response"), dict) else {}
        current = self._current()
        if self._answered or current is None:
            current = self._new_turn(index, t)
        self._answered = True
        rid = response.get("id")
        if isinstance(rid, str):
            current.response_id = current.response_id or rid
            self._by_response[rid] = current
        current.mark("response.created", t)
        return True

    def _of_response(self, ev: dict[str, Any]) -> TrackedTurn | None:
        rid = ev.get("response_id")
        if isinstance(rid, str) and rid in self._by_response:
            return self._by_response[rid]
        item = ev.get("item_id")
        if isinstance(item, str) and item in self._by_item:
            return self._by_item[item]
        return self._current()

    def _add_item(self, turn: TrackedTurn, item_id: str) -> None:
        if item_id not in turn.item_ids:
            turn.item_ids.append(item_id)
        self._by_item[item_id] = turn

    def _response_done(self, ev: dict[str, Any], t: float) -> bool:
        response = ev.get("response") if isinstance(ev.get("response"), dict) else {}
        rid = response.get("id")
        turn = self._by_response.get(rid) if isinstance(rid, str) else self._current()
        if turn is None:
            return False
        turn.mark("done", t)
        if isinstance(response.get("usage"), dict):
            turn.usage = response["usage"]
        for item in response.get("output") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                self._add_item(turn, item["id"])
        return True

    def _refused(self, error: Any) -> bool:
        """An `error` naming a `response.create` of a turn still waiting: that request was
        no input (see `console/recording/refusals.py`); a turn it alone opened is dropped."""
        event_id = error.get("event_id") if isinstance(error, dict) else None
        turn = self._current()
        if not isinstance(event_id, str) or turn is None or event_id not in turn.request_ids:
            return False
        if "response.created" in turn.marks:
            return False
        turn.request_ids.remove(event_id)
        if turn.opened_by_request == event_id and set(turn.marks) <= {"response.create"}:
            self.turns.pop()
            self._answered = True
        elif not turn.request_ids:
            turn.marks.pop("response.create", None)
        return True

    # --- reading ------------------------------------------------------------------------

    def audio_ms(self, turn: TrackedTurn) -> float | None:
        if not turn.audio_chars:
            return None
        return turn.audio_chars * 3 / 4 / _BYTES_PER_MS.get(self._codec, 48.0)

    def timeline(self, turn: TrackedTurn) -> dict[str, Any]:
        """The turn's timeline object, exactly as `inspect --json` has it."""
        return build_timeline(turn.marks, audio_ms=self.audio_ms(turn), truncated_at_ms=turn.truncated_at_ms,
                              truncated_s=turn.truncated_s, playback_end_source=turn.playback_end_source)

    def rows(self, model: str | None, prices: PriceTable, *, only_cut: bool = False) -> list[dict[str, Any]]:
        """Per turn: `number`, `start_event`, `start_s`, `timeline`, `cost` (as in the
        report) and `item_ids` (the assistant items of its response).

        Args:
            only_cut: only the turns whose answer was truncated (what the never-heard
                figure sums, without building every other turn's timeline again).
        """
        key = (self.version, model, id(prices), only_cut)
        if self._rows_cache is not None and self._rows_cache[0] == key:
            return self._rows_cache[1]
        out = []
        for turn in self.turns:
            if only_cut and turn.truncated_at_ms is None:
                continue
            timeline = self.timeline(turn)
            out.append({"number": turn.number, "start_event": turn.start_event, "start_s": round(turn.start_s, 3),
                        "timeline": timeline, "cost": turn_cost(turn.usage, timeline, model, prices),
                        "item_ids": list(turn.item_ids)})
        self._rows_cache = (key, out)
        return out

    def turn_of_item(self, item_id: str | None) -> int | None:
        """The number of the turn an item belongs to (assistant, or the user's speech)."""
        turn = self._by_item.get(item_id) if item_id else None
        return turn.number if turn is not None and turn in self.turns else None


def unheard_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Summed never-heard audio over `rows()` (see `turn_cost.unheard_totals`)."""
    return unheard_totals(r["cost"] for r in rows)
