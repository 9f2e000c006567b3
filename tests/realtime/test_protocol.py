"""protocol: session shape translation on malformed sessions from the server."""

from __future__ import annotations

import pytest

from console.realtime.protocol import session_audio_codecs, session_to_flat


@pytest.mark.parametrize("bad", [5, "format", ["format"], True])
def test_session_whose_audio_input_or_output_is_not_an_object(bad: object) -> None:
    session = {"type": "realtime", "audio": {"input": bad, "output": {"format": {"type": "audio/pcmu"}}}}
    assert session_audio_codecs(session) == ("pcm16", "g711_ulaw")
    session = {"type": "realtime", "audio": {"input": {"format": {"type": "audio/pcma"}}, "output": bad}}
    assert session_audio_codecs(session) == ("g711_alaw", "pcm16")
    assert "voice" not in session_to_flat(session)
