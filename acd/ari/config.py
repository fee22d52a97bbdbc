"""Connection settings for the ARI client."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["AriConfig"]


@dataclass(frozen=True, kw_only=True)
class AriConfig:
    """Where and how to reach one Asterisk's ARI.

    The password is kept out of `repr()`/`str()` so the config can be logged safely.
    """

    base_url: str
    """HTTP base of Asterisk, e.g. ``http://127.0.0.1:8088`` (no credentials in it)."""
    username: str
    password: str = field(repr=False)
    app: str
    """Stasis application name the event stream subscribes to."""
    request_timeout: float = 10.0
    connect_timeout: float = 5.0
    ws_heartbeat: float = 20.0
    reconnect_initial: float = 0.5
    reconnect_max: float = 30.0
    reconnect_factor: float = 2.0
    reconnect_jitter: float = 0.5
    """Fraction of each delay that is randomised (0 = none, 1 = full jitter)."""
    reconnect_stable_after: float = 10.0
    """A connection that lasted this long resets the backoff to its first step."""
    queue_maxsize: int = 1000
    """Bound of each per-channel event queue."""
    queue_idle_seconds: float = 5.0
    """An empty per-channel queue and its consumer are retired after this long."""
    subscribe_all: bool = False
    """Receive the events of every channel and bridge in Asterisk, not only the app's
    (for observers such as the call-flow benchmark)."""

    def __post_init__(self) -> None:
        if "@" in self.base_url.split("//", 1)[-1].split("/", 1)[0]:
            raise ValueError("AriConfig.base_url must not carry credentials")
        if self.reconnect_initial <= 0 or self.reconnect_max < self.reconnect_initial:
            raise ValueError("AriConfig: need 0 < reconnect_initial <= reconnect_max")
        if not 0.0 <= self.reconnect_jitter <= 1.0:
            raise ValueError("AriConfig.reconnect_jitter must be within [0, 1]")
        if self.queue_maxsize < 1:
            raise ValueError("AriConfig.queue_maxsize must be at least 1")
