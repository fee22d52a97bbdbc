"""The running hotline as a `ControlPlane`: what the API and the wallboard may do."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from acd.agent_desk import AgentRequestRefused
from acd.callflow import CallFlow
from acd.calls import Call, CallState
from acd.config_model import AgentConfig, QueueConfig
from acd.control import (
    AgentSnapshot,
    ControlError,
    QueueSnapshot,
    Snapshot,
    TransferMode,
    TransferTargetKind,
)
from acd.event_sink import MemorySink, midnight
from agents.states import AgentState
from reports.events import Event

__all__ = ["HotlineControl"]

_TARGETS = {"service_level": 0.80, "asa_seconds": 20.0, "abandon_rate_max": 0.05}


class HotlineControl:
    def __init__(self, flow: CallFlow, today: MemorySink) -> None:
        self.flow = flow
        self.today = today

    # -- views ---------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        core = self.flow.core
        now = self.flow.clock()
        agents = []
        for agent in self.flow.config.agents:
            view = core.agent(agent.id) if agent.id in core.agent_ids() else None
            rt = self.flow.agents[agent.id]
            agents.append(AgentSnapshot(
                agent_id=agent.id, name=agent.name, team=agent.team,
                state=view.state.value if view else AgentState.LOGGED_OUT.value,
                since=rt.since or now, call_id=view.call_id if view else None,
                pause_reason=view.pause_reason if view else None,
            ))
        queues = []
        stats = _today_by_queue(self.today.events, now,
                                self.flow.config.report.service_level_seconds,
                                self.flow.config.report.short_abandon_seconds)
        for q in self.flow.config.queues:
            waiting = core.waiting(q.name)
            waits = [v.waited for cid in waiting if (v := core.call(cid)) is not None]
            members = [a for a in agents if a.state != AgentState.LOGGED_OUT.value
                       and _serves(self.flow.config.agent(a.agent_id), q)]
            st = stats.get(q.name, _QueueDay())
            queues.append(QueueSnapshot(
                name=q.name, waiting=len(waiting), longest_wait=max(waits, default=0.0),
                agents_logged_in=len(members),
                agents_available=sum(a.state == AgentState.AVAILABLE.value for a in members),
                offered_today=st.offered, answered_today=st.answered,
                abandoned_today=st.abandoned, service_level_today=st.service_level(),
                asa_today=st.asa(),
            ))
        return Snapshot(now=now, queues=queues, agents=agents,
                        calls_in_progress=len(self.flow.calls),
                        notices=list(self.flow.notices.texts), targets=_TARGETS)

    def decisions(self, call_id: str) -> Sequence[str]:
        return [str(d) for d in self.flow.core.decisions(call_id)]

    # -- agents --------------------------------------------------------------------------

    def _agent(self, agent_id: str) -> None:
        if agent_id not in self.flow.agents:
            raise ControlError(f"unknown agent {agent_id!r}", 404)

    def _guard(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except AgentRequestRefused as exc:
            raise ControlError(f"{what}: {exc}", 409) from None

    async def agent_login(self, agent_id: str, pin: str | None = None) -> None:
        self._agent(agent_id)
        expected = self.flow.config.agent(agent_id).pin.reveal()
        if pin is not None and expected and pin != expected:
            raise ControlError(f"agent {agent_id}: wrong PIN", 403)
        self._guard("login", lambda: self.flow.desk.login(agent_id))

    async def agent_logout(self, agent_id: str) -> None:
        self._agent(agent_id)
        self._guard("logout", lambda: self.flow.desk.logout(agent_id))

    async def agent_pause(self, agent_id: str, reason: str) -> None:
        self._agent(agent_id)
        self._guard("pause", lambda: self.flow.desk.pause(agent_id, reason))

    async def agent_ready(self, agent_id: str) -> None:
        self._agent(agent_id)
        self._guard("ready", lambda: self.flow.desk.ready(agent_id))

    async def end_wrap_up(self, agent_id: str) -> None:
        self._agent(agent_id)
        self._guard("end wrap-up", lambda: self.flow.desk.end_wrap_up(agent_id))

    # -- calls ---------------------------------------------------------------------------

    def _call(self, call_id: str, *states: CallState) -> Call:
        call = self.flow.calls.get(call_id)
        if call is None:
            raise ControlError(f"no call {call_id!r} in progress", 404)
        if states and call.state not in states:
            wanted = " or ".join(s.value for s in states)
            raise ControlError(f"call {call_id} is {call.state.value}, not {wanted}", 409)
        return call

    async def hold(self, call_id: str) -> None:
        await self.flow.set_hold(self._call(call_id, CallState.CONNECTED), True)

    async def unhold(self, call_id: str) -> None:
        await self.flow.set_hold(self._call(call_id, CallState.HELD), False)

    async def transfer(self, call_id: str, mode: TransferMode, kind: TransferTargetKind,
                       target: str) -> None:
        call = self._call(call_id, CallState.CONNECTED, CallState.HELD)
        if kind == "queue" and target not in {q.name for q in self.flow.config.queues}:
            raise ControlError(f"unknown queue {target!r}", 404)
        if kind == "agent":
            self._agent(target)
        if mode == "blind":
            await self.flow.transfers.blind(call, kind, target)
        else:
            if kind == "queue":
                raise ControlError("attended transfer goes to an agent or an external number")
            await self.flow.transfers.consult(call, kind, target)

    async def complete_transfer(self, call_id: str) -> None:
        call = self._call(call_id, CallState.TRANSFERRING)
        await self.flow.transfers.complete(call)

    async def cancel_transfer(self, call_id: str) -> None:
        call = self._call(call_id, CallState.TRANSFERRING)
        await self.flow.transfers.cancel(call)

    async def set_disposition(self, call_id: str, code: str, resolved: bool,
                              notes: str = "") -> None:
        known = call_id in self.flow.calls or any(
            e.call_id == call_id for e in self.today.events if e.kind == "call_started")
        if not known:
            raise ControlError(f"no call {call_id!r} today", 404)
        self.flow.record("disposition", call_id=call_id, code=code, resolved=resolved,
                         notes=notes)

    async def set_notices(self, notices: Sequence[str]) -> None:
        try:
            await self.flow.notices.set(notices)
        except ValueError as exc:
            raise ControlError(str(exc), 503) from None

    async def supervise(self, supervisor_endpoint: str, call_id: str,
                        mode: Literal["listen", "whisper", "barge"]) -> str:
        call = self._call(call_id, CallState.CONNECTED, CallState.HELD)
        try:
            return await self.flow.supervision.join(call, supervisor_endpoint, mode)
        except LookupError as exc:
            raise ControlError(str(exc), 409) from None


def _serves(agent: AgentConfig, queue: QueueConfig) -> bool:
    skills = dict(agent.skills)
    return any(r.skill in skills for r in queue.skills) or any(
        r.team == agent.team for r in queue.relax)


class _QueueDay:
    def __init__(self) -> None:
        self.offered = self.answered = self.abandoned = self.short = 0
        self.within_t = 0
        self.wait_sum = 0.0

    def service_level(self) -> float | None:
        base = self.answered + self.abandoned - self.short
        return self.within_t / base if base > 0 else None

    def asa(self) -> float | None:
        return self.wait_sum / self.answered if self.answered else None


def _today_by_queue(events: Sequence[Event], now: float, t: float,
                    s: float) -> dict[str, _QueueDay]:
    """Today's queue figures from the event log (metrics.md definitions, default SL)."""
    start = midnight(now)
    entered: dict[tuple[str, str], float] = {}
    out: dict[str, _QueueDay] = {}
    for ev in events:
        if ev.ts < start or ev.queue is None or ev.call_id is None:
            continue
        key = (ev.call_id, ev.queue)
        if ev.kind == "queue_entered":
            entered[key] = ev.ts
            out.setdefault(ev.queue, _QueueDay()).offered += 1
        elif ev.kind == "queue_exited" and key in entered:
            day = out.setdefault(ev.queue, _QueueDay())
            waited = ev.ts - entered.pop(key)
            outcome = ev.data.get("outcome")
            if outcome == "answered":
                day.answered += 1
                day.wait_sum += waited
                day.within_t += waited <= t
            elif outcome == "abandoned":
                day.abandoned += 1
                day.short += waited <= s
    return out
