"""Skill requirements: the alternatives a queue accepts at each relax level, and an index
from skills and teams to the queues an agent can serve."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from agents.profile import Agent
from queues.config import QueueConfig

__all__ = ["Criterion", "MembershipIndex", "criteria_for", "level_at"]


@dataclass(frozen=True, slots=True)
class Criterion:
    """An agent is acceptable when it has every skill at its minimum and, if set, the team."""

    skills: tuple[tuple[str, int], ...]
    team: str | None

    def accepts(self, agent: Agent) -> bool:
        if self.team is not None and agent.team != self.team:
            return False
        have = agent.skills
        return all(have.get(skill, 0) >= minimum for skill, minimum in self.skills)

    def describe(self) -> str:
        parts = [f"{s}>={m}" for s, m in self.skills]
        if self.team is not None:
            parts.append(f"team={self.team}")
        return ", ".join(parts) or "any agent"


def criteria_for(queue: QueueConfig, extra: Mapping[str, int]) -> tuple[Criterion, ...]:
    """One criterion per relax level: level 0 is the strict one, each step adds one."""
    base = dict(queue.skills)
    for skill, minimum in extra.items():
        base[skill] = max(base.get(skill, 0), minimum)
    levels = [Criterion(tuple(sorted(base.items())), queue.team)]
    for step in queue.relax:
        if step.drop_skills:
            skills: dict[str, int] = {}
        elif step.min_proficiency is not None:
            cap = step.min_proficiency
            skills = {s: min(m, cap) for s, m in base.items()}
        else:
            skills = base
        team = step.team if step.team is not None else queue.team
        levels.append(Criterion(tuple(sorted(skills.items())), team))
    return tuple(levels)


def level_at(queue: QueueConfig, waited: float) -> int:
    """The relax level reached after `waited` seconds in `queue`."""
    level = 0
    # Timers fire at entered + after; float rounding must not leave a caller a level short.
    waited += 1e-9
    for step in queue.relax:
        if waited >= step.after:
            level += 1
        else:
            break
    return level


class MembershipIndex:
    """Finds, for an agent, every queue it can serve and the first level that accepts it.

    Criteria are indexed by one of their skills (or by team, or as universal), so an
    agent's lookup touches only the criteria that share a skill or team with it.
    """

    def __init__(self, queues: Iterable[QueueConfig]) -> None:
        self._by_skill: dict[str, list[tuple[str, int, Criterion]]] = defaultdict(list)
        self._by_team: dict[str, list[tuple[str, int, Criterion]]] = defaultdict(list)
        self._universal: list[tuple[str, int, Criterion]] = []
        for queue in queues:
            for level, crit in enumerate(criteria_for(queue, {})):
                entry = (queue.name, level, crit)
                if crit.skills:
                    self._by_skill[crit.skills[0][0]].append(entry)
                elif crit.team is not None:
                    self._by_team[crit.team].append(entry)
                else:
                    self._universal.append(entry)

    def entry_levels(self, agent: Agent) -> dict[str, int]:
        found: dict[str, int] = {}
        candidates: list[list[tuple[str, int, Criterion]]] = [self._universal]
        candidates += [self._by_skill[s] for s in agent.skills if s in self._by_skill]
        if agent.team in self._by_team:
            candidates.append(self._by_team[agent.team])
        for group in candidates:
            for name, level, crit in group:
                if level < found.get(name, level + 1) and crit.accepts(agent):
                    found[name] = level
        return found
