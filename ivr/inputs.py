"""What the call flow feeds the IVR interpreter. Every input carries the current time.

`token` values echo the token of the action they answer (a Play, StartDigitTimer or DoLookup);
an input whose token is no longer current (a timer after the caller pressed a key, a playback
stopped by barge-in) is stale and ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "AgentSideEnded",
    "CallerHungUp",
    "Digit",
    "Input",
    "LookupFailed",
    "LookupSucceeded",
    "PlaybackFinished",
    "Started",
    "TimerExpired",
]


@dataclass(frozen=True)
class Started:
    now: datetime.datetime
    caller: str
    dialled: str = ""


@dataclass(frozen=True)
class Digit:
    now: datetime.datetime
    digit: str


@dataclass(frozen=True)
class TimerExpired:
    now: datetime.datetime
    token: int


@dataclass(frozen=True)
class PlaybackFinished:
    now: datetime.datetime
    token: int


@dataclass(frozen=True)
class LookupSucceeded:
    now: datetime.datetime
    token: int
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LookupFailed:
    now: datetime.datetime
    token: int
    reason: str = "failed"


@dataclass(frozen=True)
class AgentSideEnded:
    """The agent leg of a queued call ended with the caller still on the line."""

    now: datetime.datetime


@dataclass(frozen=True)
class CallerHungUp:
    now: datetime.datetime


Input = (
    Started | Digit | TimerExpired | PlaybackFinished | LookupSucceeded | LookupFailed
    | AgentSideEnded | CallerHungUp
)
