"""Evaluating a condition node's tests against the clock, the calendar and the call."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from ivr.model import Test

__all__ = ["CallFacts", "holds", "local_time"]


@dataclass(frozen=True)
class CallFacts:
    now: datetime.datetime  # in the hotline's time zone
    holidays: frozenset[datetime.date]
    caller_class: str
    variables: Mapping[str, str]


def local_time(now: datetime.datetime, timezone: str) -> datetime.datetime:
    """`now` in the hotline's zone; a naive time is taken as already local."""
    if now.tzinfo is None:
        return now
    return now.astimezone(zoneinfo.ZoneInfo(timezone))


def holds(test: Test, facts: CallFacts) -> bool:
    if test.schedule is not None and not any(w.contains(facts.now) for w in test.schedule):
        return False
    if test.holiday is not None and (facts.now.date() in facts.holidays) != test.holiday:
        return False
    if test.caller_class is not None and facts.caller_class not in test.caller_class:
        return False
    return test.variable is None or test.variable.holds(facts.variables)
