"""Property-based checks of the routing core over random event streams.

The checker keeps its own books from the commands the core emits (offers, cancellations,
connections) and checks, after every event: no agent double booked, no caller offered to
two agents outside ring_all, FIFO within a priority, no eligible agent idle while a caller
waits; and at the end that every caller has left its queue exactly once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routing_harness import Harness

from agents import Agent, AgentState, IllegalTransition
from queues import (
    AgentLogin,
    AgentLogout,
    AgentPause,
    AgentReady,
    CallArrived,
    CallEnded,
    CallerLeft,
    CallHeld,
    CallResumed,
    CancelOffer,
    Command,
    Connected,
    Event,
    MaxWaitAction,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferResult,
    OfferRinging,
    QueueConfig,
    QueueExit,
    RelaxStep,
    Strategy,
    UnknownAgent,
    WrapUpEnded,
)

PRIORITIES = ("vip", "green_channel", "normal")
TERMINAL = {"answered", "abandoned", "timeout", "exit_key", "callback_requested",
            "blocked_full", "blocked_no_agents"}  # fmt: skip


def queues(strategies: tuple[Strategy, Strategy, Strategy]) -> tuple[QueueConfig, ...]:
    return (
        QueueConfig(
            "q0",
            skills={"s0": 3},
            relax=(RelaxStep(5, min_proficiency=1), RelaxStep(15, drop_skills=True, team="t1")),
            strategy=strategies[0],
            max_wait=60,
            on_max_wait=MaxWaitAction.OVERFLOW,
            overflow_to="q1",
            wrap_up=4,
            ring_timeout=10,
        ),
        QueueConfig(
            "q1",
            skills={"s1": 1},
            weight=2.0,
            strategy=strategies[1],
            max_wait=80,
            max_length=6,
            linear_order=("a3", "a1"),
        ),
        QueueConfig(
            "q2",
            strategy=strategies[2],
            preferred_timeout=10,
            last_agent_window=100,
            max_wait=200,
            on_max_wait=MaxWaitAction.CALLBACK,
            ring_timeout=8,
        ),
    )


skill_sets = st.dictionaries(st.sampled_from(["s0", "s1"]), st.integers(1, 5), max_size=2)
profiles = st.lists(
    st.tuples(skill_sets, st.sampled_from(["t0", "t1"])), min_size=1, max_size=5
).map(lambda ps: [Agent(f"a{i}", skills=s, team=t) for i, (s, t) in enumerate(ps)])
ops = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "arrive",
                "arrive",
                "arrive",
                "login",
                "logout",
                "pause",
                "ready",
                "answer",
                "answer",
                "fail",
                "ring",
                "leave",
                "end",
                "end",
                "hold",
                "unhold",
                "wrap",
                "tick",
            ]
        ),
        st.integers(0, 20),
        st.integers(0, 20),
        st.sampled_from([0.0, 0.0, 0.5, 1.0, 2.5, 6.0, 17.0]),
    ),
    max_size=60,
)
strategy_triples = st.tuples(*[st.sampled_from(list(Strategy))] * 3)


@dataclass
class Books:
    """What the core has told us: live offers, connected calls, queue exits."""

    offers: dict[int, Offer] = field(default_factory=dict)
    connected: dict[str, str] = field(default_factory=dict)
    exits: Counter[str] = field(default_factory=Counter)
    arrived: list[str] = field(default_factory=list)
    ring_all: set[str] = field(default_factory=set)


class Checker:
    def __init__(self, agents: list[Agent], strategies: tuple[Strategy, ...]) -> None:
        self.h = Harness(*queues(strategies), seed=7)  # type: ignore[arg-type]
        self.agents = {a.id: a for a in agents}
        self.books = Books(ring_all={q.name for q in self.h.config.queues
                                     if q.strategy is Strategy.RING_ALL})  # fmt: skip
        self.next_call = 0

    def send(self, event: Event) -> None:
        waiting_before = self.waiting_calls()
        try:
            out = self.h.send(event)
        except (IllegalTransition, UnknownAgent):
            out = self.h.core.tick()  # what the timers did before the refusal
        self.absorb(out, waiting_before)
        self.check_invariants()

    def waiting_calls(self) -> set[str]:
        core = self.h.core
        return {c for c in core.call_ids() if (v := core.call(c)) and v.status == "waiting"}

    def absorb(self, out: list[Command], waiting_before: set[str]) -> None:
        books = self.books
        for cmd in out:
            if isinstance(cmd, Offer):
                busy = [o for o in books.offers.values() if o.agent_id == cmd.agent_id]
                assert not busy, f"{cmd.agent_id} offered {cmd.call_id} while holding {busy}"
                assert cmd.agent_id not in books.connected.values(), "offer to an agent on a call"
                if cmd.queue not in books.ring_all:
                    same = [o for o in books.offers.values() if o.call_id == cmd.call_id]
                    assert not same, f"{cmd.call_id} offered to two agents"
                books.offers[cmd.offer_id] = cmd
                self.check_fifo(cmd, waiting_before)
            elif isinstance(cmd, CancelOffer):
                assert books.offers.pop(cmd.offer_id).agent_id == cmd.agent_id
            elif isinstance(cmd, Connected):
                assert cmd.call_id not in books.connected
                books.connected[cmd.call_id] = cmd.agent_id
            elif isinstance(cmd, QueueExit) and cmd.outcome in TERMINAL:
                books.exits[cmd.call_id] += 1

    def check_fifo(self, offer: Offer, waiting_before: set[str]) -> None:
        core, h = self.h.core, self.h
        if offer.queue in self.books.ring_all or offer.reason == "preferred agent":
            return
        mine = core.call(offer.call_id)
        if mine is None:  # a later timer in the same step took the caller away
            return
        offered = [d for d in core.decisions(offer.call_id) if d.action == "offer"]
        decided_at = [d for d in offered if d.agent_id == offer.agent_id][-1].at
        now = h.t
        h.t = decided_at  # judge eligibility at the moment of the decision
        try:
            for other in waiting_before & self.waiting_calls():
                view = core.call(other)
                assert view is not None
                older = view.waited > mine.waited + 1e-9
                # A caller that entered this queue after the decision (a later overflow in
                # the same step) was not there to be passed over.
                was_there = view.waited_in_queue >= 0
                same_class = view.queue == offer.queue and view.priority == mine.priority
                if same_class and older and was_there:
                    assert not core.eligible(offer.agent_id, other), (
                        f"{offer.agent_id} took {offer.call_id} before older {other}"
                    )
        finally:
            h.t = now

    def check_invariants(self) -> None:
        core = self.h.core
        holders = Counter(o.agent_id for o in self.books.offers.values())
        holders.update(self.books.connected.values())
        assert all(n == 1 for n in holders.values()), holders
        free = [a for a in core.agent_ids() if core.dispatchable(a)]
        for call_id in self.waiting_calls():
            for agent_id in free:
                assert not core.eligible(agent_id, call_id), (
                    f"{agent_id} idle while eligible {call_id} waits"
                )
        for agent_id in core.agent_ids():
            state = core.agent(agent_id).state
            if holders[agent_id]:
                assert state in {AgentState.RESERVED, AgentState.RINGING, AgentState.ON_CALL,
                                 AgentState.ON_HOLD}  # fmt: skip

    # -------------------------------------------------------------- random operations

    def run(self, op: str, i: int, j: int) -> None:
        books, core = self.books, self.h.core
        agent_ids = sorted(self.agents)
        agent_id = agent_ids[i % len(agent_ids)]
        live = sorted(books.offers)
        connected = sorted(books.connected)
        calls = sorted(core.call_ids())
        if op == "arrive":
            call_id = f"c{self.next_call}"
            self.next_call += 1
            books.arrived.append(call_id)
            self.send(
                CallArrived(
                    call_id,
                    f"q{i % 3}",
                    priority=PRIORITIES[j % 3],
                    skills={"s0": 1} if j % 7 == 0 else {},
                    preferred_agent=agent_id if j % 5 == 0 else None,
                    ani=f"ani{j % 4}",
                )
            )
        elif op == "login":
            self.send(AgentLogin(self.agents[agent_id]))
        elif op == "logout":
            self.send(AgentLogout(agent_id))
        elif op == "pause":
            self.send(AgentPause(agent_id, "break"))
        elif op == "ready":
            self.send(AgentReady(agent_id))
        elif op in ("answer", "fail", "ring") and live:
            self.tick()  # a ring timeout due now comes before the agent's answer
            offer_id = live[i % len(live)]
            if offer_id not in books.offers:
                return
            if op == "answer":
                books.offers.pop(offer_id)
                self.send(OfferAnswered(offer_id))
            elif op == "fail":
                books.offers.pop(offer_id)
                self.send(OfferFailed(offer_id, list(OfferResult)[j % 3]))
            else:
                self.send(OfferRinging(offer_id))
        elif op == "leave" and calls:
            call_id = calls[i % len(calls)]
            books.connected.pop(call_id, None)
            self.send(CallerLeft(call_id))
        elif op in ("end", "hold", "unhold") and connected:
            call_id = connected[i % len(connected)]
            state = core.agent(books.connected[call_id]).state
            if op == "end":
                books.connected.pop(call_id)
                self.send(CallEnded(call_id))
            elif op == "hold" and state is AgentState.ON_CALL:
                self.send(CallHeld(call_id))
            elif op == "unhold" and state is AgentState.ON_HOLD:
                self.send(CallResumed(call_id))
        elif op == "wrap":
            self.send(WrapUpEnded(agent_id))
        else:
            self.tick()

    def tick(self) -> None:
        waiting_before = self.waiting_calls()
        self.absorb(self.h.core.tick(), waiting_before)
        self.check_invariants()

    def drain(self) -> None:
        """Staff everyone, answer and end everything, let time pass: all callers must go."""
        core = self.h.core
        for _ in range(200):
            for agent_id in sorted(self.agents):
                if agent_id not in core.agent_ids():
                    self.send(AgentLogin(self.agents[agent_id]))
                state = core.agent(agent_id).state
                if state is AgentState.LOGGED_OUT:
                    self.send(AgentLogin(self.agents[agent_id]))
                elif state is AgentState.PAUSED:
                    self.send(AgentReady(agent_id))
            for offer_id in sorted(self.books.offers):
                if offer_id in self.books.offers:
                    self.books.offers.pop(offer_id)
                    self.send(OfferAnswered(offer_id))
            for call_id in sorted(self.books.connected):
                self.books.connected.pop(call_id)
                self.send(CallEnded(call_id))
            if not core.call_ids():
                break
            self.h.at(self.h.t + 5)
            self.tick()
        assert core.call_ids() == []
        for call_id in self.books.arrived:
            assert self.books.exits[call_id] == 1, (call_id, self.books.exits[call_id])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agents=profiles, strategies=strategy_triples, steps=ops)
def test_random_streams_keep_the_routing_invariants(
    agents: list[Agent],
    strategies: tuple[Strategy, Strategy, Strategy],
    steps: list[tuple[str, int, int, float]],
) -> None:
    checker = Checker(agents, strategies)
    for op, i, j, dt in steps:
        checker.h.at(checker.h.t + dt)
        checker.run(op, i, j)
    checker.drain()


@settings(max_examples=100, deadline=None)
@given(
    arrivals=st.lists(
        st.tuples(st.sampled_from(PRIORITIES), st.sampled_from([0.0, 0.0, 0.3, 1.0, 4.0])),
        min_size=1,
        max_size=25,
    ),
    agents=st.integers(1, 3),
)
def test_callers_are_served_by_priority_then_wait(
    arrivals: list[tuple[str, float]], agents: int
) -> None:
    h = Harness(QueueConfig("q"))
    for i in range(agents):
        h.login(f"a{i}")
        h.send(AgentPause(f"a{i}", "x"))
    entered: dict[str, tuple[int, float, int]] = {}
    for n, (priority, dt) in enumerate(arrivals):
        h.at(h.t + dt).arrive(f"c{n}", priority=priority)
        entered[f"c{n}"] = (PRIORITIES.index(priority), h.t, n)
    served: list[str] = []
    out = [c for i in range(agents) for c in h.send(AgentReady(f"a{i}"))]
    while len(served) < len(arrivals):
        offers = [c for c in out if isinstance(c, Offer)]
        assert offers, "a caller was left waiting with a free agent"
        out = []
        for offer in offers:
            served.append(offer.call_id)
            h.send(OfferAnswered(offer.offer_id))
            out += h.send(CallEnded(offer.call_id))
    assert served == sorted(entered, key=lambda c: entered[c])
