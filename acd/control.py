"""What the HTTP API and the wallboard may ask of the running hotline.

The controller implements `ControlPlane`; the API layer only validates requests and maps
`ControlError`s to HTTP answers. Every method is safe to call for unknown ids: it raises
`ControlError` with a message that names what was wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "AgentSnapshot",
    "ControlError",
    "ControlPlane",
    "QueueSnapshot",
    "Snapshot",
    "TransferMode",
    "TransferTargetKind",
]

TransferMode = Literal["blind", "attended"]
TransferTargetKind = Literal["queue", "agent", "external"]


class ControlError(Exception):
    """A request the hotline refuses; `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class QueueSnapshot:
    name: str
    waiting: int
    longest_wait: float
    agents_logged_in: int
    agents_available: int
    # Today's figures, derived from the event log (not from counters).
    offered_today: int = 0
    answered_today: int = 0
    abandoned_today: int = 0
    service_level_today: float | None = None
    asa_today: float | None = None


@dataclass(frozen=True)
class AgentSnapshot:
    agent_id: str
    name: str
    team: str
    state: str
    since: float
    call_id: str | None = None
    pause_reason: str | None = None


@dataclass(frozen=True)
class Snapshot:
    now: float
    queues: Sequence[QueueSnapshot]
    agents: Sequence[AgentSnapshot]
    calls_in_progress: int
    notices: Sequence[str] = ()
    targets: Mapping[str, float] = field(default_factory=dict)


class ControlPlane(Protocol):
    def snapshot(self) -> Snapshot: ...

    async def agent_login(self, agent_id: str, pin: str | None = None) -> None: ...

    async def agent_logout(self, agent_id: str) -> None: ...

    async def agent_pause(self, agent_id: str, reason: str) -> None: ...

    async def agent_ready(self, agent_id: str) -> None: ...

    async def end_wrap_up(self, agent_id: str) -> None: ...

    async def hold(self, call_id: str) -> None: ...

    async def unhold(self, call_id: str) -> None: ...

    async def transfer(self, call_id: str, mode: TransferMode, kind: TransferTargetKind,
                       target: str) -> None: ...

    async def complete_transfer(self, call_id: str) -> None: ...

    async def cancel_transfer(self, call_id: str) -> None: ...

    async def set_disposition(self, call_id: str, code: str, resolved: bool,
                              notes: str = "") -> None: ...

    async def set_notices(self, notices: Sequence[str]) -> None: ...

    async def supervise(self, supervisor_endpoint: str, call_id: str,
                        mode: Literal["listen", "whisper", "barge"]) -> str: ...

    def decisions(self, call_id: str) -> Sequence[str]: ...
