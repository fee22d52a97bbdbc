"""Agent time, occupancy, calls per hour, adherence and attendance, worked out by hand.

A1 (team north), seconds after T0 (a whole hour): available 0–1200, paused(lunch) 1200–2400
(across the half-hour boundary), available 2400–3000, on_call 3000–3300, wrap_up 3300–3360,
available 3360–3600, logged out at 3600. It handles one call entering at 2990.
A2 (team south) is scheduled but never logs in.
"""

from __future__ import annotations

import pytest
from report_scenario import T0, Script

from reports.facts import derive
from reports.metrics import compute, finish
from reports.params import Params, ScheduleEntry

US = 1_000_000


def build() -> Script:
    s = Script()
    s.state("A1", 0, "logged_out", "available", team="north")
    s.state("A1", 1200, "available", "paused", reason="lunch")
    s.state("A1", 2400, "paused", "available")
    s.state("A1", 3000, "available", "on_call")
    s.state("A1", 3300, "on_call", "wrap_up")
    s.state("A1", 3360, "wrap_up", "available")
    s.state("A1", 3600, "available", "logged_out")
    s.state("A2", 0, "logged_out", "logged_out", team="south")
    s.call("x1", 2990)
    s.enter("x1", "billing", 2990)
    s.answer("x1", "billing", "A1", 2995, 3000)
    s.seg("talk", "x1", "A1", 3000, 3300)
    s.end("x1", 3300)
    s.seg("wrap_up", "x1", "A1", 3300, 3360)
    return s


def test_state_time_per_half_hour() -> None:
    out = finish(compute(derive(build().events), Params(by=("agent", "interval"))))
    rows = {
        (r["key"]["agent"], int(r["key"]["interval"])): r["figures"]  # type: ignore[index]
        for r in out["agents"]  # type: ignore[attr-defined]
    }
    first = rows[("A1", int(T0 * US))]
    second = rows[("A1", int((T0 + 1800) * US))]
    assert first["available_s"] == 1200
    assert first["paused_s"] == 600
    assert first["occupancy"] == 0
    assert second["paused_s"] == 600
    assert second["available_s"] == 840
    assert second["on_call_s"] == 300
    assert second["wrap_up_s"] == 60
    assert second["occupancy"] == pytest.approx(360 / 1200)
    assert second["handled"] == 1
    assert second["logged_in_s"] == 1800


def test_per_agent_and_team_totals_with_schedule() -> None:
    sched = (
        ScheduleEntry("A1", int(T0 * US), int((T0 + 3600) * US)),
        ScheduleEntry("A2", int(T0 * US), int((T0 + 3600) * US)),
    )
    out = finish(compute(derive(build().events), Params(by=("team",), schedule=sched)))
    rows = {r["key"]["team"]: r["figures"] for r in out["agents"]}  # type: ignore[attr-defined]
    north = rows["north"]
    assert north["occupancy"] == pytest.approx(360 / 2400)
    assert north["calls_per_hour"] == pytest.approx(1.0)
    assert north["adherence"] == pytest.approx(2400 / 3600)
    assert north["attendance"] == 1.0
    tot = out["totals"]["agents"]  # type: ignore[index]
    assert tot["adherence"] == pytest.approx(2400 / 7200)
    assert tot["attendance"] == pytest.approx(1 / 2)


def test_adherence_is_na_without_schedule() -> None:
    out = finish(compute(derive(build().events), Params(by=("agent",))))
    assert out["totals"]["agents"]["adherence"] is None  # type: ignore[index]
    assert out["totals"]["agents"]["attendance"] is None  # type: ignore[index]


def test_interval_attribution_is_queue_entry_time() -> None:
    s = Script()
    s.call("y1", 1799.5)
    s.enter("y1", "billing", 1799.5)
    s.answer("y1", "billing", "A1", 1800, 1830)
    s.end("y1", 1900)
    out = finish(compute(derive(s.events), Params(by=("interval",), interval="30m")))
    (row,) = out["queues"]  # type: ignore[misc]
    assert int(row["key"]["interval"]) == int(T0 * US)
