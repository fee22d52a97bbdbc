"""A restarted controller takes over the calls already in Asterisk.

Every channel the hotline handles carries its tags in channel variables (`ACD_CALL_ID`,
`ACD_ROLE`, `ACD_QUEUE`, `ACD_AGENT`; see ari.conf `channelvars`), so the calls can be
rebuilt from the channel list: a caller talking to an agent stays connected, a waiting
caller goes back into the queue, and a caller who was in the menus starts them again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from acd.agent_desk import AgentRequestRefused
from acd.ari.models_generated import Channel
from acd.calls import Call, CallState, Leg
from queues import events as qe

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["REATTACHED", "reattach"]

log = logging.getLogger(__name__)

# The pause reason of an agent whose call was taken over from an earlier controller: the
# routing core of this controller never offered that call, so it must not offer another.
REATTACHED = "reattached_call"


def _tags(channel: Channel) -> dict[str, str]:
    return {k: str(v) for k, v in (channel.channelvars or {}).items() if v}


async def reattach(flow: CallFlow, channels: Iterable[Channel]) -> list[str]:
    """Adopt the calls tagged in `channels` that this controller does not know; returns
    their ids."""
    groups: dict[str, dict[str, list[Channel]]] = {}
    for channel in channels:
        tags = _tags(channel)
        call_id, role = tags.get("ACD_CALL_ID"), tags.get("ACD_ROLE")
        if call_id and role:
            groups.setdefault(call_id, {}).setdefault(role, []).append(channel)
    adopted = []
    for call_id, roles in groups.items():
        if call_id in flow.calls or not roles.get("caller"):
            continue
        caller = roles["caller"][0]
        tags = _tags(caller)
        call = Call(call_id, caller.id, caller.caller.number, caller.dialplan.exten,
                    time.time(), queue=tags.get("ACD_QUEUE"))
        agent_id = tags.get("ACD_AGENT")
        leg = next((c for c in roles.get("agent", []) if c.state == "Up"
                    and _tags(c).get("ACD_AGENT") == agent_id), None)
        flow.adopt(call)
        if agent_id and leg is not None and agent_id in flow.agents:
            call.state = CallState.CONNECTED
            call.agent_id = agent_id
            call.bridge_id = f"call-{call_id}"
            flow.track_leg(call, Leg(leg.id, agent_id, answered=True))
            _hold_agent(flow, agent_id)
            log.info("re-attached call %s talking to agent %s", call_id, agent_id)
        elif call.queue:
            log.info("re-attached call %s waiting in %s", call_id, call.queue)
            await flow.enter_queue(call, call.queue, tags.get("ACD_PRIORITY", "normal"), {})
        else:
            log.info("re-attached call %s: the menus start again", call_id)
            await flow.ivr.start(call)
        adopted.append(call_id)
    return adopted


def _hold_agent(flow: CallFlow, agent_id: str) -> None:
    try:
        if not flow.agents[agent_id].logged_in:
            flow.desk.login(agent_id)
        flow.desk.request(qe.AgentPause(agent_id, REATTACHED))
    except AgentRequestRefused as exc:
        log.warning("agent %s of a re-attached call: %s", agent_id, exc)


def release_agent(flow: CallFlow, agent_id: str) -> None:
    """The re-attached call ended: the agent is free for offers again."""
    rt = flow.agents.get(agent_id)
    if rt is not None and rt.pause_reason == REATTACHED:
        try:
            flow.desk.ready(agent_id)
        except AgentRequestRefused as exc:
            log.warning("agent %s after a re-attached call: %s", agent_id, exc)
