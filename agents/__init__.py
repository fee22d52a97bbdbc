"""Agents: profiles with skills, and the agent state machine. Pure logic, no I/O."""

from agents.profile import MAX_PROFICIENCY, MIN_PROFICIENCY, Agent, InvalidAgent
from agents.states import (
    TRANSITIONS,
    AgentState,
    AgentStateChanged,
    AgentStateMachine,
    AgentTrigger,
    IllegalTransition,
)

__all__ = [
    "MAX_PROFICIENCY",
    "MIN_PROFICIENCY",
    "TRANSITIONS",
    "Agent",
    "AgentState",
    "AgentStateChanged",
    "AgentStateMachine",
    "AgentTrigger",
    "IllegalTransition",
    "InvalidAgent",
]
