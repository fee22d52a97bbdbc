from __future__ import annotations

import asyncio
import math
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from acd.sandbox import postgres
from reports.cli import db_main, export_main, read_jsonl, report_main
from reports.db import apply_migrations, connect
from reports.dbreport import load_report
from reports.events import Event, make_event
from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import Params, ScheduleEntry
from reports.writer import EventWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "reports"))
import test_golden_agents
import test_golden_calls
import test_golden_queue
import test_golden_transfers

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[3]


def stream(n_calls: int) -> list[Event]:
    out = []
    for i in range(n_calls):
        cid = f"s{i}-{uuid.uuid4().hex[:6]}"
        t = 1_700_000_000 + i
        out.append(make_event("call_started", ts=t, call_id=cid, ani=str(i), dnis="1"))
        out.append(make_event("queue_entered", ts=t + 0.5, call_id=cid, queue="q"))
        out.append(
            make_event("queue_exited", ts=t + 3.25, call_id=cid, queue="q", outcome="abandoned")
        )
        out.append(make_event("call_ended", ts=t + 3.25, call_id=cid, hangup_by="caller"))
    return out


async def count(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow("SELECT count(*), count(DISTINCT event_id) FROM events")
        return int(row[0]), int(row[1])
    finally:
        await conn.close()


async def migrate(dsn: str) -> list[str]:
    conn = await connect(dsn)
    try:
        return await apply_migrations(conn)
    finally:
        await conn.close()


def test_db_upgrade_applies_once(pg_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert db_main(["upgrade", "--dsn", pg_db]) == 0
    assert "001_events.sql" in capsys.readouterr().out
    assert asyncio.run(migrate(pg_db)) == []


async def test_writer_copy_path_and_idempotent_replay(pg_db: str, tmp_path: Path) -> None:
    await migrate(pg_db)
    events = stream(500)
    async with EventWriter(pg_db, tmp_path / "spool", batch_size=300) as w:
        w.emit_many(events)
        await w.flush()
        w.emit_many(events[:700])  # replay: ids already stored
    assert await count(pg_db) == (2000, 2000)
    assert not any((tmp_path / "spool").iterdir())


async def test_outage_spools_then_drains(tmp_path: Path) -> None:
    base = REPO / ".cache" / f"pg-outage-{uuid.uuid4().hex[:8]}"
    port = 56000 + uuid.uuid4().int % 1000
    try:
        cluster = await asyncio.to_thread(postgres.start, base, port)
        await migrate(cluster.dsn)
        events = stream(1000)
        w = EventWriter(cluster.dsn, tmp_path / "spool", batch_size=200, retry_interval=0.2)
        await w.start()
        w.emit_many(events[:1500])
        await w.flush()
        await asyncio.to_thread(postgres.stop, base)  # the database goes away mid-stream
        w.emit_many(events[1500:3000])
        await w.flush()
        assert w.spooled > 0
        await asyncio.to_thread(postgres.start, base, port)
        w.emit_many(events[3000:])
        await w.flush()
        for _ in range(50):
            if not w.spool.pending():
                break
            await asyncio.sleep(0.1)
            await w.flush()
        await w.close()
        assert await count(cluster.dsn) == (4000, 4000)
    finally:
        await asyncio.to_thread(postgres.stop, base)
        shutil.rmtree(base, ignore_errors=True)


async def test_crash_leaves_spool_next_writer_drains(pg_db: str, tmp_path: Path) -> None:
    await migrate(pg_db)
    events = stream(400)
    spool = tmp_path / "spool"
    dead = "postgresql://acd@127.0.0.1:1/acd"  # nothing listens on port 1
    w1 = EventWriter(dead, spool, batch_size=100)
    await w1.start()
    w1.emit_many(events[:1000])
    await w1.flush()
    assert w1.spooled == 1000
    assert w1._task is not None
    w1._task.cancel()  # a crash: no close, the spool stays behind
    # The first 600 also reached the database before the crash (a replay must not duplicate).
    async with EventWriter(pg_db, tmp_path / "other", batch_size=100) as w0:
        w0.emit_many(events[:600])
    async with EventWriter(pg_db, spool, batch_size=100) as w2:
        w2.emit_many(events[1000:])
    assert await count(pg_db) == (1600, 1600)
    assert not list(spool.glob("spool-*"))


def golden_events() -> list[Event]:
    out: list[Event] = []
    for mod, shift in (
        (test_golden_queue, 0),
        (test_golden_transfers, 3 * 86400),
        (test_golden_agents, 6 * 86400),
        (test_golden_calls, 9 * 86400),
    ):
        for ev in mod.build().events:
            out.append(
                make_event(
                    ev.kind,
                    ts=ev.ts + shift,
                    call_id=ev.call_id,
                    agent_id=ev.agent_id,
                    queue=ev.queue,
                    **dict(ev.data),
                )
            )
    return out


def same(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9), path
    else:
        assert a == b, path


@pytest.mark.parametrize(
    "by", [("queue",), ("queue", "interval"), ("agent", "class"), ("team", "interval"), ()]
)
async def test_db_report_equals_jsonl_report(
    pg_db: str, tmp_path: Path, by: tuple[str, ...]
) -> None:
    await migrate(pg_db)
    events = golden_events()
    half = len(events) // 2
    async with EventWriter(pg_db, tmp_path / "spool") as w:
        w.emit_many(events[:half])
        await w.flush()
        conn = await connect(pg_db)
        await load_report(conn, Params())  # project a partial log first: incremental path
        w.emit_many(events[half:])
    out = tmp_path / "events.jsonl"
    assert await asyncio.to_thread(export_main, ["--dsn", pg_db, "-o", str(out)]) == 0
    exported = list(read_jsonl(out))
    assert sorted(e.event_id for e in exported) == sorted(e.event_id for e in events)
    day6 = round((test_golden_agents.T0 + 6 * 86400) * 1_000_000)
    hour = 3600 * 1_000_000
    sched = (ScheduleEntry("A1", day6, day6 + hour), ScheduleEntry("A2", day6, day6 + hour))
    for interval in ("30m", "day", "week", "month"):
        p = Params(by=by, interval=interval, cost=100.0, schedule=sched)
        from_file = finish(compute(derive(exported), p))
        from_db = finish(await load_report(conn, p))
        same(from_file, from_db)
        assert from_file["totals"]["queues"]["offered"] > 0  # type: ignore[index]
    await conn.close()


def test_cli_report_from_db_and_file(pg_db: str, tmp_path: Path) -> None:
    asyncio.run(migrate(pg_db))

    async def load() -> None:
        async with EventWriter(pg_db, tmp_path / "spool") as w:
            w.emit_many(golden_events())

    asyncio.run(load())
    f = tmp_path / "e.jsonl"
    assert export_main(["--dsn", pg_db, "-o", str(f)]) == 0
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert report_main(["--dsn", pg_db, "--format", "json", "--by", "queue", "-o", str(a)]) == 0
    assert report_main(["--events", str(f), "--format", "json", "--by", "queue", "-o", str(b)]) == 0
    import json

    ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
    ja.pop("source")
    jb.pop("source")
    same(ja, jb)
