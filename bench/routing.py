"""Routing-core benchmark: a steady-state event stream against 1k, 10k and 50k agents.

Arrivals (Poisson, about 90 % load), immediate answers, exponential talk, wrap-up ends
(the core's own timers) run through `RoutingCore.handle`; each call is timed. Beside it,
on the same state and for a sample of arrivals, a naive decision that scans every agent
(the baseline) is timed, and its choice is compared with the core's for longest-idle
queues. Every loop is bounded in count and in time.

    python bench/routing.py            # 1k, 10k, 50k agents; 1,000 queues; 50 skills
    python bench/routing.py --smoke    # tiny sizes, a few seconds (CI)
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agents import Agent, AgentState, AgentStateChanged
from queues import (
    AgentLogin,
    CallArrived,
    CallEnded,
    Command,
    Connected,
    Event,
    Offer,
    OfferAnswered,
    QueueConfig,
    RelaxStep,
    RoutingConfig,
    RoutingCore,
    Strategy,
    Tick,
)
from queues.requirements import level_at

__all__ = ["main"]

AHT = 200.0
WRAP_UP = 10.0
LOAD = 0.9


@dataclass(frozen=True)
class Size:
    agents: int
    queues: int
    skills: int
    events: int
    baseline_samples: int


FULL = [
    Size(1_000, 1_000, 50, 30_000, 300),
    Size(10_000, 1_000, 50, 30_000, 200),
    Size(50_000, 1_000, 50, 30_000, 60),
]
SMOKE = [Size(200, 40, 8, 3_000, 50), Size(1_000, 100, 10, 3_000, 30)]


def build(size: Size, rng: random.Random) -> tuple[RoutingConfig, list[Agent]]:
    strategies = [Strategy.LONGEST_IDLE] * 8 + [Strategy.BEST_SKILL, Strategy.FEWEST_CALLS]
    queues = tuple(
        QueueConfig(
            f"q{k}",
            skills={f"s{k % size.skills}": rng.randint(1, 3)},
            relax=(RelaxStep(30, min_proficiency=1),),
            strategy=strategies[k % len(strategies)],
            wrap_up=WRAP_UP,
            default_aht=AHT,
        )
        for k in range(size.queues)
    )
    agents = [
        Agent(
            f"a{i}",
            team=f"t{i % 20}",
            skills={f"s{s}": rng.randint(1, 5) for s in rng.sample(range(size.skills), 3)},
        )
        for i in range(size.agents)
    ]
    return RoutingConfig(queues=queues, decisions_kept=1000), agents


class Naive:
    """The baseline: scan every agent, keep the longest-idle one that qualifies."""

    def __init__(self, config: RoutingConfig, agents: list[Agent]) -> None:
        self.queues = {q.name: q for q in config.queues}
        self.agents = agents
        self.idle_since: dict[str, float] = {}

    def observe(self, out: list[Command]) -> None:
        for cmd in out:
            if (
                isinstance(cmd, AgentStateChanged)
                and cmd.new is AgentState.AVAILABLE
                and cmd.trigger.value in ("login", "end_wrap_up", "ready")
            ):
                self.idle_since[cmd.agent_id] = cmd.at

    def choose(self, core: RoutingCore, queue: str, waited: float) -> str | None:
        q = self.queues[queue]
        level = level_at(q, waited)
        ((skill, minimum),) = q.skills.items()
        if level >= 1:
            minimum = 1
        best, best_idle = None, float("inf")
        for agent in self.agents:
            if agent.skills.get(skill, 0) >= minimum and core.dispatchable(agent.id):
                idle = self.idle_since[agent.id]
                if idle < best_idle:
                    best, best_idle = agent.id, idle
        return best


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def run(size: Size, seed: int, budget: float) -> dict[str, object]:
    rng = random.Random(seed)
    config, agents = build(size, rng)
    now = 0.0
    core = RoutingCore(config, clock=lambda: now, rng=random.Random(seed))
    naive = Naive(config, agents)
    for agent in agents:
        naive.observe(core.handle(AgentLogin(agent)))

    rate = LOAD * size.agents / (AHT + WRAP_UP)
    pending: list[tuple[float, int, str, str]] = []
    seq = itertools.count()
    calls = itertools.count()
    names = [q.name for q in config.queues]

    def push(at: float, kind: str, ref: str) -> None:
        heapq.heappush(pending, (at, next(seq), kind, ref))

    event_ns: list[int] = []
    decision_ns: list[int] = []
    naive_ns: list[int] = []
    agree = compared = 0
    sample_every = max(1, size.events // max(1, size.baseline_samples))
    warmup = 3 * size.agents
    push(rng.expovariate(rate), "arrive", "")
    started = time.perf_counter()
    handled = 0
    for step in range(warmup + size.events):
        if time.perf_counter() - started > budget:
            break
        deadline = core.next_deadline()
        if deadline is not None and deadline <= pending[0][0]:
            now = deadline
            event: Event = Tick()
        else:
            now, _, kind, ref = heapq.heappop(pending)
            if kind == "arrive":
                ref = f"c{next(calls)}"
                event = CallArrived(ref, names[rng.randrange(len(names))])
                push(now + rng.expovariate(rate), "arrive", "")
            elif kind == "answer":
                event = OfferAnswered(int(ref))
            else:
                event = CallEnded(ref)
        measuring = step >= warmup
        expected = None
        if (
            measuring
            and isinstance(event, CallArrived)
            and step % sample_every == 0
            and len(naive_ns) < size.baseline_samples
        ):
            t0 = time.perf_counter_ns()
            expected = naive.choose(core, event.queue, 0.0)
            naive_ns.append(time.perf_counter_ns() - t0)
        t0 = time.perf_counter_ns()
        out = core.handle(event)
        elapsed = time.perf_counter_ns() - t0
        naive.observe(out)
        offers = [c for c in out if isinstance(c, Offer)]
        if measuring:
            handled += 1
            event_ns.append(elapsed)
            if offers:
                decision_ns.append(elapsed)
            if isinstance(event, CallArrived) and naive_ns and expected is not None:
                queue = naive.queues[event.queue]
                if queue.strategy is Strategy.LONGEST_IDLE and offers:
                    compared += 1
                    agree += offers[0].agent_id == expected
        for cmd in out:
            if isinstance(cmd, Offer):
                push(now, "answer", str(cmd.offer_id))
            elif isinstance(cmd, Connected):
                push(now + rng.expovariate(1 / AHT), "end", cmd.call_id)
    wall = time.perf_counter() - started
    total_s = sum(event_ns) / 1e9
    return {
        "agents": size.agents,
        "queues": size.queues,
        "skills": size.skills,
        "events": handled,
        "decisions": len(decision_ns),
        "events_per_s": round(handled / total_s) if total_s else 0,
        "decisions_per_s": round(len(decision_ns) / total_s) if total_s else 0,
        "event_p50_us": round(percentile(event_ns, 0.50) / 1e3, 1) if event_ns else None,
        "event_p99_us": round(percentile(event_ns, 0.99) / 1e3, 1) if event_ns else None,
        "decision_p50_us": round(percentile(decision_ns, 0.50) / 1e3, 1) if decision_ns else None,
        "decision_p99_us": round(percentile(decision_ns, 0.99) / 1e3, 1) if decision_ns else None,
        "naive_samples": len(naive_ns),
        "naive_p50_us": round(statistics.median(naive_ns) / 1e3, 1) if naive_ns else None,
        "naive_p99_us": round(percentile(naive_ns, 0.99) / 1e3, 1) if naive_ns else None,
        "naive_agreement": f"{agree}/{compared}",
        "waiting_at_end": sum(len(core.waiting(n)) for n in names),
        "wall_s": round(wall, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds per size at most")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    budget = min(args.budget, 5.0) if args.smoke else args.budget
    results = [run(size, args.seed, budget) for size in sizes]
    if args.json:
        print(json.dumps({"machine": platform.platform(), "results": results}, indent=2))
        return 0
    print(f"# {platform.platform()} python {platform.python_version()}")
    cols = ["agents", "queues", "events", "decisions_per_s", "decision_p50_us",
            "decision_p99_us", "event_p99_us", "naive_p50_us", "naive_p99_us",
            "naive_agreement", "wall_s"]  # fmt: skip
    print(" | ".join(cols))
    for row in results:
        print(" | ".join(str(row[c]) for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
