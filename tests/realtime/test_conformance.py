"""Conformance with the official `openai` models, in both protocols.

- Every server event type of each protocol's union (one valid example each, built from the
  models) goes through a connected client: nothing raises, each reaches `realtime.event`
  unchanged, and the connection stays up.
- The oracle itself rejects unknown keys and wrong shapes (so the flow tests' validation of
  every sent event means something).
"""

from __future__ import annotations

import copy
import json

import pytest
from tests.realtime.examples import examples
from tests.realtime.helpers import Recorder, connected, until
from tests.oracle import ConformanceError, validate_client_event, validate_server_event

from console.realtime.protocol import CLIENT_EVENTS, SERVER_EVENTS


@pytest.mark.parametrize("protocol", ["ga", "beta"])
def test_catalogue_matches_the_models(protocol: str) -> None:
    assert set(examples("server", protocol)) == set(SERVER_EVENTS[protocol])
    assert set(examples("client", protocol)) == set(CLIENT_EVENTS[protocol])
    for event in examples("server", protocol).values():
        validate_server_event(event, protocol)


@pytest.mark.parametrize("protocol", ["ga", "beta"])
async def test_every_server_event_type_reaches_realtime_event(protocol: str) -> None:
    samples = examples("server", protocol)
    async with connected(protocol) as (client, server, _):
        rec = Recorder(client, "realtime.event", "error", "close")
        sent = [copy.deepcopy(event) for event in samples.values()]
        await server.send(*sent)
        await server.send({"type": "marker.end", "event_id": "end"})
        await until(client, lambda: any(e["event"]["type"] == "marker.end" for e in rec["realtime.event"]), timeout=5)
        received = [e["event"] for e in rec["realtime.event"] if e["source"] == "server"][: len(sent)]
        assert received == sent
        assert client.is_connected() and rec["close"] == []
        # Problems the conversation saw are reported as error events naming the event.
        client_errors = [e for e in rec["error"] if e != samples["error"]]
        assert len(client_errors) == len(rec["error"]) - 1  # the server's error event, forwarded
        for error in client_errors:
            assert error["error"]["code"] == "client_conversation_error"
            assert error["event"] in sent and error["error"]["message"].startswith(f"could not apply {error['event']['type']}")


def test_oracle_rejects_unknown_keys_and_bad_shapes() -> None:
    good = {"type": "session.update", "event_id": "e", "session": {"type": "realtime", "instructions": "x"}}
    validate_client_event(good, "ga")
    with pytest.raises(ConformanceError, match="unknown keys"):
        validate_client_event({**good, "session": {"type": "realtime", "temperature": 0.8}}, "ga")
    with pytest.raises(ConformanceError, match="unknown keys"):
        validate_client_event({"type": "response.create", "event_id": "e", "surprise": 1}, "beta")
    with pytest.raises(ConformanceError, match="not a ga client event"):
        validate_client_event({"type": "transcription_session.update", "session": {}}, "ga")
    with pytest.raises(ConformanceError, match="invalid"):
        validate_client_event({"type": "conversation.item.truncate", "item_id": "i"}, "ga")
    # Received events are judged leniently: upstream adds keys like session.object.
    validate_server_event(json.loads('{"type": "input_audio_buffer.cleared", "event_id": "e", "obfuscation": "x"}'), "ga")
