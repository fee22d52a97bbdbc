"""The agents' side of the hotline: login, pause, ready and logout (from the API or from
feature codes dialled on the softphone), device state, and the agent state timeline."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from acd.agent_presence import AgentPresence
from acd.ari import AriNotFound
from acd.ari.models_generated import PlaybackFinished
from acd.feature_codes import FeatureRequest, parse_feature
from acd.routing_setup import agent_profile
from agents.states import AgentState, AgentStateChanged, IllegalTransition
from queues import events as qe
from queues.core import InvalidEvent

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["AgentDesk", "AgentRequestRefused", "AgentRuntime"]

log = logging.getLogger(__name__)

_BUSY_DEVICE_STATES = frozenset({"INUSE", "BUSY", "RINGINUSE", "ONHOLD"})


class AgentRequestRefused(Exception):
    """An agent's login, pause, ready or logout that their current state does not allow."""


@dataclass
class AgentRuntime:
    agent_id: str
    endpoint: str
    logged_in: bool = False
    last_call: str | None = None
    device_paused: bool = False
    state: AgentState = AgentState.LOGGED_OUT
    since: float = 0.0
    pause_reason: str | None = None


class AgentDesk:
    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow
        agents = flow.config.agents
        self.agents = {a.id: AgentRuntime(a.id, a.endpoint) for a in agents}
        self._by_endpoint = {a.endpoint.split("/", 1)[-1]: a.id for a in agents}
        self._by_device = {a.endpoint: a.id for a in agents}
        self.presence = AgentPresence(flow)

    # -- requests ------------------------------------------------------------------------

    def request(self, event: qe.Event) -> None:
        """An agent's own request: refused (with the reason) when their state forbids it."""
        try:
            commands = self.flow.core.handle(event)
        except (InvalidEvent, IllegalTransition) as exc:
            raise AgentRequestRefused(str(exc)) from None
        self.flow.carry_out(commands)

    def login(self, agent_id: str) -> None:
        self.request(qe.AgentLogin(agent_profile(self.flow.config.agent(agent_id))))
        self.agents[agent_id].logged_in = True

    def logout(self, agent_id: str) -> None:
        self.request(qe.AgentLogout(agent_id))
        self.agents[agent_id].logged_in = False

    def pause(self, agent_id: str, reason: str) -> None:
        self.request(qe.AgentPause(agent_id, reason))

    def ready(self, agent_id: str) -> None:
        self.request(qe.AgentReady(agent_id))

    def end_wrap_up(self, agent_id: str) -> None:
        self.request(qe.WrapUpEnded(agent_id))

    def resume(self, agent_id: str, pause_reason: str | None) -> bool:
        """Log in an agent an earlier controller had logged in (paused, if they were)."""
        try:
            self.login(agent_id)
            if pause_reason is not None:
                self.pause(agent_id, pause_reason)
        except AgentRequestRefused as exc:
            log.warning("agent %s not restored: %s", agent_id, exc)
            return False
        return True

    # -- the timeline --------------------------------------------------------------------

    def state_changed(self, ch: AgentStateChanged) -> None:
        record = self.flow.record
        rt = self.agents.get(ch.agent_id)
        if rt is not None:
            rt.state, rt.since, rt.pause_reason = ch.new, ch.at, ch.pause_reason
            self.presence.changed(ch.agent_id, ch.new, ch.pause_reason)
            if ch.call_id:
                rt.last_call = self.flow.call_id_for(ch.call_id)
        data: dict[str, Any] = {"from": ch.old.value, "to": ch.new.value}
        reason = ch.pause_reason if ch.new is AgentState.PAUSED else ch.cause
        if reason:
            data["reason"] = reason
        record("agent_state", agent_id=ch.agent_id, **data)
        last = rt.last_call if rt else None
        if ch.new is AgentState.WRAP_UP and last:
            record("wrap_up_started", call_id=last, agent_id=ch.agent_id)
        elif ch.old is AgentState.WRAP_UP and last:
            record("wrap_up_ended", call_id=last, agent_id=ch.agent_id,
                   early=ch.cause == "ended by agent")

    # -- softphones ----------------------------------------------------------------------

    async def feature(self, channel_id: str, channel_name: str, dialled: str) -> None:
        """A feature code dialled from an agent's softphone: answer, act, confirm, hang up."""
        ari = self.flow.ari
        endpoint = channel_name.split("/", 1)[-1].rsplit("-", 1)[0]
        agent_id = self._by_endpoint.get(endpoint)
        request = parse_feature(dialled, self.flow.config.feature_codes)
        sound = "beeperr"
        if agent_id is None or request is None:
            log.info("feature code %r from %s refused", dialled, channel_name)
        else:
            try:
                sound = self._feature_action(agent_id, request)
            except AgentRequestRefused as exc:
                log.info("feature code %r from agent %s refused: %s", dialled, agent_id, exc)
        await ari.channels.answer(channel_id)
        done = ari.wait_for(
            lambda e: isinstance(e, PlaybackFinished) and e.playback.target_uri
            == f"channel:{channel_id}", 10)
        try:
            await ari.channels.play(channel_id, f"sound:{sound}")
            with contextlib.suppress(TimeoutError):
                await done
        finally:
            done.cancel()
            with contextlib.suppress(AriNotFound):
                await ari.channels.hangup(channel_id)

    def _feature_action(self, agent_id: str, request: FeatureRequest) -> str:
        if request.action == "login":
            if request.argument != self.flow.config.agent(agent_id).pin.reveal():
                return "agent-incorrect"
            self.login(agent_id)
            return "agent-loginok"
        if request.action == "logout":
            self.logout(agent_id)
            return "agent-loggedoff"
        if request.action == "pause":
            self.pause(agent_id, f"code {request.argument}" if request.argument else "break")
            return "beep"
        self.ready(agent_id)
        return "beep"

    def device_state(self, device: str, state: str) -> None:
        """A softphone busy with a call the hotline did not place gets no offers: the agent
        is paused (`device_busy`) until the phone is free again."""
        agent_id = self._by_device.get(device)
        rt = self.agents.get(agent_id) if agent_id else None
        if rt is None or agent_id is None:
            return
        busy = state in _BUSY_DEVICE_STATES
        try:
            if busy and rt.state is AgentState.AVAILABLE and not rt.device_paused:
                self.request(qe.AgentPause(agent_id, "device_busy"))
                rt.device_paused = True
            elif not busy and rt.device_paused:
                rt.device_paused = False
                if rt.state is AgentState.PAUSED and rt.pause_reason == "device_busy":
                    self.request(qe.AgentReady(agent_id))
        except AgentRequestRefused as exc:
            log.info("device state %s of agent %s not applied: %s", state, agent_id, exc)

    async def subscribe_devices(self) -> None:
        devices = [a.endpoint for a in self.flow.config.agents
                   if a.endpoint.upper().startswith("PJSIP/")]
        if devices:
            await self.flow.ari.applications.subscribe(
                self.flow.app, [f"deviceState:{d}" for d in devices])
