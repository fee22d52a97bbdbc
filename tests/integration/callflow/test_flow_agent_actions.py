"""What agents do during a call, over real SIP: hold, blind and attended transfers; and
a controller that loses its ARI connection mid-call."""

from __future__ import annotations

import asyncio

import pytest

from acd.calls import CallState
from acd.hotline_control import HotlineControl
from acd.reattach import REATTACHED
from acd.sandbox.asterisk import AsteriskSandbox
from agents.states import AgentState
from tests.integration.callflow.harness import Hotline, finished, running_hotline
from tests.sipp import Sipp
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.asterisk


async def _connected_call(h: Hotline, ani: str, talk_ms: int, agent: str = "1001",
                          agent_scenario: str = "agent_uas.xml", **phone: object) -> str:
    await h.agent_phone(agent, agent_scenario, **phone)  # type: ignore[arg-type]
    await h.caller("1", ani=ani, wait_ms=800, talk_ms=talk_ms)
    call_id = await h.call_started(ani)
    await h.wait_event("talk_started", 15, call_id=call_id)
    return call_id


async def test_hold_and_unhold_from_the_api(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        control = HotlineControl(h.flow, h.sink)
        call_id = await _connected_call(h, "13911110011", talk_ms=9000)
        await control.hold(call_id)
        await asyncio.sleep(0.6)
        await control.unhold(call_id)
        await control.hold(call_id)
        await asyncio.sleep(0.3)
        await control.unhold(call_id)
        await h.wait_event("call_ended", 20, call_id=call_id)
        assert h.trail(call_id) == [
            "call_started", "queue_entered", "ring_started", "ring_ended", "queue_exited",
            "talk_started", "hold_started", "hold_ended", "hold_started", "hold_ended",
            "talk_ended", "wrap_up_started", "call_ended",
        ]
        holds = h.events("hold_started", "hold_ended")
        assert {e.agent_id for e in holds} == {"1001"}
        assert holds[1].ts - holds[0].ts >= 0.5


async def test_hold_and_unhold_from_the_softphone(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        call_id = await _connected_call(h, "13911110012", talk_ms=9000,
                                        agent_scenario="agent_hold.xml")
        await h.wait_event("hold_ended", 20, call_id=call_id)
        await h.wait_event("call_ended", 20, call_id=call_id)
        kinds = h.trail(call_id)
        assert kinds.index("talk_started") < kinds.index("hold_started") \
            < kinds.index("hold_ended") < kinds.index("talk_ended")
        for phone in h.phones:
            await finished(phone)


async def test_blind_transfer_to_another_queue_answered_there(
    asterisk: AsteriskSandbox,
) -> None:
    async with running_hotline(asterisk, login=("1001", "1003")) as h:
        control = HotlineControl(h.flow, h.sink)
        await h.agent_phone("1003", "agent_uas.xml", answer_ms=200)
        call_id = await _connected_call(h, "13911110013", talk_ms=9000)
        await control.transfer(call_id, "blind", "queue", "billing")
        await h.wait_event("talk_started", 15, call_id=call_id, agent_id="1003")
        await h.wait_event("call_ended", 20, call_id=call_id)
        transfer = h.events("transfer")[0]
        assert (transfer.agent_id, transfer.data["mode"], transfer.data["target_kind"],
                transfer.data["target"]) == ("1001", "blind", "queue", "billing")
        assert [(e.queue, e.data["outcome"]) for e in h.events("queue_exited")] == [
            ("support", "answered"), ("billing", "answered")]
        assert [e.agent_id for e in h.events("talk_started")] == ["1001", "1003"]
        assert [e.agent_id for e in h.events("talk_ended")] == ["1001", "1003"]
        assert h.trail(call_id)[-3:] == ["talk_ended", "wrap_up_started", "call_ended"]
        for phone in h.phones:
            await finished(phone)


@pytest.mark.parametrize("outcome", ["complete", "cancel"])
async def test_attended_transfer_to_an_agent(asterisk: AsteriskSandbox, outcome: str) -> None:
    async with running_hotline(asterisk, login=("1001", "1002")) as h:
        control = HotlineControl(h.flow, h.sink)
        call_id = await _connected_call(h, "13911110014", talk_ms=10000)
        await h.agent_phone("1002", "agent_uas.xml", answer_ms=200)
        await control.transfer(call_id, "attended", "agent", "1002")
        await h.wait_for(lambda: h.flow.calls[call_id].consult_bridge is not None, 15,
                         "the consultation to be bridged")
        if outcome == "complete":
            await control.complete_transfer(call_id)
        else:
            await control.cancel_transfer(call_id)
        await h.wait_event("call_ended", 25, call_id=call_id)
        talkers = [e.agent_id for e in h.events("talk_started")]
        transfers = h.events("transfer")
        if outcome == "complete":
            assert talkers == ["1001", "1002"]
            assert [(t.agent_id, t.data["mode"], t.data["target"]) for t in transfers] == [
                ("1001", "attended", "1002")]
            assert [e.agent_id for e in h.events("talk_ended")] == ["1001", "1002"]
        else:
            assert talkers == ["1001"]
            assert transfers == []
            assert [e.agent_id for e in h.events("talk_ended")] == ["1001"]
        kinds = h.trail(call_id)
        assert kinds[:6] == ["call_started", "queue_entered", "ring_started", "ring_ended",
                             "queue_exited", "talk_started"]
        assert kinds.count("queue_entered") == 1, "a consultation is no queue visit"


async def test_ari_connection_dropped_mid_call_calls_survive_and_resync(
    asterisk: AsteriskSandbox,
) -> None:
    proxy = TcpProxy("127.0.0.1", asterisk.params.http_port)
    await proxy.start()
    try:
        async with running_hotline(asterisk, login=("1001", "1002"), ari_port=proxy.port) as h:
            survivor = await _connected_call(h, "13911110015", talk_ms=8000)
            await h.agent_phone("1002", "agent_uas.xml", answer_ms=200)
            await h.caller("1", ani="13911110016", wait_ms=800, talk_ms=2500)
            vanished = await h.call_started("13911110016")
            await h.wait_event("talk_started", 15, call_id=vanished)
            # The connection drops and stays down while the second caller hangs up.
            proxy.refusing = True
            proxy.cut()
            await asyncio.sleep(3.0)
            proxy.refusing = False
            await h.wait_for(lambda: h.ari.connected, 15, "the ARI connection to come back")
            await h.wait_event("call_ended", 15, call_id=vanished)
            assert survivor in h.flow.calls, "the first call is still up"
            await h.wait_event("call_ended", 20, call_id=survivor)
            assert h.trail(survivor)[-3:] == ["talk_ended", "wrap_up_started", "call_ended"]
            assert h.events("call_ended")[0].call_id == vanished
            lost = h.trail(vanished)
            assert lost.index("talk_ended") < lost.index("call_ended")
            closed = next(e for e in h.events("call_ended") if e.call_id == vanished)
            assert closed.data["hangup_by"] == "system", "nobody saw who hung up"
            assert closed.data["outcome"] == "lost_while_disconnected"
    finally:
        await proxy.close()


async def test_restarted_controller_reattaches_to_a_live_call(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",), keep_phones=True) as first:
        call_id = await _connected_call(first, "13911110017", talk_ms=7000)
        phones = list(first.phones)
    # The first controller is gone; Asterisk keeps the call and its tags.
    async with running_hotline(asterisk) as second:
        second.phones.extend(phones)
        await second.wait_for(lambda: call_id in second.flow.calls, 10, "the call re-attached")
        call = second.flow.calls[call_id]
        assert (call.state, call.agent_id) == (CallState.CONNECTED, "1001")
        assert second.flow.agents["1001"].pause_reason == REATTACHED, "no second offer"
        await second.wait_event("call_ended", 20, call_id=call_id)
        assert second.trail(call_id) == ["talk_ended", "call_ended"]
        assert second.events("call_ended")[0].data["hangup_by"] == "caller"
        await second.wait_for(
            lambda: second.flow.agents["1001"].state is AgentState.AVAILABLE, 5,
            "the agent to be free again")
        for phone in phones:
            await finished(phone)


async def test_restarted_controller_logs_the_agents_in_again(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001", "1002", "1003"),
                               leave_agents=True) as first:
        first.flow.desk.pause("1002", "lunch")
        first.flow.desk.logout("1003")
    async with running_hotline(asterisk, restore_agents=True) as second:
        assert await second.ari.asterisk.get_global_var("ACD_AGENT_1002") == "paused:lunch"
        await second.wait_for(lambda: second.flow.agents["1002"].logged_in, 10,
                              "the agents restored")
        states = {a: (rt.state.value, rt.pause_reason) for a, rt in second.flow.agents.items()}
        assert states == {"1001": ("available", None), "1002": ("paused", "lunch"),
                          "1003": ("logged_out", None), "1004": ("logged_out", None)}
        call_id = await _connected_call(second, "13911110029", talk_ms=1500)
        assert second.events("talk_started")[0].agent_id == "1001"
        await second.wait_event("call_ended", 15, call_id=call_id)
        for phone in second.phones:
            await finished(phone)
    async with running_hotline(asterisk, restore_agents=True) as third:
        await asyncio.sleep(1.0)
        assert not any(rt.logged_in for rt in third.flow.agents.values()), \
            "a controller stopped without leave_agents forgets them"


@pytest.mark.parametrize(("target", "kind", "taker", "ani"), [
    ("billing", "queue", "1003", "13911110018"),
    ("1002", "agent", "1002", "13911110031"),
])
async def test_blind_transfer_by_sip_refer_from_the_softphone(
        asterisk: AsteriskSandbox, target: str, kind: str, taker: str, ani: str) -> None:
    async with running_hotline(asterisk, login=("1001", taker)) as h:
        await h.agent_phone(taker, "agent_uas.xml", answer_ms=200)
        call_id = await _connected_call(h, ani, talk_ms=9000, agent_scenario="agent_refer.xml",
                                        TARGET=target, TALK_MS="1500")
        await h.wait_event("talk_started", 15, call_id=call_id, agent_id=taker)
        await h.wait_event("call_ended", 20, call_id=call_id)
        transfer = h.events("transfer")[0]
        assert (transfer.agent_id, transfer.data["mode"], transfer.data["target_kind"],
                transfer.data["target"]) == ("1001", "blind", kind, target)
        assert [e.agent_id for e in h.events("talk_started")] == ["1001", taker]
        assert [e.agent_id for e in h.events("ring_started")] == ["1001", taker], \
            "after the transfer only the agent (or queue) named is offered the call"
        for phone in h.phones:
            await finished(phone)


async def test_blind_transfer_by_sip_refer_to_an_external_number(
        asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        # The far end behind the callers' trunk (127.0.0.1:5099) answers and stays on.
        far = Sipp(asterisk, "agent_uas.xml", 5099, 17099,
                   {"USER": "pstn", "ANSWER_MS": "300", "HOLD_MS": "1000"}, service="pstn")
        await far.start()
        h.phones.append(far)
        call_id = await _connected_call(h, "13911110032", talk_ms=8000,
                                        agent_scenario="agent_refer.xml",
                                        TARGET="95519", TALK_MS="1500")
        await h.wait_event("call_ended", 20, call_id=call_id)
        transfer = h.events("transfer")[0]
        assert (transfer.agent_id, transfer.data["mode"], transfer.data["target_kind"],
                transfer.data["target"]) == ("1001", "blind", "external", "95519")
        assert h.events("call_ended")[0].data["hangup_by"] == "caller"
        assert [e.agent_id for e in h.events("talk_started")] == ["1001"]
        for phone in h.phones:
            await finished(phone)


@pytest.mark.parametrize(("code", "logged_in"), [("*111111", True), ("*119999", False)])
async def test_feature_code_login_from_the_softphone(
    asterisk: AsteriskSandbox, code: str, logged_in: bool,
) -> None:
    async with running_hotline(asterisk) as h:
        port = 5330
        phone = Sipp(asterisk, "agent_dial.xml", port, 17000 + port, {"USER": "1001"},
                     service=code, auth=("1001", "pw1001"))
        await phone.start()
        h.phones.append(phone)
        await finished(phone)
        states = [(e.data["from"], e.data["to"]) for e in h.events("agent_state")
                  if e.agent_id == "1001"]
        assert states[:1] == ([("logged_out", "available")] if logged_in else [])
        assert h.flow.agents["1001"].logged_in is logged_in
        if logged_in:
            # The feature-code call itself kept the phone busy for a moment.
            await h.wait_for(lambda: h.flow.agents["1001"].state is AgentState.AVAILABLE, 5,
                             "the agent to be available once the phone is free")
