"""The simulator's `POST /v1/realtime/client_secrets`: ephemeral keys the calls endpoint accepts."""

from __future__ import annotations

import json

from console.simulator import Simulator
from tests.proxy.webrtc_helpers import post_offer, request

KEY = "sk-sim-key"


async def test_a_minted_key_starts_a_call_and_nothing_else() -> None:
    async with Simulator(fast=True, require_key=KEY) as sim:
        body = json.dumps({"expires_after": {"anchor": "created_at", "seconds": 60},
                           "session": {"type": "realtime", "model": "gpt-realtime", "instructions": "Hi."}})
        refused = await request(sim.port, "POST", "/v1/realtime/client_secrets", body)
        assert refused.status == 401 and sim.ephemeral_keys.minted == 0
        minted = await request(sim.port, "POST", "/v1/realtime/client_secrets", body, {"Authorization": f"Bearer {KEY}"})
        assert minted.status == 200 and minted.headers["content-type"] == "application/json"
        answer = json.loads(minted.body)
        assert answer["value"].startswith("ek_") and answer["session"]["instructions"] == "Hi."
        assert answer["session"]["object"] == "realtime.session" and answer["session"]["id"].startswith("sess_")
        assert (await post_offer(sim.port, answer["value"])).status == 201
        # An ephemeral key is good for a call only: not to mint another one.
        again = await request(sim.port, "POST", "/v1/realtime/client_secrets", body,
                              {"Authorization": f"Bearer {answer['value']}"})
        assert again.status == 401 and sim.ephemeral_keys.minted == 1


async def test_bad_requests_are_400() -> None:
    async with Simulator(fast=True) as sim:
        for body in ("not json", "[1]", json.dumps({"expires_after": {"seconds": 5}})):
            answer = await request(sim.port, "POST", "/v1/realtime/client_secrets", body)
            assert answer.status == 400 and json.loads(answer.body)["error"]["type"] == "invalid_request_error"
        assert (await request(sim.port, "GET", "/v1/realtime/client_secrets")).status == 405
