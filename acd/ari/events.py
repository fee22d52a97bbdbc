"""Events as delivered to subscribers: the generated ARI models plus the stream's own.

Routing rule (which per-channel queue an event goes to, see `route_key`):

1. an event with a `channel` (StasisStart, ChannelDtmfReceived, ChannelHold,
   ChannelEnteredBridge, BridgeBlindTransfer...) goes to that channel's queue;
2. `Dial` goes to the dialed channel (`peer`); `BridgeAttendedTransfer` to
   `transferer_first_leg`; `ChannelTransfer` to `referred_by.source_channel`;
3. playback and recording events go to their target: ``channel:ID`` to that channel's
   queue, ``bridge:ID`` to the bridge's queue;
4. other bridge events (BridgeCreated, BridgeDestroyed, BridgeMerged...) go to the
   queue ``bridge:ID`` of their bridge;
5. everything else (endpoint, device state, peer/contact status, ApplicationReplaced,
   unknown events, Connected/Disconnected) goes to the general queue ``""``.

Each event goes to exactly one queue, so a handler sees it once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from acd.ari.models_generated import (
    EVENT_TYPES,
    Bridge,
    BridgeAttendedTransfer,
    BridgeDestroyed,
    Channel,
    ChannelDestroyed,
    ChannelTransfer,
    Dial,
    Message,
)

__all__ = [
    "GENERAL",
    "AriEvent",
    "Connected",
    "Disconnected",
    "UnknownEvent",
    "is_terminal",
    "parse_event",
    "route_key",
]

logger = logging.getLogger(__name__)

GENERAL = ""
"""Queue key for events that concern no single channel or bridge."""


@dataclass(frozen=True)
class UnknownEvent:
    """An event this client has no model for (newer Asterisk) or that did not match
    its model; `raw` is the decoded JSON as received."""

    type: str
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Connected:
    """The event WebSocket is (re)connected: the controller should re-sync its state."""

    type: str = field(default="Connected", init=False)


@dataclass(frozen=True)
class Disconnected:
    """The event WebSocket went down; events may have been lost until `Connected`."""

    reason: str
    type: str = field(default="Disconnected", init=False)


AriEvent = Message | UnknownEvent | Connected | Disconnected


def parse_event(raw: Mapping[str, Any]) -> AriEvent:
    """Typed event for a decoded WebSocket message; never raises on odd input."""
    event_type = str(raw.get("type", ""))
    cls = EVENT_TYPES.get(event_type)
    if cls is None:
        logger.debug("ARI event of unknown type %r", event_type)
        return UnknownEvent(event_type, raw)
    try:
        return cls.from_json(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        logger.warning(
            "ARI %s event does not match its model (%s: %s); delivered as UnknownEvent",
            event_type, type(exc).__name__, exc,
        )
        return UnknownEvent(event_type, raw)


def _target_key(target_uri: str) -> str:
    kind, _, ident = target_uri.partition(":")
    if kind == "channel" and ident:
        return ident
    if kind == "bridge" and ident:
        return f"bridge:{ident}"
    return GENERAL


def route_key(event: AriEvent) -> str:
    """The queue key for `event`: a channel id, ``bridge:ID`` or `GENERAL`."""
    if isinstance(event, Dial):
        return event.peer.id
    if isinstance(event, BridgeAttendedTransfer):
        return event.transferer_first_leg.id
    if isinstance(event, ChannelTransfer):
        return event.referred_by.source_channel.id
    channel = getattr(event, "channel", None)
    if isinstance(channel, Channel):
        return channel.id
    for attr in ("playback", "recording"):
        target = getattr(getattr(event, attr, None), "target_uri", None)
        if isinstance(target, str):
            return _target_key(target)
    bridge = getattr(event, "bridge", None)
    if isinstance(bridge, Bridge):
        return f"bridge:{bridge.id}"
    return GENERAL


def is_terminal(event: AriEvent) -> bool:
    """Last event for its queue key: the channel or bridge is gone."""
    return isinstance(event, ChannelDestroyed | BridgeDestroyed)
