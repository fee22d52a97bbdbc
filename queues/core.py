"""The routing core: events in, commands out, time from an injected clock.

`RoutingCore.handle(event)` first runs every timer that is due, then applies the event,
and returns the commands in the order they must be carried out. docs/routing.md describes
the contract; this module keeps two invariants after every call to `handle`:

* an agent holds at most one offer or call;
* no waiting caller has an available agent (past back-off) that meets the caller's current
  requirements, except callers held for a preferred agent.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
from collections.abc import Callable, Iterator

from agents.profile import MAX_PROFICIENCY, Agent
from agents.states import AgentState, AgentStateMachine, AgentTrigger, IllegalTransition
from queues.commands import (
    AnnounceEwt,
    Blocked,
    CancelOffer,
    Command,
    Connected,
    LeaveQueue,
    Offer,
    Overflow,
    PauseAgent,
    Queued,
    QueueExit,
)
from queues.config import MaxWaitAction, NoAgentsPolicy, OfferResult, RoutingConfig, Strategy
from queues.decisions import Decision, DecisionLog
from queues.events import (
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    CallArrived,
    CallEnded,
    CallerLeft,
    CallHeld,
    CallResumed,
    Event,
    OfferAnswered,
    OfferFailed,
    OfferRinging,
    Tick,
    WrapUpEnded,
)
from queues.pools import Entry, HeapPool
from queues.requirements import MembershipIndex, criteria_for, level_at
from queues.runtime import AgentRecord, CallRecord, CallStatus, OfferRecord, QueueRecord
from queues.skill_pools import Order, SkillPools
from queues.timers import Timer, TimerKind, Timers
from queues.views import AgentView, CallView

__all__ = ["InvalidEvent", "RoutingCore", "UnknownAgent", "UnknownQueue"]

logger = logging.getLogger(__name__)

_PASSED_OVER_SHOWN = 5
_RANDOM_TRIES = 8
_FAILED_TRIGGER = {
    OfferResult.NO_ANSWER: AgentTrigger.NO_ANSWER,
    OfferResult.REJECTED: AgentTrigger.REJECT,
    OfferResult.BUSY: AgentTrigger.BUSY,
}


class InvalidEvent(ValueError):
    """An event that contradicts what the core knows (duplicate call id, unknown priority)."""


class UnknownQueue(InvalidEvent):
    pass


class UnknownAgent(InvalidEvent):
    pass


class RoutingCore:
    """Skill-based routing for all queues and agents of one centre.

    `clock` returns the current time in seconds (any epoch, never going backwards);
    `rng` drives the `random` strategy, so a seeded RNG gives reproducible routing.
    """

    def __init__(
        self,
        config: RoutingConfig,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._rng = rng if rng is not None else random.Random(0)
        self._queues = {q.name: QueueRecord(q) for q in config.queues}
        self._index = MembershipIndex(config.queues)
        self._skills = SkillPools(
            (q.shared[0], q.shared[1]) for q in self._queues.values() if q.shared is not None
        )
        self._ranks = {name: i for i, name in enumerate(config.priorities)}
        self._agents: dict[str, AgentRecord] = {}
        self._calls: dict[str, CallRecord] = {}
        self._offers: dict[int, OfferRecord] = {}
        self._preferred: dict[str, dict[str, CallRecord]] = {}
        self._last_agent: dict[str, tuple[str, float, str]] = {}  # ani -> agent, when, call
        self._timers = Timers()
        self._decisions = DecisionLog(config.decisions_kept)
        self._offer_ids = itertools.count(1)
        self._call_seq = itertools.count()
        self._now = clock()
        self._out: list[Command] = []
        self._pending: list[Command] = []

    # ------------------------------------------------------------------ driving

    def handle(self, event: Event) -> list[Command]:
        """Run due timers, apply `event`, return the commands to carry out, in order.

        If the event is refused (an exception), the commands the timers produced are kept
        and returned first by the next call (`tick()` fetches them).
        """
        self._now = now = self._clock()
        out: list[Command] = self._pending
        self._pending = []
        self._out = out
        self._run_timers(now)
        try:
            self._apply(event, now)
        except Exception:
            # Timers already acted: keep their commands for the next call instead of losing them.
            self._pending = out
            raise
        return out

    def _apply(self, event: Event, now: float) -> None:
        match event:
            case CallArrived():
                self._on_call_arrived(event)
            case OfferAnswered(offer_id=oid):
                self._on_offer_answered(oid)
            case OfferFailed(offer_id=oid, result=result):
                offer = self._offers.get(oid)
                if offer is not None:
                    self._offer_failed(offer, OfferResult(result))
            case OfferRinging(offer_id=oid):
                offer = self._offers.get(oid)
                if offer is not None and offer.agent.fsm.state is AgentState.RESERVED:
                    self._transition(offer.agent, AgentTrigger.RING, "phone ringing")
            case CallEnded(call_id=cid):
                self._on_call_ended(cid)
            case CallerLeft(call_id=cid, reason=reason):
                self._on_caller_left(cid, reason)
            case WrapUpEnded(agent_id=aid):
                agent = self._agent(aid)
                self._check(agent, AgentTrigger.END_WRAP_UP)
                self._finish_wrap_up(agent, "ended by agent")
            case AgentLogin(agent=profile):
                self._on_login(profile)
            case AgentLogout(agent_id=aid):
                self._on_logout(self._agent(aid))
            case AgentPause(agent_id=aid, reason=reason):
                self._on_pause(self._agent(aid), reason, "paused by agent")
            case AgentReady(agent_id=aid):
                agent = self._agent(aid)
                self._check(agent, AgentTrigger.READY)
                agent.idle_since = now
                self._transition(agent, AgentTrigger.READY, "ready")
                self._staff(agent, +1)
                self._make_available(agent)
            case CallHeld(call_id=cid):
                self._on_hold(cid, held=True)
            case CallResumed(call_id=cid):
                self._on_hold(cid, held=False)
            case Tick():
                pass
            case _:
                raise InvalidEvent(f"unknown event {event!r}")

    def tick(self) -> list[Command]:
        return self.handle(Tick())

    def next_deadline(self) -> float | None:
        """When the next timer falls due: the driver should call `tick()` then."""
        timers = self._timers
        while (timer := timers.peek()) is not None and not self._timer_live(timer):
            timers.drop()
        return timers.next_due()

    def _timer_live(self, timer: Timer) -> bool:
        _, _, kind, ref, token = timer
        if kind is TimerKind.RING_TIMEOUT:
            return token in self._offers
        if kind is TimerKind.WRAP_END or kind is TimerKind.BACKOFF_END:
            agent = self._agents.get(ref)
            return agent is not None and agent.token == token
        call = self._calls.get(ref)
        return call is not None and call.visit == token

    # ------------------------------------------------------------------ queries

    def decisions(self, call_id: str) -> tuple[Decision, ...]:
        return self._decisions.for_call(call_id)

    def agent(self, agent_id: str) -> AgentView:
        a = self._agent(agent_id)
        return AgentView(
            agent_id=a.id,
            state=a.fsm.state,
            pause_reason=a.fsm.pause_reason,
            idle_since=a.idle_since,
            calls=a.calls,
            talk_time=a.talk_time,
            aht=a.aht,
            backoff_until=a.backoff_until,
            queues=dict(a.entry),
            call_id=a.call.call_id if a.call else None,
            offer_id=a.offer.offer_id if a.offer else None,
        )

    def agent_ids(self) -> list[str]:
        return list(self._agents)

    def profile(self, agent_id: str) -> Agent:
        return self._agent(agent_id).profile

    def call(self, call_id: str) -> CallView | None:
        c = self._calls.get(call_id)
        if c is None:
            return None
        waited_here = self._clock() - c.entered_queue
        return CallView(
            call_id=c.call_id,
            queue=c.queue,
            status=c.status.value,
            priority=c.priority,
            waited=self._clock() - c.first_entered,
            waited_in_queue=waited_here,
            level=level_at(self._queues[c.queue].config, waited_here),
            preferred_agent=c.preferred if c.status is CallStatus.PREFERRED else None,
            offered_to=tuple(o.agent.id for o in c.offers.values()),
            agent_id=c.agent.id if c.agent else None,
        )

    def call_ids(self) -> list[str]:
        return list(self._calls)

    def waiting(self, queue: str) -> list[str]:
        """Call ids routable in `queue`, best placed first."""
        return [key[3] for key in self._queue(queue).waiting]

    def eligible(self, agent_id: str, call_id: str) -> bool:
        """Whether the agent meets the caller's requirements at the current relax level."""
        a, c = self._agent(agent_id), self._calls[call_id]
        entry = a.entry.get(c.queue)
        if entry is None:
            return False
        level = level_at(self._queues[c.queue].config, self._clock() - c.entered_queue)
        return entry <= level and self._meets(c, a, entry, level)

    def dispatchable(self, agent_id: str) -> bool:
        """Available and past any back-off: the agent can take an offer now."""
        a = self._agent(agent_id)
        return a.fsm.state is AgentState.AVAILABLE and a.pooled

    def ewt(self, call_id: str) -> float | None:
        """Estimated wait in seconds from now; None when no agent can serve the caller."""
        c = self._calls[call_id]
        q = self._queues[c.queue]
        ahead = q.waiting.ahead(c.key) if c.status is CallStatus.WAITING else 0
        return self._estimate(q, c, ahead)

    # ------------------------------------------------------------------ events

    def _on_call_arrived(self, ev: CallArrived) -> None:
        if ev.call_id in self._calls:
            raise InvalidEvent(f"call {ev.call_id} is already in the core")
        self._queue(ev.queue)
        rank = self._ranks.get(ev.priority)
        if rank is None:
            raise InvalidEvent(f"call {ev.call_id}: unknown priority {ev.priority!r}")
        now = self._now
        preferred = ev.preferred_agent
        cfg = self._queues[ev.queue].config
        if preferred is None and ev.ani and cfg.last_agent_window > 0:
            last = self._last_agent.get(ev.ani)
            # The same call back in a queue (a transfer) does not go back to its own agent.
            if (last is not None and now - last[1] <= cfg.last_agent_window
                    and last[2] != ev.call_id):
                preferred = last[0]
        call = CallRecord(
            call_id=ev.call_id,
            priority=ev.priority,
            rank=rank,
            extra=dict(ev.skills),
            ani=ev.ani,
            preferred=preferred,
            preferred_until=now + cfg.preferred_timeout,
            first_entered=now - ev.waited,
            seq=next(self._call_seq),
        )
        self._enter_queue(call, ev.queue, "arrived")

    def _on_offer_answered(self, oid: int) -> None:
        offer = self._offers.get(oid)
        if offer is None:
            return
        now, call, agent = self._now, offer.call, offer.agent
        self._drop_offer(offer)
        self._transition(agent, AgentTrigger.ANSWER, f"answered offer {oid}", call_id=call.call_id)
        agent.rona = 0
        agent.calls += 1
        agent.call = call
        agent.answered_at = now
        agent.held = 0.0
        agent.hold_started = None
        losers = list(call.offers.values())
        for other in losers:
            self._cancel_offer(other, "answered by another agent")
        q = self._queues[call.queue]
        q.calls.pop(call.call_id, None)
        call.visit += 1
        call.status = CallStatus.CONNECTED
        call.agent = agent
        if call.ani:
            self._last_agent[call.ani] = (agent.id, now, call.call_id)
        self._emit(
            QueueExit(call.call_id, call.queue, "answered", now - call.entered_queue, agent.id)
        )
        self._emit(Connected(call.call_id, agent.id, call.queue, now - call.first_entered))
        for other in losers:
            self._make_available(other.agent)

    def _on_call_ended(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        if call.status is not CallStatus.CONNECTED or call.agent is None:
            self._on_caller_left(call_id, "hangup")
            return
        now, agent = self._now, call.agent
        if agent.hold_started is not None:
            agent.held += now - agent.hold_started
            agent.hold_started = None
        agent.talk_time += now - agent.answered_at - agent.held
        agent.call_ended_at = now
        del self._calls[call_id]
        agent.call = None
        self._transition(agent, AgentTrigger.END_CALL, f"call {call_id} ended", call_id=call_id)
        wrap_up = self._queues[call.queue].config.wrap_up
        if wrap_up <= 0:
            self._finish_wrap_up(agent, "no wrap-up time")
        else:
            agent.token += 1
            self._timers.add(now + wrap_up, TimerKind.WRAP_END, agent.id, agent.token)

    def _on_caller_left(self, call_id: str, reason: str) -> None:
        call = self._calls.get(call_id)
        if call is None:
            return
        if call.status is CallStatus.CONNECTED:
            self._on_call_ended(call_id)
            return
        outcome = "abandoned" if reason == "hangup" else reason
        freed = self._leave_queue(call, outcome, "caller gone")
        del self._calls[call_id]
        for agent in freed:
            self._make_available(agent)

    def _on_hold(self, call_id: str, *, held: bool) -> None:
        call = self._calls.get(call_id)
        agent = call.agent if call is not None else None
        if call is None or agent is None or call.status is not CallStatus.CONNECTED:
            raise InvalidEvent(f"call {call_id} is not connected to an agent")
        if held:
            self._transition(agent, AgentTrigger.HOLD, "caller held", call_id=call_id)
            agent.hold_started = self._now
        else:
            self._transition(agent, AgentTrigger.UNHOLD, "caller resumed", call_id=call_id)
            if agent.hold_started is not None:
                agent.held += self._now - agent.hold_started
                agent.hold_started = None

    def _on_login(self, profile: Agent) -> None:
        agent = self._agents.get(profile.id)
        if agent is None:
            agent = AgentRecord(profile=profile, fsm=AgentStateMachine(profile.id, self._now))
            self._agents[profile.id] = agent
        self._check(agent, AgentTrigger.LOGIN)
        agent.profile = profile
        agent.entry = self._index.entry_levels(profile)
        agent.idle_since = self._now
        agent.rona = 0
        agent.backoff_until = 0.0
        for name in agent.entry:
            q = self._queues[name]
            q.logged_in += 1
            if q.rank_pools:
                q.rank_of(agent.id)
        self._place(agent)
        self._transition(agent, AgentTrigger.LOGIN, "login")
        self._staff(agent, +1)
        self._make_available(agent)

    def _on_logout(self, agent: AgentRecord) -> None:
        self._check(agent, AgentTrigger.LOGOUT)
        if agent.fsm.state is AgentState.WRAP_UP:
            self._record_handle_time(agent)
        offer = agent.offer
        if offer is not None:
            self._emit(
                CancelOffer(offer.offer_id, offer.call.call_id, agent.id, "agent logged out")
            )
            self._drop_offer(offer)
        self._pool_remove(agent)
        self._staff(agent, -1)
        for name in agent.entry:
            self._queues[name].logged_in -= 1
        self._transition(agent, AgentTrigger.LOGOUT, "logout")
        agent.token += 1
        if offer is not None and not offer.call.offers:
            self._return_to_queue(offer.call)

    def _on_pause(self, agent: AgentRecord, reason: str, cause: str) -> None:
        self._check(agent, AgentTrigger.PAUSE)
        if agent.fsm.state is AgentState.WRAP_UP:
            self._record_handle_time(agent)
        self._pool_remove(agent)
        self._staff(agent, -1)
        agent.token += 1
        self._transition(agent, AgentTrigger.PAUSE, cause, pause_reason=reason)

    # ------------------------------------------------------------------ queue entry and exit

    def _enter_queue(self, call: CallRecord, name: str, cause: str) -> None:
        now = self._now
        q = self._queue(name)
        cfg = q.config
        self._calls[call.call_id] = call
        call.queue = name
        call.entered_queue = now
        call.visit += 1
        call.status = CallStatus.WAITING
        if cfg.max_length is not None and len(q.calls) >= cfg.max_length:
            self._refuse(call, "blocked_full", f"queue full ({cfg.max_length} callers)")
            return
        if cfg.when_no_agents is NoAgentsPolicy.BLOCK and q.logged_in == 0:
            self._refuse(call, "blocked_no_agents", "no agent logged in")
            return
        call.criteria = criteria_for(cfg, call.extra) if call.extra else q.criteria
        first_visit = name not in call.visited
        call.visited.add(name)
        q.calls[call.call_id] = call
        ahead = q.waiting.ahead(call.key)
        ewt = self._estimate(q, call, ahead)
        if cfg.ewt_limit is not None and first_visit and (ewt is None or ewt > cfg.ewt_limit):
            shown = "no eligible agent" if ewt is None else f"{ewt:.0f} s"
            self._max_wait_action(call, f"EWT {shown} over limit {cfg.ewt_limit:.0f} s")
            return
        self._emit(Queued(call.call_id, name, ahead + 1, ewt))
        visit = call.visit
        for step in cfg.relax:
            if step.after > 0:
                self._timers.add(now + step.after, TimerKind.RELAX, call.call_id, visit)
        if cfg.max_wait is not None:
            self._timers.add(now + cfg.max_wait, TimerKind.MAX_WAIT, call.call_id, visit)
        if cfg.announce_every is not None:
            self._timers.add(now + cfg.announce_every, TimerKind.ANNOUNCE, call.call_id, visit)
        pref = self._agents.get(call.preferred) if call.preferred else None
        if (
            pref is not None
            and now < call.preferred_until
            and pref.fsm.state is not AgentState.LOGGED_OUT
        ):
            call.status = CallStatus.PREFERRED
            self._preferred.setdefault(pref.id, {})[call.call_id] = call
            self._timers.add(call.preferred_until, TimerKind.PREFERRED_END, call.call_id, visit)
            if pref.pooled:
                self._offer(call, pref, "preferred agent", ())
            return
        call.preferred = None
        q.waiting.add(call.key)
        self._route_call(call)

    def _refuse(self, call: CallRecord, outcome: str, why: str) -> None:
        del self._calls[call.call_id]
        self._emit(Blocked(call.call_id, call.queue, outcome))
        self._emit(QueueExit(call.call_id, call.queue, outcome, 0.0))
        self._decide(call, "blocked", None, why)

    def _leave_queue(self, call: CallRecord, outcome: str, why: str) -> list[AgentRecord]:
        """Take the call out of its queue; returns agents whose offers were cancelled."""
        q = self._queues[call.queue]
        freed = []
        if call.status is CallStatus.WAITING:
            q.waiting.remove(call.key)
        elif call.status is CallStatus.PREFERRED:
            self._unprefer(call)
        for offer in list(call.offers.values()):
            self._cancel_offer(offer, why)
            freed.append(offer.agent)
        q.calls.pop(call.call_id, None)
        call.visit += 1
        self._emit(QueueExit(call.call_id, call.queue, outcome, self._now - call.entered_queue))
        return freed

    def _max_wait_action(self, call: CallRecord, why: str) -> None:
        cfg = self._queues[call.queue].config
        action = cfg.on_max_wait
        if action is MaxWaitAction.OVERFLOW and cfg.overflow_to is not None:
            freed = self._leave_queue(call, "overflow", why)
            self._emit(Overflow(call.call_id, call.queue, cfg.overflow_to, why))
            self._decide(call, "overflow", None, f"{why}; to {cfg.overflow_to}")
            self._enter_queue(call, cfg.overflow_to, "overflow")
        else:
            outcome = "callback_requested" if action is MaxWaitAction.CALLBACK else "timeout"
            freed = self._leave_queue(call, outcome, why)
            del self._calls[call.call_id]
            self._emit(LeaveQueue(call.call_id, call.queue, action, why))
            self._decide(call, action.value, None, why)
        for agent in freed:
            self._make_available(agent)

    def _return_to_queue(self, call: CallRecord) -> None:
        call.status = CallStatus.WAITING
        self._queues[call.queue].waiting.add(call.key)
        self._route_call(call)

    def _unprefer(self, call: CallRecord) -> None:
        if call.preferred is not None:
            held = self._preferred.get(call.preferred)
            if held is not None:
                held.pop(call.call_id, None)
                if not held:
                    del self._preferred[call.preferred]
        call.preferred = None

    # ------------------------------------------------------------------ routing

    def _route_call(self, call: CallRecord) -> None:
        """Offer a waiting caller to the best available agent that meets its requirements."""
        if call.status is not CallStatus.WAITING:
            return
        q = self._queues[call.queue]
        cfg = q.config
        level = level_at(cfg, self._now - call.entered_queue)
        if cfg.strategy is Strategy.RING_ALL:
            chosen = [self._agents[e[2]] for e in self._walk(q, level)]
            chosen = [a for a in chosen if self._meets(call, a, a.entry[call.queue], level)]
            for agent in chosen:
                self._offer(call, agent, f"ring_all: one of {len(chosen)} eligible agents", ())
            if not chosen:
                self._no_agent(q, call, level, ())
            return
        if cfg.strategy is Strategy.RANDOM:
            picked = self._pick_random(q, call, level)
            if picked is not None:
                agent, reason = picked
                self._offer(call, agent, reason, ())
            else:
                self._no_agent(q, call, level, ())
            return
        passed: list[str] = []
        for skipped, entry in enumerate(self._walk(q, level)):
            agent = self._agents[entry[2]]
            if self._meets(call, agent, agent.entry[call.queue], level):
                if cfg.strategy is Strategy.ROUND_ROBIN:
                    q.rr_last = entry[1]
                reason = self._why(q, agent)
                summary = self._not_yet(q, level)
                if skipped > len(passed):
                    summary = f"{skipped - len(passed)} more passed over; {summary}"
                self._offer(call, agent, reason, tuple(passed), summary)
                return
            if len(passed) < _PASSED_OVER_SHOWN:
                passed.append(f"{agent.id}: lacks {self._missing(call, agent, level)}")
        self._no_agent(q, call, level, tuple(passed))

    def _no_agent(
        self, q: QueueRecord, call: CallRecord, level: int, passed: tuple[str, ...]
    ) -> None:
        staffed = self._staffed(q, level)[0]
        reason = (
            f"no available agent meets {call.criteria[level].describe()} "
            f"(relax level {level}; {staffed} staffed agent(s) could serve)"
        )
        self._decide(call, "wait", None, reason, passed, self._not_yet(q, level))

    def _route_agent(self, agent: AgentRecord) -> None:
        """Give a newly free agent the most overdue caller it can serve."""
        held = self._preferred.get(agent.id)
        if held:
            call = min(held.values(), key=lambda c: c.key)
            self._offer(call, agent, "preferred agent", ())
            return
        now = self._now
        found: list[tuple[tuple[int, float], int, CallRecord, str]] = []
        passed: list[str] = []
        for name, entry in agent.entry.items():
            q = self._queues[name]
            if not q.waiting:
                continue
            cfg = q.config
            for key in q.waiting:
                call = self._calls[key[3]]
                level = level_at(cfg, now - call.entered_queue)
                if entry <= level and self._meets(call, agent, entry, level):
                    waited = now - call.first_entered
                    text = (
                        f"{call.call_id} in {name} ({call.priority}, waited {waited:.1f} s"
                        f" x weight {cfg.weight:g})"
                    )
                    found.append(((call.rank, -waited * cfg.weight), len(found), call, text))
                    break
                if len(passed) < _PASSED_OVER_SHOWN:
                    if entry > level:
                        why = f"agent allowed from relax level {entry}, caller at {level}"
                    else:
                        why = f"agent lacks {self._missing(call, agent, level)}"
                    passed.append(f"{call.call_id} in {name}: {why}")
        if not found:
            return
        found.sort(key=lambda item: item[:2])
        _, _, call, text = found[0]
        if self._queues[call.queue].config.strategy is Strategy.RING_ALL:
            self._route_call(call)
            return
        reason = f"agent {agent.id} free; most overdue caller: {text}"
        summary = f"next best: {found[1][3]}" if len(found) > 1 else ""
        self._offer(call, agent, reason, tuple(passed), summary)

    def _walk(self, q: QueueRecord, level: int) -> Iterator[Entry]:
        if q.shared is not None:
            order, skill, lowest = q.shared
            pools = self._skills.accepting(order, skill, lowest[level])
            walks = [p.ordered() for p in pools]
            if order is Order.FIXED:
                # Best skill: the key starts with -proficiency, so the pools come in order.
                return itertools.chain.from_iterable(walks)
        elif q.heap_pools:
            walks = [p.ordered() for p in q.heap_pools[: level + 1] if len(p)]
        else:
            walks = [p.ordered(q.rr_last) for p in q.rank_pools[: level + 1] if len(p)]
        if len(walks) == 1:
            return walks[0]
        return heapq.merge(*walks)

    def _pick_random(
        self, q: QueueRecord, call: CallRecord, level: int
    ) -> tuple[AgentRecord, str] | None:
        pools = q.random_pools[: level + 1]
        total = sum(len(p) for p in pools)
        if total == 0:
            return None
        rng = self._rng
        for _ in range(_RANDOM_TRIES):
            index = rng.randrange(total)
            for pool in pools:
                if index < len(pool):
                    agent = self._agents[pool[index]]
                    break
                index -= len(pool)
            if self._meets(call, agent, agent.entry[call.queue], level):
                return agent, f"random pick among {total} available agents"
        eligible = [
            self._agents[aid]
            for pool in pools
            for aid in pool
            if self._meets(call, self._agents[aid], self._agents[aid].entry[call.queue], level)
        ]
        if not eligible:
            return None
        return rng.choice(eligible), f"random pick among {len(eligible)} eligible agents"

    def _meets(self, call: CallRecord, agent: AgentRecord, entry: int, level: int) -> bool:
        if not call.extra:
            return True
        profile = agent.profile
        return any(crit.accepts(profile) for crit in call.criteria[entry : level + 1])

    def _missing(self, call: CallRecord, agent: AgentRecord, level: int) -> str:
        crit = call.criteria[level]
        gaps = [f"{s}>={m}" for s, m in crit.skills if agent.profile.proficiency(s) < m]
        if crit.team is not None and agent.profile.team != crit.team:
            gaps.append(f"team {crit.team}")
        return ", ".join(gaps) or "nothing"

    def _why(self, q: QueueRecord, agent: AgentRecord) -> str:
        strategy = q.config.strategy
        idle = self._now - agent.idle_since
        if strategy is Strategy.FEWEST_CALLS:
            return f"fewest calls ({agent.calls}), idle {idle:.1f} s"
        if strategy is Strategy.LEAST_TALK_TIME:
            return f"least talk time ({agent.talk_time:.0f} s), idle {idle:.1f} s"
        if strategy is Strategy.ROUND_ROBIN:
            return f"next in rotation (rank {q.ranks.get(agent.id)})"
        if strategy is Strategy.LINEAR:
            pos = q.linear_pos.get(agent.id)
            where = f"position {pos + 1}" if pos is not None else "after the listed agents"
            return f"first free agent in linear order ({where})"
        if strategy is Strategy.BEST_SKILL:
            return f"best skill score {self._skill_score(q, agent)}, idle {idle:.1f} s"
        return f"longest idle ({idle:.1f} s)"

    def _not_yet(self, q: QueueRecord, level: int) -> str:
        parts = []
        for higher in range(level + 1, len(q.criteria)):
            n = self._entering_at(q, higher)
            if n:
                step = q.config.relax[higher - 1]
                parts.append(f"{n} available agent(s) allowed only after {step.after:g} s")
        return "; ".join(parts)

    def _entering_at(self, q: QueueRecord, level: int) -> int:
        """Available agents whose entry level in `q` is `level`."""
        if q.shared is not None:
            order, skill, lowest = q.shared
            high = lowest[level - 1] if level else MAX_PROFICIENCY + 1
            return self._skills.count(order, skill, lowest[level], high)
        pools = q.heap_pools or q.rank_pools or q.random_pools
        return len(pools[level])

    def _available(self, q: QueueRecord, level: int) -> int:
        """Available agents that `q` accepts at `level`."""
        if q.shared is not None:
            order, skill, lowest = q.shared
            return self._skills.count(order, skill, lowest[level], MAX_PROFICIENCY + 1)
        pools = q.heap_pools or q.rank_pools or q.random_pools
        return sum(len(p) for p in pools[: level + 1])

    def _skill_score(self, q: QueueRecord, agent: AgentRecord) -> int:
        return sum(agent.profile.proficiency(s) for s in q.config.skills)

    def _offer(
        self,
        call: CallRecord,
        agent: AgentRecord,
        reason: str,
        passed: tuple[str, ...],
        summary: str = "",
    ) -> None:
        oid = next(self._offer_ids)
        q = self._queues[call.queue]
        if call.status is CallStatus.WAITING:
            q.waiting.remove(call.key)
        elif call.status is CallStatus.PREFERRED:
            self._unprefer(call)
        call.status = CallStatus.OFFERING
        self._pool_remove(agent)
        self._transition(agent, AgentTrigger.RESERVE, f"offer {oid}", call_id=call.call_id)
        offer = OfferRecord(oid, call, agent, call.queue, self._now)
        agent.offer = offer
        call.offers[oid] = offer
        self._offers[oid] = offer
        timeout = q.config.ring_timeout
        self._timers.add(self._now + timeout, TimerKind.RING_TIMEOUT, "", oid)
        self._emit(Offer(oid, call.call_id, agent.id, call.queue, timeout, reason))
        self._decide(call, "offer", agent.id, reason, passed, summary)

    def _drop_offer(self, offer: OfferRecord) -> None:
        del self._offers[offer.offer_id]
        offer.call.offers.pop(offer.offer_id, None)
        offer.agent.offer = None

    def _cancel_offer(self, offer: OfferRecord, why: str) -> None:
        """Withdraw an offer; the agent goes back to available but is not yet routed."""
        self._emit(CancelOffer(offer.offer_id, offer.call.call_id, offer.agent.id, why))
        self._drop_offer(offer)
        self._transition(offer.agent, AgentTrigger.CANCEL, why, call_id=offer.call.call_id)

    def _offer_failed(self, offer: OfferRecord, result: OfferResult) -> None:
        agent, call = offer.agent, offer.call
        self._drop_offer(offer)
        trigger = _FAILED_TRIGGER[result]
        cause = f"offer {offer.offer_id}: {result.value}"
        if result is OfferResult.NO_ANSWER:
            agent.rona += 1
            if agent.rona >= self.config.rona_limit:
                trigger = AgentTrigger.NO_ANSWER_LIMIT
                cause += f" ({agent.rona} in a row)"
        if trigger is AgentTrigger.NO_ANSWER_LIMIT:
            agent.rona = 0
            self._staff(agent, -1)
            self._transition(agent, trigger, cause, pause_reason="no_answer", call_id=call.call_id)
            self._emit(PauseAgent(agent.id, "no_answer"))
        else:
            self._transition(agent, trigger, cause, call_id=call.call_id)
            agent.backoff_until = self._now + self.config.backoff[result]
        if not call.offers and call.status is CallStatus.OFFERING:
            call.status = CallStatus.WAITING
            self._queues[call.queue].waiting.add(call.key)
        if agent.fsm.state is AgentState.AVAILABLE:
            self._make_available(agent)
        self._route_call(call)

    def _make_available(self, agent: AgentRecord) -> None:
        """An AVAILABLE agent joins the pools (after any back-off) and takes a caller."""
        if agent.fsm.state is not AgentState.AVAILABLE or agent.pooled:
            return
        if agent.backoff_until > self._now:
            agent.token += 1
            self._timers.add(agent.backoff_until, TimerKind.BACKOFF_END, agent.id, agent.token)
            return
        idle = agent.idle_since
        keys = {
            Order.IDLE: (idle,),
            Order.CALLS: (agent.calls, idle),
            Order.TALK: (agent.talk_time, idle),
        }
        aid = agent.id
        for pool, order, fixed in agent.heap_slots:
            pool.add(aid, keys[order] if order is not Order.FIXED else (fixed, idle))
        for name, level in agent.other_pools:
            q = self._queues[name]
            if q.rank_pools:
                q.rank_pools[level].add(aid, q.rank_of(aid))
            else:
                q.random_pools[level].add(aid)
        agent.pooled = True
        self._route_agent(agent)

    def _pool_remove(self, agent: AgentRecord) -> None:
        if not agent.pooled:
            return
        aid = agent.id
        for pool, _, _ in agent.heap_slots:
            pool.discard(aid)
        for name, level in agent.other_pools:
            q = self._queues[name]
            if q.rank_pools:
                q.rank_pools[level].discard(aid, q.ranks[aid])
            else:
                q.random_pools[level].discard(aid)
        agent.pooled = False

    def _place(self, agent: AgentRecord) -> None:
        """At login: the pools the agent joins when free and the staffing it counts in."""
        profile = agent.profile
        heap_slots: list[tuple[HeapPool, Order, float]] = []
        other_pools: list[tuple[str, int]] = []
        own_staffing: list[tuple[str, int]] = []
        for name, level in agent.entry.items():
            q = self._queues[name]
            if q.shared is not None:
                continue
            own_staffing.append((name, level))
            if not q.heap_pools:
                other_pools.append((name, level))
                continue
            strategy = q.config.strategy
            pool = q.heap_pools[level]
            if strategy is Strategy.FEWEST_CALLS:
                heap_slots.append((pool, Order.CALLS, 0.0))
            elif strategy is Strategy.LEAST_TALK_TIME:
                heap_slots.append((pool, Order.TALK, 0.0))
            elif strategy is Strategy.LINEAR:
                pos = q.linear_pos.get(agent.id, len(q.linear_pos))
                heap_slots.append((pool, Order.FIXED, pos))
            elif strategy is Strategy.BEST_SKILL:
                heap_slots.append((pool, Order.FIXED, -self._skill_score(q, agent)))
            else:
                heap_slots.append((pool, Order.IDLE, 0.0))
        skill_staffing: list[tuple[str, int]] = []
        for skill, prof in profile.skills.items():
            orders = self._skills.orders(skill)
            if orders:
                skill_staffing.append((skill, prof))
            for order in orders:
                # Shared best-skill pools hold one proficiency each: the score is -prof.
                heap_slots.append((self._skills.pool(order, skill, prof), order, -prof))
        agent.heap_slots = heap_slots
        agent.other_pools = other_pools
        agent.own_staffing = own_staffing
        agent.skill_staffing = skill_staffing

    # ------------------------------------------------------------------ agents' call lifecycle

    def _finish_wrap_up(self, agent: AgentRecord, cause: str) -> None:
        self._record_handle_time(agent)
        agent.idle_since = self._now
        agent.token += 1
        self._transition(agent, AgentTrigger.END_WRAP_UP, cause)
        self._make_available(agent)

    def _record_handle_time(self, agent: AgentRecord) -> None:
        handle = self._now - agent.answered_at
        alpha = self.config.aht_smoothing
        old = agent.aht
        agent.aht = new = handle if old is None else (1 - alpha) * old + alpha * handle
        if not agent.staffed:
            return
        for name, level in agent.own_staffing:
            q = self._queues[name]
            q.staffed_aht[level] += new - (old if old is not None else q.config.default_aht)
        for skill, prof in agent.skill_staffing:
            self._skills.new_aht(skill, prof, old, new)

    def _staff(self, agent: AgentRecord, sign: int) -> None:
        """Count a logged-in, unpaused agent in the staffing of its queues (for EWT)."""
        if (sign > 0) == agent.staffed:
            return
        agent.staffed = sign > 0
        aht = agent.aht
        for name, level in agent.own_staffing:
            q = self._queues[name]
            q.staffed_n[level] += sign
            q.staffed_aht[level] += sign * (aht if aht is not None else q.config.default_aht)
        for skill, prof in agent.skill_staffing:
            self._skills.staff(skill, prof, sign, aht)

    def _staffed(self, q: QueueRecord, level: int) -> tuple[int, float]:
        """Logged-in, unpaused agents eligible at `level`, and the sum of their AHTs."""
        if q.shared is not None:
            _, skill, lowest = q.shared
            return self._skills.staffed(skill, lowest[level], q.config.default_aht)
        return sum(q.staffed_n[: level + 1]), sum(q.staffed_aht[: level + 1])

    def _estimate(self, q: QueueRecord, call: CallRecord, ahead: int) -> float | None:
        level = level_at(q.config, self._now - call.entered_queue)
        n, total = self._staffed(q, level)
        if n <= 0:
            return None
        mean_aht = max(total / n, 0.0)
        if self._available(q, level) > ahead:
            return 0.0
        return (ahead + 1) * mean_aht / n

    # ------------------------------------------------------------------ timers

    def _run_timers(self, now: float) -> None:
        timers = self._timers
        while (timer := timers.pop_due(now)) is not None:
            due, _, kind, ref, token = timer
            self._now = due
            if kind is TimerKind.RING_TIMEOUT:
                offer = self._offers.get(token)
                if offer is not None:
                    self._emit(
                        CancelOffer(
                            offer.offer_id, offer.call.call_id, offer.agent.id, "ring timeout"
                        )
                    )
                    self._offer_failed(offer, OfferResult.NO_ANSWER)
            elif kind is TimerKind.WRAP_END or kind is TimerKind.BACKOFF_END:
                agent = self._agents.get(ref)
                if agent is None or agent.token != token:
                    continue
                if kind is TimerKind.WRAP_END and agent.fsm.state is AgentState.WRAP_UP:
                    self._finish_wrap_up(agent, "wrap-up time over")
                elif kind is TimerKind.BACKOFF_END:
                    self._make_available(agent)
            else:
                call = self._calls.get(ref)
                if call is None or call.visit != token or call.status is CallStatus.CONNECTED:
                    continue
                self._call_timer(kind, call)
        self._now = now

    def _call_timer(self, kind: TimerKind, call: CallRecord) -> None:
        q = self._queues[call.queue]
        if kind is TimerKind.RELAX:
            self._route_call(call)
        elif kind is TimerKind.PREFERRED_END:
            if call.status is CallStatus.PREFERRED:
                self._decide(call, "fallback", None, f"preferred agent {call.preferred} not free")
                self._unprefer(call)
                self._return_to_queue(call)
        elif kind is TimerKind.MAX_WAIT:
            self._max_wait_action(call, f"max wait {q.config.max_wait:g} s reached")
        elif kind is TimerKind.ANNOUNCE and call.status is not CallStatus.OFFERING:
            ahead = q.waiting.ahead(call.key) if call.status is CallStatus.WAITING else 0
            self._emit(
                AnnounceEwt(call.call_id, call.queue, ahead + 1, self._estimate(q, call, ahead))
            )
            every = q.config.announce_every
            if every is not None:
                self._timers.add(self._now + every, TimerKind.ANNOUNCE, call.call_id, call.visit)

    # ------------------------------------------------------------------ helpers

    def _transition(
        self,
        agent: AgentRecord,
        trigger: AgentTrigger,
        cause: str,
        *,
        pause_reason: str | None = None,
        call_id: str | None = None,
    ) -> None:
        self._emit(
            agent.fsm.apply(trigger, self._now, cause, pause_reason=pause_reason, call_id=call_id)
        )

    def _check(self, agent: AgentRecord, trigger: AgentTrigger) -> None:
        if not agent.fsm.can(trigger):
            raise IllegalTransition(agent.id, agent.fsm.state, trigger)

    def _emit(self, command: Command) -> None:
        self._out.append(command)

    def _decide(
        self,
        call: CallRecord,
        action: str,
        agent_id: str | None,
        reason: str,
        passed: tuple[str, ...] = (),
        summary: str = "",
    ) -> None:
        decision = Decision(
            self._now, call.call_id, call.queue, action, agent_id, reason, passed, summary
        )
        self._decisions.add(decision)
        logger.info("%s", decision)

    def _agent(self, agent_id: str) -> AgentRecord:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(f"unknown agent {agent_id!r}")
        return agent

    def _queue(self, name: str) -> QueueRecord:
        q = self._queues.get(name)
        if q is None:
            raise UnknownQueue(f"unknown queue {name!r}")
        return q
