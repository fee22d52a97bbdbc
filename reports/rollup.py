"""Quarter-hour rollups of the fact tables (migration 004): per queue and call class for visits
and calls, per agent for agent time, calls handled and rings. The projection marks the quarter
hours whose facts it changed (in the same transaction as the change) and ``refresh`` recomputes
those buckets from the fact tables, so a rollup row is always a plain sum of fact rows."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from reports.facts import SLICE_US
from reports.metrics import AGENT_SUMS, CALL_SUMS, VISIT_SUMS
from reports.params import Params
from reports.sums_sql import agent_agg, call_agg, visit_agg

__all__ = ["mark_dirty", "quarter", "refresh", "rollup_params"]

_BATCH = 5000  # buckets per refresh statement (about seven weeks)


def quarter(us: int) -> int:
    return us - us % SLICE_US


async def mark_dirty(conn: asyncpg.Connection, stamps: Iterable[int]) -> None:
    """Mark the quarter hours holding these timestamps (us) for recomputation."""
    buckets = sorted({quarter(us) for us in stamps})
    if buckets:
        await conn.execute(
            "INSERT INTO rollup_dirty SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING", buckets
        )


async def rollup_params(conn: asyncpg.Connection) -> Params:
    """The thresholds the visit and call rollups were computed with."""
    row = await conn.fetchrow("SELECT t_us, s_us, cadence_us, fcr_window_us FROM rollup_params")
    return Params(
        t_s=row[0] / 1e6, s_s=row[1] / 1e6, cadence_s=row[2] / 1e6, fcr_window_s=row[3] / 1e6
    )


def _quarter_sql(col: str) -> str:
    return f"({col} - mod({col}, {SLICE_US}))"


def _in_buckets(col: str) -> str:
    # The range lets an index on the column narrow the scan; the list picks the buckets.
    return (
        f"{col} >= ($1::bigint[])[1]"
        f" AND {col} < ($1::bigint[])[array_length($1::bigint[], 1)] + {SLICE_US}"
        f" AND {_quarter_sql(col)} = ANY($1::bigint[])"
    )


_FILL_VISITS = f"""
INSERT INTO visit_quarters (bucket_us, queue, call_class, {", ".join(VISIT_SUMS)})
SELECT {_quarter_sql("enter_us")}, queue, call_class, {visit_agg("$2", "$3", "$4")}
FROM queue_visits WHERE {_in_buckets("enter_us")}
GROUP BY 1, queue, call_class"""
_FILL_CALLS = f"""
INSERT INTO call_quarters (bucket_us, primary_queue, call_class, {", ".join(CALL_SUMS)})
SELECT {_quarter_sql("attr_us")}, primary_queue, call_class, {call_agg("$2")}
FROM calls WHERE {_in_buckets("attr_us")}
GROUP BY 1, primary_queue, call_class"""
_FILL_AGENTS = f"""
INSERT INTO agent_quarters (bucket_us, agent_id, {", ".join(AGENT_SUMS)})
SELECT q, agent_id, {agent_agg()}
FROM (
  SELECT {_quarter_sql("start_us")} AS q, agent_id, state, end_us - start_us AS dur,
         0 AS handled, 0 AS qa_n, 0.0::float8 AS qa_sum, 0 AS rings, 0 AS rona
    FROM agent_intervals WHERE {_in_buckets("start_us")}
  UNION ALL
  SELECT {_quarter_sql("enter_us")}, agent_id, NULL, NULL, 1, qa_n, qa_sum, 0, 0
    FROM queue_visits
   WHERE outcome = 'answered' AND agent_id IS NOT NULL AND {_in_buckets("enter_us")}
  UNION ALL
  SELECT {_quarter_sql("start_us")}, agent_id, NULL, NULL, 0, 0, 0.0, 1,
         (result = 'no_answer')::int
    FROM ring_attempts WHERE {_in_buckets("start_us")}
) x
GROUP BY q, agent_id"""


async def refresh(conn: asyncpg.Connection) -> int:
    """Recompute every dirty bucket; returns how many."""
    p = await rollup_params(conn)
    done = 0
    while True:
        async with conn.transaction():
            buckets = [
                r[0]
                for r in await conn.fetch(
                    "SELECT bucket_us FROM rollup_dirty ORDER BY bucket_us LIMIT $1 FOR UPDATE",
                    _BATCH,
                )
            ]
            if not buckets:
                return done
            for table in ("visit_quarters", "call_quarters", "agent_quarters"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE bucket_us = ANY($1::bigint[])", buckets
                )
            await conn.execute(_FILL_VISITS, buckets, p.t_us, p.s_us, p.cadence_us)
            await conn.execute(_FILL_CALLS, buckets, p.fcr_window_us)
            await conn.execute(_FILL_AGENTS, buckets)
            await conn.execute(
                "DELETE FROM rollup_dirty WHERE bucket_us = ANY($1::bigint[])", buckets
            )
        done += len(buckets)
