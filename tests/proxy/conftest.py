"""Fixtures: the simulator requiring the upstream key, and a proxy in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from console.proxy import AccessPolicy, ProxyServer, UpstreamTarget
from console.simulator import Simulator
from tests.proxy.helpers import UPSTREAM_KEY


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(fast=True, require_key=UPSTREAM_KEY) as simulator:
        yield simulator


@pytest.fixture
def record_dir(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


@pytest.fixture
async def proxy(sim: Simulator, record_dir: Path) -> AsyncIterator[ProxyServer]:
    target = UpstreamTarget(sim.url, ("Authorization", f"Bearer {UPSTREAM_KEY}"), "url")
    async with ProxyServer(target, record_dir=record_dir, policy=AccessPolicy()) as server:
        yield server
