"""Supervisors on a live call: listen, whisper to the agent, or barge in."""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import TYPE_CHECKING

from acd.ari import AriNotFound
from acd.calls import Call

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["Supervision"]

log = logging.getLogger(__name__)


class Supervision:
    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow
        # supervisor's channel -> (listening bridge, snoop channel); barge has neither
        self._sessions: dict[str, tuple[str | None, str | None]] = {}

    async def join(self, call: Call, endpoint: str, mode: str) -> str:
        """Ring the supervisor's phone; once answered, bridge it with a snoop on the agent's
        channel (listen: hear both sides; whisper: also speak to the agent only) or put it in
        the call's own bridge (barge)."""
        ari = self.flow.ari
        agent_leg = next((lid for lid, leg in call.legs.items()
                          if leg.agent_id == call.agent_id and leg.answered), None)
        if agent_leg is None or call.bridge_id is None:
            raise LookupError(f"call {call.call_id} has no answered agent to supervise")
        sup = await ari.originate_and_wait(
            endpoint, timeout=30, app_args=["supervisor", call.call_id, mode],
            caller_id=f'"{mode}" <{call.ani}>')
        sup_id = sup.channel.id
        if mode == "barge":
            self._sessions[sup_id] = (None, None)
            await ari.bridges.add_channel(call.bridge_id, sup_id)
        else:
            snoop = await ari.channels.snoop(
                agent_leg, self.flow.app, spy="both",
                whisper="out" if mode == "whisper" else "none",
                app_args=["snoop", call.call_id])
            bridge = await ari.bridges.create(type="mixing",
                                              bridge_id=f"sup-{uuid.uuid4().hex[:12]}")
            self._sessions[sup_id] = (bridge.id, snoop.id)
            await ari.bridges.add_channel(bridge.id, [snoop.id, sup_id])
        log.info("call %s: supervisor %s joined (%s)", call.call_id, endpoint, mode)
        return sup_id

    def bridges(self) -> set[str]:
        return {b for b, _ in self._sessions.values() if b is not None}

    async def gone(self, channel_id: str) -> bool:
        """The supervisor hung up: tear down what their session used."""
        session = self._sessions.pop(channel_id, None)
        if session is None:
            return False
        bridge_id, snoop_id = session
        with contextlib.suppress(AriNotFound):
            if snoop_id is not None:
                await self.flow.ari.channels.hangup(snoop_id)
            if bridge_id is not None:
                await self.flow.ari.bridges.destroy(bridge_id)
        return True
