"""The ARI client and the private Asterisk together: Local and real SIP calls, DTMF,
and a WebSocket dropped mid-call."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from acd.ari import AriClient, AriConfig, AriEvent, Connected, Disconnected, new_id
from acd.ari.models_generated import (
    ChannelDestroyed,
    ChannelDtmfReceived,
    PlaybackFinished,
    PlaybackStarted,
    StasisEnd,
    StasisStart,
)
from acd.sandbox.asterisk import AsteriskSandbox
from tests.sipp import Sipp
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.asterisk


def _config(sandbox: AsteriskSandbox, app: str, port: int | None = None) -> AriConfig:
    p = sandbox.params
    return AriConfig(
        base_url=f"http://127.0.0.1:{port or p.http_port}",
        username=p.ari_user,
        password=p.ari_password,
        app=app,
        reconnect_initial=0.2,
        reconnect_max=1.0,
    )


class Recorder:
    """Every event the app receives, in arrival order."""

    def __init__(self) -> None:
        self.events: list[AriEvent] = []

    async def __call__(self, event: AriEvent) -> None:
        self.events.append(event)

    def of(self, kind: type, channel_id: str | None = None) -> list[AriEvent]:
        return [
            e for e in self.events
            if isinstance(e, kind)
            and (channel_id is None or e.channel.id == channel_id)
        ]


@pytest.fixture
async def ari(asterisk: AsteriskSandbox) -> AsyncIterator[AriClient]:
    async with AriClient(_config(asterisk, "acd")) as client:
        await client.wait_connected(10)
        yield client


def _is_start(args: list[str]):  # type: ignore[no-untyped-def]
    return lambda e: isinstance(e, StasisStart) and list(e.args) == args


async def test_local_call_enters_stasis_plays_and_gets_dtmf_in_order(ari: AriClient) -> None:
    rec = Recorder()
    ari.subscribe(rec)
    hotline_start = ari.wait_for(_is_start(["hotline"]), 10)
    caller_id = new_id()
    caller_start = ari.wait_for(
        lambda e: isinstance(e, StasisStart) and e.channel.id == caller_id, 10)
    await ari.channels.originate(
        "Local/95598@hotline", channel_id=caller_id, app="acd", app_args=["caller"],
        formats=["ulaw"], caller_id="13800138000",
    )
    start = await hotline_start
    assert isinstance(start, StasisStart)
    call_id = start.channel.id
    assert start.channel.dialplan.exten == "95598"
    await ari.channels.answer(call_id)
    await caller_start

    playback_id = new_id()
    finished = ari.wait_for(
        lambda e: isinstance(e, PlaybackFinished) and e.playback.id == playback_id, 15)
    await ari.channels.play(call_id, ["sound:hello-world"], playback_id=playback_id)

    digits = "1234#*0"
    got_all = ari.wait_for(
        lambda e: isinstance(e, ChannelDtmfReceived) and e.channel.id == call_id
        and e.digit == "0", 15)
    await ari.channels.send_dtmf(caller_id, digits, between=120, duration=100)
    await got_all
    await finished
    received = "".join(
        e.digit for e in rec.of(ChannelDtmfReceived, call_id)  # type: ignore[attr-defined]
    )
    assert received == digits
    assert rec.of(PlaybackStarted)

    gone = ari.wait_for(
        lambda e: isinstance(e, ChannelDestroyed) and e.channel.id == call_id, 10)
    await ari.channels.hangup(call_id)
    await gone
    assert rec.of(StasisEnd, call_id)


async def test_sip_caller_bridged_with_registered_agent_dtmf_4733_and_info(
    asterisk: AsteriskSandbox, ari: AriClient,
) -> None:
    rec = Recorder()
    ari.subscribe(rec)
    register = Sipp(asterisk, "agent_register.xml", 5071, 16000, {"USER": "1001"},
                    service="1001", auth=("1001", "pw1001"))
    await register.start()
    result = await register.wait()
    assert result.returncode == 0, result.output[-3000:]
    agent = Sipp(asterisk, "agent_uas.xml", 5071, 16000, {"USER": "1001", "ANSWER_MS": "300"},
                 service="1001")
    caller = Sipp(asterisk, "caller_dtmf.xml", 5072, 16100,
                  {"ANI": "13800138000", "WAIT_MS": "3000"})
    try:
        await agent.start()
        hotline_start = ari.wait_for(_is_start(["hotline"]), 15)
        await caller.start()
        start = await hotline_start
        assert isinstance(start, StasisStart)
        call_id = start.channel.id
        assert start.channel.caller.number == "13800138000"
        await ari.channels.answer(call_id)

        bridge = await ari.bridges.create(type="mixing,dtmf_events", bridge_id=new_id())
        agent_start = await ari.originate_and_wait(
            "PJSIP/1001", timeout=15, app_args=["agent"], caller_id="13800138000",
            formats=["ulaw"],
        )
        agent_id = agent_start.channel.id
        await ari.bridges.add_channel(bridge.id, [call_id, agent_id])

        five = ari.wait_for(
            lambda e: isinstance(e, ChannelDtmfReceived) and e.channel.id == call_id
            and e.digit == "5", 20)
        await five
        digits = [e.digit for e in rec.of(ChannelDtmfReceived, call_id)]  # type: ignore[attr-defined]
        assert digits == ["1", "5"], "1 came as RFC 4733, 5 as SIP INFO"

        await ari.channels.hangup(call_id)
        await ari.channels.hangup(agent_id)
        await ari.bridges.destroy(bridge.id)
        caller_result = await caller.wait()
        assert caller_result.returncode == 0, caller_result.output[-3000:]
        agent_result = await agent.wait()
        assert agent_result.returncode == 0, agent_result.output[-3000:]
    finally:
        await caller.stop()
        await agent.stop()


async def test_websocket_dropped_mid_call_reconnects_and_call_survives(
    asterisk: AsteriskSandbox,
) -> None:
    proxy = TcpProxy("127.0.0.1", asterisk.params.http_port)
    await proxy.start()
    rec = Recorder()
    try:
        async with AriClient(_config(asterisk, "acd-drop", proxy.port)) as ari:
            ari.subscribe(rec)
            await ari.wait_connected(10)
            # Straight into this app: the far half of the Local pair answers and waits.
            start = await ari.originate_and_wait(
                "Local/wait@loopback", timeout=10, app_args=["dropcall"], formats=["ulaw"],
            )
            call = start.channel
            connections_before = proxy.connections

            disconnected = ari.wait_for(lambda e: isinstance(e, Disconnected), 10)
            reconnected = ari.wait_for(lambda e: isinstance(e, Connected), 20)
            assert proxy.cut() >= 1
            await disconnected
            await reconnected
            assert proxy.connections > connections_before

            # The call is still up, still ours, and still answers to commands.
            channels = {c.id for c in await ari.channels.list()}
            assert call.id in channels
            finished = ari.wait_for(
                lambda e: isinstance(e, PlaybackFinished) and e.playback.target_uri
                == f"channel:{call.id}", 15)
            await ari.channels.play(call.id, ["sound:beep"], playback_id=new_id())
            await finished
            gone = ari.wait_for(
                lambda e: isinstance(e, StasisEnd) and e.channel.id == call.id, 10)
            await ari.channels.hangup(call.id)
            await gone
    finally:
        await proxy.close()
    kinds = [type(e).__name__ for e in rec.events]
    assert kinds.index("Disconnected") < len(kinds) - 1 - kinds[::-1].index("Connected")
