"""Queue rules: requirements and relax steps, priority and order, limits, overflow,
preferred agents, several queues per agent, EWT and decision reasons."""

from __future__ import annotations

import pytest
from routing_harness import Harness, of, only

from agents import AgentState
from queues import (
    AgentPause,
    AgentReady,
    AnnounceEwt,
    Blocked,
    CallArrived,
    CallEnded,
    CallerLeft,
    InvalidConfig,
    InvalidEvent,
    LeaveQueue,
    MaxWaitAction,
    NoAgentsPolicy,
    Offer,
    OfferAnswered,
    Overflow,
    QueueConfig,
    Queued,
    QueueExit,
    RelaxStep,
    UnknownQueue,
)


def test_skills_and_minimum_proficiency_are_required() -> None:
    h = Harness(QueueConfig("q", skills={"billing": 3}))
    h.login("novice", {"billing": 2})
    h.login("other", {"gas": 5})
    assert h.core.agent("other").queues == {}
    assert not of(h.arrive("c1"), Offer)
    decision = h.core.decisions("c1")[-1]
    assert decision.action == "wait"
    assert "billing>=3" in decision.reason
    assert only(h.login("expert", {"billing": 4}), Offer).call_id == "c1"


def test_requirements_relax_in_timed_steps() -> None:
    q = QueueConfig(
        "q",
        skills={"billing": 4},
        relax=(RelaxStep(30, min_proficiency=2), RelaxStep(90, drop_skills=True, team="backup")),
    )
    h = Harness(q)
    h.login("weak", {"billing": 1})
    h.login("ok", {"billing": 2}, team="front")
    h.login("spare", {}, team="backup")
    assert h.core.agent("spare").queues == {"q": 2}
    h.arrive("c1")
    h.arrive("c2")
    assert h.core.decisions("c1")[-1].summary.startswith(
        "1 available agent(s) allowed only after 30"
    )
    assert not of(h.tick(29.9), Offer)
    offer = only(h.tick(30), Offer)
    assert (offer.call_id, offer.agent_id) == ("c1", "ok")
    h.send(OfferAnswered(offer.offer_id))
    assert not of(h.tick(89.9), Offer)
    offer = only(h.tick(90), Offer)
    assert (offer.call_id, offer.agent_id) == ("c2", "spare")
    assert h.state("weak") is AgentState.AVAILABLE
    assert h.core.call("c2") is not None


def test_caller_skills_add_to_the_queue_requirements() -> None:
    h = Harness(QueueConfig("q", skills={"billing": 1}))
    h.login("en", {"billing": 5})
    h.arrive("c1", skills={"mandarin": 2})
    assert h.core.call("c1").status == "waiting"  # type: ignore[union-attr]
    assert not h.core.eligible("en", "c1")
    offer = only(h.login("zh", {"billing": 1, "mandarin": 3}), Offer)
    assert offer.agent_id == "zh"
    h.core.decisions("c1")
    h2 = Harness(QueueConfig("q", skills={"billing": 1}))
    h2.login("en", {"billing": 5})
    h2.at(1).login("zh", {"billing": 1, "mandarin": 3})
    offer = only(h2.at(5).arrive("c1", skills={"mandarin": 2}), Offer)
    assert offer.agent_id == "zh"
    decision = h2.core.decisions("c1")[-1]
    assert decision.passed_over == ("en: lacks mandarin>=2",)


def test_priority_first_then_time_waited() -> None:
    h = Harness()
    h.login("a")
    busy = only(h.arrive("first"), Offer)
    h.send(OfferAnswered(busy.offer_id))
    h.at(1).arrive("n1")
    h.at(2).arrive("g1", priority="green_channel")
    h.at(3).arrive("n2")
    h.at(4).arrive("v1", priority="vip")
    h.at(5).arrive("g2", priority="green_channel")
    assert h.core.waiting("q") == ["v1", "g1", "g2", "n1", "n2"]
    order = []
    call = "first"
    for _ in range(5):
        offer = only(h.send(CallEnded(call)), Offer)
        h.send(OfferAnswered(offer.offer_id))
        call = offer.call_id
        order.append(call)
    assert order == ["v1", "g1", "g2", "n1", "n2"]


def test_time_in_an_earlier_queue_counts_for_order() -> None:
    h = Harness(
        QueueConfig("a", max_wait=60, on_max_wait=MaxWaitAction.OVERFLOW, overflow_to="b"),
        QueueConfig("b", skills={"b": 1}),
    )
    h.arrive("early", "a")
    h.at(30).arrive("middle", "b")
    out = h.tick(60)
    assert only(out, Overflow) == Overflow("early", "a", "b", "max wait 60 s reached")
    assert only(out, QueueExit).outcome == "overflow"
    assert h.core.waiting("b") == ["early", "middle"]
    offer = only(h.login("agent", {"b": 1}), Offer)
    assert offer.call_id == "early"
    assert only(h.send(OfferAnswered(offer.offer_id)), QueueExit).waited == pytest.approx(0)


def test_max_length_blocks_with_blocked_full() -> None:
    h = Harness(QueueConfig("q", max_length=2))
    h.arrive("c1")
    h.arrive("c2")
    out = h.arrive("c3")
    assert only(out, Blocked) == Blocked("c3", "q", "blocked_full")
    assert only(out, QueueExit).outcome == "blocked_full"
    assert h.core.call("c3") is None


def test_no_agents_logged_in_blocks_or_waits() -> None:
    h = Harness(
        QueueConfig("strict", when_no_agents=NoAgentsPolicy.BLOCK),
        QueueConfig("patient", when_no_agents=NoAgentsPolicy.WAIT),
    )
    assert only(h.arrive("c1", "strict"), Blocked).reason == "blocked_no_agents"
    assert only(h.arrive("c2", "patient"), Queued).position == 1
    h.send(CallerLeft("c2"))
    h.login("a")
    h.send(AgentPause("a", "lunch"))  # paused still counts as logged in
    assert only(h.arrive("c3", "strict"), Queued)


@pytest.mark.parametrize(
    ("action", "outcome"),
    [(MaxWaitAction.CALLBACK, "callback_requested"), (MaxWaitAction.VOICEMAIL, "timeout")],
)
def test_max_wait_to_callback_or_voicemail(action: MaxWaitAction, outcome: str) -> None:
    h = Harness(QueueConfig("q", max_wait=120, on_max_wait=action))
    h.arrive("c1")
    assert not of(h.tick(119), LeaveQueue)
    out = h.tick(121)
    leave = only(out, LeaveQueue)
    assert (leave.call_id, leave.action) == ("c1", action)
    exit_ = only(out, QueueExit)
    assert (exit_.outcome, exit_.waited) == (outcome, pytest.approx(120))
    assert h.core.call_ids() == []


def test_max_wait_while_ringing_cancels_the_offer() -> None:
    h = Harness(QueueConfig("q", max_wait=10, ring_timeout=30))
    h.login("a")
    h.send(AgentPause("a", "x"))
    h.at(5).arrive("c1")
    h.at(14).send(AgentReady("a"))
    out = h.tick(15)
    assert only(out, LeaveQueue).call_id == "c1"
    assert h.state("a") is AgentState.AVAILABLE


def test_ewt_over_limit_overflows_at_entry() -> None:
    h = Harness(
        QueueConfig("main", ewt_limit=100, on_max_wait=MaxWaitAction.OVERFLOW, overflow_to="spill"),
        QueueConfig("spill"),
    )
    h.login("a")
    offer = only(h.arrive("c0", "main"), Offer)
    h.send(OfferAnswered(offer.offer_id))
    queued = only(h.arrive("c1", "main"), Queued)
    assert queued.ewt == pytest.approx(180)  # one agent, default AHT 180 s
    assert h.core.call("c1") is None or h.core.call("c1").queue == "spill"  # type: ignore[union-attr]
    assert only(h.log[-4:], Overflow).reason == "EWT 180 s over limit 100 s"


def test_ewt_from_position_and_eligible_agents_handle_times() -> None:
    h = Harness(QueueConfig("q", announce_every=30, default_aht=200))
    h.login("a")
    h.login("b")
    for call in ("x", "y"):
        h.send(OfferAnswered(only(h.arrive(call), Offer).offer_id))
    assert only(h.arrive("c1"), Queued).ewt == pytest.approx(100)
    assert only(h.arrive("c2"), Queued).ewt == pytest.approx(200)
    assert h.core.ewt("c1") == pytest.approx(100)
    announcements = of(h.tick(30), AnnounceEwt)
    assert [(a.call_id, a.position) for a in announcements] == [("c1", 1), ("c2", 2)]
    assert len(of(h.tick(61), AnnounceEwt)) == 2
    h.at(100).send(CallEnded("x"))  # a handled x in 100 s
    h.send(CallEnded("y"))
    assert h.core.agent("a").aht == pytest.approx(100)


def test_no_eligible_agent_gives_no_ewt() -> None:
    h = Harness(QueueConfig("q", skills={"gas": 1}))
    h.login("a", {"water": 1})
    assert only(h.arrive("c1"), Queued).ewt is None


def test_dedicated_representative_is_honoured_then_falls_back() -> None:
    h = Harness(QueueConfig("q", preferred_timeout=60))
    h.login("rep")
    h.login("other")
    busy = only(h.arrive("c0", preferred_agent="rep"), Offer)
    assert (busy.agent_id, busy.reason) == ("rep", "preferred agent")
    h.send(OfferAnswered(busy.offer_id))
    h.at(1).arrive("vip", priority="vip", preferred_agent="rep")
    assert h.core.call("vip").status == "preferred"  # type: ignore[union-attr]
    assert h.state("other") is AgentState.AVAILABLE
    offer = only(h.at(30).send(CallEnded("c0")), Offer)
    assert (offer.call_id, offer.agent_id) == ("vip", "rep")
    h.send(OfferAnswered(offer.offer_id))
    h.at(40).arrive("vip2", priority="vip", preferred_agent="rep")
    assert not of(h.tick(99.9), Offer)
    offer = only(h.tick(100), Offer)
    assert (offer.call_id, offer.agent_id) == ("vip2", "other")
    assert h.core.decisions("vip2")[0].action == "fallback"


def test_preferred_agent_logged_out_is_not_waited_for() -> None:
    h = Harness(QueueConfig("q", preferred_timeout=60))
    h.login("other")
    assert only(h.arrive("c1", preferred_agent="rep"), Offer).agent_id == "other"


def test_last_agent_within_the_window_is_preferred() -> None:
    h = Harness(QueueConfig("q", preferred_timeout=30, last_agent_window=3600))
    h.login("b")
    h.at(1).login("a")
    assert h.at(2).serve("c1", ani="555") == "b"
    h.at(100)
    assert h.serve("c2", ani="555") == "b"  # although a has been idle longer
    assert h.core.decisions("c2")[-1].reason == "preferred agent"
    assert h.at(110).serve("c3", ani="777") == "a"
    h.at(100 + 3601)
    h.serve("c4", ani="555")
    assert h.core.decisions("c4")[-1].reason.startswith("longest idle")


def test_a_transferred_call_does_not_go_back_to_its_own_agent() -> None:
    h = Harness(QueueConfig("q", preferred_timeout=30, last_agent_window=3600))
    h.login("a")
    h.at(1).login("b")
    assert h.at(2).serve("c1", ani="555") == "a"
    # The same call comes back into a queue (a blind transfer): "the last agent this
    # caller spoke to" is the one who just sent it on, so the queue's own order applies.
    assert h.at(100).serve("c1", ani="555") == "b"
    assert h.core.decisions("c1")[-1].reason.startswith("longest idle")
    assert h.at(200).serve("c2", ani="555") == "b", "a new call goes to the last agent"
    assert h.core.decisions("c2")[-1].reason == "preferred agent"


def test_agent_on_several_queues_takes_the_most_overdue_caller() -> None:
    h = Harness(
        QueueConfig("slow", skills={"s": 1}, weight=1.0),
        QueueConfig("fast", skills={"f": 1}, weight=3.0),
    )
    h.arrive("slow1", "slow")
    h.at(20).arrive("fast1", "fast")
    h.at(35)  # slow1 waited 35 x 1, fast1 waited 15 x 3 = 45
    offer = only(h.login("both", {"s": 1, "f": 1}), Offer)
    assert offer.call_id == "fast1"
    assert "next best: slow1" in h.core.decisions("fast1")[-1].summary
    h.send(OfferAnswered(offer.offer_id))
    h.arrive("vip", "slow", priority="vip")
    offer = only(h.send(CallEnded("fast1")), Offer)
    assert offer.call_id == "vip"  # priority before weighted wait


def test_decisions_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="queues.core")
    h = Harness()
    h.login("a")
    h.arrive("c1")
    assert any("call c1 [q] offer -> a: longest idle" in r.getMessage() for r in caplog.records)


def test_caller_leaving_the_queue_is_an_abandon_or_a_key_exit() -> None:
    h = Harness()
    h.arrive("c1")
    h.arrive("c2")
    h.at(12)
    assert only(h.send(CallerLeft("c1")), QueueExit).outcome == "abandoned"
    assert only(h.send(CallerLeft("c2", "exit_key")), QueueExit).outcome == "exit_key"
    assert h.send(CallerLeft("c2")) == []


def test_bad_events_and_configs_are_refused() -> None:
    h = Harness()
    with pytest.raises(UnknownQueue):
        h.arrive("c1", "nope")
    with pytest.raises(InvalidEvent):
        h.arrive("c1", priority="gold")
    h.arrive("c1")
    with pytest.raises(InvalidEvent):
        h.send(CallArrived("c1", "q"))
    with pytest.raises(InvalidConfig):
        QueueConfig("q", on_max_wait=MaxWaitAction.OVERFLOW)
    with pytest.raises(InvalidConfig):
        QueueConfig("q", skills={"x": 7})
    with pytest.raises(InvalidConfig):
        Harness(QueueConfig("a", overflow_to="missing"))
    with pytest.raises(InvalidConfig):
        RelaxStep(-1)
