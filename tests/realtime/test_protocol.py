"""protocol: session shape translation on malformed sessions from the server."""

from __future__ import annotations

import pytest

from console.realtime.protocol import audio_codec, session_audio_codecs, session_to_flat


@pytest.mark.parametrize("bad", [5, "format", ["format"], True])
def test_session_whose_audio_input_or_output_is_not_an_object(bad: object) -> None:
    session = {"type": "realtime", "audio": {"input": bad, "output": {"format": {"type": "audio/pcmu"}}}}
    assert session_audio_codecs(session) == ("pcm16", "g711_ulaw")
    session = {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcma"}}, "output": bad}}
    assert session_audio_codecs(session) == ("g711_alaw", "pcm16")
    assert "voice" not in session_to_flat(session)


def test_audio_codecs_read_in_place_equal_the_flat_views() -> None:
    """`session_audio_codecs` reads the formats without copying the session: it must give
    what `session_to_flat`'s formats give, for either shape, mixed and malformed ones too."""
    ulaw, alaw, pcm = {"type": "audio/pcmu"}, {"type": "audio/pcma"}, {"type": "audio/pcm", "rate": 24000}
    sessions = [
        {},
        {"input_audio_format": "g711_ulaw", "output_audio_format": "g711_alaw"},
        {"type": "realtime"},
        {"type": "realtime", "audio": {"input": {"format": ulaw}, "output": {"format": alaw}}},
        {"type": "realtime", "audio": {"output": {"format": pcm}}, "input_audio_format": "g711_alaw"},
        {"input_audio_format": "g711_alaw", "audio": {"input": {"format": ulaw}}},
        {"audio": {"input": {"format": ulaw}}, "input_audio_format": "g711_alaw"},
        {"audio": "not an object", "output_modalities": ["audio"]},
        {"audio": {"input": "odd", "output": {"format": "g711_ulaw"}}},
        {"output_modalities": ["text"], "output_audio_format": "g711_ulaw"},
    ]
    for session in sessions:
        flat = session_to_flat(session)
        expected = (audio_codec(flat.get("input_audio_format")), audio_codec(flat.get("output_audio_format")))
        assert session_audio_codecs(session) == expected, session
