"""A manual clock and a core, with helpers to drive it in tests."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, TypeVar

from agents import Agent, AgentState
from queues import (
    AgentLogin,
    CallArrived,
    CallEnded,
    Command,
    Event,
    Offer,
    OfferAnswered,
    QueueConfig,
    RoutingConfig,
    RoutingCore,
    Tick,
)

C = TypeVar("C")


class Harness:
    def __init__(self, *queues: QueueConfig, seed: int = 0, **routing: Any) -> None:
        self.t = 0.0
        self.config = RoutingConfig(queues=queues or (QueueConfig("q"),), **routing)
        self.core = RoutingCore(self.config, clock=lambda: self.t, rng=random.Random(seed))
        self.log: list[Command] = []

    def at(self, t: float) -> Harness:
        assert t >= self.t
        self.t = t
        return self

    def send(self, event: Event) -> list[Command]:
        out = self.core.handle(event)
        self.log.extend(out)
        return out

    def tick(self, t: float) -> list[Command]:
        self.at(t)
        return self.send(Tick())

    def login(
        self, agent_id: str, skills: dict[str, int] | None = None, team: str = ""
    ) -> list[Command]:
        return self.send(AgentLogin(Agent(agent_id, skills=skills or {}, team=team)))

    def arrive(self, call_id: str, queue: str = "q", **kw: Any) -> list[Command]:
        return self.send(CallArrived(call_id, queue, **kw))

    def serve(self, call_id: str, queue: str = "q", **kw: Any) -> str:
        """Arrive, answer at once, end at once; returns the agent who took the call."""
        offer = only(self.arrive(call_id, queue, **kw), Offer)
        self.send(OfferAnswered(offer.offer_id))
        self.send(CallEnded(call_id))
        return offer.agent_id

    def state(self, agent_id: str) -> AgentState:
        return self.core.agent(agent_id).state


def of(commands: Iterable[Command], kind: type[C]) -> list[C]:
    return [c for c in commands if isinstance(c, kind)]


def only(commands: Iterable[Command], kind: type[C]) -> C:
    found = of(commands, kind)
    assert len(found) == 1, f"expected one {kind.__name__}, got {found}"
    return found[0]
