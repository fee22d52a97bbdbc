"""Real SIP calls through the hotline: sipp callers choose from the menu, sipp agents on
PJSIP endpoints ring, answer or not. Each test asserts the call's exact event trail."""

from __future__ import annotations

import pytest

from acd.sandbox.asterisk import AsteriskSandbox
from tests.integration.callflow.harness import finished, running_hotline

pytestmark = pytest.mark.asterisk


async def test_menu_queue_rona_second_agent_answers_caller_hangs_up_wrap_up(
    asterisk: AsteriskSandbox,
) -> None:
    async with running_hotline(asterisk, login=("1001", "1002")) as h:
        one = await h.agent_phone("1001", "agent_noanswer.xml")
        two = await h.agent_phone("1002", "agent_uas.xml", answer_ms=300)
        caller = await h.caller("1", ani="13911110001", wait_ms=1200, talk_ms=8000)
        call_id = await h.call_started("13911110001")
        await finished(caller)
        await h.wait_event("wrap_up_ended", 15, call_id=call_id, agent_id="1002")
        await finished(one)
        await finished(two)

        assert h.trail(call_id) == [
            "call_started",
            "queue_entered",
            "ring_started", "ring_ended",      # 1001 rings out (no answer)
            "ring_started", "ring_ended",      # 1002 answers
            "queue_exited",
            "talk_started",
            "talk_ended",
            "wrap_up_started",                 # the agent's wrap-up starts as the call ends
            "call_ended",
            "wrap_up_ended",
        ]
        rings = h.events("ring_started", "ring_ended")
        assert [(e.kind, e.agent_id, e.data.get("result")) for e in rings] == [
            ("ring_started", "1001", None), ("ring_ended", "1001", "no_answer"),
            ("ring_started", "1002", None), ("ring_ended", "1002", "answered"),
        ]
        assert h.events("queue_entered")[0].queue == "support"
        assert h.events("queue_exited")[0].data["outcome"] == "answered"
        ended = h.events("call_ended")[0]
        assert ended.data["hangup_by"] == "caller"
        keys = [e.data.get("key") for e in h.events("ivr_step") if e.data.get("key")]
        assert keys == ["1"]
        states = [(e.data["from"], e.data["to"]) for e in h.events("agent_state")
                  if e.agent_id == "1002"]
        assert states == [
            ("logged_out", "available"), ("available", "reserved"), ("reserved", "ringing"),
            ("ringing", "on_call"), ("on_call", "wrap_up"), ("wrap_up", "available"),
        ]
