"""In-house typed ARI client on aiohttp: REST resources, ordered event stream, errors."""

from acd.ari.backoff import Backoff
from acd.ari.client import AriClient, new_id
from acd.ari.config import AriConfig
from acd.ari.dispatch import Subscription, Waiter
from acd.ari.errors import (
    AriAuthError,
    AriBadRequest,
    AriConflict,
    AriError,
    AriNotFound,
    AriUnavailable,
    AriUnprocessable,
)
from acd.ari.events import AriEvent, Connected, Disconnected, UnknownEvent
from acd.ari.models_generated import (
    Application,
    AsteriskInfo,
    Bridge,
    Channel,
    Endpoint,
    LiveRecording,
    Playback,
    StoredRecording,
)

__all__ = [
    "Application",
    "AriAuthError",
    "AriBadRequest",
    "AriClient",
    "AriConfig",
    "AriConflict",
    "AriError",
    "AriEvent",
    "AriNotFound",
    "AriUnavailable",
    "AriUnprocessable",
    "AsteriskInfo",
    "Backoff",
    "Bridge",
    "Channel",
    "Connected",
    "Disconnected",
    "Endpoint",
    "LiveRecording",
    "Playback",
    "StoredRecording",
    "Subscription",
    "UnknownEvent",
    "Waiter",
    "new_id",
]
