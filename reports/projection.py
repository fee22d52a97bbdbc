"""Fill the fact tables from the event log, incrementally: every call and agent with events
newer than the last projection is re-derived from all of its events by reports.facts."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg

from reports.events import Event
from reports.facts import SLICE_US, AgentInterval, derive_agents, derive_calls
from reports.rollup import mark_dirty, refresh

__all__ = ["project", "rows_to_events", "split_interval"]

log = logging.getLogger(__name__)

_EVENT_COLS = "event_id::text, ts, kind, call_id, agent_id, queue, data::text"
_CALL_COLS = [
    "call_id",
    "start_us",
    "ani",
    "dnis",
    "call_class",
    "primary_queue",
    "attr_us",
    "agent_id",
    "ivr_only",
    "blocked",
    "answered",
    "abandoned",
    "unresolved",
    "survey_offered",
    "survey_n",
    "survey_sum",
    "callbacks_requested",
    "callbacks_delivered",
    "end_us",
    "hangup_by",
]
_VISIT_COLS = [
    "call_id",
    "visit_no",
    "queue",
    "call_class",
    "enter_us",
    "outcome",
    "wait_us",
    "offer_delay_us",
    "agent_id",
    "rung",
    "ring_us",
    "rona",
    "talk_us",
    "hold_us",
    "hold_count",
    "acw_us",
    "t_blind",
    "t_attended",
    "t_queue",
    "t_agent",
    "t_external",
    "qa_n",
    "qa_sum",
]
_STAMP_COLS = (("calls", "attr_us"), ("queue_visits", "enter_us"), ("ring_attempts", "start_us"))
_RING_COLS = ["call_id", "agent_id", "queue", "start_us", "dur_us", "result"]
_IV_COLS = ["agent_id", "state", "reason", "start_us", "end_us", "iv_end_us"]


_CACHE_MAX = 4096  # distinct short data payloads kept parsed ({}, outcomes, results, ...)


def rows_to_events(rows: Iterable[asyncpg.Record]) -> list[Event]:
    """Rows of ``_EVENT_COLS`` to events. Short payloads repeat a lot, so each is parsed once and
    shared (facts never mutate event data)."""
    cache: dict[str, Mapping[str, Any]] = {}
    out = []
    for event_id, ts, kind, call_id, agent_id, queue, text in rows:
        data = cache.get(text)
        if data is None:
            data = json.loads(text)
            if len(text) <= 64 and len(cache) < _CACHE_MAX:
                cache[text] = data
        out.append(Event(kind, ts / 1_000_000, str(event_id), call_id, agent_id, queue, data))
    return out


def split_interval(iv: AgentInterval) -> list[tuple[str, str, str, int, int, int]]:
    out = []
    t = iv.start_us
    while t < iv.end_us:
        end = min(iv.end_us, t - t % SLICE_US + SLICE_US)
        out.append((iv.agent_id, iv.state, iv.reason, t, end, iv.end_us))
        t = end
    return out


def _chunks(items: Sequence[str], n: int) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield list(items[i : i + n])


async def _project_calls(conn: asyncpg.Connection, call_ids: list[str], batch: int) -> None:
    anis: set[str] = set()
    for chunk in _chunks(call_ids, batch):
        rows = await conn.fetch(
            f"SELECT {_EVENT_COLS} FROM events"
            " WHERE call_id = ANY($1::text[]) AND kind <> 'agent_state'",
            chunk,
        )
        calls, visits, rings = derive_calls(rows_to_events(rows))
        del rows
        async with conn.transaction():
            stamps: list[int] = []
            for table, col in _STAMP_COLS:
                old = await conn.fetch(
                    f"DELETE FROM {table} WHERE call_id = ANY($1::text[]) RETURNING {col}", chunk
                )
                stamps += [r[0] for r in old]
            await conn.copy_records_to_table(
                "calls",
                records=[tuple(getattr(c, k) for k in _CALL_COLS) for c in calls],
                columns=_CALL_COLS,
            )
            await conn.copy_records_to_table(
                "queue_visits",
                records=[tuple(getattr(v, k) for k in _VISIT_COLS) for v in visits],
                columns=_VISIT_COLS,
            )
            await conn.copy_records_to_table(
                "ring_attempts",
                records=[
                    (r.call_id, r.agent_id, r.queue, r.start_us, r.dur_us, r.result) for r in rings
                ],
                columns=_RING_COLS,
            )
            anis.update(c.ani for c in calls if c.ani)
            stamps += [c.attr_us for c in calls]
            stamps += [v.enter_us for v in visits]
            stamps += [r.start_us for r in rings]
            await mark_dirty(conn, stamps)
    # Once for all chunks: each ANI's calls are windowed once, not once per chunk.
    async with conn.transaction():
        changed = await conn.fetch(
            "UPDATE calls c SET next_ani_us = n.nxt FROM ("
            " SELECT call_id, lead(start_us) OVER (PARTITION BY ani ORDER BY start_us, call_id)"
            " AS nxt FROM calls WHERE ani = ANY($1::text[])) n"
            " WHERE c.call_id = n.call_id AND c.next_ani_us IS DISTINCT FROM n.nxt"
            " RETURNING c.attr_us",
            sorted(anis),
        )
        # A new call can end the FCR of an earlier call of the same ANI (in another bucket).
        await mark_dirty(conn, [r[0] for r in changed])


async def _project_agent(conn: asyncpg.Connection, agent: str, cut_us: int) -> None:
    async with conn.transaction():
        old = await conn.fetch(
            "DELETE FROM agent_intervals WHERE agent_id = $1 AND iv_end_us > $2 RETURNING start_us",
            agent,
            cut_us,
        )
        kept = await conn.fetchval(
            "SELECT max(iv_end_us) FROM agent_intervals WHERE agent_id = $1", agent
        )
        rows = await conn.fetch(
            f"SELECT {_EVENT_COLS} FROM events WHERE kind = 'agent_state' AND agent_id = $1"
            " AND ts >= coalesce($2::timestamptz, '-infinity')",
            agent,
            kept,
        )
        intervals, teams = derive_agents(rows_to_events(rows))
        pieces = [piece for iv in intervals for piece in split_interval(iv)]
        await conn.copy_records_to_table("agent_intervals", records=pieces, columns=_IV_COLS)
        await mark_dirty(conn, [r[0] for r in old] + [piece[3] for piece in pieces])
        if agent in teams:
            await conn.execute(
                "INSERT INTO agents VALUES ($1, $2)"
                " ON CONFLICT (agent_id) DO UPDATE SET team = excluded.team",
                agent,
                teams[agent],
            )


async def project(conn: asyncpg.Connection, batch: int = 20_000) -> int:
    """Bring the fact tables up to date; returns how many new events were taken in."""
    async with conn.transaction():
        # Waits for in-flight inserts so every seq up to `top` is committed and visible.
        await conn.execute("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE")
        top = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM events")
        last = await conn.fetchval("SELECT last_seq FROM projection_state WHERE id = 1")
    if top <= last:
        await refresh(conn)
        return 0
    # In order of first appearance: a chunk's events then sit close together in the heap.
    call_ids = [
        r[0]
        for r in await conn.fetch(
            "SELECT call_id FROM events WHERE seq > $1 AND seq <= $2"
            " AND call_id IS NOT NULL AND kind <> 'agent_state'"
            " GROUP BY call_id ORDER BY min(seq)",
            last,
            top,
        )
    ]
    await _project_calls(conn, call_ids, batch)
    agents = await conn.fetch(
        "SELECT agent_id, min(ts) AS cut FROM events WHERE seq > $1 AND seq <= $2"
        " AND kind = 'agent_state' AND agent_id IS NOT NULL GROUP BY agent_id",
        last,
        top,
    )
    for row in agents:
        await _project_agent(conn, row["agent_id"], row["cut"])
    count: int = await conn.fetchval(
        "SELECT count(*) FROM events WHERE seq > $1 AND seq <= $2", last, top
    )
    await conn.execute("UPDATE projection_state SET last_seq = $1 WHERE id = 1", top)
    buckets = await refresh(conn)
    log.info(
        "projected %d events (%d calls, %d agents, %d quarter hours)",
        count,
        len(call_ids),
        len(agents),
        buckets,
    )
    return count
