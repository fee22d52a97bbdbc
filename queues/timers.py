"""Deadlines the core must act on (relax steps, ring timeouts, wrap-up ends...)."""

from __future__ import annotations

import heapq
import itertools
from enum import IntEnum

__all__ = ["Timer", "TimerKind", "Timers"]


class TimerKind(IntEnum):
    RELAX = 1
    PREFERRED_END = 2
    MAX_WAIT = 3
    ANNOUNCE = 4
    RING_TIMEOUT = 5
    WRAP_END = 6
    BACKOFF_END = 7


Timer = tuple[float, int, TimerKind, str, int]


class Timers:
    """A heap of (due, seq, kind, ref, token). Handlers check the token, so cancelling is
    just letting a stale timer fire into nothing."""

    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[Timer] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, due: float, kind: TimerKind, ref: str, token: int) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), kind, ref, token))

    def next_due(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def peek(self) -> Timer | None:
        return self._heap[0] if self._heap else None

    def drop(self) -> None:
        heapq.heappop(self._heap)

    def pop_due(self, now: float) -> Timer | None:
        if self._heap and self._heap[0][0] <= now:
            return heapq.heappop(self._heap)
        return None
