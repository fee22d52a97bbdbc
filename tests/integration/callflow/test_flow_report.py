"""Scripted real calls through Asterisk, stored in PostgreSQL, and the report checked
against the script: one answered call, one abandon, one call finished in the IVR."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from acd.sandbox.asterisk import AsteriskSandbox
from reports.cli import export_main, report_main
from reports.db import apply_migrations, connect
from reports.writer import EventWriter
from tests.integration.callflow.harness import finished, running_hotline

pytestmark = [pytest.mark.asterisk, pytest.mark.postgres]


async def test_report_of_scripted_calls_matches_the_script(
    asterisk: AsteriskSandbox, pg_db: str, tmp_path: Path,
) -> None:
    async with running_hotline(asterisk, login=("1001", "1002")) as h:
        h.flow.desk.pause("1002", "break")
        await h.agent_phone("1001", "agent_uas.xml", answer_ms=300)
        answered = await h.caller("1", ani="13911110031", wait_ms=800, talk_ms=14000)
        answered_id = await h.call_started("13911110031")
        await h.wait_event("talk_started", 15, call_id=answered_id)
        # 1001 is talking and 1002 is paused: this caller waits about 9 s, then hangs up.
        abandoned = await h.caller("1", ani="13911110032", wait_ms=800, talk_ms=9000)
        abandoned_id = await h.call_started("13911110032")
        contained = await h.caller("3", ani="13911110033", wait_ms=800, talk_ms=20000,
                                   scenario="caller_wait_bye.xml")
        contained_id = await h.call_started("13911110033")
        for phone in (abandoned, contained, answered):
            await finished(phone)
        for call_id in (answered_id, abandoned_id, contained_id):
            await h.wait_event("call_ended", 15, call_id=call_id)
        await h.wait_event("wrap_up_ended", 15, call_id=answered_id)
        events = list(h.sink.events)

    conn = await connect(pg_db)
    await apply_migrations(conn)
    await conn.close()
    async with EventWriter(pg_db, tmp_path / "spool") as writer:
        writer.emit_many(events)
    from_db, from_file, jsonl = (tmp_path / n for n in ("db.json", "file.json", "e.jsonl"))
    # The commands run their own event loop: give them a thread.
    assert await asyncio.to_thread(export_main, ["--dsn", pg_db, "-o", str(jsonl)]) == 0
    args = ["--format", "json", "--by", "queue", "-T", "20", "-S", "5"]
    assert await asyncio.to_thread(report_main, [*args, "--dsn", pg_db, "-o", str(from_db)]) == 0
    assert await asyncio.to_thread(
        report_main, [*args, "--events", str(jsonl), "-o", str(from_file)]) == 0
    report = json.loads(from_db.read_text())
    assert report["totals"] == json.loads(from_file.read_text())["totals"]

    def at(kind: str, call_id: str) -> float:
        return next(e.ts for e in events if e.kind == kind and e.call_id == call_id)

    waited_answered = at("queue_exited", answered_id) - at("queue_entered", answered_id)
    waited_abandoned = at("queue_exited", abandoned_id) - at("queue_entered", abandoned_id)
    talked = at("talk_ended", answered_id) - at("talk_started", answered_id)
    assert waited_answered < 20 and waited_abandoned > 5, "the script's own timing"
    queues, calls = report["totals"]["queues"], report["totals"]["calls"]
    assert (queues["offered"], queues["answered"], queues["abandoned"],
            queues["short_abandoned"]) == (2, 1, 1, 0)
    assert queues["sl"] == 0.5          # 1 answered within T / (1 answered + 1 abandoned > S)
    assert queues["sl_answered_only"] == 1.0
    assert queues["asa_s"] == pytest.approx(waited_answered, abs=1e-6)
    assert queues["queue_time_max_s"] == pytest.approx(waited_abandoned, abs=1e-6)
    assert queues["avg_time_to_abandon_s"] == pytest.approx(waited_abandoned, abs=1e-6)
    assert queues["agents_rung_avg"] == 1.0
    assert queues["talk_avg_s"] == pytest.approx(talked, abs=1e-6)
    wrapped = at("wrap_up_ended", answered_id) - at("wrap_up_started", answered_id)
    assert queues["acw_avg_s"] == pytest.approx(wrapped, abs=1e-6)
    assert queues["aht_s"] == pytest.approx(talked + wrapped, abs=1e-6)
    assert report["totals"]["agents"]["handled"] == 1
    assert (calls["total_calls"], calls["ivr_only"], calls["answered_calls"],
            calls["abandoned_calls"]) == (3, 1, 1, 1)
    assert calls["ivr_containment"] == pytest.approx(1 / 3)
