"""The event store and its row views, without Textual: columns, audio abbreviation,
folding, filtering, search, error <-> cause links, and the memory bound."""

from __future__ import annotations

import base64
import gc
import tracemalloc

import numpy as np
import pytest

from console.session.event_rows import RowView
from console.session.event_store import BLOCK_SIZE, EventStore
from console.session.event_summary import audio_marker, base64_decoded_size, summarize

AUDIO_100MS = base64.b64encode(b"\x01\x00" * 2400).decode()  # 4800 bytes of PCM16 = 100 ms


def audio_delta(item: str = "item_a", payload: str = AUDIO_100MS) -> dict:
    return {"type": "response.output_audio.delta", "event_id": "evt_x", "item_id": item,
            "response_id": "resp_1", "output_index": 0, "content_index": 0, "delta": payload}


def text_delta(text: str, item: str = "item_a") -> dict:
    return {"type": "response.output_audio_transcript.delta", "item_id": item, "delta": text}


def test_append_fills_columns_and_decodes_on_demand() -> None:
    store = EventStore(start_time=100.0)
    i0 = store.append("client", {"type": "response.create", "event_id": "c1"}, time=100.25)
    i1 = store.append("server", {"type": "response.created", "response": {"id": "r1", "status": "in_progress"}}, time=101.5)
    assert (i0, i1) == (0, 1) and len(store) == 2
    assert store.source(0) == "client" and store.source(1) == "server"
    assert store.event_type(1) == "response.created"
    assert store.time(0) == pytest.approx(0.25) and store.time(1) == pytest.approx(1.5)
    assert store.event(0) == {"type": "response.create", "event_id": "c1"}
    assert store.summary(1) == "r1 in_progress"
    assert store.event(-1)["response"]["id"] == "r1"
    with pytest.raises(IndexError):
        store.event(2)


def test_start_time_defaults_to_first_event() -> None:
    store = EventStore()
    store.append("server", {"type": "session.created"}, time=5000.0)
    store.append("server", {"type": "session.updated"}, time=5002.0)
    assert store.time(0) == 0.0 and store.time(1) == pytest.approx(2.0)


def test_odd_input_is_logged_not_rejected() -> None:
    store = EventStore(start_time=0)
    store.append("server", {"no": "type"}, time=1)
    store.append("server", ["not", "a", "dict"], time=1)  # type: ignore[arg-type]
    store.append("server", {"type": "x.y", "blob": b"\x00\xff"}, time=1)
    assert [store.event_type(i) for i in range(3)] == ["(no type)", "(not an object)", "x.y"]
    assert store.event(1)["value"] == ["not", "a", "dict"]
    assert isinstance(store.event(2)["blob"], str)


def test_audio_payload_is_replaced_by_a_marker_and_never_kept() -> None:
    calls: list[int] = []

    def reader(index: int) -> str | None:
        calls.append(index)
        return AUDIO_100MS

    store = EventStore(start_time=0, payload_reader=reader)
    store.append("server", audio_delta(), time=0)
    store.append("client", {"type": "input_audio_buffer.append", "audio": AUDIO_100MS}, time=0)
    stored = store.event(0)
    assert stored["delta"] == "<base64 audio: 4800 bytes = 100 ms at 24 kHz>"
    assert store.event(1)["audio"] == audio_marker(4800)
    assert AUDIO_100MS.encode() not in store.raw(0)
    assert len(store.raw(0)) < 300
    assert store.delta_size(0) == 4800
    assert store.summary(0) == "item_a  +4800 B audio = 100 ms"
    assert store.full_event(0)["delta"] == AUDIO_100MS and calls == [0]


def test_audio_inside_items_is_abbreviated_too() -> None:
    store = EventStore(start_time=0)
    item = {"id": "item_u", "type": "message", "role": "user",
            "content": [{"type": "input_audio", "audio": AUDIO_100MS}, {"type": "input_text", "text": "hi"}]}
    store.append("client", {"type": "conversation.item.create", "item": item}, time=0)
    content = store.event(0)["item"]["content"]
    assert content[0]["audio"].startswith("<base64 audio: 4800 bytes")
    assert content[1] == {"type": "input_text", "text": "hi"}
    assert item["content"][0]["audio"] == AUDIO_100MS  # the caller's event is untouched


def test_g711_durations_follow_the_session_format() -> None:
    store = EventStore(start_time=0)
    store.append("server", {"type": "session.updated", "session": {
        "type": "realtime", "audio": {"output": {"format": {"type": "audio/pcmu"}}}}}, time=0)
    store.append("server", audio_delta(payload=base64.b64encode(b"\x7f" * 800).decode()), time=0)
    assert store.event(1)["delta"] == "<base64 audio: 800 bytes = 100 ms at 8 kHz>"


def test_base64_size_without_decoding() -> None:
    for raw in (b"", b"a", b"ab", b"abc", b"abcd" * 99 + b"x"):
        assert base64_decoded_size(base64.b64encode(raw).decode()) == len(raw)


def test_events_span_many_blocks() -> None:
    store = EventStore(start_time=0)
    big = "x" * (BLOCK_SIZE // 3)
    for i in range(8):
        store.append("server", {"type": "response.text.done", "text": big, "n": i}, time=i)
    assert len(store._blocks) >= 3
    assert [store.event(i)["n"] for i in range(8)] == list(range(8))
    huge = "y" * (BLOCK_SIZE * 2)
    store.append("server", {"type": "session.updated", "session": {"instructions": huge}}, time=9)
    assert store.event(8)["session"]["instructions"] == huge
    assert list(store.search("\"n\":7")) == [7]


# --- folding -------------------------------------------------------------------------


def interleaved_turn(store: EventStore, item: str = "item_a", n: int = 5, t: float = 0.0) -> None:
    store.append("server", {"type": "response.output_item.added", "item": {"id": item, "type": "message", "role": "assistant"}}, time=t)
    for _ in range(n):
        store.append("server", audio_delta(item), time=t)
        store.append("server", text_delta("ab", item), time=t)
    store.append("server", {"type": "response.done", "response": {"id": "r", "status": "completed"}}, time=t)


def rows_of(view) -> list[tuple[int, int, int]]:
    return [(view.event_index(r), view.count(r), view.total(r)) for r in range(len(view))]


def test_interleaved_deltas_fold_per_type_and_item() -> None:
    store = EventStore(start_time=0)
    interleaved_turn(store, n=5)
    assert rows_of(RowView(store)) == [(0, 1, 0), (1, 5, 24000), (2, 5, 10), (11, 1, 0)]
    assert store.fold_summary(1, 5, 24000) == "item_a  +24000 B audio = 500 ms"
    assert len(RowView(store, fold=False)) == 12


def test_a_non_delta_event_ends_a_run_and_other_items_start_new_ones() -> None:
    store = EventStore(start_time=0)
    interleaved_turn(store, "item_a", n=3)
    interleaved_turn(store, "item_b", n=2)
    view = RowView(store)
    assert [(store.event_type(i), c) for i, c, _ in rows_of(view)] == [
        ("response.output_item.added", 1), ("response.output_audio.delta", 3),
        ("response.output_audio_transcript.delta", 3), ("response.done", 1),
        ("response.output_item.added", 1), ("response.output_audio.delta", 2),
        ("response.output_audio_transcript.delta", 2), ("response.done", 1)]


def test_client_appends_fold_across_server_events() -> None:
    store = EventStore(start_time=0)
    append = {"type": "input_audio_buffer.append", "audio": AUDIO_100MS}
    store.append("client", append, time=0)
    store.append("server", {"type": "input_audio_buffer.speech_started", "audio_start_ms": 0}, time=0)
    store.append("client", append, time=0)
    store.append("client", {"type": "input_audio_buffer.commit"}, time=0)
    store.append("client", append, time=0)
    assert rows_of(RowView(store)) == [(0, 2, 9600), (1, 1, 0), (3, 1, 0), (4, 1, 4800)]


def test_incremental_update_matches_a_full_rebuild() -> None:
    store = EventStore(start_time=0)
    live = RowView(store)
    live_text = RowView(store, text="item_b")
    for k in range(6):
        interleaved_turn(store, f"item_{'ab'[k % 2]}", n=k + 1)
        store.append("server", audio_delta("item_z"), time=0)  # an open run across updates
        live.update()
        live_text.update()
    for _ in range(3):
        store.append("server", audio_delta("item_z"), time=0)
        live.update()
    assert rows_of(live) == rows_of(RowView(store))
    assert rows_of(live_text) == rows_of(RowView(store, text="item_b"))
    assert rows_of(live)[-1][1] == 4


def test_update_reports_rows_whose_count_grew() -> None:
    store = EventStore(start_time=0)
    store.append("server", text_delta("a"), time=0)
    view = RowView(store)
    store.append("server", text_delta("bc"), time=0)
    assert view.update() == 0
    assert view.changed == {0} and view.count(0) == 2 and view.total(0) == 3


def test_unfolding_a_run_shows_each_member_in_time_order() -> None:
    store = EventStore(start_time=0)
    interleaved_turn(store, n=3)
    view = RowView(store, expanded={1})
    assert rows_of(view) == [(0, 1, 0), (1, 1, 4800), (2, 3, 6), (3, 1, 4800), (5, 1, 4800), (7, 1, 0)]
    assert view.is_expanded(1) and view.can_toggle(1) and not view.can_toggle(0)
    assert view.row_of_event(5) == 4
    folded = view.with_expanded(())
    assert folded.row_of_event(5) == 1 and folded.row_of_event(6) == 2


# --- filters and search ---------------------------------------------------------------


def mixed_store() -> EventStore:
    store = EventStore(start_time=0)
    store.append("client", {"type": "session.update", "event_id": "c1", "session": {"voice": "Marin"}}, time=0)
    store.append("server", {"type": "session.updated", "session": {"voice": "marin"}}, time=0)
    store.append("client", {"type": "conversation.item.create", "event_id": "c2",
                            "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Wetter in Zürich?"}]}}, time=0)
    store.append("client", {"type": "response.create", "event_id": "c3"}, time=0)
    store.append("server", {"type": "error", "error": {"code": "conversation_already_has_active_response",
                                                        "message": "busy", "event_id": "c3"}}, time=0)
    return store


def test_direction_and_type_filters() -> None:
    store = mixed_store()
    assert list(RowView(store, directions=frozenset({"client"})).event_indices) == [0, 2, 3]
    assert list(RowView(store, directions=frozenset({"server"})).event_indices) == [1, 4]
    assert list(RowView(store, types=frozenset({"error", "session.update"})).event_indices) == [0, 4]
    assert len(RowView(store, types=frozenset({"never.seen"}))) == 0
    assert len(RowView(store, directions=frozenset())) == 0


def test_search_is_case_insensitive_and_unicode_safe() -> None:
    store = mixed_store()
    assert list(store.search("MARIN")) == [0, 1]
    assert list(store.search("zürich")) == [2]
    assert list(store.search("active_response")) == [4]
    assert list(store.search("no such text")) == []
    assert list(RowView(store, text="marin", directions=frozenset({"server"})).event_indices) == [1]
    # a match may not straddle two events
    assert list(store.search('}{"type"')) == []


def test_search_matches_python_on_random_data() -> None:
    rng = np.random.default_rng(7)
    store = EventStore(start_time=0)
    words = ["alpha", "Beta", "gamma", "delta", "EPSILON", "zeta"]
    texts = [" ".join(rng.choice(words, 3)) for _ in range(2000)]
    for t in texts:
        store.append("server", {"type": "response.text.done", "text": t}, time=0)
    for needle in ("beta gamma", "ZETA", "a a", "epsilon epsilon"):
        expect = [i for i, t in enumerate(texts) if needle.lower() in t.lower()]
        assert list(store.search(needle)) == expect
        assert list(store.search(needle, 500, 1500)) == [i for i in expect if 500 <= i < 1500]


# --- linking -------------------------------------------------------------------------


def test_error_links_to_its_cause_and_back() -> None:
    store = mixed_store()
    assert store.find_by_event_id("c3") == 3
    assert store.find_by_event_id("nope") is None
    assert store.cause_of(4) == 3 and store.errors_for(3) == [4]
    assert store.errors_for(0) == [] and store.cause_of(0) is None
    assert summarize(store.event(4)) == 'conversation_already_has_active_response  "busy"  ← c3'


def test_error_logged_before_its_cause_is_linked_later() -> None:
    store = EventStore(start_time=0)
    store.append("server", {"type": "error", "error": {"code": "x", "event_id": "late"}}, time=0)
    assert store.cause_of(0) is None
    store.append("client", {"type": "response.cancel", "event_id": "late"}, time=0)
    assert store.cause_of(0) == 1 and store.errors_for(1) == [0]


def test_finding_an_old_cause_among_many_events() -> None:
    store = EventStore(start_time=0)
    store.append("client", {"type": "session.update", "event_id": "old", "session": {}}, time=0)
    for _ in range(70_000):  # more than one backward-scan chunk (65,536)
        store.append("client", {"type": "input_audio_buffer.append", "audio": "AAAA"}, time=0)
    store.append("server", {"type": "error", "error": {"code": "invalid_value", "event_id": "old"}}, time=0)
    assert store.cause_of(len(store) - 1) == 0


# --- memory -------------------------------------------------------------------------


def synthetic_session(store: EventStore, n: int) -> None:
    """A realistic mix: mostly audio and transcript deltas, some mic appends.

    Templates are mutated in place so the test spends its time in the store, not in
    building dicts (tracemalloc slows every allocation down).
    """
    audio = base64.b64encode(bytes(4800)).decode()
    ids = {"response_id": "resp_CaB3xYz0123456789abcd", "item_id": "item_CaB3xYz0123456789abcd",
           "output_index": 0, "content_index": 0}
    out_audio = {"type": "response.output_audio.delta", "event_id": "", **ids, "delta": audio}
    transcript = {"type": "response.output_audio_transcript.delta", "event_id": "", **ids,
                  "delta": " word", "obfuscation": "xK3p"}
    mic = {"type": "input_audio_buffer.append", "event_id": "", "audio": audio}
    for i in range(n):
        k = i % 10
        event, source = (out_audio, "server") if k < 6 else (transcript, "server") if k < 9 else (mic, "client")
        event["event_id"] = "event_%021d" % i
        store.append(source, event, time=i * 0.01)


def test_memory_per_event_is_bounded() -> None:
    """Retained bytes per event, traced by tracemalloc.

    30k events rather than 100k: tracing makes every small allocation of the JSON encoder
    ~10x slower, and a smaller log is the stricter test (the 1 MiB block and the doubled
    columns are shared by fewer events). `bench/bench_event_log.py` measures 100k and 1M.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = EventStore(start_time=0)
        synthetic_session(store, 30_000)
        view = RowView(store)
        gc.collect()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    per_event = used / len(store)
    # Target: ~500 B/event beyond audio. Stored JSON here is ~230 B/event.
    assert per_event < 400, f"{per_event:.0f} bytes per event"
    assert len(view) < len(store)


def test_narrowing_a_search_gives_what_a_fresh_search_gives() -> None:
    store = mixed_store()
    interleaved_turn(store, "item_q", n=4)
    broad = RowView(store, text="item")
    store.append("server", text_delta("late", "item_q"), time=0)  # arrives before narrowing
    narrowed = broad.narrowed("item_q")
    assert rows_of(narrowed) == rows_of(RowView(store, text="item_q"))
    assert list(narrowed.matched()) == list(store.filter(0, len(store), text="item_q"))
    assert RowView(store).matched() is None


def test_reading_payloads_back_from_the_recording_costs_a_few_bytes_per_event(tmp_path) -> None:
    """The store wired to a recording the way the app wires it: full events come back
    from the file, and the read-back adds only the recorder's 8 B line offset per event
    (plus a few tuples per session) to the store's own budget."""
    from console.recording import SessionRecorder
    from console.recording.readback import RecordingReadback

    audio = [base64.b64encode(bytes([i % 251]) * 480).decode() for i in range(7)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = EventStore(start_time=0)
        readback = RecordingReadback(store)
        store.payload_reader = readback.payload
        recorder = SessionRecorder(tmp_path / "s.jsonl", endpoint="ws://x", protocol="ga", model="m")
        readback.adopt(recorder)
        n = 6000
        for i in range(n):
            source = "client" if i % 10 == 9 else "server"
            event = ({"type": "input_audio_buffer.append", "event_id": f"c{i}", "audio": audio[i % 7]}
                     if source == "client" else audio_delta(payload=audio[i % 7]) | {"event_id": f"s{i}"})
            index, line = len(store), recorder.events_written
            recorder.record(None, source, event)
            store.append(source, event, time=i * 0.01)
            readback.recorded(index, recorder, line)
        with_store = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert with_store / n < 400 + 16, f"{with_store / n:.0f} bytes per event"
    assert recorder._line_starts.nbytes <= 16 * n  # 8 B/event, doubled capacity at most
    for i in (0, 9, 4321, n - 1):
        key = "audio" if store.source(i) == "client" else "delta"
        assert store.event(i)[key].startswith("<base64 audio")
        assert store.full_event(i)[key] == audio[i % 7]
    # An event logged but not recorded (a client-side error) is not mapped to a wrong line.
    store.append("server", {"type": "error", "error": {"type": "client_error", "message": "x"}})
    last = recorder.events_written
    recorder.record(None, "server", audio_delta(payload=audio[0]))
    readback.recorded(store.append("server", audio_delta(payload=audio[0])), recorder, last)
    assert store.payload(n) is None and store.payload(n + 1) == audio[0]
    assert readback.locate(n) is None and readback.locate(n + 1) == (recorder, last)
    readback.close()
    assert not recorder.readable and store.payload(n + 1) is None


def test_without_a_recording_output_audio_is_sliced_from_the_conversation() -> None:
    """`ConversationPayloads` against a real conversation: exact slices while the item
    holds them, None for a truncated tail, a deleted item, or a non-PCM16 session."""
    from types import SimpleNamespace

    from console.session.conversation_payloads import ConversationPayloads
    from console.realtime.conversation import RealtimeConversation

    store = EventStore(start_time=0)
    conversation = RealtimeConversation()
    payloads = ConversationPayloads(store, lambda: SimpleNamespace(conversation=conversation))
    store.payload_reader = payloads.payload
    item = {"id": "item_a", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    chunks = [bytes((i + k) % 256 for k in range(240)) for i in range(0, 60, 2)]  # 120 samples each

    def receive(event: dict) -> int:
        payloads.observe({"source": "server", "event": event})
        conversation.process_event(event)
        return store.append("server", event, time=0)

    receive({"type": "conversation.item.created", "item": item})
    sent = {receive(audio_delta(payload=base64.b64encode(c).decode())): c for c in chunks}
    for index, chunk in sent.items():
        assert base64.b64decode(store.full_event(index)["delta"]) == chunk
    first, last = min(sent), max(sent)
    assert store.payload(0) is None  # not an audio event
    # The interrupted tail is gone from the conversation: that delta is no longer there.
    receive({"type": "conversation.item.truncated", "item_id": "item_a", "content_index": 0, "audio_end_ms": 10})
    assert store.payload(first) is not None and store.payload(last) is None
    receive({"type": "conversation.item.deleted", "item_id": "item_a"})
    assert store.payload(first) is None
    store.output_codec = "g711_ulaw"
    assert store.payload(first) is None


def test_image_data_urls_are_stored_as_markers_and_summarised() -> None:
    from console.realtime.images import to_data_url
    from tests.realtime.image_samples import png

    image = png(640, 480)
    url = to_data_url(image, "image/png")
    item = {"id": "item_i", "type": "message", "role": "user",
            "content": [{"type": "input_text", "text": "look"}, {"type": "input_image", "image_url": url, "detail": "low"}]}
    event = {"type": "conversation.item.create", "event_id": "evt_i", "item": item}
    store = EventStore(start_time=0.0)
    index = store.append("client", event, time=0.0)
    stored = store.event(index)
    assert stored["item"]["content"][1] == {"type": "input_image", "detail": "low",
                                            "image_url": f"<image data URL: image/png {len(image)} bytes 640×480>"}
    assert url not in store.raw(index).decode()
    assert item["content"][1]["image_url"] is url  # the event itself is left alone
    summary = f"item_i user image 640×480 {len(image)} B"
    assert store.summary(index) == summary == summarize(event)  # full or abbreviated: same row
    odd = {"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                        "content": [{"type": "input_image", "image_url": "https://x/cat.png"}]}}
    assert store.event(store.append("client", odd, time=0.0))["item"]["content"][0]["image_url"] == "https://x/cat.png"
    assert summarize(odd).endswith("image")


def test_response_input_images_are_abbreviated_and_mcp_credentials_masked() -> None:
    from console.realtime.images import to_data_url
    from tests.realtime.image_samples import png

    image = png(64, 48)
    url = to_data_url(image, "image/png")
    event = {"type": "response.create", "event_id": "evt_r", "response": {
        "conversation": "none",
        "input": [{"type": "item_reference", "id": "item_a"},
                  {"type": "message", "role": "user", "content": [{"type": "input_image", "image_url": url}]}],
        "tools": [{"type": "mcp", "server_label": "s", "authorization": "Bearer tok-x", "headers": {"X-K": "hdr-x"}}]}}
    store = EventStore(start_time=0.0)
    index = store.append("client", event, time=0.0)
    raw = store.raw(index).decode()
    assert url not in raw and "tok-x" not in raw and "hdr-x" not in raw
    stored = store.event(index)["response"]
    assert stored["input"][0] == {"type": "item_reference", "id": "item_a"}
    assert stored["input"][1]["content"][0]["image_url"] == f"<image data URL: image/png {len(image)} bytes 64×48>"
    assert stored["tools"][0]["headers"] == {"X-K": "<redacted>"}
    assert event["response"]["input"][1]["content"][0]["image_url"] is url  # the event itself is left alone
    # Copying reads the images back when a reader has the event whole.
    store.image_reader = lambda i: event
    assert store.full_event(index)["response"]["input"][1]["content"][0]["image_url"] == url
    echo = {"type": "session.updated", "session": {"tools": [{"type": "mcp", "headers": {"X-K": "hdr-y"}}]}}
    assert "hdr-y" not in store.raw(store.append("server", echo, time=0.0)).decode()
