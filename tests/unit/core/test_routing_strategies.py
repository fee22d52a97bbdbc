"""One test (at least) per routing strategy."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from routing_harness import Harness, of, only

from agents import AgentState
from queues import (
    AgentPause,
    AgentReady,
    CallEnded,
    CancelOffer,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferResult,
    QueueConfig,
    RelaxStep,
    Strategy,
)
from queues.requirements import criteria_for
from queues.skill_pools import Order, single_skill


def queue(strategy: Strategy, **kw: object) -> QueueConfig:
    return QueueConfig("q", strategy=strategy, **kw)  # type: ignore[arg-type]


def test_longest_idle_is_the_default_and_picks_the_longest_idle() -> None:
    h = Harness(QueueConfig("q"))
    assert h.config.queues[0].strategy is Strategy.LONGEST_IDLE
    for i, name in enumerate(["a", "b", "c"]):
        h.at(i).login(name)
    h.at(10)
    assert h.serve("c1") == "a"
    assert h.serve("c2") == "b"  # a's idle time restarted when its call ended
    assert h.serve("c3") == "c"
    assert h.serve("c4") == "a"
    assert "longest idle" in only(h.core.decisions("c4"), object).reason  # type: ignore[arg-type]


def test_fewest_calls() -> None:
    h = Harness(queue(Strategy.FEWEST_CALLS))
    h.login("a")
    h.at(1).login("b")
    h.at(2)
    assert h.serve("c1") == "a"
    assert h.serve("c2") == "b"
    assert h.serve("c3") == "a"  # both have 1: longest idle breaks the tie
    h.send(AgentPause("a", "x"))
    assert h.serve("c4") == "b"
    h.send(AgentPause("b", "x"))
    h.login("c")
    h.send(AgentPause("c", "x"))
    for name in ("a", "b", "c"):
        h.send(AgentReady(name))
    assert h.serve("c5") == "c"  # 0 calls beats a (2) and b (2)


def test_least_talk_time() -> None:
    h = Harness(queue(Strategy.LEAST_TALK_TIME))
    h.login("a")
    h.login("b")
    offer = only(h.at(1).arrive("c1"), Offer)
    assert offer.agent_id == "a"
    h.send(OfferAnswered(offer.offer_id))
    offer2 = only(h.arrive("c2"), Offer)
    assert offer2.agent_id == "b"
    h.send(OfferAnswered(offer2.offer_id))
    h.at(100).send(CallEnded("c1"))  # a talked 99 s
    h.at(110).send(CallEnded("c2"))  # b talked 109 s, and b idled less
    assert h.core.agent("a").talk_time == pytest.approx(99)
    assert h.at(120).serve("c3") == "a"
    h.at(200)
    # a now has 99 + 0 s, b 109 s: a again although b has been idle longer
    assert h.serve("c4") == "a"


def test_round_robin_remembers_where_it_stopped() -> None:
    h = Harness(queue(Strategy.ROUND_ROBIN))
    for name in ["a", "b", "c"]:
        h.login(name)
    picks = [h.serve(f"c{i}") for i in range(7)]
    assert picks == ["a", "b", "c", "a", "b", "c", "a"]
    h.send(AgentPause("b", "x"))
    assert [h.serve(f"d{i}") for i in range(3)] == ["c", "a", "c"]


def test_round_robin_skips_a_busy_agent_and_continues_after_it() -> None:
    h = Harness(queue(Strategy.ROUND_ROBIN))
    for name in ["a", "b", "c"]:
        h.login(name)
    first = only(h.arrive("long"), Offer)
    h.send(OfferAnswered(first.offer_id))  # a busy
    assert [h.serve(f"c{i}") for i in range(3)] == ["b", "c", "b"]


def test_linear_follows_the_configured_order() -> None:
    h = Harness(queue(Strategy.LINEAR, linear_order=("c", "a", "b")))
    for name in ["a", "b", "c", "z"]:
        h.login(name)
    assert h.serve("c1") == "c"
    busy = []
    for i, expected in enumerate(["c", "a", "b", "z"]):
        offer = only(h.arrive(f"x{i}"), Offer)
        assert offer.agent_id == expected
        h.send(OfferAnswered(offer.offer_id))
        busy.append(offer)
    assert "linear order" in h.core.decisions("x0")[-1].reason


def test_random_is_reproducible_with_a_seed_and_covers_everyone() -> None:
    def picks(seed: int) -> list[str]:
        h = Harness(queue(Strategy.RANDOM), seed=seed)
        for name in "abcde":
            h.login(name)
        return [h.serve(f"c{i}") for i in range(300)]

    first = picks(1)
    assert first == picks(1)
    assert first != picks(2)
    counts = Counter(first)
    assert set(counts) == set("abcde")
    assert all(40 <= n <= 80 for n in counts.values()), counts


def test_random_respects_caller_skills() -> None:
    h = Harness(queue(Strategy.RANDOM), seed=3)
    for i in range(20):
        h.login(f"a{i}", {"en": 1})
    h.login("polyglot", {"en": 1, "fr": 2})
    for i in range(10):
        assert h.serve(f"c{i}", skills={"fr": 2}) == "polyglot"


def test_best_skill_prefers_proficiency_then_longest_idle() -> None:
    h = Harness(queue(Strategy.BEST_SKILL, skills={"billing": 2}))
    h.login("low", {"billing": 2})
    h.at(1).login("high_late", {"billing": 5})
    h.at(2).login("mid", {"billing": 4})
    h.at(3).login("high_early_twin", {"billing": 5})
    h.at(10)
    offer = only(h.arrive("c1"), Offer)
    assert offer.agent_id == "high_late"  # idle since 1, the twin since 3
    assert "best skill score 5" in offer.reason
    h.send(OfferAnswered(offer.offer_id))
    assert only(h.arrive("c2"), Offer).agent_id == "high_early_twin"


def test_ring_all_rings_every_eligible_agent_and_the_first_answer_wins() -> None:
    h = Harness(queue(Strategy.RING_ALL, skills={"gas": 1}))
    for name in ["a", "b", "c"]:
        h.login(name, {"gas": 1})
    h.login("no_gas", {"water": 3})
    offers = of(h.arrive("c1"), Offer)
    assert sorted(o.agent_id for o in offers) == ["a", "b", "c"]
    assert {o.call_id for o in offers} == {"c1"}
    winner = next(o for o in offers if o.agent_id == "b")
    out = h.send(OfferAnswered(winner.offer_id))
    cancelled = of(out, CancelOffer)
    assert sorted(c.agent_id for c in cancelled) == ["a", "c"]
    assert h.state("b") is AgentState.ON_CALL
    assert h.state("a") is h.state("c") is AgentState.AVAILABLE
    late = next(o for o in offers if o.agent_id == "a")
    assert h.send(OfferAnswered(late.offer_id)) == []  # a cancelled offer is dead
    assert h.state("a") is AgentState.AVAILABLE


def test_ring_all_returns_the_caller_when_nobody_answers() -> None:
    h = Harness(queue(Strategy.RING_ALL), backoff={OfferResult.NO_ANSWER: 0.0}, rona_limit=5)
    h.login("a")
    h.login("b")
    offers = of(h.arrive("c1"), Offer)
    h.send(OfferFailed(offers[0].offer_id, OfferResult.NO_ANSWER))
    assert h.core.call("c1").status == "offering"  # type: ignore[union-attr]
    again = of(h.send(OfferFailed(offers[1].offer_id, OfferResult.NO_ANSWER)), Offer)
    assert sorted(o.agent_id for o in again) == ["a", "b"]
    assert h.core.call("c1").status == "offering"  # type: ignore[union-attr]


def test_ring_all_does_not_add_agents_while_the_caller_rings() -> None:
    h = Harness(queue(Strategy.RING_ALL))
    h.login("a")
    h.send(AgentPause("a", "x"))
    h.login("b")
    h.send(AgentPause("b", "x"))
    h.arrive("c1")
    assert [o.agent_id for o in of(h.send(AgentReady("a")), Offer)] == ["a"]
    h.send(AgentReady("b"))  # the caller is ringing: b is not added
    assert h.core.dispatchable("b")


@settings(max_examples=60, deadline=None)
@given(
    profs=st.lists(st.integers(0, 5), min_size=1, max_size=8),
    strategy=st.sampled_from([Strategy.LONGEST_IDLE, Strategy.BEST_SKILL, Strategy.FEWEST_CALLS]),
)
def test_single_skill_queue_offers_the_best_agent_at_each_relax_level(
    profs: list[int], strategy: Strategy
) -> None:
    # The second step caps at 4, above the first step's 2: steps only widen, so level 2
    # still accepts proficiency 2. Single-skill queues use the shared pools.
    relax = (RelaxStep(10, min_proficiency=2), RelaxStep(20, min_proficiency=4))
    h = Harness(QueueConfig("q", skills={"s": 4}, relax=relax, strategy=strategy))
    for i, prof in enumerate(profs):
        h.at(i).login(f"a{i}", {"s": prof} if prof else {"x": 1})
    h.at(50).arrive("c")
    offers = of(h.log, Offer)
    for level, (t, minimum) in enumerate([(50, 4), (60, 2), (70, 2)]):
        if level:
            offers = of(h.tick(t), Offer)
        eligible = [i for i, p in enumerate(profs) if p >= minimum]
        if not eligible:
            assert not offers
            continue
        if strategy is Strategy.BEST_SKILL:
            best = min(eligible, key=lambda i: (-profs[i], i))
        else:
            best = min(eligible)
        assert [o.agent_id for o in offers] == [f"a{best}"]
        assert h.core.call("c").level == level  # type: ignore[union-attr]
        return
    assert h.core.waiting("q") == ["c"]


def test_which_queues_share_pools_and_their_minimum_per_level() -> None:
    relax = (RelaxStep(10, min_proficiency=2), RelaxStep(20, min_proficiency=4))
    shared = QueueConfig("q", skills={"s": 4}, relax=relax, strategy=Strategy.BEST_SKILL)
    assert single_skill(shared, criteria_for(shared, {})) == (Order.FIXED, "s", (4, 2, 2))
    for alone in (
        QueueConfig("q", skills={"s": 1, "t": 1}),
        QueueConfig("q", skills={"s": 1}, team="t0"),
        QueueConfig("q", skills={"s": 1}, relax=(RelaxStep(5, drop_skills=True),)),
        QueueConfig("q", skills={"s": 1}, strategy=Strategy.ROUND_ROBIN),
        QueueConfig("q", skills={"s": 1}, strategy=Strategy.LINEAR),
        QueueConfig("q"),
    ):
        assert single_skill(alone, criteria_for(alone, {})) is None
