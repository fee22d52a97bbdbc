"""The batched event writer: bounded memory, COPY into PostgreSQL, spool while it is away.

The controller calls ``emit(event)`` (never blocks, never raises for a database problem) and
``await close()`` at shutdown. A background task sends batches with COPY; when the database is
unreachable, batches go to the on-disk spool, which is drained on reconnect. Event ids make every
insert idempotent, so a replayed spool segment never duplicates a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

import asyncpg

from reports.db import connect
from reports.events import Event
from reports.spool import Spool

__all__ = ["COLUMNS", "EventWriter", "event_record", "insert_events"]

log = logging.getLogger(__name__)

COLUMNS = ("event_id", "ts", "kind", "call_id", "agent_id", "queue", "data")
Record = tuple[str, int, str, str | None, str | None, str | None, str]

_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS events_stage ("
    " event_id uuid, ts timestamptz, kind text, call_id text, agent_id text, queue text,"
    " data jsonb) ON COMMIT DELETE ROWS"
)
_MERGE = (
    "INSERT INTO events (event_id, ts, kind, call_id, agent_id, queue, data)"
    " SELECT DISTINCT ON (event_id) event_id, ts, kind, call_id, agent_id, queue, data"
    " FROM events_stage ON CONFLICT (event_id) DO NOTHING"
)
_dumps = json.JSONEncoder(separators=(",", ":")).encode
_CONN_ERRORS = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
)


def event_record(ev: Event) -> Record:
    # The uuid travels as text (asyncpg parses it); events validated at make_event time.
    data = ev.data
    return (
        ev.event_id,
        round(ev.ts * 1_000_000),
        ev.kind,
        ev.call_id,
        ev.agent_id,
        ev.queue,
        _dumps(data) if data else "{}",
    )


async def insert_events(
    conn: asyncpg.Connection, records: Sequence[Record], maybe_duplicates: bool
) -> None:
    """Insert idempotently. Fresh batches try a direct COPY first (the common case, as fast as a
    raw COPY); a batch that may repeat ids, or that hit one, goes through a staging table and
    ``INSERT ... ON CONFLICT DO NOTHING``."""
    if not maybe_duplicates:
        try:
            async with conn.transaction():
                await conn.copy_records_to_table("events", records=records, columns=COLUMNS)
            return
        except asyncpg.UniqueViolationError:
            pass
    async with conn.transaction():
        await conn.execute(_STAGE)
        await conn.copy_records_to_table("events_stage", records=records, columns=COLUMNS)
        await conn.execute(_MERGE)


class EventWriter:
    def __init__(
        self,
        dsn: str,
        spool_dir: Path,
        *,
        batch_size: int = 5000,
        max_buffer: int = 100_000,
        flush_interval: float = 0.2,
        retry_interval: float = 1.0,
    ) -> None:
        self.dsn = dsn
        self.spool = Spool(spool_dir)
        self.batch_size = batch_size
        self.max_buffer = max_buffer
        self.flush_interval = flush_interval
        self.retry_interval = retry_interval
        self._buf: deque[Event] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self._closing = False
        self.written = 0  # rows sent to PostgreSQL (including replays)
        self.spooled = 0  # events written to the spool

    async def __aenter__(self) -> EventWriter:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-writer")

    def emit(self, ev: Event) -> None:
        """Queue one event. When the buffer is full the buffer goes to the spool (durable,
        drained later) instead of blocking the call flow or dropping."""
        self._buf.append(ev)
        if len(self._buf) >= self.max_buffer:
            self._spill()
        if len(self._buf) >= self.batch_size:
            self._wake.set()
        self._idle.clear()

    @property
    def backlog(self) -> int:
        """Events waiting in memory (a producer may pause while this is high)."""
        return len(self._buf)

    def emit_many(self, events: Iterable[Event]) -> None:
        for ev in events:
            self.emit(ev)

    def _spill(self) -> None:
        batch = list(self._buf)
        self._buf.clear()
        self.spooled += self.spool.append(batch)
        log.warning("event buffer full: %d events spooled to disk", len(batch))

    async def flush(self) -> None:
        """Return once every event emitted so far is in PostgreSQL or in the spool."""
        while self._buf or not self._idle.is_set():
            self._idle.clear()
            self._wake.set()
            if self._task is None or self._task.done():
                break
            await self._idle.wait()

    async def close(self) -> None:
        """Write everything (to PostgreSQL, else to the spool) and stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._buf:  # the task is gone; keep the events on disk
            self._spill()
        if self._conn is not None:
            with contextlib.suppress(*_CONN_ERRORS):
                await self._conn.close()
            self._conn = None

    async def _connection(self) -> asyncpg.Connection | None:
        if self._conn is not None and not self._conn.is_closed():
            return self._conn
        try:
            self._conn = await connect(self.dsn, timeout=5.0)
            log.info("event store connected")
        except (*_CONN_ERRORS, asyncpg.PostgresError) as exc:
            log.warning("event store unreachable (%s); spooling", exc)
            self._conn = None
        return self._conn

    async def _drain_spool(self, conn: asyncpg.Connection) -> None:
        self.spool.rotate()
        for seg in self.spool.segments():
            events = self.spool.read(seg)
            for i in range(0, len(events), self.batch_size):
                chunk = [event_record(e) for e in events[i : i + self.batch_size]]
                await insert_events(conn, chunk, maybe_duplicates=True)
                self.written += len(chunk)
            self.spool.remove(seg)

    async def _send(self, batch: list[Event]) -> bool:
        conn = await self._connection()
        if conn is None:
            return False
        try:
            if self.spool.pending():
                await self._drain_spool(conn)
            if batch:
                await insert_events(conn, [event_record(e) for e in batch], False)
                self.written += len(batch)
            return True
        except (*_CONN_ERRORS, asyncpg.PostgresConnectionError) as exc:
            log.warning("event store lost (%s); spooling", exc)
            with contextlib.suppress(Exception):
                conn.terminate()
            self._conn = None
            return False

    async def _run(self) -> None:
        retry_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            if not self._buf and not self._closing:
                self._idle.set()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.flush_interval)
                self._wake.clear()
            n = min(len(self._buf), self.batch_size)
            batch = [self._buf.popleft() for _ in range(n)]
            sent = False
            if loop.time() >= retry_at and (batch or self.spool.pending()):
                sent = await self._send(batch)
                if not sent:
                    retry_at = loop.time() + self.retry_interval
            elif not batch:
                sent = True
            if not sent and batch:
                self.spooled += self.spool.append(batch)
            if self._closing and not self._buf:
                if sent and self.spool.pending() and loop.time() >= retry_at:
                    continue
                self._idle.set()
                return
            if not self._buf:
                self._idle.set()
