"""`AriClient`: the REST resources, the event stream and its dispatcher in one object."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import aiohttp

from acd.ari.applications import Applications
from acd.ari.asterisk import Asterisk
from acd.ari.backoff import Backoff
from acd.ari.bridges import Bridges
from acd.ari.channels import Channels
from acd.ari.config import AriConfig
from acd.ari.dispatch import Dispatcher, Handler, Predicate, Subscription, Waiter
from acd.ari.endpoints import Endpoints
from acd.ari.http import AriHttp, basic_auth
from acd.ari.models_generated import StasisStart
from acd.ari.playbacks import Playbacks
from acd.ari.recordings import Recordings
from acd.ari.stream import EventStream

__all__ = ["AriClient", "new_id"]

logger = logging.getLogger(__name__)


def new_id() -> str:
    """A fresh id for a client-chosen channelId, bridgeId or playbackId."""
    return uuid.uuid4().hex


class AriClient:
    """Typed ARI over one aiohttp session and one event WebSocket.

    Use as ``async with AriClient(config) as client:``. All background tasks (the reader
    and one consumer per active channel) live in a TaskGroup owned by the `async with`:
    if a handler raises, the error is logged, the client stops and the exception comes
    out of the `async with` (in an ExceptionGroup).
    """

    def __init__(self, config: AriConfig, *, backoff: Backoff | None = None) -> None:
        self.config = config
        self._backoff = backoff or Backoff.from_config(config)
        self._session: aiohttp.ClientSession | None = None
        self._http = AriHttp(config)
        self._dispatcher = Dispatcher(
            maxsize=config.queue_maxsize, idle_seconds=config.queue_idle_seconds
        )
        self._tg: asyncio.TaskGroup | None = None
        self._stream: EventStream | None = None
        self.channels = Channels(self._http)
        self.bridges = Bridges(self._http)
        self.playbacks = Playbacks(self._http)
        self.recordings = Recordings(self._http)
        self.endpoints = Endpoints(self._http)
        self.applications = Applications(self._http)
        self.asterisk = Asterisk(self._http)

    def __repr__(self) -> str:
        return f"AriClient({self.config!r})"

    async def __aenter__(self) -> AriClient:
        # Session-wide header: covers REST and the event WebSocket, keeps URLs clean.
        self._session = aiohttp.ClientSession(headers={"Authorization": basic_auth(self.config)})
        self._http.bind(self._session)
        self._stream = EventStream(
            self.config, self._session, self._dispatcher.dispatch, self._backoff
        )
        self._tg = asyncio.TaskGroup()
        await self._tg.__aenter__()
        self._dispatcher.start(self._tg)
        self._reader = self._tg.create_task(self._stream.run(), name="ari-event-reader")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._tg is not None and self._session is not None
        self._reader.cancel()
        self._dispatcher.stop()
        try:
            await self._tg.__aexit__(exc_type, exc, tb)
        finally:
            self._http.bind(None)
            await self._session.close()
            self._tg = None

    @property
    def connected(self) -> bool:
        """Whether the event WebSocket is up now."""
        return self._stream is not None and self._stream.connected.is_set()

    async def wait_connected(self, timeout: float) -> None:
        """Return once the event WebSocket is up; `TimeoutError` otherwise."""
        if self._stream is None:
            raise RuntimeError("AriClient is not started (use `async with`)")
        await asyncio.wait_for(self._stream.connected.wait(), timeout)

    def subscribe(self, handler: Handler, types: Iterable[str] | None = None) -> Subscription:
        """Deliver events (only `types`, if given) to `handler`, in order per channel."""
        return self._dispatcher.subscribe(handler, None if types is None else frozenset(types))

    def wait_for(self, predicate: Predicate, timeout: float) -> Waiter:
        """Register a waiter now; ``await`` it later for the first matching event.

        Register before the request that causes the event: Asterisk may send the event
        before it answers the request.
        """
        return self._dispatcher.wait_for(predicate, timeout)

    async def originate_and_wait(
        self, endpoint: str, *, timeout: float, **originate: Any
    ) -> StasisStart:
        """Originate into this client's app and wait for the channel's StasisStart."""
        channel_id = originate.pop("channel_id", None) or new_id()
        waiter = self.wait_for(
            lambda e: isinstance(e, StasisStart) and e.channel.id == channel_id, timeout
        )
        try:
            await self.channels.originate(
                endpoint, channel_id=channel_id, app=self.config.app, **originate
            )
        except BaseException:
            waiter.cancel()
            raise
        event = await waiter
        assert isinstance(event, StasisStart)
        return event
