"""Queue-visit figures against numbers worked out by hand from docs/metrics definitions.

T = 20 s, S = 5 s, ring cadence 6 s. Visits (seconds after T0, queue "billing"):
  c1 enter 0, ring A1 2→20 answered (W = 20 = T exactly), talk 20–200 with holds 50–80 and
     100–110 (held twice: 40 s, talk 140 s), wrap 200–230 (30 s)
  c2 enter 10, ring A2 10.5→25.5 no answer (RONA), ring A1 26→30.25 answered (W = 20.25),
     talk 30.25–90.25 (60 s), wrap ended early 90.25–100.25 (10 s)
  c3 enter 40, hung up 43 (W = 3: short abandon)
  c4 enter 50, ring A2 51, hung up while ringing 62.5 (W = 12.5)
  c5 enter 60, timeout 160 (W = 100, not an abandon)
  c6 blocked (queue full) at 70: not offered
  c7 enter 80, asked for a callback at 95 (W = 15)
  c8 enter 100, ring A3 at once, answered 106 (W = 6, never waited before an offer), talk 60 s
  c9 finished in the IVR
"""

from __future__ import annotations

import pytest
from report_scenario import Script

from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import Params


def build() -> Script:
    s = Script()
    q = "billing"
    s.call("c1", 0, cls="vip")
    s.enter("c1", q, 0)
    s.answer("c1", q, "A1", 2, 20)
    s.seg("talk", "c1", "A1", 20, 200)
    s.seg("hold", "c1", "A1", 50, 80)
    s.seg("hold", "c1", "A1", 100, 110)
    s.end("c1", 200)
    s.seg("wrap_up", "c1", "A1", 200, 230)

    s.call("c2", 10)
    s.enter("c2", q, 10)
    s.ring("c2", q, "A2", 10.5, 25.5, "no_answer")
    s.answer("c2", q, "A1", 26, 30.25)
    s.seg("talk", "c2", "A1", 30.25, 90.25)
    s.end("c2", 90.25, "agent")
    s.ev("wrap_up_started", 90.25, call_id="c2", agent_id="A1")
    s.ev("wrap_up_ended", 100.25, call_id="c2", agent_id="A1", early=True)

    s.call("c3", 40)
    s.enter("c3", q, 40)
    s.leave("c3", q, 43, "abandoned")
    s.end("c3", 43)

    s.call("c4", 50)
    s.enter("c4", q, 50)
    s.ev("ring_started", 51, call_id="c4", queue=q, agent_id="A2")
    s.ev("ring_ended", 62.5, call_id="c4", queue=q, agent_id="A2", result="caller_gone")
    s.leave("c4", q, 62.5, "abandoned")
    s.end("c4", 62.5)

    s.call("c5", 60)
    s.enter("c5", q, 60)
    s.leave("c5", q, 160, "timeout")
    s.end("c5", 160, "system")

    s.call("c6", 70)
    s.enter("c6", q, 70)
    s.leave("c6", q, 70, "blocked_full")
    s.end("c6", 70, "system")

    s.call("c7", 80)
    s.enter("c7", q, 80)
    s.leave("c7", q, 95, "callback_requested")
    s.ev("callback_requested", 95, call_id="c7", number="13800000000")
    s.end("c7", 95, "system")

    s.call("c8", 100)
    s.enter("c8", q, 100)
    s.answer("c8", q, "A3", 100, 106)
    s.seg("talk", "c8", "A3", 106, 166)
    s.end("c8", 166)

    s.call("c9", 120)
    s.ev("ivr_step", 121, call_id="c9", node="main", key="1")
    s.ev("ivr_finished", 150, call_id="c9", self_service=True, node="outage_notice")
    s.end("c9", 150)
    return s


@pytest.fixture()
def figures() -> dict[str, object]:
    return finish(compute(derive(build().events), Params(by=("queue",))))


def test_counts_and_rates(figures: dict[str, object]) -> None:
    q = figures["totals"]["queues"]  # type: ignore[index]
    assert q["offered"] == 7
    assert q["answered"] == 3
    assert q["answered_pct"] == pytest.approx(3 / 7)
    assert q["queued_pct"] == pytest.approx(6 / 7)
    assert q["abandoned"] == 2
    assert q["short_abandoned"] == 1
    assert q["abandon_rate"] == pytest.approx(1 / 6)
    assert q["avg_time_to_abandon_s"] == pytest.approx(12.5)
    assert q["blocked_visits"] == 1
    assert q["timeout"] == 1
    assert q["callback_requested"] == 1
    assert q["exit_key"] == 0


def test_waits_and_service_level(figures: dict[str, object]) -> None:
    q = figures["totals"]["queues"]  # type: ignore[index]
    assert q["queue_time_avg_s"] == pytest.approx(176.75 / 7)
    assert q["queue_time_max_s"] == pytest.approx(100.0)
    assert q["asa_s"] == pytest.approx(46.25 / 3)
    assert q["sl"] == pytest.approx(2 / 4)
    assert q["sl_answered_only"] == pytest.approx(2 / 3)
    assert q["sl_abandon_positive"] == pytest.approx(4 / 5)


def test_rings_and_handling(figures: dict[str, object]) -> None:
    q = figures["totals"]["queues"]  # type: ignore[index]
    assert q["agents_rung_avg"] == pytest.approx(4 / 3)
    assert q["rings_avg"] == pytest.approx((3 + 4 + 1) / 3)
    assert q["rona"] == 1
    assert q["talk_avg_s"] == pytest.approx(260 / 3)
    assert q["hold_count"] == 2
    assert q["held_calls"] == 1
    assert q["hold_avg_held_s"] == pytest.approx(40.0)
    assert q["hold_avg_answered_s"] == pytest.approx(40 / 3)
    assert q["acw_avg_s"] == pytest.approx(40 / 3)
    assert q["aht_s"] == pytest.approx(340 / 3)
    assert q["transfer_rate"] == 0


def test_call_level(figures: dict[str, object]) -> None:
    c = figures["totals"]["calls"]  # type: ignore[index]
    assert c["total_calls"] == 9
    assert c["blocked_calls"] == 1
    assert c["blocked_rate"] == pytest.approx(1 / 9)
    assert c["ivr_containment"] == pytest.approx(1 / 9)
    assert c["answered_calls"] == 3
    assert c["abandoned_calls"] == 2
    assert c["callbacks_requested"] == 1
    assert c["cost_per_call"] is None


def test_threshold_parameters_move_the_figures() -> None:
    events = build().events
    p = Params(t_s=19.999999, s_s=2.0, cadence_s=5.0)
    q = finish(compute(derive(events), p))["totals"]["queues"]  # type: ignore[index]
    assert q["sl_answered_only"] == pytest.approx(1 / 3)  # c1 (W = 20) no longer within T
    assert q["short_abandoned"] == 0
    assert q["abandon_rate"] == pytest.approx(2 / 7)
    assert q["rings_avg"] == pytest.approx((4 + 4 + 2) / 3)  # ceil(18/5), ceil(19.25/5), ceil(6/5)


def test_breakdown_by_agent_and_class(figures: dict[str, object]) -> None:
    events = build().events
    out = finish(compute(derive(events), Params(by=("agent", "class"))))
    rows = {tuple(r["key"].values()): r["figures"] for r in out["queues"]}  # type: ignore[attr-defined]
    assert rows[("A1", "vip")]["answered"] == 1
    assert rows[("A1", "normal")]["answered"] == 1
    assert rows[("A3", "normal")]["asa_s"] == pytest.approx(6.0)
    assert rows[("-", "normal")]["offered"] == 4  # not answered: c3, c4, c5, c7
