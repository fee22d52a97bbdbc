"""Callbacks: a caller hangs up and keeps their place in the queue. When the place comes up,
an agent is offered the callback; once the agent answers, the hotline calls the caller's
number through the callers' trunk and bridges the two.

The waiting place stays in the routing core under the original call's id; the delivered
callback is a new call whose `callback_delivered` event names the original.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from acd.ari import AriError
from acd.calls import Call, CallState, Leg
from queues import events as qe

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["Callbacks"]

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    original_call_id: str
    number: str
    queue: str
    call_id: str | None = None  # the callback call, once an agent is being offered it
    silent: bool = False


class Callbacks:
    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow
        self._pending: dict[str, _Pending] = {}
        # the routing core's id of a callback -> the id of the call that delivers it
        self.aliases: dict[str, str] = {}

    def waiting(self, core_id: str) -> bool:
        return core_id in self._pending

    def call_for(self, core_id: str) -> Call | None:
        pending = self._pending.get(core_id)
        if pending is None:
            return None
        if pending.call_id is None:
            pending.call_id = uuid.uuid4().hex
            self.aliases[core_id] = pending.call_id
            call = Call(pending.call_id, "", pending.number, "callback", time.time(),
                        state=CallState.QUEUED, queue=pending.queue, core_id=core_id)
            self.flow.calls[call.call_id] = call
            self.flow.record("call_started", call_id=call.call_id, ani=pending.number,
                             dnis="callback")
        return self.flow.calls.get(pending.call_id)

    async def request(self, call: Call, queue: str, number: str) -> None:
        """The caller asked to be called back (from the menu, or by a key while queued)."""
        f = self.flow
        number = number or call.ani
        self._pending[call.core_id] = _Pending(call.call_id, number, queue)
        if call.state is CallState.IVR:
            await f.enter_queue(call, queue, call.caller_class, {})
        f.record("queue_exited", call_id=call.call_id, queue=call.queue or queue,
                 outcome="callback_requested")
        f.record("callback_requested", call_id=call.call_id, number=number)

    async def after_max_wait(self, call: Call, queue: str) -> None:
        """The queue's max wait turned the caller into a callback: the routing core has
        ended the visit already; the caller waits on, as a callback, from the same place."""
        f = self.flow
        self._pending[call.core_id] = _Pending(call.call_id, call.ani, queue, silent=True)
        f.record("callback_requested", call_id=call.call_id, number=call.ani)
        waited = f.clock() - call.started
        f.apply_event(qe.CallArrived(call.core_id, queue, call.priority, {}, ani=call.ani,
                                     waited=waited))
        await f.moh(call, False)
        await f.hangup_caller(call, "system", "callback_requested")

    def silent(self, core_id: str) -> bool:
        """A place kept for a callback after max wait: no new queue visit of its own."""
        pending = self._pending.get(core_id)
        return pending is not None and pending.silent

    async def agent_answered(self, call: Call, leg: Leg) -> None:
        """The agent took the callback: ring the caller's number."""
        f = self.flow
        channel_id = f"cb-{uuid.uuid4().hex[:12]}"
        call.channel_id = channel_id
        f.map_channel(channel_id, call.call_id)
        bridge = await f.ari.bridges.create(type="mixing,dtmf_events",
                                            bridge_id=f"call-{call.call_id}")
        call.bridge_id = bridge.id
        await f.ari.bridges.add_channel(bridge.id, leg.channel_id)
        try:
            await f.ari.channels.originate(
                f"PJSIP/{call.ani}@callers", channel_id=channel_id, app=f.app,
                app_args=["callback", call.call_id], caller_id=f.config.hotline.numbers[0],
                timeout=45,
                variables={"ACD_CALL_ID": call.call_id, "ACD_ROLE": "caller"},
            )
        except AriError as exc:
            log.warning("callback %s to %s not placed: %s", call.call_id, call.ani, exc)
            await f.end_agent_leg(call)

    async def caller_answered(self, call: Call) -> None:
        f = self.flow
        pending = next((p for p in self._pending.values() if p.call_id == call.call_id), None)
        if pending is not None:
            del self._pending[call.core_id]
            f.record("callback_delivered", call_id=call.call_id,
                     original_call_id=pending.original_call_id)
        assert call.bridge_id is not None and call.agent_id is not None
        await f.ari.bridges.add_channel(call.bridge_id, call.channel_id)
        call.move(CallState.CONNECTED, f.clock(), "callback answered")
        await f.begin_talk(call, call.agent_id)

    def forget(self, core_id: str) -> None:
        self._pending.pop(core_id, None)

    def handles(self, event: qe.Event) -> bool:
        return False
