"""The single WebSocket reader: connects, parses, hands events on in order, reconnects."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp

from acd.ari.backoff import Backoff
from acd.ari.config import AriConfig
from acd.ari.events import AriEvent, Connected, Disconnected, parse_event

__all__ = ["EventStream"]

logger = logging.getLogger(__name__)


class EventStream:
    """Reads `GET /ari/events?app=NAME&subscribeAll=…` until cancelled.

    After each connection it emits `Connected`; when a connection ends it emits
    `Disconnected(reason)` and reconnects after `backoff.delay(attempt)`. Failed
    connection attempts back off the same way without further events.
    """

    def __init__(
        self,
        config: AriConfig,
        session: aiohttp.ClientSession,
        emit: Callable[[AriEvent], Awaitable[None]],
        backoff: Backoff,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._session = session
        self._emit = emit
        self._backoff = backoff
        self._clock = clock
        self._url = config.base_url.rstrip("/") + "/ari/events"
        self.connected = asyncio.Event()

    async def run(self) -> None:
        attempt = 0
        while True:
            try:
                async with asyncio.timeout(self._config.connect_timeout):
                    ws = await self._session.ws_connect(
                        self._url,
                        params={"app": self._config.app,
                                "subscribeAll": "true" if self._config.subscribe_all else "false"},
                        heartbeat=self._config.ws_heartbeat,
                    )
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                delay = self._backoff.delay(attempt)
                attempt += 1
                logger.warning(
                    "ARI event stream: connect failed (%s); attempt %d, retrying in %.2fs",
                    _describe(exc), attempt, delay,
                )
                await asyncio.sleep(delay)
                continue
            started = self._clock()
            logger.info("ARI event stream connected (app %s)", self._config.app)
            try:
                self.connected.set()
                await self._emit(Connected())
                reason = await self._read(ws)
            finally:
                self.connected.clear()
                await ws.close()
            logger.warning("ARI event stream disconnected: %s", reason)
            await self._emit(Disconnected(reason))
            if self._clock() - started >= self._config.reconnect_stable_after:
                attempt = 0
            delay = self._backoff.delay(attempt)
            attempt += 1
            logger.info("ARI event stream: reconnecting in %.2fs", delay)
            await asyncio.sleep(delay)

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> str:
        async for message in ws:
            if message.type is aiohttp.WSMsgType.TEXT:
                try:
                    raw = json.loads(message.data)
                except ValueError:
                    logger.warning("ARI event stream: ignored a frame that is not JSON "
                                   "(%d chars)", len(message.data))
                    continue
                if not isinstance(raw, dict):
                    logger.warning("ARI event stream: ignored a JSON %s frame",
                                   type(raw).__name__)
                    continue
                await self._emit(parse_event(raw))
            elif message.type is aiohttp.WSMsgType.ERROR:
                return f"websocket error: {_describe(ws.exception())}"
        return f"closed (code {ws.close_code})"


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"handshake refused with HTTP {exc.status}"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"
