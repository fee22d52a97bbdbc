"""The same sums as reports.metrics.compute, computed in SQL over the projected fact tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from reports.events import BLOCKED_OUTCOMES, Event
from reports.facts import SLICE_US, AgentInterval
from reports.metrics import AGENT_STATES_SHOWN, GroupKey, Report, Sums, adherence, agent_keys
from reports.params import INTERVALS, Params
from reports.projection import project, rows_to_events

__all__ = ["load_events", "load_report"]

_DAY = 86400 * 1_000_000


def _bucket_sql(col: str, interval: str) -> str:
    if interval == "month":
        return (
            "(extract(epoch FROM date_trunc('month', "
            f"to_timestamp({col} / 1000000) AT TIME ZONE 'UTC'))::bigint * 1000000)"
        )
    if interval == "week":
        days = f"({col} / {_DAY})"
        return f"(({days} - mod({days} + 3, 7)) * {_DAY})"
    size = INTERVALS[interval]
    return f"({col} - mod({col}, {size}))"


def _keys_sql(by: Sequence[str], cols: Mapping[str, str], interval: str) -> list[str]:
    out = []
    for k in by:
        if k == "interval":
            out.append(f"({_bucket_sql(cols['interval'], interval)})::text")
        else:
            out.append(f"coalesce(nullif({cols[k]}, ''), '-')")
    return out


def _range(col: str) -> str:
    return f"({col} >= coalesce($1::bigint, {col}) AND {col} < coalesce($2::bigint, {col} + 1))"


_BLOCKED = "(" + ", ".join(f"'{o}'" for o in sorted(BLOCKED_OUTCOMES)) + ")"
_VISIT_AGG = f"""
  count(*) FILTER (WHERE outcome NOT IN {_BLOCKED}) AS offered,
  count(*) FILTER (WHERE outcome IN {_BLOCKED}) AS blocked_visits,
  count(*) FILTER (WHERE outcome NOT IN {_BLOCKED}
                   AND coalesce(offer_delay_us, wait_us) > 0) AS queued,
  sum(wait_us) FILTER (WHERE outcome NOT IN {_BLOCKED})::bigint AS wait_sum,
  max(wait_us) FILTER (WHERE outcome NOT IN {_BLOCKED}) AS wait_max,
  count(*) FILTER (WHERE outcome = 'answered') AS answered,
  count(*) FILTER (WHERE outcome = 'answered' AND wait_us <= $3) AS ans_le_t,
  sum(wait_us) FILTER (WHERE outcome = 'answered')::bigint AS ans_wait_sum,
  count(*) FILTER (WHERE outcome = 'abandoned') AS abandoned,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us <= $4) AS short_abandoned,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us > $4) AS aband_long,
  sum(wait_us) FILTER (WHERE outcome = 'abandoned' AND wait_us > $4)::bigint
      AS aband_long_wait_sum,
  count(*) FILTER (WHERE outcome = 'abandoned' AND wait_us <= $3) AS aband_le_t,
  count(*) FILTER (WHERE outcome = 'timeout') AS timeout,
  count(*) FILTER (WHERE outcome = 'exit_key') AS exit_key,
  count(*) FILTER (WHERE outcome = 'overflow') AS overflow,
  count(*) FILTER (WHERE outcome = 'callback_requested') AS callback_requested,
  sum(rung) FILTER (WHERE outcome = 'answered')::bigint AS rung_sum,
  sum((ring_us + $5 - 1) / $5) FILTER (WHERE outcome = 'answered')::bigint AS rings_sum,
  sum(rona) FILTER (WHERE outcome NOT IN {_BLOCKED})::bigint AS rona,
  sum(talk_us) FILTER (WHERE outcome = 'answered')::bigint AS talk_sum,
  sum(hold_us) FILTER (WHERE outcome = 'answered')::bigint AS hold_sum,
  sum(hold_count) FILTER (WHERE outcome = 'answered')::bigint AS hold_count,
  count(*) FILTER (WHERE outcome = 'answered' AND hold_count > 0) AS held,
  sum(acw_us) FILTER (WHERE outcome = 'answered')::bigint AS acw_sum,
  count(*) FILTER (WHERE outcome = 'answered' AND t_blind + t_attended > 0) AS transferred,
  sum(t_blind) FILTER (WHERE outcome = 'answered')::bigint AS t_blind,
  sum(t_attended) FILTER (WHERE outcome = 'answered')::bigint AS t_attended,
  sum(t_queue) FILTER (WHERE outcome = 'answered')::bigint AS t_queue,
  sum(t_agent) FILTER (WHERE outcome = 'answered')::bigint AS t_agent,
  sum(t_external) FILTER (WHERE outcome = 'answered')::bigint AS t_external,
  sum(qa_n) FILTER (WHERE outcome = 'answered')::bigint AS qa_n,
  sum(qa_sum) FILTER (WHERE outcome = 'answered') AS qa_sum
"""
_CALL_AGG = """
  count(*) AS total,
  count(*) FILTER (WHERE blocked) AS blocked,
  count(*) FILTER (WHERE ivr_only) AS ivr_only,
  count(*) FILTER (WHERE answered) AS answered,
  count(*) FILTER (WHERE abandoned) AS abandoned,
  count(*) FILTER (WHERE answered AND NOT unresolved AND (ani = '' OR next_ani_us IS NULL
                   OR next_ani_us - start_us > $3)) AS fcr_pos,
  count(*) FILTER (WHERE survey_offered OR survey_n > 0) AS survey_offered,
  count(*) FILTER (WHERE survey_n > 0) AS survey_responded,
  sum(survey_n)::bigint AS survey_n,
  sum(survey_sum) AS survey_sum,
  sum(callbacks_requested)::bigint AS callbacks_requested,
  sum(callbacks_delivered)::bigint AS callbacks_delivered
"""
_AGENT_AGG = (
    ",\n".join(
        f"  sum(dur) FILTER (WHERE state = '{s}')::bigint AS s_{s}" for s in AGENT_STATES_SHOWN
    )
    + """,
  sum(dur) FILTER (WHERE state <> 'logged_out')::bigint AS logged_in,
  sum(dur) FILTER (WHERE state IN ('on_call', 'on_hold', 'wrap_up'))::bigint AS work_sum,
  sum(handled)::bigint AS handled,
  sum(rings)::bigint AS rings,
  sum(rona)::bigint AS rona,
  sum(qa_n)::bigint AS qa_n,
  sum(qa_sum) AS qa_sum
"""
)


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
    for row in await conn.fetch(sql, *args):
        sums: Sums = {}
        for name, val in row.items():
            if name == "g" or (name.startswith("k") and name[1:].isdigit()) or val is None:
                continue
            sums[name] = val
        if n and row["g"] == 0:
            groups[tuple(row[f"k{i}"] for i in range(n))] = sums
        else:
            total = sums
            if not n:
                groups[()] = sums
    return groups, total


async def load_report(conn: asyncpg.Connection, p: Params, *, refresh: bool = True) -> Report:
    """Report sums from the database (projecting new events first)."""
    if refresh:
        await project(conn)
    by = p.by
    rng = (p.from_us, p.to_us)
    vkeys = _keys_sql(
        by,
        {
            "queue": "queue",
            "agent": "agent_id",
            "team": "team",
            "class": "call_class",
            "interval": "enter_us",
        },
        p.interval,
    )
    queues, qtot = await _grouped(
        conn,
        f"SELECT v.*, a.team FROM queue_visits v LEFT JOIN agents a USING (agent_id)"
        f" WHERE {_range('enter_us')}",
        _VISIT_AGG,
        vkeys,
        (*rng, p.t_us, p.s_us, p.cadence_us),
    )
    ckeys = _keys_sql(
        by,
        {
            "queue": "primary_queue",
            "agent": "agent_id",
            "team": "team",
            "class": "call_class",
            "interval": "attr_us",
        },
        p.interval,
    )
    calls, ctot = await _grouped(
        conn,
        f"SELECT c.*, a.team FROM calls c LEFT JOIN agents a USING (agent_id)"
        f" WHERE {_range('attr_us')}",
        _CALL_AGG,
        ckeys,
        (*rng, p.fcr_window_us),
    )
    akeys = _keys_sql(
        agent_keys(by), {"agent": "agent_id", "team": "team", "interval": "us"}, p.interval
    )
    bucket = f"(start_us - mod(start_us, {SLICE_US}))"
    agent_src = f"""
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
    agents, atot = await _grouped(conn, agent_src, _AGENT_AGG, akeys, rng)
    adh: tuple[dict[GroupKey, tuple[float | None, float | None]], tuple[float | None, float | None]]
    adh = ({}, (None, None))
    if p.schedule is not None:
        teams = {r[0]: r[1] for r in await conn.fetch("SELECT agent_id, team FROM agents")}
        rows = await conn.fetch(
            "SELECT agent_id, state, reason, start_us, end_us FROM agent_intervals"
            " WHERE agent_id = ANY($1::text[])",
            sorted({e.agent_id for e in p.schedule}),
        )
        pieces = [AgentInterval(*r) for r in rows]
        adh = adherence(pieces, {k: v for k, v in teams.items() if v}, p)
    return Report(
        p, by, queues, calls, agents, {"queues": qtot, "calls": ctot, "agents": atot}, *adh
    )


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
