"""A small script language for building event sets by hand in tests."""

from __future__ import annotations

from typing import Any

from reports.events import Event, make_event

__all__ = ["T0", "Script"]

T0 = 1_699_999_200.0  # a whole hour (UTC); scenario times are seconds after it


class Script:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def ev(self, kind: str, t: float, **kw: Any) -> None:
        self.events.append(make_event(kind, ts=T0 + t, **kw))

    def call(self, cid: str, t: float, ani: str = "", cls: str | None = None) -> None:
        self.ev("call_started", t, call_id=cid, ani=ani or f"ani-{cid}", dnis="95598")
        if cls:
            self.ev("call_class", t, call_id=cid, call_class=cls)

    def enter(self, cid: str, q: str, t: float) -> None:
        self.ev("queue_entered", t, call_id=cid, queue=q, priority=0, skills=[])

    def leave(self, cid: str, q: str, t: float, outcome: str, agent: str | None = None) -> None:
        self.ev("queue_exited", t, call_id=cid, queue=q, agent_id=agent, outcome=outcome)

    def ring(self, cid: str, q: str, agent: str, t0: float, t1: float, result: str) -> None:
        self.ev("ring_started", t0, call_id=cid, queue=q, agent_id=agent)
        self.ev("ring_ended", t1, call_id=cid, queue=q, agent_id=agent, result=result)

    def answer(self, cid: str, q: str, agent: str, ring_at: float, t: float) -> None:
        self.ring(cid, q, agent, ring_at, t, "answered")
        self.leave(cid, q, t, "answered", agent)

    def seg(self, name: str, cid: str, agent: str, t0: float, t1: float) -> None:
        self.ev(f"{name}_started", t0, call_id=cid, agent_id=agent)
        self.ev(f"{name}_ended", t1, call_id=cid, agent_id=agent)

    def end(self, cid: str, t: float, by: str = "caller") -> None:
        self.ev("call_ended", t, call_id=cid, hangup_by=by)

    def state(self, agent: str, t: float, frm: str, to: str, **kw: Any) -> None:
        self.ev("agent_state", t, agent_id=agent, **{"from": frm, "to": to}, **kw)
