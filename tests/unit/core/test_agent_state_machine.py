"""The agent state machine: every table entry, every illegal pair, and the core's use of it."""

from __future__ import annotations

import itertools

import pytest
from routing_harness import Harness, of, only

from agents import (
    TRANSITIONS,
    Agent,
    AgentState,
    AgentStateChanged,
    AgentStateMachine,
    AgentTrigger,
    IllegalTransition,
    InvalidAgent,
)
from queues import (
    AgentLogout,
    AgentPause,
    AgentReady,
    CallEnded,
    CallerLeft,
    CallHeld,
    CallResumed,
    CancelOffer,
    Offer,
    OfferAnswered,
    OfferFailed,
    OfferResult,
    OfferRinging,
    PauseAgent,
    QueueConfig,
    WrapUpEnded,
)


def machine_in(state: AgentState) -> AgentStateMachine:
    machine = AgentStateMachine("a1")
    machine.state = state
    return machine


@pytest.mark.parametrize(("state", "trigger"), sorted(TRANSITIONS))
def test_every_table_transition(state: AgentState, trigger: AgentTrigger) -> None:
    machine = machine_in(state)
    change = machine.apply(trigger, 12.5, "because", pause_reason="lunch", call_id="c1")
    expected = TRANSITIONS[(state, trigger)]
    assert machine.state is expected
    assert change == AgentStateChanged(
        agent_id="a1",
        at=12.5,
        old=state,
        new=expected,
        trigger=trigger,
        cause="because",
        pause_reason="lunch" if expected is AgentState.PAUSED else None,
        call_id="c1",
    )
    assert machine.since == 12.5


ILLEGAL = [pair for pair in itertools.product(AgentState, AgentTrigger) if pair not in TRANSITIONS]


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL)
def test_every_other_pair_is_illegal(state: AgentState, trigger: AgentTrigger) -> None:
    machine = machine_in(state)
    with pytest.raises(IllegalTransition) as info:
        machine.apply(trigger, 1.0, "x")
    assert (info.value.state, info.value.trigger, info.value.agent_id) == (state, trigger, "a1")
    assert machine.state is state


def test_table_reaches_every_state() -> None:
    assert set(TRANSITIONS.values()) == set(AgentState)
    assert not machine_in(AgentState.ON_CALL).can(AgentTrigger.LOGOUT)


def test_pause_without_reason_is_recorded_as_unspecified() -> None:
    machine = machine_in(AgentState.AVAILABLE)
    assert machine.apply(AgentTrigger.PAUSE, 0.0, "x").pause_reason == "unspecified"
    assert machine.apply(AgentTrigger.READY, 1.0, "x").pause_reason is None
    assert machine.pause_reason is None


@pytest.mark.parametrize("level", [0, 6, -1])
def test_proficiency_outside_one_to_five_is_refused(level: int) -> None:
    with pytest.raises(InvalidAgent):
        Agent("a", skills={"billing": level})


def test_profile_skills_cannot_be_changed_afterwards() -> None:
    skills = {"billing": 3}
    agent = Agent("a", skills=skills)
    skills["billing"] = 5
    assert agent.proficiency("billing") == 3
    assert agent.proficiency("gas") == 0
    with pytest.raises(TypeError):
        agent.skills["billing"] = 1  # type: ignore[index]


# ---------------------------------------------------------------- through the core


def states(h: Harness, agent_id: str) -> list[tuple[AgentState, AgentState, str]]:
    return [
        (c.old, c.new, c.trigger.value)
        for c in of(h.log, AgentStateChanged)
        if c.agent_id == agent_id
    ]


def test_core_full_call_cycle_emits_each_transition_with_time_and_cause() -> None:
    h = Harness(QueueConfig("q", wrap_up=30))
    h.login("a1")
    h.at(5)
    offer = only(h.arrive("c1"), Offer)
    h.send(OfferRinging(offer.offer_id))
    h.at(7).send(OfferAnswered(offer.offer_id))
    h.at(20).send(CallHeld("c1"))
    h.at(30).send(CallResumed("c1"))
    h.at(60).send(CallEnded("c1"))
    assert h.state("a1") is AgentState.WRAP_UP
    h.tick(89)
    assert h.state("a1") is AgentState.WRAP_UP
    h.tick(91)
    S = AgentState
    assert states(h, "a1") == [
        (S.LOGGED_OUT, S.AVAILABLE, "login"),
        (S.AVAILABLE, S.RESERVED, "reserve"),
        (S.RESERVED, S.RINGING, "ring"),
        (S.RINGING, S.ON_CALL, "answer"),
        (S.ON_CALL, S.ON_HOLD, "hold"),
        (S.ON_HOLD, S.ON_CALL, "unhold"),
        (S.ON_CALL, S.WRAP_UP, "end_call"),
        (S.WRAP_UP, S.AVAILABLE, "end_wrap_up"),
    ]
    times = [c.at for c in of(h.log, AgentStateChanged)]
    assert times == [0, 5, 5, 7, 20, 30, 60, 90]
    view = h.core.agent("a1")
    assert view.talk_time == pytest.approx(60 - 7 - 10)
    assert view.aht == pytest.approx(90 - 7)
    assert view.calls == 1


def test_agent_may_end_wrap_up_early() -> None:
    h = Harness(QueueConfig("q", wrap_up=60))
    h.login("a1")
    h.serve("c1")
    assert h.state("a1") is AgentState.WRAP_UP
    h.at(10).send(WrapUpEnded("a1"))
    assert h.state("a1") is AgentState.AVAILABLE
    h.tick(100)  # the stale wrap-up timer does nothing
    assert h.state("a1") is AgentState.AVAILABLE
    with pytest.raises(IllegalTransition):
        h.send(WrapUpEnded("a1"))


def test_wrap_up_time_is_per_queue() -> None:
    h = Harness(QueueConfig("short", wrap_up=5), QueueConfig("long", wrap_up=50))
    h.login("a1")
    h.serve("c1", "short")
    h.tick(6)
    assert h.state("a1") is AgentState.AVAILABLE
    h.serve("c2", "long")
    h.tick(40)
    assert h.state("a1") is AgentState.WRAP_UP
    h.tick(57)
    assert h.state("a1") is AgentState.AVAILABLE


def test_pause_and_ready() -> None:
    h = Harness()
    h.login("a1")
    h.at(3).send(AgentPause("a1", "lunch"))
    view = h.core.agent("a1")
    assert (view.state, view.pause_reason) == (AgentState.PAUSED, "lunch")
    assert not of(h.arrive("c1"), Offer)
    offer = only(h.at(9).send(AgentReady("a1")), Offer)
    assert offer.call_id == "c1"


def test_pause_during_wrap_up_ends_it() -> None:
    h = Harness(QueueConfig("q", wrap_up=60))
    h.login("a1")
    h.serve("c1")
    h.at(5).send(AgentPause("a1", "break"))
    assert h.state("a1") is AgentState.PAUSED
    h.tick(70)
    assert h.state("a1") is AgentState.PAUSED


def test_ring_no_answer_twice_pauses_with_reason_no_answer() -> None:
    h = Harness(backoff={OfferResult.NO_ANSWER: 0.0})
    h.login("a1")
    first = only(h.arrive("c1"), Offer)
    out = h.send(OfferFailed(first.offer_id, OfferResult.NO_ANSWER))
    second = only(out, Offer)
    assert (second.agent_id, second.call_id) == ("a1", "c1")
    assert h.state("a1") is AgentState.RESERVED
    out = h.send(OfferFailed(second.offer_id, OfferResult.NO_ANSWER))
    assert only(out, PauseAgent) == PauseAgent("a1", "no_answer")
    view = h.core.agent("a1")
    assert (view.state, view.pause_reason) == (AgentState.PAUSED, "no_answer")
    assert states(h, "a1")[-1] == (AgentState.RESERVED, AgentState.PAUSED, "no_answer_limit")


def test_answer_resets_the_no_answer_count() -> None:
    h = Harness(backoff={OfferResult.NO_ANSWER: 0.0})
    h.login("a1")
    offer = only(h.arrive("c1"), Offer)
    offer = only(h.send(OfferFailed(offer.offer_id, OfferResult.NO_ANSWER)), Offer)
    h.send(OfferAnswered(offer.offer_id))
    h.send(CallEnded("c1"))
    offer = only(h.arrive("c2"), Offer)
    out = h.send(OfferFailed(offer.offer_id, OfferResult.NO_ANSWER))
    assert not of(out, PauseAgent)
    assert h.state("a1") is AgentState.RESERVED


def test_rona_limit_is_configurable() -> None:
    h = Harness(rona_limit=1)
    h.login("a1")
    offer = only(h.arrive("c1"), Offer)
    assert of(h.send(OfferFailed(offer.offer_id, OfferResult.NO_ANSWER)), PauseAgent)


def test_ring_timeout_counts_as_no_answer() -> None:
    h = Harness(QueueConfig("q", ring_timeout=10))
    h.login("a1")
    h.login("a2")
    offer = only(h.arrive("c1"), Offer)
    out = h.tick(10)
    cancel = only(out, CancelOffer)
    assert (cancel.offer_id, cancel.reason) == (offer.offer_id, "ring timeout")
    again = only(out, Offer)
    assert again.agent_id != offer.agent_id
    h.send(OfferAnswered(offer.offer_id))  # late answer to a dead offer: ignored
    assert h.state(offer.agent_id) is AgentState.AVAILABLE


@pytest.mark.parametrize(
    ("result", "trigger"),
    [(OfferResult.REJECTED, "reject"), (OfferResult.BUSY, "busy")],
)
def test_reject_and_busy_give_a_back_off_not_a_pause(result: OfferResult, trigger: str) -> None:
    h = Harness(backoff={OfferResult.REJECTED: 4.0, OfferResult.BUSY: 8.0})
    h.login("a1")
    for attempt in range(3):
        offer = only(h.arrive(f"c{attempt}"), Offer)
        h.send(OfferFailed(offer.offer_id, result))
        assert h.state("a1") is AgentState.AVAILABLE
        assert states(h, "a1")[-1][2] == trigger
        assert not h.core.dispatchable("a1")
        h.send(CallerLeft(f"c{attempt}"))
        h.at(h.t + 10)
    assert not of(h.log, PauseAgent)
    offer = only(h.arrive("late"), Offer)
    h.send(OfferFailed(offer.offer_id, result))
    backoff = 4.0 if result is OfferResult.REJECTED else 8.0
    assert not of(h.tick(h.t + backoff - 0.5), Offer)
    assert only(h.tick(h.t + 1.0), Offer).call_id == "late"


def test_caller_hangup_while_ringing_cancels_the_offer() -> None:
    h = Harness()
    h.login("a1")
    offer = only(h.arrive("c1"), Offer)
    h.send(OfferRinging(offer.offer_id))
    out = h.send(CallerLeft("c1"))
    assert only(out, CancelOffer).reason == "caller gone"
    assert states(h, "a1")[-1] == (AgentState.RINGING, AgentState.AVAILABLE, "cancel")
    assert h.core.dispatchable("a1")


def test_logout_while_ringing_requeues_the_caller() -> None:
    h = Harness()
    h.login("a1")
    h.login("a2")
    h.send(AgentPause("a2"))
    offer = only(h.arrive("c1"), Offer)
    h.send(OfferRinging(offer.offer_id))
    out = h.send(AgentLogout("a1"))
    assert only(out, CancelOffer).offer_id == offer.offer_id
    assert h.state("a1") is AgentState.LOGGED_OUT
    assert only(h.send(AgentReady("a2")), Offer).call_id == "c1"


def test_logout_on_a_call_is_illegal_and_changes_nothing() -> None:
    h = Harness()
    h.login("a1")
    offer = only(h.arrive("c1"), Offer)
    h.send(OfferAnswered(offer.offer_id))
    with pytest.raises(IllegalTransition):
        h.send(AgentLogout("a1"))
    assert h.state("a1") is AgentState.ON_CALL
    with pytest.raises(IllegalTransition):
        h.login("a1")


def test_logout_from_wrap_up_and_login_again() -> None:
    h = Harness(QueueConfig("q", wrap_up=30))
    h.login("a1")
    h.serve("c1")
    h.send(AgentLogout("a1"))
    assert h.state("a1") is AgentState.LOGGED_OUT
    h.tick(40)
    assert h.state("a1") is AgentState.LOGGED_OUT
    h.login("a1")
    assert h.state("a1") is AgentState.AVAILABLE
