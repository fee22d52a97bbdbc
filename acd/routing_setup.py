"""The routing core's configuration and agent profiles, from the hotline configuration."""

from __future__ import annotations

from acd.config import Config
from acd.config_model import AgentConfig, QueueConfig
from agents.profile import Agent
from queues.config import (
    DEFAULT_BACKOFF,
    MaxWaitAction,
    OfferResult,
    RelaxStep,
    RoutingConfig,
)
from queues.config import QueueConfig as CoreQueue

__all__ = ["agent_profile", "routing_config"]

_ON_MAX_WAIT = {"queue": MaxWaitAction.OVERFLOW, "callback": MaxWaitAction.CALLBACK,
                "voicemail": MaxWaitAction.VOICEMAIL}


def _queue(q: QueueConfig, roster: tuple[str, ...]) -> CoreQueue:
    overflow = q.overflow
    return CoreQueue(
        name=q.name,
        skills={s.skill: s.min_proficiency for s in q.skills},
        relax=tuple(
            RelaxStep(after=r.after, min_proficiency=r.min_proficiency, team=r.team)
            for r in q.relax
        ),
        strategy=q.strategy,
        weight=float(q.weight),
        max_length=q.max_length,
        when_no_agents=q.when_no_agents,
        max_wait=q.max_wait,
        on_max_wait=_ON_MAX_WAIT[overflow.kind] if overflow else MaxWaitAction.VOICEMAIL,
        overflow_to=overflow.queue if overflow else None,
        wrap_up=q.wrap_up,
        ring_timeout=q.ring_timeout,
        preferred_timeout=q.preferred_agent_window,
        last_agent_window=q.last_agent_memory_hours * 3600.0,
        announce_every=q.announce.every or None,
        # linear: the roster's order
        linear_order=roster,
    )


def routing_config(config: Config) -> RoutingConfig:
    roster = tuple(a.id for a in config.agents)
    queues = tuple(_queue(q, roster) for q in config.queues)
    first = config.queues[0] if config.queues else None
    if first is None:
        return RoutingConfig(queues=queues, priorities=tuple(config.priorities))
    backoff = dict(DEFAULT_BACKOFF)
    backoff[OfferResult.REJECTED] = backoff[OfferResult.BUSY] = first.reject_backoff
    return RoutingConfig(
        queues=queues,
        priorities=tuple(config.priorities),
        rona_limit=first.rona_pause_after,
        backoff=backoff,
    )


def agent_profile(a: AgentConfig) -> Agent:
    return Agent(id=a.id, name=a.name, endpoint=a.endpoint, team=a.team, skills=dict(a.skills))
