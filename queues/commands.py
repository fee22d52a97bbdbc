"""Outputs of the routing core: what the driver must do, and facts it must record."""

from __future__ import annotations

from dataclasses import dataclass

from agents.states import AgentStateChanged
from queues.config import MaxWaitAction

__all__ = [
    "AnnounceEwt",
    "Blocked",
    "CancelOffer",
    "Command",
    "Connected",
    "LeaveQueue",
    "Offer",
    "Overflow",
    "PauseAgent",
    "QueueExit",
    "Queued",
]


@dataclass(frozen=True, slots=True)
class Queued:
    """The caller is waiting in `queue` (play music, the first announcement)."""

    call_id: str
    queue: str
    position: int
    ewt: float | None


@dataclass(frozen=True, slots=True)
class Offer:
    """Ring `agent_id` for `call_id`; report back with the `offer_id`."""

    offer_id: int
    call_id: str
    agent_id: str
    queue: str
    timeout: float
    reason: str


@dataclass(frozen=True, slots=True)
class CancelOffer:
    """Stop ringing this agent (the caller left, another agent answered, ring timeout)."""

    offer_id: int
    call_id: str
    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Connected:
    """The agent answered: bridge the caller with the agent."""

    call_id: str
    agent_id: str
    queue: str
    waited: float


@dataclass(frozen=True, slots=True)
class Blocked:
    """The caller is refused at entry: `blocked_full` or `blocked_no_agents`."""

    call_id: str
    queue: str
    reason: str


@dataclass(frozen=True, slots=True)
class Overflow:
    """The caller moves to `to_queue`, keeping priority and time already waited."""

    call_id: str
    from_queue: str
    to_queue: str
    reason: str


@dataclass(frozen=True, slots=True)
class LeaveQueue:
    """The caller leaves the core for a callback request or voicemail."""

    call_id: str
    queue: str
    action: MaxWaitAction
    reason: str


@dataclass(frozen=True, slots=True)
class AnnounceEwt:
    call_id: str
    queue: str
    position: int
    ewt: float | None


@dataclass(frozen=True, slots=True)
class PauseAgent:
    """The core paused this agent (after repeated ring-no-answer): tell the agent."""

    agent_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class QueueExit:
    """One queue visit ended. `outcome` uses the names of metrics.md."""

    call_id: str
    queue: str
    outcome: str
    waited: float
    agent_id: str | None = None


Command = (
    Queued
    | Offer
    | CancelOffer
    | Connected
    | Blocked
    | Overflow
    | LeaveQueue
    | AnnounceEwt
    | PauseAgent
    | QueueExit
    | AgentStateChanged
)
