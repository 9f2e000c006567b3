"""Sans-I/O parts of the simulator: the synthetic voice, the energy VAD, the responder."""

from __future__ import annotations

import json

import numpy as np
import pytest

from console.realtime.audio import decode, encode
from console.simulator import voice
from console.simulator.conversation import Conversation, Item, Part
from console.simulator.errors import ApiError
from console.simulator.responder import Context, arguments_for, choose_reply, load_rules
from console.simulator.vad import EnergyVad

PHRASE = "What's the weather in Paris? Count to 5, please! {x: 1.5%}"


@pytest.mark.parametrize("rate", [24000, 16000, 8000])
def test_voice_round_trip_at_any_rate(rate: int) -> None:
    samples = voice.synthesise(PHRASE, rate)
    assert samples.dtype == np.int16 and len(samples) > rate  # seconds of "speech"
    assert voice.transcribe(samples, rate) == PHRASE
    assert np.array_equal(samples, voice.synthesise(PHRASE, rate))  # deterministic


@pytest.mark.parametrize("codec", ["g711_ulaw", "g711_alaw"])
def test_voice_survives_g711(codec: str) -> None:
    samples = voice.synthesise(PHRASE, 8000)
    assert voice.transcribe(decode(encode(samples, codec), codec), 8000) == PHRASE


def test_voice_normalises_whitespace_and_non_ascii() -> None:
    assert voice.transcribe(voice.synthesise("  naïve   café  ", 24000), 24000) == "na?ve caf?"
    assert voice.transcribe(voice.synthesise("", 24000), 24000) == ""


def test_other_audio_is_labelled_by_length() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, 4000, 36000).astype(np.int16)
    assert voice.transcribe(noise, 24000) == "[1.5 s of audio]"
    t = np.arange(24000) / 24000
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    assert voice.transcribe(tone, 24000) == "[1.0 s of audio]"
    hello = voice.synthesise("hello", 24000)
    assert voice.transcribe(hello[:-900], 24000) == "hell"  # the last character cut off by the end
    assert voice.transcribe(hello[900:], 24000) == "ello"  # the first one cut off by the start
    spliced = np.concatenate([hello[:700], hello[1900:]])  # a character cut in half inside the audio
    assert voice.transcribe(spliced, 24000).endswith("s of audio]")
    assert voice.transcribe(np.zeros(2400, np.int16), 24000) == ""


def test_word_marks_join_to_the_text() -> None:
    samples, marks = voice.synthesise_marked("one two  three", 24000)
    assert "".join(m.text for m in marks) == "one two three"
    assert marks[0].start == 0 and marks[1].start < marks[2].start < len(samples)


def test_vad_boundaries_with_padding_and_silence() -> None:
    rate = 24000
    speech = voice.synthesise("hello world", rate)
    audio = np.concatenate([np.zeros(rate, np.int16), speech, np.zeros(rate, np.int16)])
    vad = EnergyVad(rate, {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300, "silence_duration_ms": 500})
    found = []
    for start in range(0, len(audio), 480):  # 20 ms appends
        found += vad.feed(audio[start:start + 480])
    speech_ms = len(speech) * 1000 // rate
    assert [b.kind for b in found] == ["started", "stopped"]
    assert found[0].ms == 1000 - 300
    assert 1000 + speech_ms + 500 - 10 <= found[1].ms <= 1000 + speech_ms + 500 + 10


def test_vad_threshold_ignores_quiet_noise() -> None:
    noise = np.random.default_rng(2).normal(0, 200, 48000).astype(np.int16)  # about -44 dBFS
    vad = EnergyVad(24000, {"type": "server_vad", "threshold": 0.5})
    assert vad.feed(noise) == []
    assert [b.kind for b in EnergyVad(24000, {"type": "server_vad", "threshold": 0.1}).feed(noise)] == ["started"]


def test_arguments_follow_the_schema() -> None:
    schema = {"type": "object", "properties": {
        "city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 3},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}, "verbose": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}}, "filter": {"type": "object", "properties": {
            "ratio": {"type": "number"}}}}}
    args = arguments_for(schema, "Forecast for San Francisco in fahrenheit for 7 days")
    assert args == {"city": "San Francisco", "days": 3, "unit": "fahrenheit", "verbose": True, "tags": [],
                    "filter": {"ratio": 7.0}}


def user(text: str) -> Item:
    return Item(id=text, type="message", role="user", content=[Part("input_text", text=text)])


def test_replies() -> None:
    assert choose_reply(Context([user("count to 3")])).text == "1, 2, 3."
    assert choose_reply(Context([user("Hi, who are you?")])).text.startswith("Hello!")
    assert choose_reply(Context([user("tell me a long story")])).text.count("Chapter") == 12
    assert choose_reply(Context([user("anything else")])).text == "You said: anything else"
    assert "nothing to answer" in choose_reply(Context([])).text
    tools = ({"type": "function", "name": "lookupStockPrice", "parameters": {}},)
    assert choose_reply(Context([user("what is the stock price of ACME")], tools)).call is not None
    assert choose_reply(Context([user("what is the stock price")], tools, "none")).call is None
    assert choose_reply(Context([user("unrelated")], tools, "required")).call is not None


def test_rules_file_errors(tmp_path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{broken")
    with pytest.raises(ValueError, match="is not JSON"):
        load_rules(path)
    path.write_text(json.dumps({"open the pod bay doors": "I'm sorry, Dave."}))
    assert load_rules(path)[0].reply == "I'm sorry, Dave."
    path.write_text(json.dumps([{"phrase": "x", "reply": "y", "colour": 1}]))
    with pytest.raises(ValueError, match="unknown keys"):
        load_rules(path)


def test_conversation_store_order_and_truncation() -> None:
    conv = Conversation()
    conv.insert(user("a"))
    conv.insert(user("c"))
    assert conv.insert(user("b"), "a") == "a"
    assert conv.insert(user("0"), "root") is None
    assert [i.id for i in conv.items()] == ["0", "a", "b", "c"]
    with pytest.raises(ApiError) as caught:
        conv.insert(user("a"))
    assert caught.value.param == "item.id"
    from console.simulator.conversation import audio_part

    reply = Item(id="r", type="message", role="assistant",
                 content=[audio_part("audio", voice.synthesise("ok", 8000), "g711_ulaw", "ok")])
    conv.insert(reply)
    length_ms = reply.content[0].audio_ms()
    with pytest.raises(ApiError):
        conv.truncate("r", 0, length_ms + 1)
    conv.truncate("r", 0, 20)
    assert len(reply.content[0].audio) == 160 and reply.content[0].transcript == ""  # 8 samples per ms at 8 kHz
