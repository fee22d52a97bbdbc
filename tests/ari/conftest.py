from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from acd.ari import AriConfig
from tests.ari.fake_ari import PASSWORD, USER, FakeAri


@pytest.fixture
async def fake() -> AsyncIterator[FakeAri]:
    server = FakeAri()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def config(fake: FakeAri) -> AriConfig:
    return AriConfig(
        base_url=fake.base_url,
        username=USER,
        password=PASSWORD,
        app="hotline",
        request_timeout=2.0,
        connect_timeout=2.0,
        reconnect_initial=0.01,
        reconnect_max=0.05,
        queue_idle_seconds=0.5,
    )
