"""The event vocabulary: every fact the engine records, one frozen record per event.

An event has common fields (kind, event_id, ts, call_id, agent_id, queue) and kind-specific
fields in ``data``. ``KINDS`` is the schema: required and optional data fields per kind, and the
allowed values of enumerated fields. Timestamps are float epoch seconds quantised to whole
microseconds, so they round-trip exactly through PostgreSQL ``timestamptz`` and JSON.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANSWERED",
    "BLOCKED_OUTCOMES",
    "CALL_CLASSES",
    "KINDS",
    "QUEUE_OUTCOMES",
    "RING_RESULTS",
    "Event",
    "EventError",
    "KindSpec",
    "event_from_json",
    "make_event",
    "quantise_ts",
]

QUEUE_OUTCOMES = frozenset(
    {
        "answered",
        "abandoned",
        "timeout",
        "exit_key",
        "overflow",
        "callback_requested",
        "blocked_full",
        "blocked_no_agents",
        "closed",
    }
)
ANSWERED = "answered"
# Visits refused at the door: they never entered the queue, so they are not "offered".
BLOCKED_OUTCOMES = frozenset({"blocked_full", "blocked_no_agents", "closed"})
RING_RESULTS = frozenset({"answered", "no_answer", "rejected", "busy", "caller_gone"})
CALL_CLASSES = frozenset({"vip", "green_channel", "normal"})
AGENT_STATES = frozenset(
    {"logged_out", "available", "reserved", "ringing", "on_call", "on_hold", "wrap_up", "paused"}
)


class EventError(ValueError):
    """An event that does not match the vocabulary."""


@dataclass(frozen=True)
class KindSpec:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # common fields that must be set: call_id, agent_id, queue
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)


KINDS: dict[str, KindSpec] = {
    "call_started": KindSpec(("ani", "dnis"), needs=("call_id",)),
    "call_class": KindSpec(
        ("call_class",), needs=("call_id",), choices={"call_class": CALL_CLASSES}
    ),
    "ivr_step": KindSpec(("node",), ("key", "step"), needs=("call_id",)),
    "ivr_finished": KindSpec(("self_service",), ("node",), needs=("call_id",)),
    "queue_entered": KindSpec((), ("priority", "skills"), needs=("call_id", "queue")),
    "queue_exited": KindSpec(
        ("outcome",), ("target",), needs=("call_id", "queue"), choices={"outcome": QUEUE_OUTCOMES}
    ),
    "ring_started": KindSpec(needs=("call_id", "agent_id")),
    "ring_ended": KindSpec(
        ("result",), needs=("call_id", "agent_id"), choices={"result": RING_RESULTS}
    ),
    "talk_started": KindSpec((), ("recording",), needs=("call_id", "agent_id")),
    "talk_ended": KindSpec(needs=("call_id", "agent_id")),
    "hold_started": KindSpec(needs=("call_id", "agent_id")),
    "hold_ended": KindSpec(needs=("call_id", "agent_id")),
    "transfer": KindSpec(
        ("mode", "target_kind", "target"),
        needs=("call_id", "agent_id"),
        choices={
            "mode": frozenset({"blind", "attended"}),
            "target_kind": frozenset({"queue", "agent", "external"}),
        },
    ),
    "wrap_up_started": KindSpec(needs=("call_id", "agent_id")),
    "wrap_up_ended": KindSpec((), ("early",), needs=("call_id", "agent_id")),
    "call_ended": KindSpec(
        ("hangup_by",),
        ("outcome",),
        needs=("call_id",),
        choices={"hangup_by": frozenset({"caller", "agent", "system"})},
    ),
    "disposition": KindSpec(("code", "resolved"), ("notes",), needs=("call_id",)),
    "survey_offered": KindSpec(needs=("call_id",)),
    "survey_answer": KindSpec(("score",), ("question",), needs=("call_id",)),
    "qa_score": KindSpec(("score",), ("by",), needs=("call_id", "agent_id")),
    "agent_state": KindSpec(
        ("from", "to"),
        ("reason", "team"),
        needs=("agent_id",),
        choices={"from": AGENT_STATES, "to": AGENT_STATES},
    ),
    "callback_requested": KindSpec((), ("number",), needs=("call_id",)),
    "callback_delivered": KindSpec((), ("original_call_id",), needs=("call_id",)),
}


def quantise_ts(ts: float) -> float:
    """Whole microseconds: exact through timestamptz, JSON and integer-microsecond maths."""
    return round(ts * 1_000_000) / 1_000_000


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    ts: float
    event_id: str
    call_id: str | None = None
    agent_id: str | None = None
    queue: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def us(self) -> int:
        """Timestamp in integer microseconds since the epoch (durations are exact in these)."""
        return round(self.ts * 1_000_000)

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "event_id": self.event_id,
                "ts": self.ts,
                "call_id": self.call_id,
                "agent_id": self.agent_id,
                "queue": self.queue,
                "data": dict(self.data),
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    def validate(self) -> None:
        spec = KINDS.get(self.kind)
        if spec is None:
            raise EventError(f"unknown event kind {self.kind!r}")
        for name in spec.needs:
            if not getattr(self, name):
                raise EventError(f"{self.kind}: {name} is required")
        for name in spec.required:
            if name not in self.data:
                raise EventError(f"{self.kind}: data field {name!r} is required")
        unknown = set(self.data) - set(spec.required) - set(spec.optional)
        if unknown:
            raise EventError(f"{self.kind}: unknown data field(s) {sorted(unknown)}")
        for name, allowed in spec.choices.items():
            if name in self.data and self.data[name] not in allowed:
                raise EventError(
                    f"{self.kind}: {name}={self.data[name]!r} not one of {sorted(allowed)}"
                )
        try:
            uuid.UUID(self.event_id)
        except (ValueError, AttributeError, TypeError):
            raise EventError(f"{self.kind}: event_id {self.event_id!r} is not a UUID") from None


def make_event(
    kind: str,
    *,
    ts: float | None = None,
    call_id: str | None = None,
    agent_id: str | None = None,
    queue: str | None = None,
    event_id: str | None = None,
    **data: Any,
) -> Event:
    """Build and validate an event; ``event_id`` defaults to a fresh uuid4, ``ts`` to now."""
    ev = Event(
        kind=kind,
        ts=quantise_ts(time.time() if ts is None else ts),
        event_id=event_id or str(uuid.uuid4()),
        call_id=call_id,
        agent_id=agent_id,
        queue=queue,
        data=data,
    )
    ev.validate()
    return ev


def event_from_json(line: str) -> Event:
    """Parse one JSONL line (as written by ``Event.to_json``); raises EventError."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EventError(f"not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise EventError("not a JSON object")
    try:
        ts = obj["ts"]
        if isinstance(ts, bool) or not isinstance(ts, int | float):
            raise EventError(f"ts {ts!r} is not a number")
        data = obj.get("data") or {}
        if not isinstance(data, dict):
            raise EventError("data is not an object")
        ev = Event(
            kind=str(obj["kind"]),
            ts=quantise_ts(float(ts)),
            event_id=str(obj["event_id"]),
            call_id=obj.get("call_id"),
            agent_id=obj.get("agent_id"),
            queue=obj.get("queue"),
            data=data,
        )
    except KeyError as exc:
        raise EventError(f"missing field {exc.args[0]!r}") from None
    ev.validate()
    return ev
