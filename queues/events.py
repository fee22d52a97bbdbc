"""Inputs of the routing core: what happened. The core reads the time from its clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from agents.profile import Agent
from queues.config import OfferResult

__all__ = [
    "AgentLogin",
    "AgentLogout",
    "AgentPause",
    "AgentReady",
    "CallArrived",
    "CallEnded",
    "CallHeld",
    "CallResumed",
    "CallerLeft",
    "Event",
    "OfferAnswered",
    "OfferFailed",
    "OfferRinging",
    "Tick",
    "WrapUpEnded",
]


@dataclass(frozen=True, slots=True)
class AgentLogin:
    """The agent logs in (or re-logs in with an updated profile) and becomes available."""

    agent: Agent


@dataclass(frozen=True, slots=True)
class AgentLogout:
    agent_id: str


@dataclass(frozen=True, slots=True)
class AgentPause:
    agent_id: str
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class AgentReady:
    """The agent ends a pause."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class CallArrived:
    """A caller enters a queue.

    `skills` adds to the queue's required skills. `preferred_agent` is a dedicated
    representative; without it the queue's `last_agent_window` may pick the last agent who
    spoke to `ani`. `waited` is time already spent waiting elsewhere (a transfer from
    another system), counted for ordering.
    """

    call_id: str
    queue: str
    priority: str = "normal"
    skills: Mapping[str, int] = field(default_factory=dict)
    preferred_agent: str | None = None
    ani: str | None = None
    waited: float = 0.0


@dataclass(frozen=True, slots=True)
class OfferRinging:
    """The offered agent's phone rings (optional: an answer may follow `Offer` directly)."""

    offer_id: int


@dataclass(frozen=True, slots=True)
class OfferAnswered:
    offer_id: int


@dataclass(frozen=True, slots=True)
class OfferFailed:
    offer_id: int
    result: OfferResult


@dataclass(frozen=True, slots=True)
class CallerLeft:
    """The caller hung up (`hangup`) or left by a key (`exit_key`) before being connected."""

    call_id: str
    reason: str = "hangup"


@dataclass(frozen=True, slots=True)
class CallHeld:
    call_id: str


@dataclass(frozen=True, slots=True)
class CallResumed:
    call_id: str


@dataclass(frozen=True, slots=True)
class CallEnded:
    """A connected call ended (either side); the agent goes to wrap-up."""

    call_id: str


@dataclass(frozen=True, slots=True)
class WrapUpEnded:
    """The agent ends wrap-up early."""

    agent_id: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Nothing happened but time passed: run the timers that are due."""


Event = (
    AgentLogin
    | AgentLogout
    | AgentPause
    | AgentReady
    | CallArrived
    | OfferRinging
    | OfferAnswered
    | OfferFailed
    | CallerLeft
    | CallHeld
    | CallResumed
    | CallEnded
    | WrapUpEnded
    | Tick
)
