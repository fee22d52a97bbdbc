"""Who an agent is: identity, SIP endpoint, team and skills with proficiency 1–5."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["MAX_PROFICIENCY", "MIN_PROFICIENCY", "Agent", "InvalidAgent"]

MIN_PROFICIENCY = 1
MAX_PROFICIENCY = 5


class InvalidAgent(ValueError):
    """An agent profile that breaks a rule (empty id, proficiency outside 1–5)."""


@dataclass(frozen=True, slots=True)
class Agent:
    """An agent's profile. Skills map a skill name to a proficiency from 1 to 5."""

    id: str
    name: str = ""
    endpoint: str = ""
    team: str = ""
    skills: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidAgent("agent id must not be empty")
        for skill, level in self.skills.items():
            if not skill:
                raise InvalidAgent(f"agent {self.id}: empty skill name")
            if not isinstance(level, int) or not MIN_PROFICIENCY <= level <= MAX_PROFICIENCY:
                raise InvalidAgent(
                    f"agent {self.id}: skill {skill!r} proficiency {level!r} is not in "
                    f"{MIN_PROFICIENCY}..{MAX_PROFICIENCY}"
                )
        # Frozen means frozen: callers cannot mutate the skills behind the core's back.
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))

    def proficiency(self, skill: str) -> int:
        """The agent's proficiency in `skill`, 0 when the agent lacks it."""
        return self.skills.get(skill, 0)
