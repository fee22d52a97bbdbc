"""Calls that visit two queues and transfers, worked out by hand.

d1 Q1 enter 0, A1 rings 1→5 (W = 5), talk 5–35, A1 blind-transfers to queue Q2 at 35
   (wrap 35–50); Q2 enter 35, B1 rings 36→45 (W = 10), talk 45–105, wrap 105–125
d2 Q1 enter 0, overflows at 30 to Q2; hangs up in Q2 at 37 (W = 7 > S)
d3 Q1 enter 100, A2 answers at once (W = 0), talk 100–140, attended transfer outside at 130
"""

from __future__ import annotations

import pytest
from report_scenario import Script

from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import Params


def build() -> Script:
    s = Script()
    s.call("d1", 0)
    s.enter("d1", "Q1", 0)
    s.answer("d1", "Q1", "A1", 1, 5)
    s.ev("talk_started", 5, call_id="d1", agent_id="A1")
    s.ev(
        "transfer", 35, call_id="d1", agent_id="A1", mode="blind", target_kind="queue", target="Q2"
    )
    s.ev("talk_ended", 35, call_id="d1", agent_id="A1")
    s.enter("d1", "Q2", 35)
    s.seg("wrap_up", "d1", "A1", 35, 50)
    s.answer("d1", "Q2", "B1", 36, 45)
    s.seg("talk", "d1", "B1", 45, 105)
    s.end("d1", 105)
    s.seg("wrap_up", "d1", "B1", 105, 125)

    s.call("d2", 0)
    s.enter("d2", "Q1", 0)
    s.leave("d2", "Q1", 30, "overflow")
    s.enter("d2", "Q2", 30)
    s.leave("d2", "Q2", 37, "abandoned")
    s.end("d2", 37)

    s.call("d3", 100)
    s.enter("d3", "Q1", 100)
    s.answer("d3", "Q1", "A2", 100, 100)
    s.ev("talk_started", 100, call_id="d3", agent_id="A2")
    s.ev(
        "transfer",
        130,
        call_id="d3",
        agent_id="A2",
        mode="attended",
        target_kind="external",
        target="95598-7",
    )
    s.ev("talk_ended", 140, call_id="d3", agent_id="A2")
    s.end("d3", 140, "agent")
    return s


def rows_by_queue() -> dict[str, dict[str, object]]:
    out = finish(compute(derive(build().events), Params(by=("queue",))))
    return {r["key"]["queue"]: r["figures"] for r in out["queues"]}  # type: ignore[attr-defined]


def test_first_queue() -> None:
    q1 = rows_by_queue()["Q1"]
    assert q1["offered"] == 3
    assert q1["answered"] == 2
    assert q1["overflow"] == 1
    assert q1["abandoned"] == 0
    assert q1["asa_s"] == pytest.approx(2.5)
    assert q1["queued_pct"] == pytest.approx(2 / 3)  # d3 was offered at once
    assert q1["transfer_rate"] == pytest.approx(1.0)
    assert q1["transfer_blind_rate"] == pytest.approx(0.5)
    assert q1["transfer_attended_rate"] == pytest.approx(0.5)
    assert q1["transfer_to_queue_rate"] == pytest.approx(0.5)
    assert q1["transfer_external_rate"] == pytest.approx(0.5)
    assert q1["transfer_to_agent_rate"] == 0
    assert q1["talk_avg_s"] == pytest.approx((30 + 40) / 2)
    assert q1["acw_avg_s"] == pytest.approx(15 / 2)
    assert q1["rings_avg"] == pytest.approx((1 + 0) / 2)  # ceil(4/6) = 1, ceil(0/6) = 0


def test_second_queue() -> None:
    q2 = rows_by_queue()["Q2"]
    assert q2["offered"] == 2
    assert q2["answered"] == 1
    assert q2["asa_s"] == pytest.approx(10.0)
    assert q2["abandoned"] == 1
    assert q2["short_abandoned"] == 0
    assert q2["abandon_rate"] == pytest.approx(1 / 2)
    assert q2["transfer_rate"] == 0
    assert q2["aht_s"] == pytest.approx(60 + 20)


def test_calls_count_once() -> None:
    out = finish(compute(derive(build().events), Params(by=("queue",))))
    c = out["totals"]["calls"]  # type: ignore[index]
    assert c["total_calls"] == 3
    assert c["answered_calls"] == 2
    assert c["abandoned_calls"] == 1
    q = out["totals"]["queues"]  # type: ignore[index]
    assert q["offered"] == 5
    assert q["transfer_rate"] == pytest.approx(2 / 3)
    calls = {r["key"]["queue"]: r["figures"] for r in out["calls"]}  # type: ignore[attr-defined]
    assert calls["Q1"]["total_calls"] == 3  # attributed to the first queue entered
