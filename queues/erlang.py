"""Erlang B and C for staffing, simulation checks and reports.

A = λ·AHT in Erlangs. Erlang B uses the stable recursion B(0)=1,
B(k) = A·B(k−1) / (k + A·B(k−1)); C(N, A) = N·B / (N − A·(1 − B)) for A < N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "ErlangError",
    "Staffing",
    "agents_for_service_level",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "staffing",
]

_MAX_AGENTS = 1_000_000


class ErlangError(ValueError):
    """Inputs outside the model (negative load, N ≤ A where a steady state is needed)."""


def _check(agents: int, load: float) -> None:
    if not isinstance(agents, int) or agents < 1:
        raise ErlangError(f"agents must be a positive integer, got {agents!r}")
    if not math.isfinite(load) or load < 0:
        raise ErlangError(f"traffic must be a finite number >= 0 Erlangs, got {load!r}")


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability with `agents` servers and `load` Erlangs offered."""
    _check(agents, load)
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that a caller waits (P(wait)). Needs load < agents."""
    _check(agents, load)
    if load >= agents:
        raise ErlangError(f"traffic {load:g} Erlangs needs more than {agents} agents")
    if load == 0:
        return 0.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def asa(agents: int, load: float, aht: float) -> float:
    """Average speed of answer in seconds: C·AHT / (N − A)."""
    return erlang_c(agents, load) * aht / (agents - load)


def service_level(agents: int, load: float, aht: float, threshold: float) -> float:
    """Share of callers answered within `threshold` seconds: 1 − C·e^(−(N−A)·t/AHT)."""
    c = erlang_c(agents, load)
    return 1.0 - c * math.exp(-(agents - load) * threshold / aht)


def occupancy(agents: int, load: float) -> float:
    _check(agents, load)
    return load / agents


@dataclass(frozen=True, slots=True)
class Staffing:
    agents: int
    load: float
    p_wait: float
    asa: float
    service_level: float
    occupancy: float


def staffing(rate: float, aht: float, agents: int, threshold: float) -> Staffing:
    """All figures for `rate` calls/s of `aht` seconds handled by `agents` agents."""
    if not math.isfinite(rate) or rate < 0:
        raise ErlangError(f"arrival rate must be >= 0 calls/s, got {rate!r}")
    if not math.isfinite(aht) or aht <= 0:
        raise ErlangError(f"AHT must be > 0 seconds, got {aht!r}")
    if not math.isfinite(threshold) or threshold < 0:
        raise ErlangError(f"service-level threshold must be >= 0 seconds, got {threshold!r}")
    load = rate * aht
    return Staffing(
        agents=agents,
        load=load,
        p_wait=erlang_c(agents, load),
        asa=asa(agents, load, aht),
        service_level=service_level(agents, load, aht, threshold),
        occupancy=occupancy(agents, load),
    )


def agents_for_service_level(rate: float, aht: float, threshold: float, target: float) -> Staffing:
    """The fewest agents whose service level reaches `target` (a fraction in (0, 1))."""
    if not 0 < target < 1:
        raise ErlangError(f"target service level must be between 0 and 1, got {target!r}")
    load = rate * aht
    agents = max(1, math.floor(load) + 1)
    while agents <= _MAX_AGENTS:
        figures = staffing(rate, aht, agents, threshold)
        if figures.service_level >= target:
            return figures
        agents += 1
    raise ErlangError(f"no staffing up to {_MAX_AGENTS} agents reaches {target:g}")
