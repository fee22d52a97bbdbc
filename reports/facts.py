"""Events to facts: per queue visit, per call, per ring attempt, per agent state interval.

This is the only place that interprets event sequences. Both report paths use it: the JSONL
path directly, the database path through the projection tables it fills. All times are integer
microseconds since the epoch; durations are exact differences of those.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reports.events import ANSWERED, BLOCKED_OUTCOMES, Event

__all__ = [
    "SLICE_US",
    "AgentInterval",
    "AgentSlice",
    "CallFact",
    "Facts",
    "RingFact",
    "VisitFact",
    "derive",
    "derive_agents",
    "derive_calls",
    "slice_intervals",
]

SLICE_US = 15 * 60 * 1_000_000  # agent time is split at quarter-hour boundaries

# Order of kinds stamped with the same microsecond, so the result never depends on arrival order.
_RANK = {
    k: i
    for i, k in enumerate(
        [
            "call_started",
            "call_class",
            "ivr_step",
            "ivr_finished",
            "callback_delivered",
            "queue_entered",
            "ring_started",
            "ring_ended",
            "queue_exited",
            "callback_requested",
            "talk_started",
            "hold_started",
            "hold_ended",
            "transfer",
            "talk_ended",
            "call_ended",
            "wrap_up_started",
            "wrap_up_ended",
            "disposition",
            "survey_offered",
            "survey_answer",
            "qa_score",
            "agent_state",
        ]
    )
}


def _order(ev: Event) -> tuple[int, int, str]:
    return (ev.us, _RANK.get(ev.kind, 99), ev.event_id)


@dataclass(slots=True)
class VisitFact:
    call_id: str
    visit_no: int
    queue: str
    call_class: str
    enter_us: int
    outcome: str = ""
    wait_us: int = 0
    offer_delay_us: int | None = None  # queue entry to first ring
    agent_id: str | None = None
    rung: int = 0  # ring attempts in this visit (all before the answer)
    ring_us: int = 0
    rona: int = 0
    talk_us: int = 0  # connected time, hold excluded
    hold_us: int = 0
    hold_count: int = 0
    acw_us: int = 0
    t_blind: int = 0
    t_attended: int = 0
    t_queue: int = 0
    t_agent: int = 0
    t_external: int = 0
    qa_n: int = 0
    qa_sum: float = 0.0
    exited: bool = False
    talk_raw_us: int = 0


@dataclass(slots=True)
class CallFact:
    call_id: str
    start_us: int
    ani: str = ""
    dnis: str = ""
    call_class: str = "normal"
    primary_queue: str | None = None
    attr_us: int = 0  # first queue entry, else call start
    agent_id: str | None = None  # the first agent who answered (owns the case)
    ivr_only: bool = False
    blocked: bool = False
    answered: bool = False
    abandoned: bool = False
    unresolved: bool = False
    survey_offered: bool = False
    survey_n: int = 0
    survey_sum: float = 0.0
    callbacks_requested: int = 0
    callbacks_delivered: int = 0
    end_us: int | None = None
    hangup_by: str | None = None


@dataclass(frozen=True, slots=True)
class RingFact:
    call_id: str
    agent_id: str
    queue: str | None
    start_us: int
    dur_us: int
    result: str


@dataclass(frozen=True, slots=True)
class AgentInterval:
    agent_id: str
    state: str
    reason: str
    start_us: int
    end_us: int


@dataclass(frozen=True, slots=True)
class AgentSlice:
    agent_id: str
    bucket_us: int
    state: str
    reason: str
    dur_us: int


@dataclass
class Facts:
    visits: list[VisitFact]
    calls: list[CallFact]
    rings: list[RingFact]
    intervals: list[AgentInterval]
    teams: dict[str, str]


class _CallBuilder:
    def __init__(self, call_id: str) -> None:
        self.call = CallFact(call_id=call_id, start_us=0)
        self.started = False
        self.visits: list[VisitFact] = []
        self.rings: list[RingFact] = []
        self.by_agent: dict[str, VisitFact] = {}  # latest answered visit per agent
        self.ring_open: dict[str, tuple[int, VisitFact | None]] = {}
        self.talk_open: dict[str, int] = {}
        self.hold_open: dict[str, int] = {}
        self.wrap_open: dict[str, int] = {}
        self.self_service = False

    def _open_visit(self, queue: str | None) -> VisitFact | None:
        for v in reversed(self.visits):
            if not v.exited and (queue is None or v.queue == queue):
                return v
        return None

    def _end_ring(self, agent: str, us: int, result: str) -> None:
        start, visit = self.ring_open.pop(agent)
        dur = us - start
        self.rings.append(
            RingFact(self.call.call_id, agent, visit.queue if visit else None, start, dur, result)
        )
        if visit is not None:
            visit.ring_us += dur
            if result == "no_answer":
                visit.rona += 1

    def _exit(self, v: VisitFact, us: int, outcome: str, agent: str | None) -> None:
        v.exited = True
        v.outcome = outcome
        v.wait_us = us - v.enter_us
        for a in [a for a, (_, rv) in self.ring_open.items() if rv is v and a != agent]:
            self._end_ring(a, us, "caller_gone")
        if outcome == ANSWERED:
            v.agent_id = agent
            if agent is not None:
                self.by_agent[agent] = v

    def feed(self, ev: Event) -> None:
        k, us, d, agent = ev.kind, ev.us, ev.data, ev.agent_id
        c = self.call
        if k == "call_started":
            self.started = True
            c.start_us = us
            c.ani = str(d.get("ani") or "")
            c.dnis = str(d.get("dnis") or "")
        elif k == "call_class":
            c.call_class = str(d["call_class"])
        elif k == "ivr_finished":
            self.self_service = bool(d.get("self_service"))
        elif k == "queue_entered" and ev.queue:
            self.visits.append(VisitFact(c.call_id, len(self.visits), ev.queue, c.call_class, us))
        elif k == "queue_exited":
            v = self._open_visit(ev.queue)
            if v is not None:
                self._exit(v, us, str(d["outcome"]), agent)
        elif k == "ring_started" and agent:
            v = self._open_visit(ev.queue)
            self.ring_open[agent] = (us, v)
            if v is not None:
                v.rung += 1
                if v.offer_delay_us is None:
                    v.offer_delay_us = us - v.enter_us
        elif k == "ring_ended" and agent and agent in self.ring_open:
            self._end_ring(agent, us, str(d["result"]))
        elif agent and k in ("talk_started", "hold_started", "wrap_up_started"):
            {"talk_started": self.talk_open, "hold_started": self.hold_open}.get(k, self.wrap_open)[
                agent
            ] = us
        elif agent and k in ("talk_ended", "hold_ended", "wrap_up_ended"):
            opened = {"talk_ended": self.talk_open, "hold_ended": self.hold_open}.get(
                k, self.wrap_open
            )
            if agent in opened:
                self._segment(k, agent, us - opened.pop(agent))
        elif k == "transfer" and agent in self.by_agent:
            v = self.by_agent[str(agent)]
            if d["mode"] == "blind":
                v.t_blind = 1
            else:
                v.t_attended = 1
            setattr(v, "t_" + str(d["target_kind"]), 1)
        elif k == "call_ended":
            self._end_call(us, d.get("hangup_by"))
        elif k == "disposition" and d.get("resolved") is False:
            c.unresolved = True
        elif k == "survey_offered":
            c.survey_offered = True
        elif k == "survey_answer":
            c.survey_n += 1
            c.survey_sum += float(d["score"])
        elif k == "qa_score" and agent in self.by_agent:
            v = self.by_agent[str(agent)]
            v.qa_n += 1
            v.qa_sum += float(d["score"])
        elif k == "callback_requested":
            c.callbacks_requested += 1
        elif k == "callback_delivered":
            c.callbacks_delivered += 1

    def _segment(self, kind: str, agent: str, dur: int) -> None:
        v = self.by_agent.get(agent)
        if v is None:
            return
        if kind == "talk_ended":
            v.talk_raw_us += dur
        elif kind == "hold_ended":
            v.hold_us += dur
            v.hold_count += 1
        else:
            v.acw_us += dur

    def _end_call(self, us: int, hangup_by: object) -> None:
        self.call.end_us = us
        self.call.hangup_by = str(hangup_by) if hangup_by else None
        for v in self.visits:
            if not v.exited:  # hung up while queued without an explicit exit
                self._exit(v, us, "abandoned", None)
        for a in list(self.ring_open):
            self._end_ring(a, us, "caller_gone")
        for a in list(self.hold_open):
            self._segment("hold_ended", a, us - self.hold_open.pop(a))
        for a in list(self.talk_open):
            self._segment("talk_ended", a, us - self.talk_open.pop(a))

    def finish(self) -> tuple[CallFact | None, list[VisitFact], list[RingFact]]:
        visits = [v for v in self.visits if v.exited]
        for v in visits:
            v.talk_us = max(0, v.talk_raw_us - v.hold_us)
        if not self.started:
            return None, visits, self.rings
        c = self.call
        if visits:
            c.primary_queue = visits[0].queue
            c.attr_us = visits[0].enter_us
        else:
            c.attr_us = c.start_us
        answered = [v for v in visits if v.outcome == ANSWERED]
        c.answered = bool(answered)
        c.agent_id = answered[0].agent_id if answered else None
        c.abandoned = not answered and any(v.outcome == "abandoned" for v in visits)
        c.blocked = not answered and any(v.outcome in BLOCKED_OUTCOMES for v in visits)
        c.ivr_only = self.self_service and not self.visits
        return c, visits, self.rings


def derive_calls(
    events: Iterable[Event],
) -> tuple[list[CallFact], list[VisitFact], list[RingFact]]:
    """Facts of the calls whose events are given (all events of each call)."""
    per_call: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        if ev.call_id and ev.kind != "agent_state":
            per_call[ev.call_id].append(ev)
    calls: list[CallFact] = []
    visits: list[VisitFact] = []
    rings: list[RingFact] = []
    for call_id, evs in per_call.items():
        b = _CallBuilder(call_id)
        for ev in sorted(evs, key=_order):
            b.feed(ev)
        call, vs, rs = b.finish()
        if call is not None:
            calls.append(call)
        visits += vs
        rings += rs
    return calls, visits, rings


def derive_agents(events: Iterable[Event]) -> tuple[list[AgentInterval], dict[str, str]]:
    """Closed agent state intervals (the current state counts once it ends) and agent teams."""
    per_agent: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        if ev.kind == "agent_state" and ev.agent_id:
            per_agent[ev.agent_id].append(ev)
    intervals: list[AgentInterval] = []
    teams: dict[str, str] = {}
    for agent, evs in per_agent.items():
        evs.sort(key=_order)
        for cur, nxt in itertools.pairwise(evs):
            if nxt.us > cur.us:
                intervals.append(
                    AgentInterval(
                        agent,
                        str(cur.data["to"]),
                        str(cur.data.get("reason") or ""),
                        cur.us,
                        nxt.us,
                    )
                )
        for ev in evs:
            if ev.data.get("team"):
                teams[agent] = str(ev.data["team"])
    return intervals, teams


def slice_intervals(intervals: Iterable[AgentInterval]) -> list[AgentSlice]:
    """Split state intervals at quarter-hour boundaries and sum per (agent, slice, state)."""
    acc: dict[tuple[str, int, str, str], int] = defaultdict(int)
    for iv in intervals:
        t = iv.start_us
        while t < iv.end_us:
            bucket = t - t % SLICE_US
            end = min(iv.end_us, bucket + SLICE_US)
            acc[(iv.agent_id, bucket, iv.state, iv.reason)] += end - t
            t = end
    return [AgentSlice(a, b, s, r, d) for (a, b, s, r), d in acc.items()]


def derive(events: Iterable[Event]) -> Facts:
    evs = list(events)
    calls, visits, rings = derive_calls(evs)
    intervals, teams = derive_agents(evs)
    return Facts(visits, calls, rings, intervals, teams)
