"""The stored form of an agent's presence (kept in astdb across controller restarts)."""

from acd.agent_presence import presence_of
from acd.reattach import REATTACHED
from agents.states import AgentState


def test_logged_in_states_are_stored_as_ready_or_paused() -> None:
    assert presence_of(AgentState.LOGGED_OUT, None) == "logged_out"
    for state in (AgentState.AVAILABLE, AgentState.RESERVED, AgentState.RINGING,
                  AgentState.ON_CALL, AgentState.ON_HOLD, AgentState.WRAP_UP):
        assert presence_of(state, None) == "ready"
    assert presence_of(AgentState.PAUSED, "lunch") == "paused:lunch"
    assert presence_of(AgentState.PAUSED, "no_answer") == "paused:no_answer"


def test_pauses_a_controller_derives_itself_are_not_stored() -> None:
    assert presence_of(AgentState.PAUSED, "device_busy") is None
    assert presence_of(AgentState.PAUSED, REATTACHED) is None
