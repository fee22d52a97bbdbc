"""Who is logged in, and who is paused for what, kept in Asterisk's global variables
(`ACD_AGENT_<id>`), so a restarted controller puts the agents back as they were instead
of logging everyone out. (astdb would outlive an Asterisk restart too, but ARI may not
write `DB()` unless Asterisk runs with `live_dangerously`; a restarted Asterisk has lost
its calls and registrations anyway.)

Writes go out one at a time per agent, newest value last, so a quick login-then-pause
cannot be stored in the wrong order.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from acd.ari import AriError
from agents.states import AgentState

if TYPE_CHECKING:
    from acd.callflow import CallFlow

__all__ = ["PREFIX", "AgentPresence", "presence_of"]

log = logging.getLogger(__name__)

PREFIX = "ACD_AGENT_"
LOGGED_OUT = "logged_out"
READY = "ready"
_PAUSED = "paused:"
# Pauses a restarted controller derives again by itself (device state, re-attached calls).
_DERIVED_PAUSES = frozenset({"device_busy", "reattached_call"})


def presence_of(state: AgentState, pause_reason: str | None) -> str | None:
    """The stored form of an agent's state; None when it is not worth keeping."""
    if state is AgentState.LOGGED_OUT:
        return LOGGED_OUT
    if state is AgentState.PAUSED:
        if pause_reason in _DERIVED_PAUSES:
            return None
        return _PAUSED + (pause_reason or "break")
    return READY


class AgentPresence:
    def __init__(self, flow: CallFlow) -> None:
        self.flow = flow
        self._wanted: dict[str, str] = {}
        self._stored: dict[str, str] = {}
        self._writing: set[str] = set()

    @staticmethod
    def key(agent_id: str) -> str:
        return PREFIX + agent_id

    def changed(self, agent_id: str, state: AgentState, pause_reason: str | None) -> None:
        value = presence_of(state, pause_reason)
        if value is None or self._wanted.get(agent_id) == value:
            return
        self._wanted[agent_id] = value
        self._flush(agent_id)

    def _flush(self, agent_id: str) -> None:
        """Start the agent's writer unless one runs or Asterisk already has the value."""
        if agent_id not in self._writing and self._wanted[agent_id] != self._stored.get(agent_id):
            self._writing.add(agent_id)
            self.flow.spawn(self._write(agent_id))

    async def _write(self, agent_id: str) -> None:
        try:
            while (value := self._wanted[agent_id]) != self._stored.get(agent_id):
                await self.flow.ari.asterisk.set_global_var(self.key(agent_id), value)
                self._stored[agent_id] = value
        except AriError as exc:
            log.warning("presence of agent %s not stored: %s", agent_id, exc)
        finally:
            self._writing.discard(agent_id)

    async def restore(self) -> list[str]:
        """Log in (and pause) the agents Asterisk has as logged in. An agent this controller
        has seen change keeps what it knows, and that is written again instead (a write
        may have failed while Asterisk was out of reach). Returns the agents restored."""
        stored: dict[str, str] = {}
        for agent_id in self.flow.desk.agents:
            if agent_id not in self._wanted:
                try:
                    stored[agent_id] = await self.flow.ari.asterisk.get_global_var(
                        self.key(agent_id))
                except AriError as exc:
                    log.warning("presence of agent %s not read: %s", agent_id, exc)
        # Decided only after every read: meanwhile agents may have logged in themselves.
        for agent_id in self._wanted:
            self._flush(agent_id)
        restored = [agent_id for agent_id, value in stored.items()
                    if agent_id not in self._wanted and self._resume(agent_id, value)]
        if restored:
            log.info("agents restored from Asterisk: %s", ", ".join(restored))
        return restored

    def _resume(self, agent_id: str, value: str) -> bool:
        if value == READY or value.startswith(_PAUSED):
            self._stored[agent_id] = value
            pause = value.removeprefix(_PAUSED) if value.startswith(_PAUSED) else None
            return self.flow.desk.resume(agent_id, pause)
        if value and value != LOGGED_OUT:
            log.warning("agent %s: stored presence %r not understood; left logged out",
                        agent_id, value)
        return False
