"""Recordings are kept for `recording.retention_days`: the store says when each file was
made (the `recording` of a `talk_started` event), and older files are deleted through ARI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from acd.ari import AriError, AriNotFound
from reports.db import connect

__all__ = ["prune_recordings", "retention_loop"]

log = logging.getLogger(__name__)

_EXPIRED = """
    SELECT DISTINCT data->>'recording' FROM events
    WHERE kind = 'talk_started' AND data ? 'recording'
      AND ts < to_timestamp($1) AND ts >= to_timestamp($2)
"""


async def prune_recordings(dsn: str, delete: Callable[[str], Awaitable[None]],
                           cutoff: float, since: float = 0.0) -> list[str]:
    """Delete the recordings made in [since, cutoff); returns the names deleted."""
    conn = await connect(dsn)
    try:
        names = [r[0] for r in await conn.fetch(_EXPIRED, cutoff, since)]
    finally:
        await conn.close()
    deleted = []
    for name in names:
        with contextlib.suppress(AriNotFound):
            await delete(name)
            deleted.append(name)
    return deleted


async def retention_loop(dsn: str, delete: Callable[[str], Awaitable[None]], days: float,
                         stop: asyncio.Event, every: float = 3600.0) -> None:
    since = 0.0
    while not stop.is_set():
        cutoff = time.time() - days * 86400.0
        try:
            deleted = await prune_recordings(dsn, delete, cutoff, since)
            if deleted:
                log.info("deleted %d recordings older than %g days", len(deleted), days)
            since = cutoff
        except (OSError, AriError) as exc:
            log.warning("recordings not pruned this time: %s", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
