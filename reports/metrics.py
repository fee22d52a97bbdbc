"""Facts to figures, pure: sums per group (mergeable, also computed in SQL), then ratios.

Three sections, each a list of rows keyed by the requested breakdown:
- ``queues``: one unit per queue visit, attributed to its queue-entry time;
- ``calls``: one unit per call, attributed to its first queue entry (or its start if it never
  queued), its first queue, and the first agent who answered it;
- ``agents``: agent state time in quarter-hour slices, plus the calls each agent handled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reports.events import ANSWERED, BLOCKED_OUTCOMES
from reports.facts import (
    AgentInterval,
    AgentSlice,
    CallFact,
    Facts,
    RingFact,
    VisitFact,
    slice_intervals,
)
from reports.params import BY_KEYS, SECTIONS, Params, ScheduleEntry, bucket_start

__all__ = [
    "AGENT_STATES_SHOWN",
    "AGENT_SUMS",
    "CALL_SUMS",
    "VISIT_SUMS",
    "GroupKey",
    "Report",
    "Sums",
    "adherence",
    "agent_keys",
    "call_figures",
    "compute",
    "fcr_flags",
    "finish",
    "visit_figures",
]

US = 1_000_000
GroupKey = tuple[str, ...]
Sums = dict[str, float]

VISIT_SUMS = [
    "offered",
    "blocked_visits",
    "queued",
    "wait_sum",
    "wait_max",
    "answered",
    "ans_le_t",
    "ans_wait_sum",
    "abandoned",
    "short_abandoned",
    "aband_long",
    "aband_long_wait_sum",
    "aband_le_t",
    "timeout",
    "exit_key",
    "overflow",
    "callback_requested",
    "rung_sum",
    "rings_sum",
    "rona",
    "talk_sum",
    "hold_sum",
    "hold_count",
    "held",
    "acw_sum",
    "transferred",
    "t_blind",
    "t_attended",
    "t_queue",
    "t_agent",
    "t_external",
    "qa_n",
    "qa_sum",
]
CALL_SUMS = [
    "total",
    "blocked",
    "ivr_only",
    "answered",
    "abandoned",
    "fcr_pos",
    "survey_offered",
    "survey_responded",
    "survey_n",
    "survey_sum",
    "callbacks_requested",
    "callbacks_delivered",
]
AGENT_STATES_SHOWN = (
    "available",
    "reserved",
    "ringing",
    "on_call",
    "on_hold",
    "wrap_up",
    "paused",
)
AGENT_SUMS = [f"s_{s}" for s in AGENT_STATES_SHOWN] + [
    "logged_in",
    "handled",
    "work_sum",
    "rona",
    "rings",
    "qa_n",
    "qa_sum",
]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def visit_contrib(v: VisitFact, p: Params) -> Sums:
    """What one visit adds to its group's sums (mirrored in SQL by reports.dbreport)."""
    if v.outcome in BLOCKED_OUTCOMES:
        return {"blocked_visits": 1}
    w = v.wait_us
    first = v.offer_delay_us if v.offer_delay_us is not None else w
    s: Sums = {
        "offered": 1,
        "queued": int(first > 0),
        "wait_sum": w,
        "wait_max": w,
        "rona": v.rona,
    }
    if v.outcome == ANSWERED:
        s.update(
            answered=1,
            ans_le_t=int(w <= p.t_us),
            ans_wait_sum=w,
            rung_sum=v.rung,
            rings_sum=_ceil_div(v.ring_us, p.cadence_us),
            talk_sum=v.talk_us,
            hold_sum=v.hold_us,
            hold_count=v.hold_count,
            held=int(v.hold_count > 0),
            acw_sum=v.acw_us,
            transferred=int(bool(v.t_blind or v.t_attended)),
            t_blind=v.t_blind,
            t_attended=v.t_attended,
            t_queue=v.t_queue,
            t_agent=v.t_agent,
            t_external=v.t_external,
            qa_n=v.qa_n,
            qa_sum=v.qa_sum,
        )
    elif v.outcome == "abandoned":
        short = w <= p.s_us
        s.update(
            abandoned=1,
            short_abandoned=int(short),
            aband_long=int(not short),
            aband_long_wait_sum=0 if short else w,
            aband_le_t=int(w <= p.t_us),
        )
    elif v.outcome in ("timeout", "exit_key", "overflow", "callback_requested"):
        s[v.outcome] = 1
    return s


def _merge(acc: Sums, add: Mapping[str, float]) -> None:
    for k, val in add.items():
        if k == "wait_max":
            acc[k] = max(acc.get(k, 0), val)
        else:
            acc[k] = acc.get(k, 0) + val


def fcr_flags(calls: Iterable[CallFact], window_us: int) -> dict[str, bool]:
    """Per answered call: True when its ANI does not call again within the window (start to
    start) and no disposition marked it unresolved."""
    by_ani: dict[str, list[CallFact]] = defaultdict(list)
    for c in calls:
        by_ani[c.ani].append(c)
    out: dict[str, bool] = {}
    for ani, cs in by_ani.items():
        cs.sort(key=lambda c: (c.start_us, c.call_id))
        for i, c in enumerate(cs):
            if not c.answered:
                continue
            repeat = bool(ani) and i + 1 < len(cs) and cs[i + 1].start_us - c.start_us <= window_us
            out[c.call_id] = not repeat and not c.unresolved
    return out


def call_contrib(c: CallFact, fcr: bool) -> Sums:
    responded = c.survey_n > 0
    return {
        "total": 1,
        "blocked": int(c.blocked),
        "ivr_only": int(c.ivr_only),
        "answered": int(c.answered),
        "abandoned": int(c.abandoned),
        "fcr_pos": int(c.answered and fcr),
        "survey_offered": int(c.survey_offered or responded),
        "survey_responded": int(responded),
        "survey_n": c.survey_n,
        "survey_sum": c.survey_sum,
        "callbacks_requested": c.callbacks_requested,
        "callbacks_delivered": c.callbacks_delivered,
    }


def _key(by: tuple[str, ...], p: Params, values: Mapping[str, str | int | None]) -> GroupKey:
    out: list[str] = []
    for k in by:
        val = values.get(k)
        if k == "interval":
            out.append(str(bucket_start(int(val or 0), p.interval, p.tz)))
        else:
            out.append("-" if val is None or val == "" else str(val))
    return tuple(out)


def agent_keys(by: tuple[str, ...]) -> tuple[str, ...]:
    """The agent section's breakdown: agent/team/interval as requested, per agent otherwise."""
    keys = tuple(k for k in by if k in ("team", "agent", "interval"))
    if "agent" not in keys and "team" not in keys:
        keys = ("agent", *keys)
    return keys


@dataclass
class Report:
    params: Params
    by: tuple[str, ...]
    queues: dict[GroupKey, Sums]
    calls: dict[GroupKey, Sums]
    agents: dict[GroupKey, Sums]
    totals: dict[str, Sums]  # "queues", "calls", "agents": sums over everything in range
    adherence: dict[GroupKey, tuple[float | None, float | None]]
    adherence_total: tuple[float | None, float | None]

    @property
    def agent_by(self) -> tuple[str, ...]:
        return agent_keys(self.by)


def compute(facts: Facts, p: Params) -> Report:
    """All sums of a report from facts (the JSONL path; the database path computes the same
    sums in SQL)."""
    by = p.by
    for k in by:
        if k not in BY_KEYS:
            raise ValueError(f"unknown breakdown {k!r}")
    for k in p.sections:
        if k not in SECTIONS:
            raise ValueError(f"unknown section {k!r}")
    team = facts.teams.get
    queues: dict[GroupKey, Sums] = defaultdict(dict)
    qtot: Sums = {}
    for v in facts.visits if "queues" in p.sections else ():
        if not p.in_range(v.enter_us):
            continue
        add = visit_contrib(v, p)
        vals = {
            "queue": v.queue,
            "agent": v.agent_id,
            "team": team(v.agent_id) if v.agent_id else None,
            "class": v.call_class,
            "interval": v.enter_us,
        }
        _merge(queues[_key(by, p, vals)], add)
        _merge(qtot, add)
    fcr = fcr_flags(facts.calls, p.fcr_window_us)
    calls: dict[GroupKey, Sums] = defaultdict(dict)
    ctot: Sums = {}
    for c in facts.calls if "calls" in p.sections else ():
        if not p.in_range(c.attr_us):
            continue
        add = call_contrib(c, fcr.get(c.call_id, False))
        vals = {
            "queue": c.primary_queue,
            "agent": c.agent_id,
            "team": team(c.agent_id) if c.agent_id else None,
            "class": c.call_class,
            "interval": c.attr_us,
        }
        _merge(calls[_key(by, p, vals)], add)
        _merge(ctot, add)
    agents: dict[GroupKey, Sums] = {}
    atot: Sums = {}
    adh: dict[GroupKey, tuple[float | None, float | None]] = {}
    adh_total: tuple[float | None, float | None] = (None, None)
    if "agents" in p.sections:
        agents, atot = agent_sums(
            slice_intervals(facts.intervals), facts.visits, facts.rings, facts.teams, p
        )
        adh, adh_total = adherence(facts.intervals, facts.teams, p)
    return Report(
        p,
        by,
        dict(queues),
        dict(calls),
        agents,
        {"queues": qtot, "calls": ctot, "agents": atot},
        adh,
        adh_total,
    )


def agent_sums(
    slices: Iterable[AgentSlice],
    visits: Iterable[VisitFact],
    rings: Iterable[RingFact],
    teams: Mapping[str, str],
    p: Params,
) -> tuple[dict[GroupKey, Sums], Sums]:
    by = agent_keys(p.by)
    out: dict[GroupKey, Sums] = defaultdict(dict)
    tot: Sums = {}

    def add(agent: str, us: int, sums: Sums) -> None:
        vals = {"agent": agent, "team": teams.get(agent), "interval": us}
        _merge(out[_key(by, p, vals)], sums)
        _merge(tot, sums)

    for sl in slices:
        if not p.in_range(sl.bucket_us):
            continue
        sums: Sums = {}
        if sl.state in AGENT_STATES_SHOWN:
            sums["s_" + sl.state] = sl.dur_us
        if sl.state != "logged_out":
            sums["logged_in"] = sl.dur_us
        if sl.state in ("on_call", "on_hold", "wrap_up"):
            sums["work_sum"] = sl.dur_us
        add(sl.agent_id, sl.bucket_us, sums)
    for v in visits:
        if v.outcome == ANSWERED and v.agent_id and p.in_range(v.enter_us):
            add(v.agent_id, v.enter_us, {"handled": 1, "qa_n": v.qa_n, "qa_sum": v.qa_sum})
    for r in rings:
        if p.in_range(r.start_us):
            add(r.agent_id, r.start_us, {"rings": 1, "rona": int(r.result == "no_answer")})
    return dict(out), tot


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _matches(state: str, reason: str, activity: str) -> bool:
    if activity == "work":
        return state not in ("logged_out", "paused")
    if activity.startswith("paused:"):
        return state == "paused" and reason == activity.split(":", 1)[1]
    return state == activity


def adherence(
    intervals: Iterable[AgentInterval], teams: Mapping[str, str], p: Params
) -> tuple[dict[GroupKey, tuple[float | None, float | None]], tuple[float | None, float | None]]:
    """(adherence, attendance) per agent/team group and overall; n/a (None) without a schedule.

    Adherence: time in the scheduled activity / scheduled time. Attendance: scheduled agents
    who logged in during a scheduled entry / scheduled agents. Schedules are clipped to the range.
    """
    if p.schedule is None:
        return {}, (None, None)
    lo = p.from_us if p.from_us is not None else -(2**62)
    hi = p.to_us if p.to_us is not None else 2**62
    by = tuple(k for k in agent_keys(p.by) if k != "interval")
    per_agent: dict[str, list[AgentInterval]] = defaultdict(list)
    for iv in intervals:
        per_agent[iv.agent_id].append(iv)
    groups: dict[GroupKey, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    total = [0.0, 0.0, 0.0, 0.0]
    attended: dict[str, bool] = {}
    sched: list[ScheduleEntry] = list(p.schedule)
    for e in sched:
        s0, s1 = max(e.start_us, lo), min(e.end_us, hi)
        if s1 <= s0:
            continue
        ivs = per_agent.get(e.agent_id, [])
        inside = sum(
            _overlap(iv.start_us, iv.end_us, s0, s1)
            for iv in ivs
            if _matches(iv.state, iv.reason, e.activity)
        )
        logged = any(
            iv.state != "logged_out" and _overlap(iv.start_us, iv.end_us, s0, s1) > 0 for iv in ivs
        )
        attended[e.agent_id] = attended.get(e.agent_id, False) or logged
        key = _key(by, p, {"agent": e.agent_id, "team": teams.get(e.agent_id)})
        for acc in (groups[key], total):
            acc[0] += inside
            acc[1] += s1 - s0
    for agent, ok in attended.items():
        key = _key(by, p, {"agent": agent, "team": teams.get(agent)})
        for acc in (groups[key], total):
            acc[2] += int(ok)
            acc[3] += 1

    def ratio(acc: list[float]) -> tuple[float | None, float | None]:
        return (acc[0] / acc[1] if acc[1] else None, acc[2] / acc[3] if acc[3] else None)

    return {k: ratio(v) for k, v in groups.items()}, ratio(total)


def _div(a: float, b: float, scale: float = 1.0) -> float | None:
    return a / b / scale if b else None


def visit_figures(s: Mapping[str, float]) -> dict[str, float | int | None]:
    g = s.get
    offered, answered = g("offered", 0), g("answered", 0)
    ab, short = g("abandoned", 0), g("short_abandoned", 0)
    work = g("talk_sum", 0) + g("hold_sum", 0) + g("acw_sum", 0)
    return {
        "offered": int(offered),
        "answered": int(answered),
        "answered_pct": _div(answered, offered),
        "queued_pct": _div(g("queued", 0), offered),
        "abandoned": int(ab),
        "short_abandoned": int(short),
        "abandon_rate": _div(ab - short, offered - short),
        "avg_time_to_abandon_s": _div(g("aband_long_wait_sum", 0), g("aband_long", 0), US),
        "queue_time_avg_s": _div(g("wait_sum", 0), offered, US),
        "queue_time_max_s": g("wait_max", 0) / US if offered else None,
        "asa_s": _div(g("ans_wait_sum", 0), answered, US),
        "sl": _div(g("ans_le_t", 0), answered + g("aband_long", 0)),
        "sl_answered_only": _div(g("ans_le_t", 0), answered),
        "sl_abandon_positive": _div(g("ans_le_t", 0) + g("aband_le_t", 0), answered + ab),
        "blocked_visits": int(g("blocked_visits", 0)),
        "timeout": int(g("timeout", 0)),
        "exit_key": int(g("exit_key", 0)),
        "overflow": int(g("overflow", 0)),
        "callback_requested": int(g("callback_requested", 0)),
        "agents_rung_avg": _div(g("rung_sum", 0), answered),
        "rings_avg": _div(g("rings_sum", 0), answered),
        "rona": int(g("rona", 0)),
        "talk_avg_s": _div(g("talk_sum", 0), answered, US),
        "hold_count": int(g("hold_count", 0)),
        "held_calls": int(g("held", 0)),
        "hold_avg_held_s": _div(g("hold_sum", 0), g("held", 0), US),
        "hold_avg_answered_s": _div(g("hold_sum", 0), answered, US),
        "acw_avg_s": _div(g("acw_sum", 0), answered, US),
        "aht_s": _div(work, answered, US),
        "transfer_rate": _div(g("transferred", 0), answered),
        "transfer_blind_rate": _div(g("t_blind", 0), answered),
        "transfer_attended_rate": _div(g("t_attended", 0), answered),
        "transfer_to_queue_rate": _div(g("t_queue", 0), answered),
        "transfer_to_agent_rate": _div(g("t_agent", 0), answered),
        "transfer_external_rate": _div(g("t_external", 0), answered),
        "qa_score_avg": _div(g("qa_sum", 0), g("qa_n", 0)),
    }


def call_figures(s: Mapping[str, float], cost: float | None) -> dict[str, float | int | None]:
    g = s.get
    total = g("total", 0)
    return {
        "total_calls": int(total),
        "blocked_calls": int(g("blocked", 0)),
        "blocked_rate": _div(g("blocked", 0), total),
        "ivr_only": int(g("ivr_only", 0)),
        "ivr_containment": _div(g("ivr_only", 0), total),
        "answered_calls": int(g("answered", 0)),
        "abandoned_calls": int(g("abandoned", 0)),
        "fcr": _div(g("fcr_pos", 0), g("answered", 0)),
        "satisfaction_avg": _div(g("survey_sum", 0), g("survey_n", 0)),
        "survey_response_rate": _div(g("survey_responded", 0), g("survey_offered", 0)),
        "callbacks_requested": int(g("callbacks_requested", 0)),
        "callbacks_delivered": int(g("callbacks_delivered", 0)),
        "cost_per_call": _div(cost, total) if cost is not None else None,
    }


_STATE_FIGS = [(f"{st}_s", f"s_{st}") for st in AGENT_STATES_SHOWN]


def agent_figures(s: Mapping[str, float]) -> dict[str, float | int | None]:
    g = s.get
    work, idle = g("work_sum", 0), g("s_available", 0)
    out: dict[str, float | int | None] = {name: g(key, 0) / US for name, key in _STATE_FIGS}
    out.update(
        logged_in_s=g("logged_in", 0) / US,
        handled=int(g("handled", 0)),
        occupancy=_div(work, work + idle),
        calls_per_hour=_div(g("handled", 0) * 3600 * US, g("logged_in", 0)),
        rings_offered=int(g("rings", 0)),
        rona=int(g("rona", 0)),
        qa_score_avg=_div(g("qa_sum", 0), g("qa_n", 0)),
    )
    return out


def finish(report: Report) -> dict[str, object]:
    """Figures of a report: plain data (JSON-ready), with parameters and group keys."""
    p = report.params

    def rows(
        section: Mapping[GroupKey, Sums], keys: tuple[str, ...], fig: object
    ) -> list[dict[str, object]]:
        out = []
        for key in sorted(section):
            figures = fig(section[key])  # type: ignore[operator]
            out.append({"key": dict(zip(keys, key, strict=True)), "figures": figures})
        return out

    agent_rows = rows(report.agents, report.agent_by, agent_figures)
    adh_keys = tuple(k for k in report.agent_by if k != "interval")
    for row in agent_rows:
        key = row["key"]
        assert isinstance(key, dict)
        adh_key = tuple(str(key[k]) for k in adh_keys)
        a = report.adherence.get(adh_key, (None, None))
        figs = row["figures"]
        assert isinstance(figs, dict)
        if "interval" not in key:
            figs["adherence"], figs["attendance"] = a
    totals_agents = agent_figures(report.totals["agents"])
    totals_agents["adherence"], totals_agents["attendance"] = report.adherence_total
    return {
        "params": p,
        "by": report.by,
        "queues": rows(report.queues, report.by, visit_figures),
        "calls": rows(report.calls, report.by, lambda s: call_figures(s, None)),
        "agents": agent_rows,
        "totals": {
            "queues": visit_figures(report.totals["queues"]),
            "calls": call_figures(report.totals["calls"], p.cost),
            "agents": totals_agents,
        },
    }
