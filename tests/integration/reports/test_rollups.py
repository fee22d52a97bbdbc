"""The quarter-hour rollups give the same figures as the fact tables and the JSONL path, kept
up to date by incremental projection (including FCR changes of calls in earlier buckets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_event_store import golden_events, migrate, same

from reports.db import connect
from reports.dbreport import load_report
from reports.events import Event, make_event
from reports.facts import SLICE_US, derive
from reports.metrics import compute, finish
from reports.params import Params
from reports.writer import EventWriter

pytestmark = pytest.mark.postgres

DAY0 = 1_717_200_000  # 2024-06-01 00:00 UTC


def answered(cid: str, ani: str, t: float, agent: str = "A9") -> list[Event]:
    return [
        make_event("call_started", ts=t, call_id=cid, ani=ani, dnis="1"),
        make_event("queue_entered", ts=t + 1, call_id=cid, queue="sales"),
        make_event("ring_started", ts=t + 2, call_id=cid, queue="sales", agent_id=agent),
        make_event("ring_ended", ts=t + 9, call_id=cid, agent_id=agent, result="answered"),
        make_event(
            "queue_exited", ts=t + 9, call_id=cid, queue="sales", agent_id=agent, outcome="answered"
        ),
        make_event("talk_started", ts=t + 9, call_id=cid, agent_id=agent),
        make_event("talk_ended", ts=t + 70, call_id=cid, agent_id=agent),
        make_event("call_ended", ts=t + 70, call_id=cid, hangup_by="agent"),
    ]


async def emit(dsn: str, spool: Path, events: list[Event]) -> None:
    async with EventWriter(dsn, spool) as w:
        w.emit_many(events)


async def both_paths(dsn: str, events: list[Event], p: Params) -> None:
    conn = await connect(dsn)
    try:
        fast = finish(await load_report(conn, p))
        slow = finish(await load_report(conn, p, rollups=False))
    finally:
        await conn.close()
    same(fast, slow)
    same(finish(compute(derive(events), p)), fast)


PARAMS = [
    Params(by=("queue", "interval"), interval="15m"),
    Params(by=("class", "interval"), interval="hour", from_us=(DAY0 - 86400 * 30) * 10**6),
    Params(by=("queue",), interval="day", to_us=(DAY0 + 3600) * 10**6 + SLICE_US),
    Params(by=("queue",), from_us=(DAY0 - 86400 * 20) * 10**6 + 1),  # not on a quarter hour
    Params(by=("queue", "interval"), t_s=10.0, s_s=2.0, cadence_s=5.0),
    Params(by=("interval",), interval="month", fcr_window_s=600.0),
    Params(by=("team", "interval")),
    Params(by=()),
    Params(by=("queue", "interval"), sections=("queues", "calls")),
    Params(by=("interval",), interval="week", sections=("agents",)),
    Params(by=("queue", "interval"), interval="day", tz="Asia/Shanghai"),
    Params(by=("interval",), interval="hour", tz="Asia/Kolkata"),  # half-hour offset
    Params(by=("interval",), interval="30m", tz="Asia/Kathmandu"),  # +05:45
    Params(by=("team", "interval"), interval="week", tz="America/New_York"),
    Params(by=("interval",), interval="month", tz="Asia/Shanghai"),
]


@pytest.mark.parametrize("p", PARAMS, ids=range(len(PARAMS)))
async def test_rollups_equal_fact_tables_and_jsonl(pg_db: str, tmp_path: Path, p: Params) -> None:
    await migrate(pg_db)
    events = golden_events()
    half = len(events) // 2
    await emit(pg_db, tmp_path / "s1", events[:half])
    conn = await connect(pg_db)
    await load_report(conn, Params())  # project a partial log: later events reopen buckets
    await conn.close()
    await emit(pg_db, tmp_path / "s2", events[half:])
    await both_paths(pg_db, events, p)


async def test_repeat_call_updates_fcr_of_earlier_bucket(pg_db: str, tmp_path: Path) -> None:
    await migrate(pg_db)
    first = answered("r1", "555", DAY0 + 600)
    await emit(pg_db, tmp_path / "s1", first)
    p = Params(by=("queue", "interval"), interval="15m")
    conn = await connect(pg_db)
    before = finish(await load_report(conn, p))
    assert before["totals"]["calls"]["fcr"] == 1.0  # type: ignore[index]
    await conn.close()
    repeat = answered("r2", "555", DAY0 + 3 * 3600)  # same ANI, a later quarter hour
    await emit(pg_db, tmp_path / "s2", repeat)
    await both_paths(pg_db, first + repeat, p)
    conn = await connect(pg_db)
    after = finish(await load_report(conn, p))
    await conn.close()
    assert after["totals"]["calls"]["fcr"] == 0.5  # type: ignore[index]


async def test_report_reads_rollups_only_when_they_apply(pg_db: str, tmp_path: Path) -> None:
    await migrate(pg_db)
    await emit(pg_db, tmp_path / "s", golden_events())
    conn = await connect(pg_db)
    try:

        async def totals(p: Params, refresh: bool = True) -> tuple[int, int]:
            t = finish(await load_report(conn, p, refresh=refresh))["totals"]
            return t["queues"]["offered"], t["agents"]["handled"]  # type: ignore[index]

        offered, handled = await totals(Params(), refresh=True)
        # A marker in every rollup row shows which path a report read.
        await conn.execute("UPDATE visit_quarters SET offered = offered + 1000")
        await conn.execute("UPDATE agent_quarters SET handled = handled + 1000")
        n_visit = await conn.fetchval("SELECT count(*) FROM visit_quarters")
        n_agent = await conn.fetchval("SELECT count(*) FROM agent_quarters")
        assert n_visit > 0 and n_agent > 0
        marked = (offered + 1000 * n_visit, handled + 1000 * n_agent)
        assert await totals(Params(by=("queue", "interval"))) == marked
        assert await totals(Params(by=("queue",), t_s=15.0)) == (offered, marked[1])
        assert await totals(Params(by=("agent",))) == (offered, marked[1])
        assert await totals(Params(by=("queue",), from_us=1)) == (offered, handled)
        # A pending bucket sends reports to the fact tables until the rollups are refreshed.
        await conn.execute("INSERT INTO rollup_dirty VALUES (0)")
        assert await totals(Params(by=("queue",)), refresh=False) == (offered, handled)
        assert await totals(Params(by=("queue",))) == marked
    finally:
        await conn.close()
