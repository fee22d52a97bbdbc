"""Whatever the call flow feeds, the interpreter never raises, never acts after it is done, and
every action that expects an answer carries a fresh token."""

from __future__ import annotations

import datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.actions import DoLookup, Play, StartDigitTimer
from ivr.inputs import (
    AgentSideEnded,
    Digit,
    Input,
    LookupFailed,
    LookupSucceeded,
    PlaybackFinished,
    Started,
    TimerExpired,
)
from ivr.interpreter import Interpreter
from ivr.model import IvrGraph

SAMPLE = Path(__file__).resolve().parents[3] / "hotline.yaml"
NOW = datetime.datetime(2025, 6, 11, 2, 0, tzinfo=datetime.UTC)


def sample_graph() -> IvrGraph:
    from acd.config import load_config

    return load_config(SAMPLE, {}, require_secrets=False).ivr


GRAPH = sample_graph()

inputs = st.lists(st.one_of(
    st.builds(lambda d: ("digit", d), st.sampled_from("0123456789*#")),
    st.just(("play_done", "")),
    st.just(("timer", "")),
    st.just(("lookup_ok", "")),
    st.just(("lookup_failed", "")),
    st.just(("agent_ended", "")),
    st.just(("stale", "")),
), max_size=40)


@settings(max_examples=200, deadline=None)
@given(script=inputs, caller=st.sampled_from(["13800000001", "02155550000"]),
       hour=st.integers(0, 23))
def test_any_input_sequence_is_handled(script: list[tuple[str, str]], caller: str,
                                       hour: int) -> None:
    now = NOW + datetime.timedelta(hours=hour)
    ivr = Interpreter(GRAPH, notices=lambda: ("sound:notice-1",))
    step = ivr.feed(Started(now, caller, "95598"))
    tokens: dict[str, int] = {}
    seen: set[int] = set()
    for kind, value in script:
        for action in step.actions:
            if isinstance(action, Play | StartDigitTimer | DoLookup):
                assert action.token not in seen
                seen.add(action.token)
                tokens[type(action).__name__] = action.token
        was_done = ivr.done
        event: Input
        match kind:
            case "digit":
                event = Digit(now, value)
            case "play_done":
                event = PlaybackFinished(now, tokens.get("Play", -1))
            case "timer":
                event = TimerExpired(now, tokens.get("StartDigitTimer", -1))
            case "lookup_ok":
                event = LookupSucceeded(now, tokens.get("DoLookup", -1),
                                        {"status": "fault", "restore_time": "1830",
                                         "balance": "12"})
            case "lookup_failed":
                event = LookupFailed(now, tokens.get("DoLookup", -1))
            case "agent_ended":
                event = AgentSideEnded(now)
            case _:
                event = TimerExpired(now, 10_000)
        step = ivr.feed(event)
        if was_done:
            assert step.actions == () and step.trail == ()
        for entry in step.trail:
            if entry.kind == "entered":
                assert entry.node in GRAPH.nodes
