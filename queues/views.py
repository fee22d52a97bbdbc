"""Read-only snapshots of the core's state, for drivers, wallboards and tests."""

from __future__ import annotations

from dataclasses import dataclass

from agents.states import AgentState

__all__ = ["AgentView", "CallView"]


@dataclass(frozen=True, slots=True)
class AgentView:
    agent_id: str
    state: AgentState
    pause_reason: str | None
    idle_since: float
    calls: int
    talk_time: float
    aht: float | None
    backoff_until: float
    queues: dict[str, int]
    call_id: str | None
    offer_id: int | None


@dataclass(frozen=True, slots=True)
class CallView:
    """`status` is waiting, preferred (held for a preferred agent), offering or connected."""

    call_id: str
    queue: str
    status: str
    priority: str
    waited: float
    waited_in_queue: float
    level: int
    preferred_agent: str | None
    offered_to: tuple[str, ...]
    agent_id: str | None
