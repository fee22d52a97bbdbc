"""Every route's happy path: what reaches the control plane and what the client gets back."""

from __future__ import annotations

from typing import Any

import pytest
from api_fake_control import FakeControl, serve

ROUTES: list[tuple[str, str, Any, tuple[str, tuple[Any, ...]]]] = [
    ("POST", "/api/v1/agents/a1/login", {"pin": "4321"}, ("agent_login", ("a1", "4321"))),
    ("POST", "/api/v1/agents/a1/login", None, ("agent_login", ("a1", None))),
    ("POST", "/api/v1/agents/a1/logout", None, ("agent_logout", ("a1",))),
    ("POST", "/api/v1/agents/a1/pause", {"reason": "lunch"}, ("agent_pause", ("a1", "lunch"))),
    ("POST", "/api/v1/agents/a1/ready", {}, ("agent_ready", ("a1",))),
    ("POST", "/api/v1/agents/a1/wrapup/end", None, ("end_wrap_up", ("a1",))),
    ("POST", "/api/v1/calls/c1/hold", None, ("hold", ("c1",))),
    ("POST", "/api/v1/calls/c1/unhold", None, ("unhold", ("c1",))),
    ("POST", "/api/v1/calls/c1/transfer",
     {"mode": "blind", "kind": "queue", "target": "billing"},
     ("transfer", ("c1", "blind", "queue", "billing"))),
    ("POST", "/api/v1/calls/c1/transfer",
     {"mode": "attended", "kind": "external", "target": "+861012345678"},
     ("transfer", ("c1", "attended", "external", "+861012345678"))),
    ("POST", "/api/v1/calls/c1/transfer/complete", None, ("complete_transfer", ("c1",))),
    ("POST", "/api/v1/calls/c1/transfer/cancel", None, ("cancel_transfer", ("c1",))),
    ("POST", "/api/v1/calls/c1/disposition",
     {"code": "billing-query", "resolved": False, "notes": "call back\nafter 5"},
     ("set_disposition", ("c1", "billing-query", False, "call back\nafter 5"))),
    ("POST", "/api/v1/calls/c1/disposition", {"code": "info", "resolved": True},
     ("set_disposition", ("c1", "info", True, ""))),
    ("PUT", "/api/v1/notices", {"notices": ["Outage in Chaoyang", "Storm warning"]},
     ("set_notices", (("Outage in Chaoyang", "Storm warning"),))),
    ("PUT", "/api/v1/notices", {"notices": []}, ("set_notices", ((),))),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), ROUTES)
async def test_action_reaches_the_control_plane(
    method: str, path: str, body: Any, expected: tuple[str, tuple[Any, ...]]
) -> None:
    control = FakeControl()
    async with serve(control) as client:
        resp = await client.request(method, path, json=body) if body is not None \
            else await client.request(method, path)
        assert resp.status == 200, await resp.text()
        assert resp.content_type == "application/json"
        await resp.json()
    assert control.calls == [expected]


async def test_percent_encoded_ids_reach_the_control_plane_decoded() -> None:
    control = FakeControl()
    async with serve(control) as client:
        resp = await client.post("/api/v1/agents/team%20a%3A7/logout")
        assert resp.status == 200
    assert control.calls == [("agent_logout", ("team a:7",))]


async def test_supervise_answers_the_session_the_controller_opened() -> None:
    control = FakeControl()
    async with serve(control) as client:
        resp = await client.post("/api/v1/calls/c9/supervise",
                                 json={"endpoint": "PJSIP/2001", "mode": "whisper"})
        assert resp.status == 200
        assert await resp.json() == {"call_id": "c9", "mode": "whisper",
                                     "session_id": "snoop-c9-whisper"}
    assert control.calls == [("supervise", ("PJSIP/2001", "c9", "whisper"))]


async def test_decisions_lists_the_routing_reasons() -> None:
    control = FakeControl(decided={"c1": ["queue billing: skill billing>=2",
                                          "offered to a2: longest idle (310 s)"]})
    async with serve(control) as client:
        resp = await client.get("/api/v1/calls/c1/decisions")
        assert resp.status == 200
        assert await resp.json() == {
            "call_id": "c1",
            "decisions": ["queue billing: skill billing>=2", "offered to a2: longest idle (310 s)"],
        }


async def test_get_notices_reads_the_snapshot() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/api/v1/notices")
        assert await resp.json() == {"notices": ["Power cut in Haidian district until 18:00"]}


async def test_put_notices_answers_the_new_list() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.put("/api/v1/notices", json={"notices": ["Water main repair"]})
        assert await resp.json() == {"notices": ["Water main repair"]}


async def test_snapshot_has_queues_agents_calls_notices_and_targets() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/api/v1/snapshot")
        assert resp.status == 200
        snap = await resp.json()
    assert snap["now"] == 1000.0
    assert snap["calls_in_progress"] == 6
    assert [q["name"] for q in snap["queues"]] == ["billing", "outages", "complaints"]
    billing = snap["queues"][0]
    assert billing == {
        "name": "billing", "waiting": 3, "longest_wait": 42.5, "agents_logged_in": 4,
        "agents_available": 1, "offered_today": 120, "answered_today": 110,
        "abandoned_today": 9, "service_level_today": 0.72, "asa_today": 26.4,
    }
    assert snap["queues"][2]["service_level_today"] is None
    paused = next(a for a in snap["agents"] if a["agent_id"] == "a3")
    assert paused["state"] == "paused"
    assert paused["pause_reason"] == "training"
    assert paused["time_in_state"] == 300.0
    assert snap["notices"] == ["Power cut in Haidian district until 18:00"]
    # The controller's ASA target overrides the default; the others come from the defaults.
    assert snap["targets"]["asa_s"] == 15.0
    assert snap["targets"]["sl"] == 0.8
    assert snap["targets"]["sl_threshold_s"] == 20.0
    assert snap["targets"]["abandon_rate_max"] == 0.05
