"""Available and staffed agents of single-skill queues, shared by skill and proficiency.

A queue whose every relax level asks for one and the same skill, with no team, accepts at
level L exactly the agents whose proficiency in that skill reaches the lowest minimum of
levels 0..L. So instead of one pool per queue and level, such queues share one pool per
(order, skill, proficiency): a freed agent joins one pool per skill and order in use, not
one per queue it serves, and a queue walks the pools of the proficiencies it accepts.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from agents.profile import MAX_PROFICIENCY, MIN_PROFICIENCY
from queues.config import QueueConfig, Strategy
from queues.pools import HeapPool
from queues.requirements import Criterion

__all__ = ["Order", "SkillPools", "single_skill"]


class Order(IntEnum):
    """How a heap pool sorts its agents; the key is built by the core from the agent."""

    IDLE = 0  # (idle since,)
    CALLS = 1  # (answered calls, idle since)
    TALK = 2  # (talk time, idle since)
    FIXED = 3  # (a per-pool constant, idle since): linear position, negated skill score


_SHARED_ORDERS = {
    Strategy.LONGEST_IDLE: Order.IDLE,
    Strategy.FEWEST_CALLS: Order.CALLS,
    Strategy.LEAST_TALK_TIME: Order.TALK,
    Strategy.BEST_SKILL: Order.FIXED,
}

_PROFICIENCIES = range(MAX_PROFICIENCY, MIN_PROFICIENCY - 1, -1)


def single_skill(
    config: QueueConfig, criteria: tuple[Criterion, ...]
) -> tuple[Order, str, tuple[int, ...]] | None:
    """(order, skill, lowest minimum per level) when the queue can use shared pools.

    Best skill qualifies because, with one skill, the score is the proficiency itself.
    """
    order = _SHARED_ORDERS.get(config.strategy)
    if order is None:
        return None
    skills = {crit.skills[0][0] for crit in criteria if len(crit.skills) == 1}
    if len(skills) != 1 or any(len(c.skills) != 1 or c.team is not None for c in criteria):
        return None
    lowest: list[int] = []
    for crit in criteria:
        minimum = crit.skills[0][1]
        lowest.append(min(minimum, lowest[-1]) if lowest else minimum)
    return order, skills.pop(), tuple(lowest)


class SkillPools:
    """Heap pools per (order, skill, proficiency) and staffing counts per (skill, proficiency).

    Staffing counts logged-in, unpaused agents, the sum of their known AHTs, and how many
    have no AHT yet (each queue counts those at its own default).
    """

    __slots__ = ("_orders", "_pools", "_staffing")

    def __init__(self, shared: Iterable[tuple[Order, str]]) -> None:
        self._orders: dict[str, list[Order]] = {}
        self._pools: dict[tuple[Order, str, int], HeapPool] = {}
        self._staffing: dict[tuple[str, int], list[float]] = {}
        for order, skill in shared:
            orders = self._orders.setdefault(skill, [])
            if order not in orders:
                orders.append(order)
            for prof in _PROFICIENCIES:
                self._pools.setdefault((order, skill, prof), HeapPool())
                self._staffing.setdefault((skill, prof), [0, 0.0, 0])

    def orders(self, skill: str) -> list[Order]:
        return self._orders.get(skill, [])

    def pool(self, order: Order, skill: str, prof: int) -> HeapPool:
        return self._pools[order, skill, prof]

    def accepting(self, order: Order, skill: str, minimum: int) -> list[HeapPool]:
        """Non-empty pools of agents with at least `minimum`, highest proficiency first."""
        pools = self._pools
        found = (pools[order, skill, prof] for prof in range(MAX_PROFICIENCY, minimum - 1, -1))
        return [pool for pool in found if pool]

    def count(self, order: Order, skill: str, low: int, high: int) -> int:
        """Available agents with `low` <= proficiency < `high`."""
        pools = self._pools
        return sum(len(pools[order, skill, prof]) for prof in range(low, high))

    def staff(self, skill: str, prof: int, sign: int, aht: float | None) -> None:
        cell = self._staffing[skill, prof]
        cell[0] += sign
        if aht is None:
            cell[2] += sign
        else:
            cell[1] += sign * aht

    def new_aht(self, skill: str, prof: int, old: float | None, new: float) -> None:
        cell = self._staffing[skill, prof]
        if old is None:
            cell[2] -= 1
            cell[1] += new
        else:
            cell[1] += new - old

    def staffed(self, skill: str, minimum: int, default_aht: float) -> tuple[int, float]:
        """(agents, sum of AHTs) over staffed agents with at least `minimum`."""
        n, total = 0, 0.0
        staffing = self._staffing
        for prof in range(minimum, MAX_PROFICIENCY + 1):
            cell = staffing[skill, prof]
            n += int(cell[0])
            total += cell[1] + cell[2] * default_aht
        return n, total
