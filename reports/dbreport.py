"""The same sums as reports.metrics.compute, computed in SQL over the projected fact tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import asyncpg

from reports.events import Event
from reports.facts import SLICE_US, AgentInterval
from reports.metrics import GroupKey, Report, Sums, adherence, agent_keys
from reports.params import INTERVALS, Params, zone
from reports.projection import project, rows_to_events
from reports.rollup import rollup_params
from reports.sums_sql import agent_agg, call_agg, rollup_agg, visit_agg

__all__ = ["load_events", "load_report"]

_DAY = 86400 * 1_000_000
_TZ_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


def _bucket_sql(col: str, interval: str, tz: str = "UTC") -> str:
    """SQL for `bucket_start(col, interval, tz)` (the same buckets as the in-memory path)."""
    if tz == "UTC" and interval != "month":
        if interval == "week":
            days = f"({col} / {_DAY})"
            return f"(({days} - mod({days} + 3, 7)) * {_DAY})"
        return f"({col} - mod({col}, {INTERVALS[interval]}))"
    zone(tz)  # an unknown zone is refused before any SQL is built
    if not _TZ_NAME.match(tz):
        raise ValueError(f"time zone {tz!r} cannot be used in SQL")
    local = f"(to_timestamp({col} / 1000000) AT TIME ZONE '{tz}')"
    if interval in ("month", "week", "day"):
        return (f"(extract(epoch FROM (date_trunc('{interval}', {local}) AT TIME ZONE '{tz}'))"
                "::bigint * 1000000)")
    offset = f"((extract(epoch FROM {local})::bigint - {col} / 1000000) * 1000000)"
    return f"({col} - mod({col} + {offset}, {INTERVALS[interval]}))"


def _keys_sql(by: Sequence[str], cols: Mapping[str, str], interval: str,
              tz: str = "UTC") -> list[str]:
    out = []
    for k in by:
        if k == "interval":
            out.append(f"({_bucket_sql(cols['interval'], interval, tz)})::text")
        else:
            out.append(f"coalesce(nullif({cols[k]}, ''), '-')")
    return out


def _range(col: str) -> str:
    return f"({col} >= coalesce($1::bigint, {col}) AND {col} < coalesce($2::bigint, {col} + 1))"


async def _grouped(
    conn: asyncpg.Connection, source: str, agg: str, keys: list[str], args: Sequence[object]
) -> tuple[dict[GroupKey, Sums], Sums]:
    n = len(keys)
    key_sel = "".join(f"{k} AS k{i}, " for i, k in enumerate(keys))
    sets = f"GROUPING SETS (({', '.join(f'k{i}' for i in range(n))}), ())" if n else "()"
    flag = f"GROUPING({', '.join(f'k{i}' for i in range(n))})" if n else "0"
    inner = f"SELECT {key_sel}* FROM ({source}) src"
    sql = f"SELECT {flag} AS g, {', '.join([f'k{i}' for i in range(n)] + [agg])} FROM ({inner}) x GROUP BY {sets}"  # noqa: E501
    groups: dict[GroupKey, Sums] = {}
    total: Sums = {}
    rows = await conn.fetch(sql, *args)
    names = list(rows[0].keys())[n + 1 :] if rows else []
    for row in rows:
        sums: Sums = {k: v for k, v in zip(names, row[n + 1 :], strict=True) if v is not None}
        if n and row[0] == 0:
            groups[tuple(row[1 : n + 1])] = sums
        else:
            total = sums
            if not n:
                groups[()] = sums
    return groups, total


_VISIT_COLS = {
    "queue": "queue",
    "agent": "agent_id",
    "team": "team",
    "class": "call_class",
    "interval": "enter_us",
}
_CALL_COLS = {
    "queue": "primary_queue",
    "agent": "agent_id",
    "team": "team",
    "class": "call_class",
    "interval": "attr_us",
}
_AGENT_COLS = {"agent": "agent_id", "team": "team", "interval": "us"}
_ROLLUP_KEYS = frozenset({"queue", "class", "interval"})


def _aligned(p: Params) -> bool:
    return all(t is None or t % SLICE_US == 0 for t in (p.from_us, p.to_us))


async def _rollup_use(conn: asyncpg.Connection, p: Params) -> tuple[bool, bool]:
    """Whether the (visits and calls, agents) sections can be summed from the quarter-hour
    rollups and give the same sums as the fact tables: range on quarter hours, no pending
    buckets; visits and calls also need the rollup thresholds and no agent or team breakdown."""
    if not _aligned(p) or await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rollup_dirty)"):
        return False, False
    r = await rollup_params(conn)
    same = (p.t_us, p.s_us, p.cadence_us, p.fcr_window_us) == (
        r.t_us,
        r.s_us,
        r.cadence_us,
        r.fcr_window_us,
    )
    return same and set(p.by) <= _ROLLUP_KEYS, True


async def load_report(
    conn: asyncpg.Connection, p: Params, *, refresh: bool = True, rollups: bool = True
) -> Report:
    """Report sums from the database (projecting new events first). With ``rollups`` the
    sections that can be are summed from the quarter-hour rollups; the sums are the same."""
    if refresh:
        await project(conn)
    async with conn.transaction():
        # Enough memory to group a month of agent quarter hours in a hash table, not on disk.
        await conn.execute("SET LOCAL work_mem = '64MB'")
        return await _load(conn, p, rollups)


async def _load(conn: asyncpg.Connection, p: Params, rollups: bool) -> Report:
    by, interval, rng, want = p.by, p.interval, (p.from_us, p.to_us), p.sections
    use_vc, use_agents = await _rollup_use(conn, p) if rollups else (False, False)
    sections: dict[str, tuple[dict[GroupKey, Sums], Sums]] = {
        "queues": ({}, {}),
        "calls": ({}, {}),
        "agents": ({}, {}),
    }
    if "queues" in want and use_vc:
        sections["queues"] = await _grouped(
            conn,
            f"SELECT * FROM visit_quarters WHERE {_range('bucket_us')}",
            rollup_agg("visits"),
            _keys_sql(by, {**_VISIT_COLS, "interval": "bucket_us"}, interval, p.tz),
            rng,
        )
    elif "queues" in want:
        sections["queues"] = await _grouped(
            conn,
            f"SELECT v.*, a.team FROM queue_visits v LEFT JOIN agents a USING (agent_id)"
            f" WHERE {_range('enter_us')}",
            visit_agg("$3", "$4", "$5"),
            _keys_sql(by, _VISIT_COLS, interval, p.tz),
            (*rng, p.t_us, p.s_us, p.cadence_us),
        )
    if "calls" in want and use_vc:
        sections["calls"] = await _grouped(
            conn,
            f"SELECT * FROM call_quarters WHERE {_range('bucket_us')}",
            rollup_agg("calls"),
            _keys_sql(by, {**_CALL_COLS, "interval": "bucket_us"}, interval, p.tz),
            rng,
        )
    elif "calls" in want:
        sections["calls"] = await _grouped(
            conn,
            f"SELECT c.*, a.team FROM calls c LEFT JOIN agents a USING (agent_id)"
            f" WHERE {_range('attr_us')}",
            call_agg("$3"),
            _keys_sql(by, _CALL_COLS, interval, p.tz),
            (*rng, p.fcr_window_us),
        )
    akeys = _keys_sql(agent_keys(by), _AGENT_COLS, interval, p.tz)
    if "agents" in want and use_agents:
        sections["agents"] = await _grouped(
            conn,
            "SELECT r.*, r.bucket_us AS us, a.team FROM agent_quarters r"
            f" LEFT JOIN agents a USING (agent_id) WHERE {_range('bucket_us')}",
            rollup_agg("agents"),
            akeys,
            rng,
        )
    elif "agents" in want:
        sections["agents"] = await _grouped(conn, _agent_source(), agent_agg(), akeys, rng)
    adh: tuple[dict[GroupKey, tuple[float | None, float | None]], tuple[float | None, float | None]]
    adh = ({}, (None, None))
    if p.schedule is not None and "agents" in want:
        teams = {r[0]: r[1] for r in await conn.fetch("SELECT agent_id, team FROM agents")}
        rows = await conn.fetch(
            "SELECT agent_id, state, reason, start_us, end_us FROM agent_intervals"
            " WHERE agent_id = ANY($1::text[])",
            sorted({e.agent_id for e in p.schedule}),
        )
        pieces = [AgentInterval(*r) for r in rows]
        adh = adherence(pieces, {k: v for k, v in teams.items() if v}, p)
    (queues, qtot), (calls, ctot), (agents, atot) = sections.values()
    return Report(
        p, by, queues, calls, agents, {"queues": qtot, "calls": ctot, "agents": atot}, *adh
    )


def _agent_source() -> str:
    bucket = f"(start_us - mod(start_us, {SLICE_US}))"
    return f"""
        SELECT x.*, a.team FROM (
          SELECT agent_id, {bucket} AS us, state, end_us - start_us AS dur, 0 AS handled,
                 0 AS qa_n, 0.0::float8 AS qa_sum, 0 AS rings, 0 AS rona
            FROM agent_intervals WHERE {_range(bucket)}
          UNION ALL
          SELECT agent_id, enter_us, NULL, NULL, 1, qa_n, qa_sum, 0, 0
            FROM queue_visits WHERE outcome = 'answered' AND agent_id IS NOT NULL
             AND {_range("enter_us")}
          UNION ALL
          SELECT agent_id, start_us, NULL, NULL, 0, 0, 0.0, 1, (result = 'no_answer')::int
            FROM ring_attempts WHERE {_range("start_us")}
        ) x LEFT JOIN agents a USING (agent_id)"""


async def load_events(
    conn: asyncpg.Connection, from_us: int | None = None, to_us: int | None = None
) -> list[Event]:
    """Events in a time range, in time order (for export)."""
    rows = await conn.fetch(
        "SELECT event_id, ts, kind, call_id, agent_id, queue, data::text FROM events"
        " WHERE ts >= coalesce($1::timestamptz, '-infinity')"
        " AND ts < coalesce($2::timestamptz, 'infinity') ORDER BY ts, event_id",
        from_us,
        to_us,
    )
    return rows_to_events(rows)
