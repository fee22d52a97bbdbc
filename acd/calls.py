"""The call state machine: one table of legal moves, and the per-call record."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Call", "CallState", "IllegalCallTransition", "Leg"]


class CallState(enum.Enum):
    IVR = "ivr"
    QUEUED = "queued"
    OFFERING = "offering"
    CONNECTED = "connected"
    HELD = "held"
    TRANSFERRING = "transferring"
    SURVEY = "survey"
    ENDED = "ended"


S = CallState
_MOVES: dict[CallState, frozenset[CallState]] = {
    S.IVR: frozenset({S.QUEUED, S.ENDED, S.TRANSFERRING}),
    S.QUEUED: frozenset({S.OFFERING, S.QUEUED, S.IVR, S.ENDED, S.TRANSFERRING}),
    S.OFFERING: frozenset({S.CONNECTED, S.QUEUED, S.OFFERING, S.ENDED}),
    S.CONNECTED: frozenset({S.HELD, S.TRANSFERRING, S.QUEUED, S.SURVEY, S.ENDED}),
    S.HELD: frozenset({S.CONNECTED, S.TRANSFERRING, S.QUEUED, S.SURVEY, S.ENDED}),
    S.TRANSFERRING: frozenset({S.CONNECTED, S.HELD, S.QUEUED, S.ENDED}),
    S.SURVEY: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
}


class IllegalCallTransition(RuntimeError):
    def __init__(self, call_id: str, src: CallState, dst: CallState, cause: str) -> None:
        super().__init__(f"call {call_id}: {src.value} -> {dst.value} is not allowed ({cause})")
        self.call_id, self.src, self.dst = call_id, src, dst


@dataclass
class Leg:
    """An agent's channel for this call: ringing, answered, or a consultation."""

    channel_id: str
    agent_id: str
    offer_id: int | None = None
    answered: bool = False


@dataclass
class Call:
    call_id: str
    channel_id: str
    ani: str
    dnis: str
    started: float
    state: CallState = CallState.IVR
    caller_class: str = "normal"
    priority: str = "normal"
    queue: str | None = None
    bridge_id: str | None = None
    agent_id: str | None = None
    legs: dict[str, Leg] = field(default_factory=dict)
    consult: Leg | None = None
    consult_kind: str | None = None
    consult_target: str | None = None
    consult_core_id: str | None = None
    consult_bridge: str | None = None
    # The id the routing core knows this call's agent segment by (a consultation that
    # became the call keeps its own id there).
    core_id: str = ""
    recording: str | None = None
    segments: int = 0
    reattached: bool = False
    hangup_by: str | None = None
    history: list[tuple[float, CallState, CallState, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.core_id = self.core_id or self.call_id

    def move(self, dst: CallState, now: float, cause: str) -> None:
        if dst not in _MOVES[self.state]:
            raise IllegalCallTransition(self.call_id, self.state, dst, cause)
        self.history.append((now, self.state, dst, cause))
        self.state = dst

    @property
    def ended(self) -> bool:
        return self.state is CallState.ENDED
