"""`/metrics`: Prometheus text that follows the snapshot at every scrape."""

from __future__ import annotations

import dataclasses

from api_fake_control import FakeControl, sample_snapshot, serve
from prometheus_client.parser import text_string_to_metric_families

from acd.control import AgentSnapshot, QueueSnapshot
from acd.metrics_export import MetricsExporter


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_reflect_the_snapshot() -> None:
    async with serve(FakeControl()) as client:
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain")
        got = _samples(await resp.text())
    q = (("queue", "billing"),)
    assert got[("acd_queue_waiting", q)] == 3
    assert got[("acd_queue_longest_wait_seconds", q)] == 42.5
    assert got[("acd_queue_agents_available", q)] == 1
    assert got[("acd_queue_agents_logged_in", q)] == 4
    assert got[("acd_queue_calls_today", (("outcome", "abandoned"), *q))] == 9
    assert got[("acd_queue_service_level_today_ratio", q)] == 0.72
    assert got[("acd_queue_asa_today_seconds", q)] == 26.4
    assert got[("acd_agents", (("state", "available"),))] == 2
    assert got[("acd_agents", (("state", "paused"),))] == 1
    assert got[("acd_agents", (("state", "ringing"),))] == 0
    assert got[("acd_calls_in_progress", ())] == 6
    # No service level yet for a queue with no calls today: the series is absent, not 0.
    assert ("acd_queue_service_level_today_ratio", (("queue", "complaints"),)) not in got


async def test_metrics_are_read_at_scrape_time() -> None:
    control = FakeControl()
    async with serve(control) as client:
        await client.get("/metrics")
        control.snap = dataclasses.replace(
            sample_snapshot(),
            queues=[QueueSnapshot("billing", waiting=7, longest_wait=61.0, agents_logged_in=5,
                                  agents_available=0)],
            agents=[AgentSnapshot("a9", "Sun Li", "east", "on_break", since=0.0)],
            calls_in_progress=11,
        )
        got = _samples(await (await client.get("/metrics")).text())
    assert got[("acd_queue_waiting", (("queue", "billing"),))] == 7
    assert ("acd_queue_waiting", (("queue", "outages"),)) not in got
    assert got[("acd_calls_in_progress", ())] == 11
    # A state outside the known list still gets its own series.
    assert got[("acd_agents", (("state", "on_break"),))] == 1
    assert got[("acd_agents", (("state", "available"),))] == 0
    assert [c[0] for c in control.calls] == ["snapshot", "snapshot"]


def test_each_exporter_has_its_own_registry() -> None:
    a, b = MetricsExporter(FakeControl()), MetricsExporter(FakeControl())
    assert a.registry is not b.registry
    assert a.render() == b.render()
    assert b"acd_calls_in_progress 6.0" in a.render()
