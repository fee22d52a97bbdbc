"""Transfers of a connected call: blind (to a queue, an agent or a number) and attended
(consult an agent or a number while the caller hears music, then complete or cancel).

Every transfer is recorded with who made it, when, and to where. The agent who hands the
call on goes to wrap-up; the call's talk segment with that agent ends there.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import TYPE_CHECKING

from acd.ari import AriNotFound
from acd.calls import Call, CallState, Leg
from acd.control import TransferTargetKind
from queues import events as qe

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["Transfers"]

log = logging.getLogger(__name__)



class Transfers:
    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow

    async def _release_agent(self, call: Call) -> str | None:
        """End the current agent's part: talk (and hold) segments, core wrap-up, leg."""
        f = self.flow
        agent_id = call.agent_id
        if agent_id is None:
            return None
        if call.state is CallState.HELD:
            f.record("hold_ended", call_id=call.call_id, agent_id=agent_id)
        f.record("talk_ended", call_id=call.call_id, agent_id=agent_id)
        f.apply_event(qe.CallEnded(call.core_id))
        await f.stop_recording(call)
        leg_id = next((lid for lid, leg in call.legs.items() if leg.agent_id == agent_id), None)
        if leg_id is not None:
            f.forget_leg(call, leg_id)
            with contextlib.suppress(AriNotFound):
                await f.ari.channels.hangup(leg_id)
        call.agent_id = None
        return agent_id

    async def blind(self, call: Call, kind: TransferTargetKind, target: str) -> None:
        f = self.flow
        by = call.agent_id
        if by is None:
            return
        f.record("transfer", call_id=call.call_id, agent_id=by, queue=call.queue,
                 mode="blind", target_kind=kind, target=target)
        call.move(CallState.TRANSFERRING, f.clock(), f"blind to {kind} {target}")
        await self._release_agent(call)
        if kind == "external":
            await self._external(call, target)
            return
        queue = target if kind == "queue" else (call.queue or f.config.queues[0].name)
        call.core_id = call.call_id
        await f.enter_queue(call, queue, call.caller_class, {},
                            preferred=target if kind == "agent" else None)

    async def to_number(self, call: Call, number: str) -> None:
        """The IVR sends the caller on to an external number (no agent involved)."""
        f = self.flow
        call.move(CallState.TRANSFERRING, f.clock(), f"to {number}")
        if call.bridge_id is None:
            bridge = await f.ari.bridges.create(type="mixing,dtmf_events",
                                                bridge_id=f"call-{call.call_id}")
            call.bridge_id = bridge.id
            await f.ari.bridges.add_channel(bridge.id, call.channel_id)
        await self._external(call, number)

    async def _external(self, call: Call, number: str) -> None:
        f = self.flow
        leg_id = f"ext-{uuid.uuid4().hex[:12]}"
        leg = Leg(leg_id, f"external:{number}", answered=False)
        f.track_leg(call, leg)
        await f.ari.channels.originate(
            f"PJSIP/{number}@callers", channel_id=leg_id, app=f.app,
            app_args=["external", call.call_id], caller_id=call.ani,
            variables={"ACD_CALL_ID": call.call_id, "ACD_ROLE": "external"},
        )

    async def external_answered(self, call: Call, leg_id: str) -> None:
        f = self.flow
        leg = call.legs.get(leg_id)
        if leg is None:
            return
        leg.answered = True
        if call.consult is not None and call.consult.channel_id == leg_id:
            await self._bridge_consult(call)
            return
        assert call.bridge_id is not None
        await f.ari.bridges.add_channel(call.bridge_id, leg_id)
        await f.moh(call, False)
        call.move(CallState.CONNECTED, f.clock(), "external answered")

    # -- attended ------------------------------------------------------------------------

    async def consult(self, call: Call, kind: TransferTargetKind, target: str) -> None:
        f = self.flow
        if call.agent_id is None or call.bridge_id is None:
            return
        if call.state is CallState.CONNECTED:
            await f.set_hold(call, True)
        call.move(CallState.TRANSFERRING, f.clock(), f"consult {kind} {target}")
        agent_leg = next(lid for lid, leg in call.legs.items() if leg.agent_id == call.agent_id)
        with contextlib.suppress(AriNotFound):
            await f.ari.bridges.remove_channel(call.bridge_id, agent_leg)
        call.consult_kind = kind
        call.consult_target = target
        if kind == "external":
            leg_id = f"ext-{uuid.uuid4().hex[:12]}"
            call.consult = Leg(leg_id, f"external:{target}")
            f.track_leg(call, call.consult)
            await f.ari.channels.originate(
                f"PJSIP/{target}@callers", channel_id=leg_id, app=f.app,
                app_args=["external", call.call_id], caller_id=call.ani,
            )
        else:
            consult_id = f"{call.call_id}~{uuid.uuid4().hex[:6]}"
            call.consult_core_id = consult_id
            f.consults[consult_id] = call.call_id
            f.apply_event(qe.CallArrived(consult_id, call.queue or f.config.queues[0].name,
                                         f.config.priorities[0], preferred_agent=target,
                                         ani=call.ani))

    async def consult_connected(self, call: Call, leg_id: str, agent_id: str) -> None:
        leg = call.legs.get(leg_id)
        if leg is None:
            return
        call.consult = leg
        await self._bridge_consult(call)

    async def _bridge_consult(self, call: Call) -> None:
        f = self.flow
        assert call.consult is not None
        agent_leg = next(lid for lid, leg in call.legs.items() if leg.agent_id == call.agent_id)
        bridge = await f.ari.bridges.create(type="mixing,dtmf_events",
                                            bridge_id=f"consult-{uuid.uuid4().hex[:12]}")
        call.consult_bridge = bridge.id
        await f.ari.bridges.add_channel(bridge.id, [agent_leg, call.consult.channel_id])

    async def complete(self, call: Call) -> None:
        f = self.flow
        consult = call.consult
        by = call.agent_id
        if consult is None or by is None or call.bridge_id is None:
            return
        kind = call.consult_kind or "agent"
        target = call.consult_target or consult.agent_id
        f.record("transfer", call_id=call.call_id, agent_id=by, queue=call.queue,
                 mode="attended", target_kind=kind, target=target)
        await self._release_agent(call)
        await self._drop_consult_bridge(call)
        await f.ari.bridges.add_channel(call.bridge_id, consult.channel_id)
        await f.moh(call, False)
        call.consult = None
        call.move(CallState.CONNECTED, f.clock(), f"attended transfer to {target}")
        if kind == "agent":
            call.agent_id = consult.agent_id
            if call.consult_core_id is not None:
                call.core_id = call.consult_core_id
            await f.begin_talk(call, consult.agent_id)

    async def cancel(self, call: Call) -> None:
        f = self.flow
        consult = call.consult
        await self._drop_consult_bridge(call)
        if consult is not None:
            f.forget_leg(call, consult.channel_id)
            with contextlib.suppress(AriNotFound):
                await f.ari.channels.hangup(consult.channel_id)
            if call.consult_core_id is not None and consult.answered:
                f.apply_event(qe.CallEnded(call.consult_core_id))
        if call.consult_core_id is not None:
            f.apply_event(qe.CallerLeft(call.consult_core_id, "hangup"))
            f.consults.pop(call.consult_core_id, None)
        call.consult = None
        call.consult_core_id = None
        agent_leg = next((lid for lid, leg in call.legs.items()
                          if leg.agent_id == call.agent_id), None)
        call.move(CallState.HELD, f.clock(), "consultation cancelled")
        if agent_leg is not None and call.bridge_id is not None:
            await f.ari.bridges.add_channel(call.bridge_id, agent_leg)
        await f.set_hold(call, False)

    async def _drop_consult_bridge(self, call: Call) -> None:
        if call.consult_bridge is not None:
            with contextlib.suppress(AriNotFound):
                await self.flow.ari.bridges.destroy(call.consult_bridge)
            call.consult_bridge = None
