"""A ControlPlane that records what the API asked of it, and a loopback test client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp.test_utils import TestClient, TestServer

from acd.api import make_app
from acd.control import (
    AgentSnapshot,
    ControlError,
    QueueSnapshot,
    Snapshot,
    TransferMode,
    TransferTargetKind,
)

__all__ = ["FakeControl", "sample_snapshot", "serve"]


def sample_snapshot() -> Snapshot:
    return Snapshot(
        now=1_000.0,
        queues=[
            QueueSnapshot("billing", waiting=3, longest_wait=42.5, agents_logged_in=4,
                          agents_available=1, offered_today=120, answered_today=110,
                          abandoned_today=9, service_level_today=0.72, asa_today=26.4),
            QueueSnapshot("outages", waiting=0, longest_wait=0.0, agents_logged_in=2,
                          agents_available=2, offered_today=40, answered_today=39,
                          abandoned_today=1, service_level_today=0.91, asa_today=8.2),
            QueueSnapshot("complaints", waiting=1, longest_wait=5.0, agents_logged_in=0,
                          agents_available=0),
        ],
        agents=[
            AgentSnapshot("a1", "Li Na", "north", "on_call", since=880.0, call_id="c1"),
            AgentSnapshot("a2", "Wang Fang", "north", "available", since=990.0),
            AgentSnapshot("a3", "Zhang Wei", "south", "paused", since=700.0,
                          pause_reason="training"),
            AgentSnapshot("a4", "Liu Yang", "south", "wrap_up", since=985.0, call_id="c2"),
            AgentSnapshot("a5", "Chen Jie", "south", "available", since=400.0),
        ],
        calls_in_progress=6,
        notices=["Power cut in Haidian district until 18:00"],
        targets={"asa_s": 15.0},
    )


@dataclass
class FakeControl:
    """Records calls as (method, args); `fail` maps a method name to the error it raises."""

    snap: Snapshot = field(default_factory=sample_snapshot)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    fail: dict[str, Exception] = field(default_factory=dict)
    decided: dict[str, list[str]] = field(default_factory=dict)

    def _record(self, method: str, *args: Any) -> None:
        if method in self.fail:
            raise self.fail[method]
        self.calls.append((method, args))

    def snapshot(self) -> Snapshot:
        self._record("snapshot")
        return self.snap

    async def agent_login(self, agent_id: str, pin: str | None = None) -> None:
        self._record("agent_login", agent_id, pin)

    async def agent_logout(self, agent_id: str) -> None:
        self._record("agent_logout", agent_id)

    async def agent_pause(self, agent_id: str, reason: str) -> None:
        self._record("agent_pause", agent_id, reason)

    async def agent_ready(self, agent_id: str) -> None:
        self._record("agent_ready", agent_id)

    async def end_wrap_up(self, agent_id: str) -> None:
        self._record("end_wrap_up", agent_id)

    async def hold(self, call_id: str) -> None:
        self._record("hold", call_id)

    async def unhold(self, call_id: str) -> None:
        self._record("unhold", call_id)

    async def transfer(self, call_id: str, mode: TransferMode, kind: TransferTargetKind,
                       target: str) -> None:
        self._record("transfer", call_id, mode, kind, target)

    async def complete_transfer(self, call_id: str) -> None:
        self._record("complete_transfer", call_id)

    async def cancel_transfer(self, call_id: str) -> None:
        self._record("cancel_transfer", call_id)

    async def set_disposition(self, call_id: str, code: str, resolved: bool,
                              notes: str = "") -> None:
        self._record("set_disposition", call_id, code, resolved, notes)

    async def set_notices(self, notices: Sequence[str]) -> None:
        self._record("set_notices", tuple(notices))

    async def supervise(self, supervisor_endpoint: str, call_id: str,
                        mode: Literal["listen", "whisper", "barge"]) -> str:
        self._record("supervise", supervisor_endpoint, call_id, mode)
        return f"snoop-{call_id}-{mode}"

    def decisions(self, call_id: str) -> Sequence[str]:
        self._record("decisions", call_id)
        if call_id not in self.decided:
            raise ControlError(f"no call {call_id!r}", status=404)
        return self.decided[call_id]


@asynccontextmanager
async def serve(control: FakeControl, token: str | None = None) -> AsyncIterator[TestClient]:
    server = TestServer(make_app(control, api_token=token), host="127.0.0.1")
    async with TestClient(server) as client:
        yield client
