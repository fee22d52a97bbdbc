"""What the IVR interpreter asks the call flow to do, and the trail of steps it records.

Media are ARI media URIs: `sound:...` for recordings and synthesised prompts, and Asterisk's
say media (`digits:1234`, `number:42`, `characters:AB`) for values spoken from variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "Action",
    "DoLookup",
    "EnterQueue",
    "Hangup",
    "IvrStep",
    "Play",
    "RecordSurvey",
    "RequestCallback",
    "StartDigitTimer",
    "Step",
    "StopPlayback",
    "Transfer",
    "Voicemail",
]


@dataclass(frozen=True)
class Play:
    """Play media in order; answer with PlaybackFinished(token). If `interruptible`, a key
    pressed meanwhile is taken at once (barge-in) and a StopPlayback follows."""

    token: int
    media: tuple[str, ...]
    interruptible: bool = False


@dataclass(frozen=True)
class StopPlayback:
    token: int


@dataclass(frozen=True)
class StartDigitTimer:
    """Answer with TimerExpired(token) after `seconds` unless another timer replaces it."""

    token: int
    seconds: float


@dataclass(frozen=True)
class DoLookup:
    """GET `url` (variables already substituted); answer with LookupSucceeded(token, fields)
    or LookupFailed(token) — also when `timeout` seconds pass."""

    token: int
    url: str
    timeout: float


@dataclass(frozen=True)
class EnterQueue:
    """Hand the caller to the ACD. Answer with AgentSideEnded when the agent leg ends."""

    queue: str
    priority: str
    skills: tuple[tuple[str, int], ...] | None
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hangup:
    reason: str


@dataclass(frozen=True)
class Transfer:
    number: str


@dataclass(frozen=True)
class RequestCallback:
    queue: str
    number: str
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Voicemail:
    """Record a message into `mailbox`; the flow hangs up after it."""

    mailbox: str
    max_seconds: int


@dataclass(frozen=True)
class RecordSurvey:
    """The caller's satisfaction score, or None when the survey got no valid answer."""

    node: str
    score: int | None


Action = (
    Play | StopPlayback | StartDigitTimer | DoLookup | EnterQueue | Hangup | Transfer
    | RequestCallback | Voicemail | RecordSurvey
)


@dataclass(frozen=True)
class IvrStep:
    """One entry of the IVR path, stored as an `ivr_step` event.

    kind: entered, key, invalid, timeout, fallback, collected, branch, notices, lookup_ok,
    lookup_failed, caller_class, queued, agent_ended, survey, callback, voicemail, transfer,
    hangup, caller_hung_up, loop.
    """

    node: str
    kind: str
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    actions: tuple[Action, ...] = ()
    trail: tuple[IvrStep, ...] = ()
