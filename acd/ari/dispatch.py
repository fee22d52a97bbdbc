"""Ordered delivery: one bounded queue and one consumer task per channel (or bridge),
plus waiters matched in stream order as events are read."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from acd.ari.events import GENERAL, AriEvent, is_terminal, route_key

__all__ = ["Dispatcher", "Handler", "Predicate", "Subscription", "Waiter"]

logger = logging.getLogger(__name__)

Handler = Callable[[AriEvent], Awaitable[None]]
Predicate = Callable[[AriEvent], bool]


class Subscription:
    """A registered handler; `close()` stops delivery to it."""

    def __init__(
        self, dispatcher: Dispatcher, handler: Handler, types: frozenset[str] | None
    ) -> None:
        self._dispatcher = dispatcher
        self.handler = handler
        self.types = types

    def wants(self, event: AriEvent) -> bool:
        return self.types is None or event.type in self.types

    def close(self) -> None:
        self._dispatcher._unsubscribe(self)


class Waiter:
    """One future event, registered when created; `await waiter` returns it or raises
    `TimeoutError` after `timeout` seconds of waiting."""

    def __init__(self, dispatcher: Dispatcher, predicate: Predicate, timeout: float) -> None:
        self._dispatcher = dispatcher
        self.predicate = predicate
        self.timeout = timeout
        self.future: asyncio.Future[AriEvent] = asyncio.get_running_loop().create_future()

    def __await__(self) -> Generator[Any, None, AriEvent]:
        return self._wait().__await__()

    async def _wait(self) -> AriEvent:
        try:
            return await asyncio.wait_for(self.future, self.timeout)
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Unregister without waiting (e.g. when the request that would cause it failed)."""
        self._dispatcher._waiters.discard(self)
        if not self.future.done():
            self.future.cancel()


class Dispatcher:
    """Routes each event to its queue (`acd.ari.events.route_key`) and resolves waiters.

    Queues are created on first use and retired when empty for `idle_seconds` or after
    the channel's/bridge's terminal event. A full queue makes `dispatch` wait (the event
    is never dropped) and is logged, since it means a handler is stuck.
    """

    def __init__(self, *, maxsize: int, idle_seconds: float) -> None:
        self._maxsize = maxsize
        self._idle = idle_seconds
        self._queues: dict[str, asyncio.Queue[AriEvent]] = {}
        self._subs: list[Subscription] = []
        self._waiters: set[Waiter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._tg: asyncio.TaskGroup | None = None

    def start(self, tg: asyncio.TaskGroup) -> None:
        self._tg = tg

    def stop(self) -> None:
        """Cancel the consumers; events still queued are not delivered."""
        pending = sum(q.qsize() for q in self._queues.values())
        if pending:
            logger.info("ARI dispatcher stopping with %d undelivered events", pending)
        for task in list(self._tasks):
            task.cancel()
        self._tg = None

    @property
    def queue_keys(self) -> frozenset[str]:
        return frozenset(self._queues)

    def subscribe(self, handler: Handler, types: frozenset[str] | None = None) -> Subscription:
        sub = Subscription(self, handler, types)
        self._subs.append(sub)
        return sub

    def _unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def wait_for(self, predicate: Predicate, timeout: float) -> Waiter:
        waiter = Waiter(self, predicate, timeout)
        self._waiters.add(waiter)
        return waiter

    async def dispatch(self, event: AriEvent) -> None:
        self._resolve_waiters(event)
        if self._tg is None:
            raise RuntimeError("ARI dispatcher is not started")
        key = route_key(event)
        queue = self._queues.get(key)
        if queue is None:
            queue = asyncio.Queue(self._maxsize)
            self._queues[key] = queue
            task = self._tg.create_task(
                self._consume(key, queue), name=f"ari-events[{key or 'general'}]"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if queue.full():
            logger.warning("ARI event queue %r is full (%d); waiting for its handler",
                           key or GENERAL, self._maxsize)
        await queue.put(event)

    def _resolve_waiters(self, event: AriEvent) -> None:
        for waiter in list(self._waiters):
            if waiter.future.done():
                continue
            try:
                matched = waiter.predicate(event)
            except Exception as exc:
                logger.exception("ARI waiter predicate failed on %s", event.type)
                waiter.future.set_exception(exc)
                self._waiters.discard(waiter)
                continue
            if matched:
                waiter.future.set_result(event)
                self._waiters.discard(waiter)

    async def _consume(self, key: str, queue: asyncio.Queue[AriEvent]) -> None:
        while True:
            try:
                async with asyncio.timeout(self._idle):
                    event = await queue.get()
            except TimeoutError:
                if queue.empty():
                    self._retire(key, queue)
                    return
                continue
            await self._deliver(event)
            if is_terminal(event) and queue.empty():
                self._retire(key, queue)
                return

    def _retire(self, key: str, queue: asyncio.Queue[AriEvent]) -> None:
        if self._queues.get(key) is queue:
            del self._queues[key]

    async def _deliver(self, event: AriEvent) -> None:
        for sub in list(self._subs):
            if not sub.wants(event):
                continue
            try:
                await sub.handler(event)
            except Exception:
                # Surfaced through the client's TaskGroup, which stops the client.
                logger.exception("ARI event handler %r failed on %s", sub.handler, event.type)
                raise
