"""The GA session shape the linter checks against covers every field the API's own types
(the `openai` package, `openai.types.realtime`) declare, so a field they know is never
reported as unknown."""

from __future__ import annotations

import typing

import pytest

from console.lint.session_shape import GA_SESSION_FIELDS
from console.realtime.protocol import BETA_TO_GA_PATH, flat_to_ga_session

types = pytest.importorskip("openai.types.realtime")


def _fields(*typed_dicts: type) -> set[str]:
    return {name for td in typed_dicts for name in typing.get_type_hints(td)}


def _declared() -> dict[str, set[str]]:
    from openai.types.realtime import (audio_transcription_param, realtime_audio_config_input_param,
                                       realtime_audio_config_output_param, realtime_audio_config_param,
                                       realtime_audio_formats_param, realtime_audio_input_turn_detection_param,
                                       realtime_session_create_request_param)

    formats = _fields(realtime_audio_formats_param.AudioPCM, realtime_audio_formats_param.AudioPCMU,
                      realtime_audio_formats_param.AudioPCMA)
    return {
        "": _fields(realtime_session_create_request_param.RealtimeSessionCreateRequestParam),
        "audio": _fields(realtime_audio_config_param.RealtimeAudioConfigParam),
        "audio.input": _fields(realtime_audio_config_input_param.RealtimeAudioConfigInputParam),
        "audio.output": _fields(realtime_audio_config_output_param.RealtimeAudioConfigOutputParam),
        "audio.input.format": formats,
        "audio.output.format": formats,
        "audio.input.noise_reduction": _fields(realtime_audio_config_input_param.NoiseReduction),
        "audio.input.transcription": _fields(audio_transcription_param.AudioTranscriptionParam),
        "audio.input.turn_detection": _fields(realtime_audio_input_turn_detection_param.ServerVad,
                                              realtime_audio_input_turn_detection_param.SemanticVad),
    }


def test_every_field_the_api_types_declare_is_allowed() -> None:
    declared = _declared()
    assert set(declared) == set(GA_SESSION_FIELDS)
    missing = {path: sorted(fields - GA_SESSION_FIELDS[path]) for path, fields in declared.items()}
    assert not any(missing.values()), f"GA fields the linter would call unknown: {missing}"


def test_every_ga_path_of_a_beta_field_exists_in_the_shape() -> None:
    for beta, path in BETA_TO_GA_PATH.items():
        if path is not None:
            parent, field = ".".join(path[:-1]), path[-1]
            assert field in GA_SESSION_FIELDS[parent], (beta, path)


def test_the_librarys_translation_lands_every_beta_field_at_its_ga_path() -> None:
    flat = {"modalities": ["text"], "voice": "marin", "input_audio_format": "g711_ulaw", "output_audio_format": "pcm16",
            "input_audio_transcription": {"model": "whisper-1"}, "input_audio_noise_reduction": {"type": "far_field"},
            "turn_detection": {"type": "server_vad"}, "speed": 1.2, "max_response_output_tokens": 100,
            "temperature": 0.8, "instructions": "x"}
    ga = flat_to_ga_session(flat)
    for beta, path in BETA_TO_GA_PATH.items():
        if path is None:
            continue
        node = ga
        for key in path:
            node = node[key]
        assert node is not None, beta
    assert "temperature" not in ga and ga["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert ga["output_modalities"] == ["text"] and ga["instructions"] == "x"
