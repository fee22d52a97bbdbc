"""The frozen configuration values, one dataclass per section."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The routing core's own names: a queue's strategy and no-agents policy mean one thing.
from queues.config import NoAgentsPolicy as WhenNoAgents
from queues.config import Strategy

__all__ = [
    "AgentConfig",
    "AnnounceConfig",
    "AriConfig",
    "DatabaseConfig",
    "FeatureCodes",
    "HotlineConfig",
    "Overflow",
    "QueueConfig",
    "RecordingConfig",
    "RelaxStep",
    "ReportConfig",
    "Secret",
    "SkillRequirement",
    "Strategy",
    "VipConfig",
    "WhenNoAgents",
]


class Secret:
    """A password or DSN: `reveal()` gives the value; repr and str never do."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('***')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class AriConfig:
    url: str = "http://127.0.0.1:8088"
    user: str = "acd"
    app: str = "acd-hotline"
    password_env: str = "ARI_PASSWORD"
    password: Secret = field(default_factory=lambda: Secret(""), repr=False)


@dataclass(frozen=True)
class DatabaseConfig:
    dsn: Secret = field(default_factory=lambda: Secret(""), repr=False)
    dsn_env: str = "ACD_DSN"
    spool_dir: Path = Path("spool")


@dataclass(frozen=True)
class HotlineConfig:
    numbers: tuple[str, ...]
    app: str
    entry: str
    name: str = "hotline"


@dataclass(frozen=True)
class AgentConfig:
    id: str
    name: str
    endpoint: str
    team: str
    skills: tuple[tuple[str, int], ...]
    pin: Secret = field(repr=False)
    sip_password: Secret = field(default_factory=lambda: Secret(""), repr=False)
    dedicated: bool = False

    def proficiency(self, skill: str) -> int:
        """0 when the agent lacks the skill."""
        return dict(self.skills).get(skill, 0)


@dataclass(frozen=True)
class SkillRequirement:
    skill: str
    min_proficiency: int


@dataclass(frozen=True)
class RelaxStep:
    """After `after` seconds of waiting: lower the minimum proficiency and/or admit a team."""

    after: float
    min_proficiency: int | None = None
    team: str | None = None


@dataclass(frozen=True)
class Overflow:
    """Where a caller goes after max_wait (or when blocked): a queue, callback or voicemail."""

    kind: str  # "queue" | "callback" | "voicemail"
    queue: str | None = None


@dataclass(frozen=True)
class AnnounceConfig:
    every: float = 0.0  # 0 = never
    position: bool = True
    ewt: bool = True


@dataclass(frozen=True)
class QueueConfig:
    name: str
    skills: tuple[SkillRequirement, ...] = ()
    relax: tuple[RelaxStep, ...] = ()
    strategy: Strategy = Strategy.LONGEST_IDLE
    weight: int = 1
    max_length: int | None = None
    when_no_agents: WhenNoAgents = WhenNoAgents.WAIT
    max_wait: float | None = None
    overflow: Overflow | None = None
    ring_timeout: float = 15.0
    wrap_up: float = 10.0
    announce: AnnounceConfig = field(default_factory=AnnounceConfig)
    music_class: str = "default"
    preferred_agent_window: float = 15.0
    last_agent_memory_hours: float = 24.0
    rona_pause_after: int = 2
    reject_backoff: float = 10.0


@dataclass(frozen=True)
class VipConfig:
    caller_class: str = "vip"
    numbers: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FeatureCodes:
    login: str = "*11"
    pause: str = "*12"
    ready: str = "*13"
    logout: str = "*14"


@dataclass(frozen=True)
class RecordingConfig:
    enabled: bool = True
    retention_days: int = 180
    dir: Path = Path("recordings")


@dataclass(frozen=True)
class ReportConfig:
    service_level_seconds: float = 20.0  # T
    short_abandon_seconds: float = 5.0  # S
    ring_cadence_seconds: float = 6.0
    fcr_window_hours: float = 24.0
    interval: str = "30min"

