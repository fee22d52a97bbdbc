"""FCR, satisfaction, QA, cost per call and callbacks, worked out by hand.

Answered calls by ANI: e1 111 at 0 and e2 111 at 23 h 59 min (e1 is a repeat, e2 is not);
e3 222 marked unresolved; e4 333 at 2 h and e5 333 at 26 h 0 min 1 s (outside 24 h);
e6 444 abandoned at 0, e7 444 answered at 1 h. FCR = {e2, e4, e5, e7} / 6 answered.
"""

from __future__ import annotations

import pytest
from report_scenario import Script

from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import Params


def answered_call(s: Script, cid: str, ani: str, t: float, agent: str = "A1") -> None:
    s.call(cid, t, ani=ani)
    s.enter(cid, "billing", t)
    s.answer(cid, "billing", agent, t + 1, t + 4)
    s.seg("talk", cid, agent, t + 4, t + 64)
    s.end(cid, t + 64)


def build() -> Script:
    s = Script()
    answered_call(s, "e1", "111", 0)
    answered_call(s, "e2", "111", 23 * 3600 + 59 * 60)
    answered_call(s, "e3", "222", 600, agent="A2")
    s.ev("disposition", 700, call_id="e3", agent_id="A2", code="fault", resolved=False)
    answered_call(s, "e4", "333", 7200, agent="A2")
    s.ev("disposition", 7300, call_id="e4", agent_id="A2", code="billing", resolved=True)
    answered_call(s, "e5", "333", 7200 + 86401)
    s.call("e6", 0, ani="444")
    s.enter("e6", "billing", 0)
    s.leave("e6", "billing", 30, "abandoned")
    s.end("e6", 30)
    answered_call(s, "e7", "444", 3600)
    s.ev("survey_offered", 64, call_id="e1")
    s.ev("survey_answer", 80, call_id="e1", score=4)
    s.ev("survey_offered", 86400, call_id="e2")
    s.ev("survey_answer", 86410, call_id="e2", score=5, question="q1")
    s.ev("survey_answer", 86420, call_id="e2", score=3, question="q2")
    s.ev("survey_offered", 700, call_id="e3")
    s.ev("qa_score", 9000, call_id="e1", agent_id="A1", score=90, by="sup1")
    s.ev("qa_score", 9000, call_id="e4", agent_id="A2", score=70, by="sup1")
    return s


def figures(**kw: object) -> dict[str, object]:
    return finish(compute(derive(build().events), Params(**kw)))  # type: ignore[arg-type]


def test_fcr_satisfaction_qa_cost() -> None:
    out = figures(cost=900.0)
    c = out["totals"]["calls"]  # type: ignore[index]
    assert c["total_calls"] == 7
    assert c["answered_calls"] == 6
    assert c["fcr"] == pytest.approx(4 / 6)
    assert c["satisfaction_avg"] == pytest.approx(4.0)
    assert c["survey_response_rate"] == pytest.approx(2 / 3)
    assert c["cost_per_call"] == pytest.approx(900 / 7)
    assert out["totals"]["queues"]["qa_score_avg"] == pytest.approx(80.0)  # type: ignore[index]


def test_fcr_window_is_a_parameter() -> None:
    c = figures(fcr_window_s=3600.0)["totals"]["calls"]  # type: ignore[index]
    assert c["fcr"] == pytest.approx(5 / 6)  # e1 no longer a repeat; e3 still unresolved


def test_qa_per_agent() -> None:
    out = figures(by=("agent",))
    rows = {r["key"]["agent"]: r["figures"] for r in out["agents"]}  # type: ignore[attr-defined]
    assert rows["A1"]["qa_score_avg"] == pytest.approx(90.0)
    assert rows["A2"]["qa_score_avg"] == pytest.approx(70.0)
    assert rows["A1"]["handled"] == 4


def test_callback_is_not_an_abandon() -> None:
    s = Script()
    s.call("k1", 0)
    s.enter("k1", "billing", 0)
    s.leave("k1", "billing", 15, "callback_requested")
    s.ev("callback_requested", 15, call_id="k1", number="13800000000")
    s.end("k1", 15, "system")
    s.call("k2", 600, ani="ani-k1")
    s.ev("callback_delivered", 600, call_id="k2", original_call_id="k1")
    s.enter("k2", "billing", 600)
    s.answer("k2", "billing", "A1", 600, 602)
    s.end("k2", 700)
    out = finish(compute(derive(s.events), Params()))
    q, c = out["totals"]["queues"], out["totals"]["calls"]  # type: ignore[index]
    assert q["abandoned"] == 0
    assert q["callback_requested"] == 1
    assert q["sl"] == pytest.approx(1.0)
    assert c["callbacks_requested"] == 1
    assert c["callbacks_delivered"] == 1
    assert c["total_calls"] == 2
