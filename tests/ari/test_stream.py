"""Event stream against the fake ARI: delivery, tolerance, reconnect, ordering, waiters."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from acd.ari import AriClient, AriConfig, Backoff, Connected, Disconnected, UnknownEvent
from acd.ari.events import AriEvent
from acd.ari.models_generated import ChannelDtmfReceived, StasisStart
from tests.ari.fake_ari import FakeAri, channel_json


def ev(kind: str, channel_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "application": "hotline", "timestamp": "2025-03-01T10:15:00.000+0000",
            "channel": channel_json(channel_id), **fields}


def dtmf(channel_id: str, digit: str) -> dict[str, Any]:
    return ev("ChannelDtmfReceived", channel_id, digit=digit, duration_ms=100)


async def until(condition: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


class Collector:
    def __init__(self) -> None:
        self.events: list[AriEvent] = []

    async def __call__(self, event: AriEvent) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


class RecordingBackoff(Backoff):
    def __init__(self) -> None:
        super().__init__(0.01, 0.04, factor=2.0, jitter=0.0)
        self.attempts: list[int] = []

    def delay(self, attempt: int) -> float:
        self.attempts.append(attempt)
        return super().delay(attempt)


async def test_events_delivered_and_odd_frames_tolerated(fake: FakeAri, config: AriConfig) -> None:
    seen = Collector()
    async with AriClient(config) as client:
        client.subscribe(seen)
        await client.wait_connected(3)
        await fake.send(
            ev("StasisStart", "c1", args=[]),
            {"type": "ChannelQuantumEntangled", "application": "hotline"},
            "this is not json",
            "[1, 2]",
            {"type": "StasisStart", "application": "hotline"},  # missing its channel
            dtmf("c1", "5"),
        )
        await until(lambda: len(seen.events) == 5)
    # order is kept per channel; the general queue (unknown events) runs independently
    assert [e.type for e in seen.events if not isinstance(e, UnknownEvent | Connected)] == [
        "StasisStart", "ChannelDtmfReceived"]
    unknown = seen.of(UnknownEvent)
    assert [e.type for e in unknown] == ["ChannelQuantumEntangled", "StasisStart"]
    assert unknown[0].raw == {"type": "ChannelQuantumEntangled", "application": "hotline"}


async def test_reconnect_after_drop(fake: FakeAri, config: AriConfig) -> None:
    seen = Collector()
    backoff = RecordingBackoff()
    async with AriClient(config, backoff=backoff) as client:
        client.subscribe(seen)
        await fake.wait_ws(1)
        await fake.send(dtmf("c1", "1"))
        await until(lambda: len(seen.of(ChannelDtmfReceived)) == 1)
        fake.refuse_ws = 2
        await fake.drop()
        await fake.wait_ws(2)
        await until(lambda: len(seen.of(Connected)) == 2)
        await fake.send(dtmf("c1", "2"))
        await until(lambda: len(seen.of(ChannelDtmfReceived)) == 2)
    # Connected/Disconnected share the general queue, so their order is guaranteed
    assert [e.type for e in seen.events if isinstance(e, Connected | Disconnected)] == [
        "Connected", "Disconnected", "Connected"]
    assert "closed" in seen.of(Disconnected)[0].reason
    assert [e.digit for e in seen.of(ChannelDtmfReceived)] == ["1", "2"]
    # one delay after the drop, then one per refused handshake, growing
    assert backoff.attempts == [0, 1, 2]
    assert len(fake.ws_requests) == 4


def test_backoff_grows_is_bounded_and_jittered() -> None:
    import random

    plain = Backoff(0.5, 8.0, factor=2.0, jitter=0.0)
    assert [plain.delay(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert plain.delay(10_000) == 8.0
    jittered = Backoff(0.5, 8.0, jitter=0.5, rng=random.Random(7))
    delays = [jittered.delay(3) for _ in range(200)]
    assert all(2.0 <= d <= 4.0 for d in delays)
    assert len(set(delays)) > 100


async def test_slow_handler_on_one_channel_does_not_block_others(
    fake: FakeAri, config: AriConfig
) -> None:
    release = asyncio.Event()
    digits: dict[str, list[str]] = {"A": [], "B": []}

    async def handler(event: AriEvent) -> None:
        if isinstance(event, ChannelDtmfReceived):
            if event.channel.id == "A" and not release.is_set():
                await release.wait()
            digits[event.channel.id].append(event.digit)

    async with AriClient(config) as client:
        client.subscribe(handler, types={"ChannelDtmfReceived"})
        await client.wait_connected(3)
        await fake.send(*[m for d in "123456789" for m in (dtmf("A", d), dtmf("B", d))])
        await until(lambda: len(digits["B"]) == 9)
        assert digits["A"] == []  # A's handler is still stuck on its first digit
        release.set()
        await until(lambda: len(digits["A"]) == 9)
    assert digits == {"A": list("123456789"), "B": list("123456789")}


async def test_per_channel_order_kept_under_varying_handler_delays(
    fake: FakeAri, config: AriConfig
) -> None:
    got: dict[str, list[str]] = {}

    async def handler(event: AriEvent) -> None:
        if isinstance(event, ChannelDtmfReceived):
            # later digits finish faster: a task-per-event design would reorder them
            await asyncio.sleep(0.001 * (10 - int(event.digit)))
            got.setdefault(event.channel.id, []).append(event.digit)

    async with AriClient(config) as client:
        client.subscribe(handler)
        await client.wait_connected(3)
        for d in "0123456789":
            await fake.send(*[dtmf(f"c{n}", d) for n in range(5)])
        await until(lambda: sum(map(len, got.values())) == 50)
    assert got == {f"c{n}": list("0123456789") for n in range(5)}


async def test_originate_waiter_sees_stasis_start_sent_before_reply(
    fake: FakeAri, config: AriConfig
) -> None:
    async def originate(request: web.Request) -> tuple[int, Any]:
        channel_id = request.match_info["tail"].split("/")[1]
        await fake.send(ev("StasisStart", channel_id, args=["outbound"]))
        await asyncio.sleep(0.1)  # the event is surely read before the reply goes out
        return 200, channel_json(channel_id, state="Down")

    fake.route("POST", "/channels/out-1", originate)
    async with AriClient(config) as client:
        await client.wait_connected(3)
        waiter = client.wait_for(
            lambda e: isinstance(e, StasisStart) and e.channel.id == "out-1", timeout=3)
        channel = await client.channels.originate("PJSIP/1001", channel_id="out-1",
                                                  app="hotline")
        assert waiter.future.done()  # arrived before the HTTP reply
        started = await waiter
        assert isinstance(started, StasisStart) and started.args == ("outbound",)
        assert channel.id == "out-1"

        fake.route("POST", "/channels/out-2", originate)
        event = await client.originate_and_wait("PJSIP/1002", channel_id="out-2", timeout=3)
        assert event.channel.id == "out-2"
        assert fake.requests[-1].query["app"] == "hotline"


async def test_wait_for_times_out(config: AriConfig, fake: FakeAri) -> None:
    async with AriClient(config) as client:
        waiter = client.wait_for(lambda e: False, timeout=0.05)
        with pytest.raises(TimeoutError):
            await waiter
        assert waiter not in client._dispatcher._waiters


async def test_handler_exception_is_surfaced(fake: FakeAri, config: AriConfig,
                                             caplog: pytest.LogCaptureFixture) -> None:
    class Boom(Exception):
        pass

    async def handler(event: AriEvent) -> None:
        if isinstance(event, ChannelDtmfReceived):
            raise Boom(event.digit)

    with pytest.raises(ExceptionGroup) as info:
        async with AriClient(config) as client:
            client.subscribe(handler)
            await client.wait_connected(3)
            await fake.send(dtmf("c1", "9"))
            await asyncio.sleep(3)
    assert info.group_contains(Boom)
    assert "handler" in caplog.text and "Boom" in caplog.text


async def test_channel_queue_retired_after_channel_destroyed(
    fake: FakeAri, config: AriConfig
) -> None:
    seen = Collector()
    async with AriClient(config) as client:
        client.subscribe(seen)
        await client.wait_connected(3)
        await fake.send(dtmf("gone", "1"))
        await until(lambda: "gone" in client._dispatcher.queue_keys)
        await fake.send(ev("ChannelDestroyed", "gone", cause=16, cause_txt="Normal Clearing"))
        await until(lambda: "gone" not in client._dispatcher.queue_keys)
        assert [e.type for e in seen.events][-1] == "ChannelDestroyed"
