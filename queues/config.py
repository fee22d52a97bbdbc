"""Queue and routing configuration: frozen, validated at construction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "DEFAULT_BACKOFF",
    "DEFAULT_PRIORITIES",
    "InvalidConfig",
    "MaxWaitAction",
    "NoAgentsPolicy",
    "OfferResult",
    "QueueConfig",
    "RelaxStep",
    "RoutingConfig",
    "Strategy",
]


class InvalidConfig(ValueError):
    """A queue or routing setting that cannot work."""


class Strategy(StrEnum):
    LONGEST_IDLE = "longest_idle"
    FEWEST_CALLS = "fewest_calls"
    LEAST_TALK_TIME = "least_talk_time"
    ROUND_ROBIN = "round_robin"
    LINEAR = "linear"
    RANDOM = "random"
    BEST_SKILL = "best_skill"
    RING_ALL = "ring_all"


class NoAgentsPolicy(StrEnum):
    BLOCK = "block"
    WAIT = "wait"


class OfferResult(StrEnum):
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    BUSY = "busy"


class MaxWaitAction(StrEnum):
    OVERFLOW = "overflow"
    CALLBACK = "callback"
    VOICEMAIL = "voicemail"


DEFAULT_PRIORITIES: tuple[str, ...] = ("vip", "green_channel", "normal")
DEFAULT_BACKOFF: Mapping[OfferResult, float] = MappingProxyType(
    {OfferResult.NO_ANSWER: 2.0, OfferResult.REJECTED: 5.0, OfferResult.BUSY: 10.0}
)


@dataclass(frozen=True, slots=True)
class RelaxStep:
    """After `after` seconds in the queue, one more kind of agent becomes acceptable.

    Steps only widen: an agent eligible at an earlier step stays eligible. The new
    alternative is the queue's skills (plus the caller's own) with every minimum capped at
    `min_proficiency`, or no skills at all when `drop_skills`; and, when `team` is set,
    only agents of that team.
    """

    after: float
    min_proficiency: int | None = None
    drop_skills: bool = False
    team: str | None = None

    def __post_init__(self) -> None:
        if self.after < 0:
            raise InvalidConfig(f"relax step after={self.after}: must be >= 0")
        if self.min_proficiency is not None and not 1 <= self.min_proficiency <= 5:
            raise InvalidConfig(f"relax step min_proficiency={self.min_proficiency}: not 1..5")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """One queue. Times are seconds."""

    name: str
    skills: Mapping[str, int] = field(default_factory=dict)
    team: str | None = None
    relax: tuple[RelaxStep, ...] = ()
    strategy: Strategy = Strategy.LONGEST_IDLE
    weight: float = 1.0
    max_length: int | None = None
    when_no_agents: NoAgentsPolicy = NoAgentsPolicy.WAIT
    max_wait: float | None = None
    ewt_limit: float | None = None
    on_max_wait: MaxWaitAction = MaxWaitAction.VOICEMAIL
    overflow_to: str | None = None
    wrap_up: float = 0.0
    ring_timeout: float = 15.0
    preferred_timeout: float = 0.0
    last_agent_window: float = 0.0
    linear_order: tuple[str, ...] = ()
    announce_every: float | None = None
    default_aht: float = 180.0

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidConfig("queue name must not be empty")
        where = f"queue {self.name}"
        for skill, level in self.skills.items():
            if not 1 <= level <= 5:
                raise InvalidConfig(f"{where}: skill {skill!r} minimum {level} is not 1..5")
        object.__setattr__(self, "skills", MappingProxyType(dict(self.skills)))
        object.__setattr__(self, "strategy", Strategy(self.strategy))
        object.__setattr__(self, "when_no_agents", NoAgentsPolicy(self.when_no_agents))
        object.__setattr__(self, "on_max_wait", MaxWaitAction(self.on_max_wait))
        object.__setattr__(self, "relax", tuple(sorted(self.relax, key=lambda s: s.after)))
        object.__setattr__(self, "linear_order", tuple(self.linear_order))
        if self.weight <= 0:
            raise InvalidConfig(f"{where}: weight must be > 0")
        if self.max_length is not None and self.max_length < 0:
            raise InvalidConfig(f"{where}: max_length must be >= 0")
        for label in ("max_wait", "ewt_limit", "announce_every"):
            value = getattr(self, label)
            if value is not None and value <= 0:
                raise InvalidConfig(f"{where}: {label} must be > 0")
        for label in ("wrap_up", "preferred_timeout", "last_agent_window"):
            if getattr(self, label) < 0:
                raise InvalidConfig(f"{where}: {label} must be >= 0")
        if self.ring_timeout <= 0 or self.default_aht <= 0:
            raise InvalidConfig(f"{where}: ring_timeout and default_aht must be > 0")
        if self.on_max_wait is MaxWaitAction.OVERFLOW and not self.overflow_to:
            raise InvalidConfig(f"{where}: on_max_wait=overflow needs overflow_to")
        if self.overflow_to == self.name:
            raise InvalidConfig(f"{where}: cannot overflow to itself")


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    """Settings shared by all queues."""

    queues: tuple[QueueConfig, ...]
    priorities: tuple[str, ...] = DEFAULT_PRIORITIES
    rona_limit: int = 2
    backoff: Mapping[OfferResult, float] = field(default_factory=lambda: dict(DEFAULT_BACKOFF))
    aht_smoothing: float = 0.1
    decisions_kept: int = 10_000

    def __post_init__(self) -> None:
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise InvalidConfig("queue names must be unique")
        known = set(names)
        for q in self.queues:
            if q.overflow_to is not None and q.overflow_to not in known:
                raise InvalidConfig(f"queue {q.name}: overflow_to {q.overflow_to!r} is unknown")
        if not self.priorities or len(set(self.priorities)) != len(self.priorities):
            raise InvalidConfig("priorities must be a non-empty list of distinct names")
        if self.rona_limit < 1:
            raise InvalidConfig("rona_limit must be >= 1")
        backoff = {OfferResult(k): float(v) for k, v in self.backoff.items()}
        for result in OfferResult:
            backoff.setdefault(result, DEFAULT_BACKOFF[result])
            if backoff[result] < 0:
                raise InvalidConfig(f"backoff for {result.value} must be >= 0")
        object.__setattr__(self, "backoff", MappingProxyType(backoff))
        object.__setattr__(self, "queues", tuple(self.queues))
        if not 0 < self.aht_smoothing <= 1:
            raise InvalidConfig("aht_smoothing must be in (0, 1]")
