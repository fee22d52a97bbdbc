"""Queueing over real SIP: priority order, abandons, invalid keys, a failed lookup."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
from aiohttp import web

from acd.hotline_control import HotlineControl
from acd.sandbox.asterisk import AsteriskSandbox
from tests.integration.callflow.harness import finished, running_hotline
from tests.sipp import Sipp

pytestmark = pytest.mark.asterisk


async def test_vip_caller_overtakes_normal_callers(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        h.flow.desk.pause("1001", "break")
        normal = await h.caller("1", ani="13911110002", wait_ms=800, talk_ms=20000)
        normal_id = await h.call_started("13911110002")
        await h.wait_event("queue_entered", 15, call_id=normal_id)
        vip = await h.caller("1", ani="13800000001", wait_ms=800, talk_ms=4000)
        vip_id = await h.call_started("13800000001")
        await h.wait_event("queue_entered", 15, call_id=vip_id)
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=200)
        h.flow.desk.ready("1001")
        await finished(vip)
        rings = [e.call_id for e in h.events("ring_started")]
        assert rings[0] == vip_id, "the VIP waited less but is served first"
        assert [e.data["call_class"] for e in h.events("call_class")
                if e.call_id == vip_id] == ["vip"]
        assert h.events("queue_entered")[1].data["priority"] == "vip"
        await normal.stop()


async def test_abandon_while_queued(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        h.flow.desk.pause("1001", "break")
        caller = await h.caller("1", ani="13911110003", wait_ms=800, talk_ms=2500)
        call_id = await h.call_started("13911110003")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        assert h.trail(call_id) == ["call_started", "queue_entered", "queue_exited",
                                    "call_ended"]
        assert h.events("queue_exited")[0].data["outcome"] == "abandoned"
        assert h.events("call_ended")[0].data["hangup_by"] == "caller"


async def test_abandon_while_an_agent_is_ringing(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        phone = await h.agent_phone("1001", "agent_noanswer.xml")
        caller = await h.caller("1", ani="13911110004", wait_ms=800, talk_ms=1000)
        call_id = await h.call_started("13911110004")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        await finished(phone)
        assert h.trail(call_id) == ["call_started", "queue_entered", "ring_started",
                                    "ring_ended", "queue_exited", "call_ended"]
        assert h.events("ring_ended")[0].data["result"] == "caller_gone"
        assert h.events("queue_exited")[0].data["outcome"] == "abandoned"


@pytest.mark.parametrize(("code", "reason", "result", "ani"), [
    ("486", "Busy Here", "busy", "13911110033"),
    ("603", "Decline", "rejected", "13911110034"),
])
async def test_an_agent_who_refuses_gets_a_back_off_not_a_pause(
        asterisk: AsteriskSandbox, code: str, reason: str, result: str, ani: str) -> None:
    async with running_hotline(asterisk, login=("1001", "1002")) as h:
        await h.agent_phone("1001", "agent_reject.xml", answer_ms=300, CODE=code,
                            REASON=reason)
        await h.agent_phone("1002", "agent_uas.xml", answer_ms=200)
        caller = await h.caller("1", ani=ani, wait_ms=800, talk_ms=4000)
        call_id = await h.call_started(ani)
        await h.wait_event("talk_started", 15, call_id=call_id, agent_id="1002")
        await finished(caller)
        rings = [(e.agent_id, e.data.get("result")) for e in h.events("ring_ended")
                 if e.call_id == call_id]
        assert rings == [("1001", result), ("1002", "answered")]
        moves = [(e.data["from"], e.data["to"], e.data.get("reason"))
                 for e in h.events("agent_state") if e.agent_id == "1001"]
        assert all(to != "paused" for _, to, _ in moves), moves
        assert any(r and r.endswith(result) for _, _, r in moves), moves
        for phone in h.phones:
            await finished(phone)


async def test_invalid_keys_three_times_lead_to_the_fallback(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=200)
        # Each wrong key is followed by the invalid-input prompt and the menu again; the
        # first goes as RFC 4733, the others as SIP INFO (see tests/sipp.py).
        caller = await h.caller("9*0", ani="13911110005", wait_ms=800, talk_ms=6000,
                                key_gap_ms=2500)
        call_id = await h.call_started("13911110005")
        await finished(caller)
        steps = [(e.data["node"], e.data["step"], e.data.get("key"))
                 for e in h.events("ivr_step") if e.call_id == call_id]
        assert [s for s in steps if s[1] in ("invalid", "fallback")] == [
            ("menu", "invalid", "9"), ("menu", "invalid", "*"), ("menu", "invalid", "0"),
            ("menu", "fallback", None),
        ]
        assert h.events("queue_entered")[0].queue == "support"
        assert h.events("ring_started")[0].agent_id == "1001"


async def test_lookup_service_down_gives_the_spoken_fallback(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk) as h:
        caller = await h.caller("3", ani="13911110006", wait_ms=800, talk_ms=20000,
                                scenario="caller_wait_bye.xml")
        call_id = await h.call_started("13911110006")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        steps = h.ivr_steps(call_id)
        assert ("balance", "lookup_failed") in steps
        assert steps.index(("balance", "lookup_failed")) < steps.index(("lookup_down", "entered"))
        assert ("bye", "entered") in steps
        assert h.trail(call_id) == ["call_started", "ivr_finished", "call_ended"]
        assert h.events("call_ended")[0].data["hangup_by"] == "system"
        assert not h.events("queue_entered")


async def test_callback_requested_then_delivered(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        h.flow.desk.pause("1001", "break")
        caller = await h.caller("4", ani="13911110020", wait_ms=800, talk_ms=15000,
                                scenario="caller_wait_bye.xml")
        original = await h.call_started("13911110020")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=original)
        # The caller's phone, reached back through the callers' trunk (127.0.0.1:5099).
        callee = Sipp(asterisk, "callee_uas.xml", 5099, 17099,
                      {"ANSWER_MS": "300", "TALK_MS": "2500"}, service="callee")
        await callee.start()
        h.phones.append(callee)
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=200)
        h.flow.desk.ready("1001")
        delivered = await h.wait_event("callback_delivered", 20)
        assert delivered.data["original_call_id"] == original
        callback = delivered.call_id
        assert callback is not None and callback != original
        await finished(callee)
        await h.wait_event("call_ended", 15, call_id=callback)
        assert h.trail(original) == ["call_started", "queue_entered", "queue_exited",
                                     "callback_requested", "call_ended"]
        assert h.events("queue_exited")[0].data["outcome"] == "callback_requested"
        assert h.trail(callback) == ["call_started", "ring_started", "ring_ended",
                                     "callback_delivered", "talk_started", "talk_ended",
                                     "wrap_up_started", "call_ended"]
        talk = h.events("talk_started")[0]
        assert (talk.call_id, talk.agent_id) == (callback, "1001")


async def test_waiting_caller_presses_star_for_a_callback(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        h.flow.desk.pause("1001", "break")
        caller = await h.caller("1*", ani="13911110021", wait_ms=800, talk_ms=15000,
                                scenario="caller_wait_bye.xml", key_gap_ms=1500)
        call_id = await h.call_started("13911110021")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        assert h.trail(call_id) == ["call_started", "queue_entered", "queue_exited",
                                    "callback_requested", "call_ended"]
        assert h.events("queue_exited")[0].data["outcome"] == "callback_requested"
        assert h.flow.callbacks.waiting(call_id), "the caller keeps their place"


async def test_waiting_caller_presses_hash_to_leave_a_message(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        h.flow.desk.pause("1001", "break")
        caller = await h.caller("1#", ani="13911110022", wait_ms=800, talk_ms=3000,
                                key_gap_ms=1500)
        call_id = await h.call_started("13911110022")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        assert h.trail(call_id) == ["call_started", "queue_entered", "queue_exited",
                                    "call_ended"]
        assert h.events("queue_exited")[0].data["outcome"] == "exit_key"
        # sipp sends no audio, so the message is an empty WAV: the file proves the recording.
        message = asterisk.host_path(f"/var/spool/asterisk/recording/vm-support-{call_id}.wav")
        assert message.exists()


async def test_survey_after_the_agent_hangs_up(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        await h.agent_phone("1001", "callee_uas.xml", answer_ms=200, TALK_MS="2000")
        caller = await h.caller("54", ani="13911110023", wait_ms=800, talk_ms=15000,
                                scenario="caller_wait_bye.xml", key_gap_ms=4500)
        call_id = await h.call_started("13911110023")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        # (the agent's 2 s wrap-up may end before or after the caller answers)
        assert h.trail(call_id, skip=("ivr_step", "wrap_up_ended")) == [
            "call_started", "queue_entered", "ring_started", "ring_ended", "queue_exited",
            "talk_started", "talk_ended", "wrap_up_started", "survey_offered", "survey_answer",
            "call_ended"]
        assert h.events("survey_answer")[0].data["score"] == 4
        assert h.events("call_ended")[0].data["hangup_by"] == "agent"


async def test_agent_busy_on_a_private_call_gets_no_offer(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=200)
        # A call to the agent's phone that the hotline did not place.
        private = await h.ari.channels.originate("PJSIP/1001", extension="wait",
                                                 context="loopback", timeout=15)
        await h.wait_event("agent_state", 10, agent_id="1001", to="paused", reason="device_busy")
        assert h.flow.core.agent("1001").state.value == "paused"
        await h.ari.channels.hangup(private.id)
        await h.wait_event("agent_state", 10, agent_id="1001", **{"from": "paused"})
        assert h.flow.core.agent("1001").state.value == "available"


async def test_lookup_answer_is_spoken(asterisk: AsteriskSandbox) -> None:
    asked: list[str] = []

    async def balance(request: web.Request) -> web.Response:
        asked.append(request.query_string)
        return web.json_response({"balance": "42"})

    app = web.Application()
    app.router.add_get("/balance", balance)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 8097).start()
    try:
        async with running_hotline(asterisk) as h:
            caller = await h.caller("6", ani="13911110024", wait_ms=800, talk_ms=20000,
                                    scenario="caller_wait_bye.xml")
            call_id = await h.call_started("13911110024")
            await finished(caller)
            await h.wait_event("call_ended", 10, call_id=call_id)
            steps = h.ivr_steps(call_id)
            assert ("balance_ok", "lookup_ok") in steps
            assert steps.index(("balance_ok", "lookup_ok")) < steps.index(("bye", "entered"))
            assert ("lookup_down", "entered") not in steps
            assert len(asked) == 1 and "13911110024" in asked[0]
    finally:
        await runner.cleanup()


async def test_max_wait_overflows_to_another_queue(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk, login=("1001",)) as h:
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=200)
        caller = await h.caller("7", ani="13911110025", wait_ms=800, talk_ms=9000)
        call_id = await h.call_started("13911110025")
        await h.wait_event("talk_started", 15, call_id=call_id)
        await finished(caller)
        visits = [(e.kind, e.queue, e.data.get("outcome")) for e in h.events()
                  if e.kind in ("queue_entered", "queue_exited") and e.call_id == call_id]
        assert visits == [("queue_entered", "short", None), ("queue_exited", "short", "overflow"),
                          ("queue_entered", "support", None),
                          ("queue_exited", "support", "answered")]
        entered, left = (e.ts for e in h.events("queue_entered", "queue_exited")[:2])
        assert 3.0 <= left - entered < 4.5, "overflow after the 3 s max wait"


async def test_ring_timeout_passes_while_the_originate_is_slow(
        asterisk: AsteriskSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow ARI request holds up neither the core's timers nor the next offer, and
    the late leg of the cancelled offer is hung up instead of being left ringing."""
    async with running_hotline(asterisk, login=("1001", "1002")) as h:
        await h.agent_phone("1001", "agent_noanswer.xml")
        await h.agent_phone("1002", "agent_uas.xml", answer_ms=200)
        channels = h.flow.ari.channels
        originate = channels.originate
        slowed: list[str] = []

        async def slow_first_offer(endpoint: str, **kw: Any) -> Any:
            if kw.get("app_args", [""])[0] == "agent" and not slowed:
                slowed.append(kw["channel_id"])
                await asyncio.sleep(6.5)  # well past the support queue's 3 s ring timeout
            return await originate(endpoint, **kw)

        monkeypatch.setattr(channels, "originate", slow_first_offer)
        caller = await h.caller("1", ani="13911110028", wait_ms=800, talk_ms=9000)
        call_id = await h.call_started("13911110028")
        talk = await h.wait_event("talk_started", 15, call_id=call_id)
        rings = [(e.kind, e.agent_id, e.data.get("result"))
                 for e in h.events("ring_started", "ring_ended") if e.call_id == call_id]
        assert rings == [("ring_started", "1001", None), ("ring_ended", "1001", "no_answer"),
                         ("ring_started", "1002", None), ("ring_ended", "1002", "answered")]
        first_ring = h.events("ring_started")[0].ts
        assert talk.ts - first_ring < 5.5, "the second offer did not wait for the first"
        await asyncio.sleep(7.5 - (time.time() - first_ring))
        live = {c.id for c in await h.ari.channels.list()}
        assert slowed and slowed[0] not in live, "the cancelled offer's leg was hung up"
        assert h.flow.core.agent("1002").state.value == "on_call"
        await finished(caller)


async def test_position_is_announced_every_few_seconds(
        asterisk: AsteriskSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `announced` queue (where the test config's `route` node sends this caller)
    says the caller's position every 2 s and, as configured, not the estimated wait;
    music on hold resumes after each announcement."""
    async with running_hotline(asterisk) as h:
        channels = h.flow.ari.channels
        play, moh = channels.play, channels.start_moh
        heard: list[tuple[float, str, list[str]]] = []

        async def recording_play(channel_id: str, media: Any, **kw: Any) -> Any:
            heard.append((time.time(), channel_id, [media] if isinstance(media, str) else media))
            return await play(channel_id, media, **kw)

        async def recording_moh(channel_id: str, **kw: Any) -> Any:
            heard.append((time.time(), channel_id, ["moh"]))
            return await moh(channel_id, **kw)

        monkeypatch.setattr(channels, "play", recording_play)
        monkeypatch.setattr(channels, "start_moh", recording_moh)
        caller = await h.caller("9", ani="13911110030", wait_ms=800, talk_ms=9000)
        call_id = await h.call_started("13911110030")
        entered = await h.wait_event("queue_entered", 15, call_id=call_id)
        await finished(caller)
        channel = h.flow.calls[call_id].channel_id if call_id in h.flow.calls else None
        waiting = [(t, m) for t, c, m in heard if t >= entered.ts
                   and (channel is None or c == channel)]
        announcements = [(t, m) for t, m in waiting if "sound:queue-thereare" in m]
        assert len(announcements) >= 2, waiting
        for _, media in announcements:
            assert media == ["sound:queue-thereare", "number:1", "sound:queue-callswaiting"]
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(announcements)]
        assert all(1.5 <= g <= 3.5 for g in gaps), gaps
        first = announcements[0][0]
        assert any(m == ["moh"] and t > first for t, m in waiting), "music resumes"


async def test_max_wait_turns_the_caller_into_a_callback(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk) as h:
        caller = await h.caller("8", ani="13911110026", wait_ms=800, talk_ms=15000,
                                scenario="caller_wait_bye.xml")
        call_id = await h.call_started("13911110026")
        await finished(caller)
        await h.wait_event("call_ended", 10, call_id=call_id)
        assert h.trail(call_id) == ["call_started", "queue_entered", "queue_exited",
                                    "callback_requested", "call_ended"]
        exited = h.events("queue_exited")[0]
        assert (exited.queue, exited.data["outcome"]) == ("short_callback", "callback_requested")
        assert h.flow.callbacks.waiting(call_id), "the callback keeps a place in the queue"
        assert h.flow.core.waiting("short_callback") == [call_id]


async def test_outage_notices_set_by_a_supervisor_are_played(asterisk: AsteriskSandbox) -> None:
    async with running_hotline(asterisk) as h:
        h.flow.notices.mirror_root = asterisk.rootfs
        control = HotlineControl(h.flow, h.sink)
        await control.set_notices(["Planned outage in Pudong today from nine to noon.",
                                   "sound:vm-sorry"])
        assert control.snapshot().notices[1] == "sound:vm-sorry"
        spoken = h.flow.notices.media[0]
        assert spoken.startswith("sound:/")
        assert asterisk.host_path(spoken.removeprefix("sound:") + ".wav").exists()
        caller = await h.caller("3", ani="13911110027", wait_ms=9000, talk_ms=20000,
                                scenario="caller_wait_bye.xml")
        call_id = await h.call_started("13911110027")
        await finished(caller)
        steps = h.ivr_steps(call_id)
        assert steps.index(("news", "notices")) < steps.index(("menu", "entered"))
        assert len(h.flow.notices.media) == 2
