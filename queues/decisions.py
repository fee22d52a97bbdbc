"""Why the core did what it did: one record per routing decision, kept per call."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["Decision", "DecisionLog"]


@dataclass(frozen=True, slots=True)
class Decision:
    """`agent_id` is None for decisions that offered nobody (blocked, overflow, callback).

    `passed_over` names better-placed agents (or callers) that were not chosen, each with
    the reason; it is bounded, and `summary` counts the rest.
    """

    at: float
    call_id: str
    queue: str
    action: str
    agent_id: str | None
    reason: str
    passed_over: tuple[str, ...] = ()
    summary: str = ""

    def __str__(self) -> str:
        who = f" -> {self.agent_id}" if self.agent_id else ""
        text = (
            f"t={self.at:.3f} call {self.call_id} [{self.queue}] {self.action}{who}: {self.reason}"
        )
        if self.passed_over:
            text += "; passed over: " + "; ".join(self.passed_over)
        if self.summary:
            text += "; " + self.summary
        return text


class DecisionLog:
    """Decisions per call, keeping the most recent `calls_kept` calls."""

    __slots__ = ("_by_call", "_calls_kept")

    def __init__(self, calls_kept: int) -> None:
        self._by_call: OrderedDict[str, list[Decision]] = OrderedDict()
        self._calls_kept = calls_kept

    def add(self, decision: Decision) -> None:
        entries = self._by_call.get(decision.call_id)
        if entries is None:
            entries = self._by_call[decision.call_id] = []
            if len(self._by_call) > self._calls_kept:
                self._by_call.popitem(last=False)
        entries.append(decision)

    def for_call(self, call_id: str) -> tuple[Decision, ...]:
        return tuple(self._by_call.get(call_id, ()))
