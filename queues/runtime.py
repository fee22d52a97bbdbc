"""The core's mutable per-agent, per-call and per-queue records (internal)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from agents.profile import Agent
from agents.states import AgentStateMachine
from queues.config import QueueConfig, Strategy
from queues.pools import HeapPool, RandomPool, RankPool
from queues.requirements import Criterion, criteria_for
from queues.skill_pools import Order, single_skill
from queues.waiting import WaitingLine, WaitKey

__all__ = ["AgentRecord", "CallRecord", "CallStatus", "OfferRecord", "QueueRecord"]


class CallStatus(StrEnum):
    WAITING = "waiting"
    PREFERRED = "preferred"
    OFFERING = "offering"
    CONNECTED = "connected"


@dataclass(slots=True, eq=False)
class AgentRecord:
    profile: Agent
    fsm: AgentStateMachine
    entry: dict[str, int] = field(default_factory=dict)
    idle_since: float = 0.0
    calls: int = 0
    talk_time: float = 0.0
    aht: float | None = None
    rona: int = 0
    backoff_until: float = 0.0
    token: int = 0
    pooled: bool = False
    staffed: bool = False
    offer: OfferRecord | None = None
    call: CallRecord | None = None
    answered_at: float = 0.0
    hold_started: float | None = None
    held: float = 0.0
    call_ended_at: float = 0.0
    # Set at login: the heap pools the agent joins when free (pool, order, constant key),
    # the queues with rank or random pools, the queues and the (skill, proficiency) cells
    # whose staffing counts it.
    heap_slots: list[tuple[HeapPool, Order, float]] = field(default_factory=list)
    other_pools: list[tuple[str, int]] = field(default_factory=list)
    own_staffing: list[tuple[str, int]] = field(default_factory=list)
    skill_staffing: list[tuple[str, int]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.profile.id


@dataclass(slots=True, eq=False)
class CallRecord:
    call_id: str
    priority: str
    rank: int
    extra: Mapping[str, int]
    ani: str | None
    preferred: str | None
    preferred_until: float
    first_entered: float
    seq: int
    queue: str = ""
    entered_queue: float = 0.0
    criteria: tuple[Criterion, ...] = ()
    visit: int = 0
    status: CallStatus = CallStatus.WAITING
    offers: dict[int, OfferRecord] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)
    agent: AgentRecord | None = None

    @property
    def key(self) -> WaitKey:
        return (self.rank, self.first_entered, self.seq, self.call_id)


@dataclass(slots=True, eq=False)
class OfferRecord:
    offer_id: int
    call: CallRecord
    agent: AgentRecord
    queue: str
    at: float


class QueueRecord:
    __slots__ = (
        "calls",
        "config",
        "criteria",
        "heap_pools",
        "linear_pos",
        "logged_in",
        "random_pools",
        "rank_pools",
        "ranks",
        "rr_last",
        "shared",
        "staffed_aht",
        "staffed_n",
        "waiting",
    )

    def __init__(self, config: QueueConfig) -> None:
        levels = len(config.relax) + 1
        self.config = config
        self.criteria = criteria_for(config, {})
        self.waiting = WaitingLine()
        self.calls: dict[str, CallRecord] = {}
        self.logged_in = 0
        self.staffed_n = [0] * levels
        self.staffed_aht = [0.0] * levels
        strategy = config.strategy
        # Single-skill queues use the core's shared pools and staffing instead of their own.
        self.shared = single_skill(config, self.criteria)
        self.heap_pools: list[HeapPool] = []
        self.rank_pools: list[RankPool] = []
        self.random_pools: list[RandomPool] = []
        if strategy is Strategy.ROUND_ROBIN:
            self.rank_pools = [RankPool() for _ in range(levels)]
        elif strategy is Strategy.RANDOM:
            self.random_pools = [RandomPool() for _ in range(levels)]
        elif self.shared is None:
            self.heap_pools = [HeapPool() for _ in range(levels)]
        self.ranks: dict[str, int] = {}
        self.rr_last = -1
        self.linear_pos = {agent_id: i for i, agent_id in enumerate(config.linear_order)}

    def rank_of(self, agent_id: str) -> int:
        rank = self.ranks.get(agent_id)
        if rank is None:
            rank = self.ranks[agent_id] = len(self.ranks)
        return rank
