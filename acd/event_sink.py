"""Where the controller's facts go: the PostgreSQL writer in production, a list in tests."""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from reports.events import Event, EventError, make_event

__all__ = ["EventSink", "MemorySink", "Recorder", "TodaySink", "midnight"]

log = logging.getLogger(__name__)


class EventSink(Protocol):
    def emit(self, ev: Event) -> None: ...


class MemorySink:
    """Keeps every event in order (tests, and the wallboard's view of today)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, ev: Event) -> None:
        self.events.append(ev)


class Recorder:
    """Builds validated events with the controller's clock and hands them to every sink."""

    def __init__(self, *sinks: EventSink, clock: Any) -> None:
        self.sinks = list(sinks)
        self._clock = clock

    def __call__(self, kind: str, **fields: Any) -> Event | None:
        try:
            ev = make_event(kind, ts=self._clock(), **fields)
        except EventError as exc:
            # A malformed fact is a bug in the controller; keep the call going and say so.
            log.error("event not recorded: %s", exc)
            return None
        for sink in self.sinks:
            sink.emit(ev)
        return ev


class TodaySink(MemorySink):
    """Today's call and queue-visit events only: what the wallboard's figures are derived
    from. Older days are dropped as the date changes, so memory stays bounded."""

    KINDS = frozenset({"call_started", "queue_entered", "queue_exited"})

    def __init__(self, clock: Any) -> None:
        super().__init__()
        self._clock = clock
        self._midnight = midnight(clock())

    def emit(self, ev: Event) -> None:
        if ev.kind not in self.KINDS:
            return
        today = midnight(self._clock())
        if today != self._midnight:
            self._midnight = today
            self.events = [e for e in self.events if e.ts >= today]
        if ev.ts >= today:
            self.events.append(ev)


def midnight(now: float) -> float:
    """The start of `now`'s local day."""
    return time.mktime((*time.localtime(now)[:3], 0, 0, 0, 0, 0, -1))
