"""The agent state machine: one explicit transition table shared by every queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "TRANSITIONS",
    "AgentState",
    "AgentStateChanged",
    "AgentStateMachine",
    "AgentTrigger",
    "IllegalTransition",
]

logger = logging.getLogger(__name__)


class AgentState(StrEnum):
    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    PAUSED = "paused"
    RESERVED = "reserved"
    RINGING = "ringing"
    ON_CALL = "on_call"
    ON_HOLD = "on_hold"
    WRAP_UP = "wrap_up"


class AgentTrigger(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    PAUSE = "pause"
    READY = "ready"
    RESERVE = "reserve"
    RING = "ring"
    ANSWER = "answer"
    NO_ANSWER = "no_answer"
    NO_ANSWER_LIMIT = "no_answer_limit"
    REJECT = "reject"
    BUSY = "busy"
    CANCEL = "cancel"
    HOLD = "hold"
    UNHOLD = "unhold"
    END_CALL = "end_call"
    END_WRAP_UP = "end_wrap_up"


S, T = AgentState, AgentTrigger

TRANSITIONS: dict[tuple[AgentState, AgentTrigger], AgentState] = {
    (S.LOGGED_OUT, T.LOGIN): S.AVAILABLE,
    (S.AVAILABLE, T.LOGOUT): S.LOGGED_OUT,
    (S.PAUSED, T.LOGOUT): S.LOGGED_OUT,
    (S.WRAP_UP, T.LOGOUT): S.LOGGED_OUT,
    # An offer in progress is cancelled by the core before the agent leaves.
    (S.RESERVED, T.LOGOUT): S.LOGGED_OUT,
    (S.RINGING, T.LOGOUT): S.LOGGED_OUT,
    (S.AVAILABLE, T.PAUSE): S.PAUSED,
    (S.PAUSED, T.PAUSE): S.PAUSED,
    (S.WRAP_UP, T.PAUSE): S.PAUSED,
    (S.PAUSED, T.READY): S.AVAILABLE,
    (S.AVAILABLE, T.RESERVE): S.RESERVED,
    (S.RESERVED, T.RING): S.RINGING,
    (S.RESERVED, T.ANSWER): S.ON_CALL,
    (S.RINGING, T.ANSWER): S.ON_CALL,
    (S.RESERVED, T.NO_ANSWER): S.AVAILABLE,
    (S.RINGING, T.NO_ANSWER): S.AVAILABLE,
    (S.RESERVED, T.NO_ANSWER_LIMIT): S.PAUSED,
    (S.RINGING, T.NO_ANSWER_LIMIT): S.PAUSED,
    (S.RESERVED, T.REJECT): S.AVAILABLE,
    (S.RINGING, T.REJECT): S.AVAILABLE,
    (S.RESERVED, T.BUSY): S.AVAILABLE,
    (S.RINGING, T.BUSY): S.AVAILABLE,
    (S.RESERVED, T.CANCEL): S.AVAILABLE,
    (S.RINGING, T.CANCEL): S.AVAILABLE,
    (S.ON_CALL, T.HOLD): S.ON_HOLD,
    (S.ON_HOLD, T.UNHOLD): S.ON_CALL,
    (S.ON_CALL, T.END_CALL): S.WRAP_UP,
    (S.ON_HOLD, T.END_CALL): S.WRAP_UP,
    (S.WRAP_UP, T.END_WRAP_UP): S.AVAILABLE,
}

del S, T


class IllegalTransition(RuntimeError):
    """A trigger that the transition table does not allow from the agent's current state."""

    def __init__(self, agent_id: str, state: AgentState, trigger: AgentTrigger) -> None:
        super().__init__(f"agent {agent_id}: {trigger.value!r} is not allowed in {state.value!r}")
        self.agent_id = agent_id
        self.state = state
        self.trigger = trigger


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """One transition of one agent: the record the event store keeps."""

    agent_id: str
    at: float
    old: AgentState
    new: AgentState
    trigger: AgentTrigger
    cause: str
    pause_reason: str | None = None
    call_id: str | None = None


class AgentStateMachine:
    """Holds one agent's state and applies triggers through `TRANSITIONS`."""

    __slots__ = ("agent_id", "pause_reason", "since", "state")

    def __init__(self, agent_id: str, at: float = 0.0) -> None:
        self.agent_id = agent_id
        self.state = AgentState.LOGGED_OUT
        self.pause_reason: str | None = None
        self.since = at

    def can(self, trigger: AgentTrigger) -> bool:
        return (self.state, trigger) in TRANSITIONS

    def apply(
        self,
        trigger: AgentTrigger,
        at: float,
        cause: str,
        *,
        pause_reason: str | None = None,
        call_id: str | None = None,
    ) -> AgentStateChanged:
        """Move to the state the table gives, or raise `IllegalTransition`."""
        new = TRANSITIONS.get((self.state, trigger))
        if new is None:
            raise IllegalTransition(self.agent_id, self.state, trigger)
        if new is AgentState.PAUSED and not pause_reason:
            pause_reason = "unspecified"
        change = AgentStateChanged(
            agent_id=self.agent_id,
            at=at,
            old=self.state,
            new=new,
            trigger=trigger,
            cause=cause,
            pause_reason=pause_reason if new is AgentState.PAUSED else None,
            call_id=call_id,
        )
        self.state = new
        self.pause_reason = change.pause_reason
        self.since = at
        logger.debug("agent %s %s -> %s (%s: %s)", self.agent_id, change.old, new, trigger, cause)
        return change
