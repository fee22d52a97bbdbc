"""Erlang B/C against the published example, the CLIs, and the simulator against both an
exact FCFS multi-server recursion and Erlang C."""

from __future__ import annotations

import heapq
import json
import math
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor

import pytest

from acd.erlang_cmd import main as erlang_main
from acd.simulate_cmd import main as simulate_main
from queues.erlang import (
    ErlangError,
    agents_for_service_level,
    erlang_b,
    erlang_c,
    staffing,
)
from queues.simulator import SimConfig, SimResult, simulate

RATE = 100 / 1800  # 100 calls per 30 minutes
PUBLISHED = {
    12: (0.4493882, 0.640158, 40.44494),
    14: (0.1741319, 0.88835, 7.835937),
}


@pytest.mark.parametrize("agents", sorted(PUBLISHED))
def test_erlang_c_matches_the_published_example(agents: int) -> None:
    p_wait, sl, asa = PUBLISHED[agents]
    fig = staffing(RATE, 180, agents, 20)
    assert fig.p_wait == pytest.approx(p_wait, abs=1e-6)
    assert fig.service_level == pytest.approx(sl, abs=1e-5)
    assert fig.asa == pytest.approx(asa, abs=1e-4)
    assert fig.occupancy == pytest.approx(10 / agents)


def test_erlang_b_recursion_is_stable_for_large_systems() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    b = erlang_b(5000, 4900.0)
    assert 0 < b < 1 and math.isfinite(b)
    assert 0 < erlang_c(5000, 4900.0) < 1


def test_erlang_refuses_an_unstable_or_bad_system() -> None:
    with pytest.raises(ErlangError):
        erlang_c(10, 10.0)
    with pytest.raises(ErlangError):
        erlang_c(0, 1.0)
    with pytest.raises(ErlangError):
        staffing(RATE, -1, 12, 20)


def test_agents_for_a_target_service_level() -> None:
    fig = agents_for_service_level(RATE, 180, 20, 0.8)
    assert fig.agents == 14  # 13 gives about 0.79
    assert staffing(RATE, 180, 13, 20).service_level < 0.8 <= fig.service_level


def test_erlang_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert erlang_main(["--arrival-rate", str(RATE), "--aht", "180", "-N", "12", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["p_wait"] == pytest.approx(0.4493882, abs=1e-6)
    assert data["asa"] == pytest.approx(40.44494, abs=1e-3)
    assert erlang_main(["--calls", "100", "--aht", "180", "--target-sl", "80"]) == 0
    assert "agents         14" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--aht", "180", "-N", "12"],
        ["--arrival-rate", "x", "--aht", "180", "-N", "12"],
        ["--arrival-rate", "0.1", "--aht", "180", "-N", "12"],  # 18 Erlangs on 12 agents
        ["--arrival-rate", "0.05", "--aht", "-3", "-N", "12"],
        ["--arrival-rate", "0.05", "--aht", "180"],
        ["--arrival-rate", "0.05", "--aht", "180", "--target-sl", "0"],
    ],
)
def test_erlang_cli_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert erlang_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("acd erlang: error:") and err.count("\n") == 1


def test_simulate_cli_is_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--arrival-rate", "0.05", "--aht", "180", "--agents", "12", "--calls", "400",
            "--seed", "9", "--patience", "60", "--wrap-up", "5", "--json"]  # fmt: skip
    assert simulate_main(argv) == 0
    first = capsys.readouterr().out
    assert simulate_main(argv) == 0
    assert capsys.readouterr().out == first
    data = json.loads(first)
    assert data["offered"] == 400
    assert data["answered"] + data["abandoned"] == 400
    assert data["abandoned"] > 0
    for key in ("p_wait", "asa", "service_level", "occupancy", "mean_wait_of_waiting"):
        assert isinstance(data[key], float)
    assert simulate_main([*argv[:-3], "--seed", "10", "--json"]) == 0
    assert capsys.readouterr().out != first


@pytest.mark.parametrize(
    "argv",
    [["--aht", "1"], ["--arrival-rate", "0", "--aht", "1", "--agents", "1"],
     ["--arrival-rate", "1", "--aht", "1", "--agents", "1", "--patience", "-1"]],
)  # fmt: skip
def test_simulate_cli_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert simulate_main(argv) == 2
    assert capsys.readouterr().err.startswith("acd simulate: error:")


def fcfs_waits(arrivals: list[tuple[float, float]], agents: int) -> list[float]:
    """The exact FCFS N-server queue: each caller takes the earliest-free server."""
    free = [0.0] * agents
    waits = []
    for arrived, handle in arrivals:
        start = max(arrived, heapq.heappop(free))
        heapq.heappush(free, start + handle)
        waits.append(start - arrived)
    return waits


@pytest.mark.parametrize("agents", [1, 3, 12])
def test_simulator_reproduces_the_fcfs_queue_call_by_call(agents: int) -> None:
    trace: list[tuple[float, float, float | None]] = []
    simulate(SimConfig(arrival_rate=agents / 200, aht=180, agents=agents, calls=3000, seed=5),
             trace)  # fmt: skip
    expected = fcfs_waits([(a, h) for a, h, _ in trace], agents)
    got = [w for _, _, w in trace]
    assert all(w is not None for w in got)
    assert max(abs(g - e) for g, e in zip(got, expected, strict=True)) < 1e-6  # type: ignore[operator]
    assert sum(1 for w in expected if w > 0) > 100


def fcfs_figures(agents: int, calls: int, warmup: int, seed: int) -> tuple[float, float, float]:
    """P(wait), SL(20 s) and ASA of the FCFS recursion, streamed: cheap enough for 1M calls."""
    rng = random.Random(seed)
    free = [0.0] * agents
    now = total = 0.0
    waited = within = 0
    for n in range(calls):
        now += rng.expovariate(RATE)
        start = max(now, free[0])
        heapq.heapreplace(free, start + rng.expovariate(1 / 180))
        if n >= warmup:
            wait = start - now
            total += wait
            waited += wait > 0
            within += wait <= 20
    measured = calls - warmup
    return waited / measured, within / measured, total / measured


@pytest.mark.parametrize("agents", sorted(PUBLISHED))
def test_fcfs_queue_that_the_simulator_reproduces_agrees_with_erlang_c(agents: int) -> None:
    # With 1M calls the run-to-run spread is about 0.005 on P(wait) and 3 % on ASA, so the
    # published tolerances (0.02, 10 %) hold with margin; the simulator matches this queue
    # call by call (test above), which carries the agreement over to the routing core.
    p_wait, sl, asa = PUBLISHED[agents]
    got = fcfs_figures(agents, 1_000_000, 1000, seed=1)
    assert got[0] == pytest.approx(p_wait, abs=0.02)
    assert got[1] == pytest.approx(sl, abs=0.02)
    assert got[2] == pytest.approx(asa, rel=0.10)


# The simulator draws each call's inter-arrival and handle time in the same order as
# `fcfs_figures`, so for a seed its figures equal that recursion's (checked below); that
# made it cheap to measure the seed-to-seed spread at this length over 40 seeds: one
# standard deviation is 0.0040 on P(wait), 0.0045 on SL and 3.0 % on ASA at N = 12 (worst
# seed 8.4 % off on ASA), 0.0024, 0.0020 and 2.8 % at N = 14 (worst 6.9 %). The issue's
# tolerances (0.02, 10 %) are 4-5 standard deviations away on P(wait) and SL, 3.3 on ASA.
ERLANG_CALLS = 800_000
ERLANG_WARMUP = 2_000


@pytest.fixture(scope="module")
def published_runs() -> dict[int, SimResult]:
    """Both staffings of the published example through the real core, one process each."""
    configs = {
        agents: SimConfig(arrival_rate=RATE, aht=180, agents=agents, seed=1,
                          calls=ERLANG_CALLS + ERLANG_WARMUP, warmup=ERLANG_WARMUP)
        for agents in sorted(PUBLISHED)
    }  # fmt: skip
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(configs), mp_context=context) as pool:
        return dict(zip(configs, pool.map(simulate, configs.values()), strict=True))


def test_simulator_figures_equal_the_recursion_on_the_same_draws() -> None:
    result = simulate(SimConfig(arrival_rate=RATE, aht=180, agents=12, calls=21_000,
                                warmup=1000, seed=3))  # fmt: skip
    p_wait, sl, asa = fcfs_figures(12, 21_000, 1000, seed=3)
    assert result.p_wait == pytest.approx(p_wait, abs=1e-12)
    assert result.service_level == pytest.approx(sl, abs=1e-12)
    assert result.asa == pytest.approx(asa, rel=1e-9)


@pytest.mark.parametrize("agents", sorted(PUBLISHED))
def test_simulator_agrees_with_erlang_c_on_the_published_example(
    agents: int, published_runs: dict[int, SimResult]
) -> None:
    p_wait, sl, asa = PUBLISHED[agents]
    result = published_runs[agents]
    assert result.answered == result.offered == ERLANG_CALLS
    assert result.p_wait == pytest.approx(p_wait, abs=0.02)
    assert result.service_level == pytest.approx(sl, abs=0.02)
    assert result.asa == pytest.approx(asa, rel=0.10)
    assert result.occupancy == pytest.approx(10 / agents, abs=0.01)
