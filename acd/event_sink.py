"""Where the controller's facts go: the PostgreSQL writer in production, a list in tests."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from reports.events import Event, EventError, make_event

__all__ = ["EventSink", "MemorySink", "Recorder"]

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
