"""Discrete-event simulation that drives the real routing core.

Poisson arrivals, exponential or fixed handle times, optional exponential patience,
wrap-up, N agents, one or more queues (one skill each). Deterministic for a seed.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass
from enum import IntEnum

from agents.profile import Agent
from agents.states import AgentState, AgentStateChanged
from queues.commands import Command, Connected, Offer, QueueExit
from queues.config import QueueConfig, RoutingConfig, Strategy
from queues.core import RoutingCore
from queues.events import AgentLogin, CallArrived, CallEnded, CallerLeft, OfferAnswered

__all__ = ["SimConfig", "SimResult", "simulate"]

_IDLE = {AgentState.AVAILABLE, AgentState.LOGGED_OUT, AgentState.PAUSED}


@dataclass(frozen=True, slots=True)
class SimConfig:
    arrival_rate: float
    aht: float
    agents: int
    calls: int
    seed: int = 0
    sl_threshold: float = 20.0
    short_abandon: float = 5.0
    patience: float | None = None
    wrap_up: float = 0.0
    fixed_handle: bool = False
    queues: int = 1
    skills_per_agent: int | None = None
    warmup: int = 0
    strategy: Strategy = Strategy.LONGEST_IDLE

    def __post_init__(self) -> None:
        checks = [
            (self.arrival_rate > 0, "arrival rate must be > 0 calls/s"),
            (self.aht > 0, "AHT must be > 0 seconds"),
            (self.agents >= 1, "agents must be >= 1"),
            (self.calls >= 1, "calls must be >= 1"),
            (self.sl_threshold >= 0, "SL threshold must be >= 0 seconds"),
            (self.short_abandon >= 0, "short-abandon threshold must be >= 0 seconds"),
            (self.patience is None or self.patience > 0, "patience must be > 0 seconds"),
            (self.wrap_up >= 0, "wrap-up must be >= 0 seconds"),
            (self.queues >= 1, "queues must be >= 1"),
            (
                self.skills_per_agent is None or 1 <= self.skills_per_agent <= self.queues,
                "skills per agent must be between 1 and the number of queues",
            ),
            (0 <= self.warmup < self.calls, "warm-up must be >= 0 and below the number of calls"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        for value in (self.arrival_rate, self.aht, self.wrap_up, self.sl_threshold):
            if not math.isfinite(value):
                raise ValueError("numbers must be finite")


@dataclass(frozen=True, slots=True)
class SimResult:
    offered: int
    answered: int
    abandoned: int
    p_wait: float
    asa: float
    service_level: float
    occupancy: float
    mean_wait_of_waiting: float
    duration: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "p_wait": self.p_wait,
            "asa": self.asa,
            "service_level": self.service_level,
            "occupancy": self.occupancy,
            "mean_wait_of_waiting": self.mean_wait_of_waiting,
            "duration": self.duration,
        }


class _Kind(IntEnum):
    ANSWER = 0
    END = 1
    ARRIVAL = 2
    ABANDON = 3


def _routing_config(cfg: SimConfig) -> RoutingConfig:
    return RoutingConfig(
        queues=tuple(
            QueueConfig(
                f"q{k}",
                skills={f"skill{k}": 1},
                strategy=cfg.strategy,
                wrap_up=cfg.wrap_up,
                default_aht=cfg.aht,
            )
            for k in range(cfg.queues)
        ),
        decisions_kept=1000,
    )


def _agents(cfg: SimConfig) -> list[Agent]:
    per_agent = cfg.skills_per_agent or cfg.queues
    return [
        Agent(
            f"agent{i}",
            skills={f"skill{(i + m) % cfg.queues}": 1 for m in range(per_agent)},
        )
        for i in range(cfg.agents)
    ]


def simulate(
    cfg: SimConfig, trace: list[tuple[float, float, float | None]] | None = None
) -> SimResult:
    """Run the simulation. If `trace` is given, it receives one (arrival time, handle time,
    wait or None if never answered) per call, in arrival order."""
    rng = random.Random(cfg.seed)
    arrived_at: dict[str, float] = {}
    now = 0.0
    core = RoutingCore(_routing_config(cfg), clock=lambda: now, rng=random.Random(cfg.seed + 1))
    events: list[tuple[float, int, _Kind, str]] = []
    seq = itertools.count()
    handle_time: dict[str, float] = {}
    connected: set[str] = set()
    waits: dict[str, float] = {}
    abandoned: dict[str, float] = {}
    measured_from = math.inf
    last_arrival = 0.0
    busy, busy_area, busy_since = 0, 0.0, 0.0
    busy_state: dict[str, bool] = {}

    def push(at: float, kind: _Kind, ref: str) -> None:
        heapq.heappush(events, (at, next(seq), kind, ref))

    def absorb(out: list[Command]) -> None:
        nonlocal busy, busy_area, busy_since
        for cmd in out:
            # Exact types, most frequent first: this loop sees every command of the run.
            if type(cmd) is AgentStateChanged:
                is_busy = cmd.new not in _IDLE
                if is_busy != busy_state.get(cmd.agent_id, False):
                    busy_state[cmd.agent_id] = is_busy
                    window_start = max(busy_since, measured_from)
                    window_end = min(now, last_arrival if arrivals_done else now)
                    if window_end > window_start:
                        busy_area += busy * (window_end - window_start)
                    busy_since = now
                    busy += 1 if is_busy else -1
            elif type(cmd) is Offer:
                push(now, _Kind.ANSWER, str(cmd.offer_id))
            elif type(cmd) is Connected:
                connected.add(cmd.call_id)
                waits[cmd.call_id] = cmd.waited
                push(now + handle_time[cmd.call_id], _Kind.END, cmd.call_id)
            elif type(cmd) is QueueExit and cmd.outcome == "abandoned":
                abandoned[cmd.call_id] = cmd.waited

    arrivals_done = False
    for agent in _agents(cfg):
        absorb(core.handle(AgentLogin(agent)))
    push(rng.expovariate(cfg.arrival_rate), _Kind.ARRIVAL, "0")
    ids = [f"c{n}" for n in range(cfg.calls)]
    limit = 50 * cfg.calls + 1000
    for _ in range(limit):
        deadline = core.next_deadline()
        if not events and deadline is None:
            break
        if deadline is not None and (not events or deadline <= events[0][0]):
            now = max(now, deadline)
            absorb(core.tick())
            continue
        if not events:
            break
        now, _, kind, ref = heapq.heappop(events)
        if kind is _Kind.ARRIVAL:
            n = int(ref)
            call_id = ids[n]
            if n == cfg.warmup:
                measured_from = now
                busy_since = now
            arrived_at[call_id] = now
            handle_time[call_id] = cfg.aht if cfg.fixed_handle else rng.expovariate(1.0 / cfg.aht)
            if cfg.patience is not None:
                push(now + rng.expovariate(1.0 / cfg.patience), _Kind.ABANDON, call_id)
            queue = f"q{rng.randrange(cfg.queues)}" if cfg.queues > 1 else "q0"
            absorb(core.handle(CallArrived(call_id, queue)))
            if n + 1 < cfg.calls:
                push(now + rng.expovariate(cfg.arrival_rate), _Kind.ARRIVAL, str(n + 1))
            else:
                last_arrival = now
                window_start = max(busy_since, measured_from)
                busy_area += busy * max(0.0, now - window_start)
                busy_since = now
                arrivals_done = True
        elif kind is _Kind.ANSWER:
            absorb(core.handle(OfferAnswered(int(ref))))
        elif kind is _Kind.END:
            connected.discard(ref)
            absorb(core.handle(CallEnded(ref)))
        elif ref not in connected and ref not in waits:
            absorb(core.handle(CallerLeft(ref)))

    if trace is not None:
        trace.extend((arrived_at[c], handle_time[c], waits.get(c)) for c in ids if c in arrived_at)
    measured = set(ids[cfg.warmup :])
    answered = [w for c, w in waits.items() if c in measured]
    gave_up = [w for c, w in abandoned.items() if c in measured]
    offered = len(measured)
    t = cfg.sl_threshold
    waited = [w for w in answered if w > 0]
    long_abandons = sum(1 for w in gave_up if w > cfg.short_abandon)
    sl_base = len(answered) + long_abandons
    span = last_arrival - measured_from
    return SimResult(
        offered=offered,
        answered=len(answered),
        abandoned=len(gave_up),
        p_wait=(len(waited) + sum(1 for w in gave_up if w > 0)) / offered,
        asa=sum(answered) / len(answered) if answered else 0.0,
        service_level=sum(1 for w in answered if w <= t) / sl_base if sl_base else 1.0,
        occupancy=busy_area / (cfg.agents * span) if span > 0 else 0.0,
        mean_wait_of_waiting=sum(waited) / len(waited) if waited else 0.0,
        duration=now,
    )
