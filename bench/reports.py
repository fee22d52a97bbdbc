"""Event writer and report benchmark.

Ingest: the writer (Event objects in, rows committed) against a raw COPY of the same rows into
an identical table, in the same run. Projection: all facts and quarter-hour rollups from the
log, one pass. Report: a month by queue x half hour from the database, as ``acd report`` computes it
(best of three): the queue and call sections, and all sections (the agent section is then
per agent x half hour). Prints one JSON object.

    python bench/reports.py [--calls N] [--smoke] [--port P]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from acd.sandbox import postgres
from reports.db import connect, create_database
from reports.dbreport import load_report
from reports.events import Event
from reports.metrics import finish
from reports.params import Params
from reports.projection import project
from reports.writer import COLUMNS, EventWriter, event_record

MONTH_START = 1_704_067_200.0  # 2024-01-01 UTC
MONTH_S = 31 * 86400
QUEUES = [f"q{i}" for i in range(8)]
AGENTS = [f"a{i:03d}" for i in range(200)]


def _ev(kind: str, ts: float, **kw: object) -> Event:
    data = kw.pop("data", {})
    return Event(kind, round(ts * 1e6) / 1e6, str(uuid.uuid4()), data=data, **kw)  # type: ignore[arg-type]


def generate(n_calls: int, seed: int = 7) -> list[Event]:
    """About ten events per call: answered calls with talk and wrap-up, some abandons."""
    rnd = random.Random(seed)
    out: list[Event] = []
    for a in AGENTS:
        out.append(
            _ev(
                "agent_state",
                MONTH_START,
                agent_id=a,
                data={"from": "logged_out", "to": "available", "team": f"t{a[-1]}"},
            )
        )
    for i in range(n_calls):
        cid = f"c{i}"
        t = MONTH_START + rnd.random() * (MONTH_S - 3600)
        q = rnd.choice(QUEUES)
        out.append(
            _ev(
                "call_started",
                t,
                call_id=cid,
                data={"ani": str(rnd.randrange(200000)), "dnis": "95598"},
            )
        )
        out.append(
            _ev("queue_entered", t + 5, call_id=cid, queue=q, data={"priority": 0, "skills": []})
        )
        w = rnd.expovariate(1 / 25)
        if rnd.random() < 0.12:
            out.append(
                _ev("queue_exited", t + 5 + w, call_id=cid, queue=q, data={"outcome": "abandoned"})
            )
            out.append(_ev("call_ended", t + 5 + w, call_id=cid, data={"hangup_by": "caller"}))
            continue
        a = rnd.choice(AGENTS)
        ans = t + 5 + w
        talk = rnd.expovariate(1 / 280)
        out += [
            _ev("ring_started", ans - min(w, 6), call_id=cid, queue=q, agent_id=a),
            _ev("ring_ended", ans, call_id=cid, queue=q, agent_id=a, data={"result": "answered"}),
            _ev(
                "queue_exited", ans, call_id=cid, queue=q, agent_id=a, data={"outcome": "answered"}
            ),
            _ev("talk_started", ans, call_id=cid, agent_id=a),
            _ev("talk_ended", ans + talk, call_id=cid, agent_id=a),
            _ev("call_ended", ans + talk, call_id=cid, data={"hangup_by": "caller"}),
            _ev("wrap_up_started", ans + talk, call_id=cid, agent_id=a),
            _ev("wrap_up_ended", ans + talk + 30, call_id=cid, agent_id=a),
        ]
    return out


async def raw_copy(dsn: str, events: list[Event], batch: int) -> float:
    records = [event_record(e) for e in events]  # prepared outside the timing
    conn = await connect(dsn)
    t0 = time.perf_counter()
    for i in range(0, len(records), batch):
        await conn.copy_records_to_table("events", records=records[i : i + batch], columns=COLUMNS)
    dt = time.perf_counter() - t0
    await conn.close()
    return dt


async def writer_ingest(dsn: str, events: list[Event], batch: int, limit_s: float) -> float:
    with tempfile.TemporaryDirectory() as spool:
        t0 = time.perf_counter()
        w = EventWriter(dsn, Path(spool), batch_size=batch, max_buffer=batch * 20)
        await w.start()
        for i in range(0, len(events), batch):
            w.emit_many(events[i : i + batch])
            while w.backlog > batch * 10:
                if time.perf_counter() - t0 > limit_s:
                    await w.close()
                    raise TimeoutError(f"writer ingest over {limit_s:.0f} s")
                await asyncio.sleep(0.001)
        await w.close()
        dt = time.perf_counter() - t0
        assert w.spooled == 0, "the writer spooled during the benchmark"
    return dt


async def main_async(n_calls: int, port: int) -> dict[str, object]:
    cluster = postgres.start(port=port)
    t0 = time.perf_counter()
    gc.disable()  # millions of long-lived objects: collections would rescan them all
    events = generate(n_calls)
    gc.enable()
    gc.freeze()
    gen_s = time.perf_counter() - t0
    n_events = len(events)
    raw_dsn = await create_database(cluster.dsn, "bench_raw")
    w_dsn = await create_database(cluster.dsn, "bench_writer")
    batch = 10_000
    raw_s = await raw_copy(raw_dsn, events, batch)
    w_s = await writer_ingest(w_dsn, events, batch, limit_s=max(60.0, n_events / 5000))
    del events
    gc.unfreeze()
    gc.collect()
    conn = await connect(w_dsn)
    rows = await conn.fetchval("SELECT count(*) FROM events")
    assert rows == n_events, (rows, n_events)
    t0 = time.perf_counter()
    await project(conn)
    proj_s = time.perf_counter() - t0
    await conn.execute("ANALYZE")
    lo, hi = int(MONTH_START * 1e6), int((MONTH_START + MONTH_S) * 1e6)
    by = ("queue", "interval")
    queue_report = Params(by=by, from_us=lo, to_us=hi, sections=("queues", "calls"))
    full_report = Params(by=by, from_us=lo, to_us=hi)
    best: dict[str, tuple[float, float]] = {}
    section_rows: dict[str, int] = {}
    for name, p in (("queues", queue_report), ("all", full_report)):
        for _ in range(3):
            t0 = time.perf_counter()
            report = await load_report(conn, p, refresh=True)
            sums_s = time.perf_counter() - t0
            fig = finish(report)
            best[name] = min(best.get(name, (1e9, 0.0)), (time.perf_counter() - t0, sums_s))
        section_rows.update({k: len(fig[k]) for k in ("queues", "calls", "agents")})  # type: ignore[arg-type]
    await conn.close()
    totals = fig["totals"]
    assert isinstance(totals, dict)
    return {
        "calls": n_calls,
        "events": n_events,
        "generate_s": round(gen_s, 2),
        "raw_copy_s": round(raw_s, 2),
        "raw_copy_rows_per_s": round(n_events / raw_s),
        "writer_s": round(w_s, 2),
        "writer_rows_per_s": round(n_events / w_s),
        "writer_vs_raw_copy": round(raw_s / w_s, 3),
        "projection_s": round(proj_s, 2),
        "month_report_queue_x_30m_s": round(best["queues"][0], 3),
        "month_report_queue_x_30m_sums_s": round(best["queues"][1], 3),
        "month_report_with_agents_s": round(best["all"][0], 3),
        "month_report_with_agents_sums_s": round(best["all"][1], 3),
        "report_rows": section_rows,
        "offered": totals["queues"]["offered"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--smoke", action="store_true", help="5,000 calls, a few seconds")
    ap.add_argument("--port", type=int,
                    default=int(os.environ.get("ACD_PG_PORT", postgres.DEFAULT_PORT)))
    a = ap.parse_args(argv)
    n = 5000 if a.smoke else a.calls
    was_running = postgres.status()
    try:
        out = asyncio.run(main_async(n, a.port))
    finally:
        if not was_running:
            postgres.stop()
    print(json.dumps(out, indent=2))
    if a.smoke:
        return 0  # the smoke run shows that the benchmark works; its figures are not judged
    ok = out["writer_vs_raw_copy"] >= 0.5  # type: ignore[operator]
    ok = ok and out["month_report_queue_x_30m_s"] < 2.0  # type: ignore[operator]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
