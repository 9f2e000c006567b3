"""Slash command parsing, and `/send` validation checked against the `openai` models."""

from __future__ import annotations

import pytest

from console.realtime.protocol import CLIENT_EVENTS
from console.session.slash import (
    CLIENT_REQUIRED_FIELDS,
    COMMANDS,
    SlashError,
    completions,
    help_text,
    is_command,
    parse,
    validate_client_event,
)


def test_simple_commands() -> None:
    assert parse("/cancel").name == "cancel"
    assert parse("/VAD ").name == "vad"
    assert parse("/instructions  Speak like a pirate ").argument == "Speak like a pirate"
    assert parse("/voice Marin").argument == "marin"
    assert parse("/retrieve").name == "retrieve"


def test_command_detection() -> None:
    assert is_command("/help") and not is_command("hello") and not is_command("//not a command")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/nope", "unknown command /nope"),
        ("/can", "did you mean /cancel"),
        ("/voice", "usage: /voice NAME"),
        ("/voice robot", "unknown voice 'robot'"),
        ("/cancel now", "takes no argument"),
        ("/send {oops", "not valid JSON"),
        ("/send [1]", "must be a JSON object, not an array"),
        ('/send {"item_id": "x"}', 'needs a "type"'),
        ('/send {"type": "response.done"}', "is a server event"),
        ('/send {"type": "transcription_session.update", "session": {}}', "is a beta event"),
        ('/send {"type": "response.explode"}', "unknown client event type"),
        ('/send {"type": "conversation.item.truncate", "item_id": "i"}', "needs 'audio_end_ms', 'content_index'"),
        ('/send {"type": "conversation.item.delete", "item_id": 5}', "'item_id' must be a string, not a number"),
        (
            '/send {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": -1}',
            "must not be negative",
        ),
        ('/send {"type": "session.update", "session": "x"}', "'session' must be an object"),
    ],
)
def test_refusals_explain_themselves(text: str, message: str) -> None:
    with pytest.raises(SlashError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse(text)


def test_send_returns_type_and_fields() -> None:
    cmd = parse('/send {"type": "conversation.item.retrieve", "item_id": "item_1"}')
    assert cmd.event_type == "conversation.item.retrieve" and cmd.data == {"item_id": "item_1"}
    beta = parse('/send {"type": "transcription_session.update", "session": {}}', protocol="beta")
    assert beta.event_type == "transcription_session.update"


def test_help_and_completions_cover_every_command() -> None:
    text = help_text()
    for spec in COMMANDS:
        assert spec.usage in text
    assert "/send " in completions() and "/cancel" in completions()


def test_required_fields_cover_every_client_event() -> None:
    assert set(CLIENT_REQUIRED_FIELDS) == set(CLIENT_EVENTS["ga"] | CLIENT_EVENTS["beta"])


# --- the `openai` package's models as an oracle -----------------------------------------

VALID_GA = [
    {"type": "response.create"},
    {"type": "response.cancel"},
    {"type": "input_audio_buffer.commit"},
    {"type": "input_audio_buffer.clear"},
    {"type": "output_audio_buffer.clear"},
    {"type": "input_audio_buffer.append", "audio": "AAAA"},
    {"type": "conversation.item.delete", "item_id": "item_1"},
    {"type": "conversation.item.retrieve", "item_id": "item_1"},
    {"type": "conversation.item.truncate", "item_id": "i", "content_index": 0, "audio_end_ms": 100},
    {"type": "session.update", "session": {"type": "realtime", "instructions": "hi"}},
    {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
    },
]


def _ga_adapter():
    pydantic = pytest.importorskip("pydantic")
    types = pytest.importorskip("openai.types.realtime")
    return pydantic.TypeAdapter(types.RealtimeClientEvent), pydantic.ValidationError


@pytest.mark.parametrize("event", VALID_GA, ids=lambda e: e["type"])
def test_what_we_accept_the_openai_models_accept(event: dict) -> None:
    adapter, _ = _ga_adapter()
    validate_client_event(event, "ga")
    adapter.validate_python(event)


@pytest.mark.parametrize("event_type", sorted(t for t, f in CLIENT_REQUIRED_FIELDS.items() if f and t in CLIENT_EVENTS["ga"]))
def test_what_we_refuse_for_a_missing_field_the_openai_models_refuse(event_type: str) -> None:
    adapter, validation_error = _ga_adapter()
    event = {"type": event_type}
    with pytest.raises(SlashError):
        validate_client_event(event, "ga")
    with pytest.raises(validation_error):
        adapter.validate_python(event)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('/send {"type": "conversation.item.create", "item": {"type": "message", "role": "user", '
         '"content": [{"type": "input_txt", "text": "hi"}]}}', "item.content[0].type"),
        ('/send {"type": "session.update", "session": {"type": "realtime", "audio": {"output": {"voice": 5}}}}',
         "session.audio.output.voice"),
        ('/send {"type": "response.create", "response": {"output_modalities": ["txt"]}}',
         "response.output_modalities[0]"),
    ],
)
def test_send_validates_the_whole_event_not_only_its_top_level(text: str, where: str) -> None:
    with pytest.raises(SlashError) as refused:
        parse(text, "ga")
    assert where in str(refused.value)


def test_send_lets_a_well_formed_nested_event_through() -> None:
    command = parse('/send {"type": "conversation.item.create", "item": {"type": "message", "role": "user", '
                    '"content": [{"type": "input_text", "text": "hi"}]}}', "ga")
    assert command.event_type == "conversation.item.create" and command.data["item"]["role"] == "user"


def test_image_command_splits_the_file_from_the_text() -> None:
    assert parse("/image cat.png what is it?").data == {"path": "cat.png", "text": "what is it?"}
    assert parse("/image cat.png").data == {"path": "cat.png", "text": ""}
    assert parse('/image "my cat.png" and  this?').data == {"path": "my cat.png", "text": "and  this?"}
    with pytest.raises(SlashError, match=r"usage: /image FILE \[text\]"):
        parse("/image")
    with pytest.raises(SlashError, match="unclosed quote"):
        parse('/image "my cat.png')
    with pytest.raises(SlashError, match="/image needs the GA protocol: beta has no image input"):
        parse("/image cat.png", "beta")
    assert "/image FILE [text]" in help_text() and "/image " in completions()
